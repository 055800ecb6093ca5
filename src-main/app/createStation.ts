import os from 'node:os';
import type { Handlers } from '../contract/contract.ts';
import type { StationInfo } from '../contract/types.ts';
import { EventBus } from './eventBus.ts';
import { InfoService } from './infoService.ts';
import type { Logger } from './logger.ts';
import { STATION_VERSION } from './version.ts';

export interface StationOptions {
  host: StationInfo['host'];
  /** Folder for the queue database, token cache and logs (Electron: userData). */
  dataDir: string;
  logger: Logger;
  tenant?: { tenantId: string; cloud: string };
}

export interface Station {
  handlers: Handlers;
  bus: EventBus;
  close(): Promise<void>;
}

/**
 * Composition root shared by the Electron app, browser mode and the tests: builds every service
 * with its ports and maps each contract call to one service method.
 */
export function createStation(options: StationOptions): Station {
  const bus = new EventBus();
  const info = new InfoService({
    version: STATION_VERSION,
    host: options.host,
    platform: process.platform,
    arch: process.arch,
    stationName: os.hostname(),
    tenant: () => options.tenant,
  });

  const handlers: Handlers = {
    getInfo: async () => info.getInfo(),
  };

  return {
    handlers,
    bus,
    close: async () => {},
  };
}

import os from 'node:os';
import type { Handlers } from '../contract/contract.ts';
import { StationError } from '../contract/errors.ts';
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

  // Calls whose service has not landed yet answer with a clear error instead of pretending.
  const notYet = (what: string) => async (): Promise<never> => {
    throw new StationError({ code: 'NOT_AVAILABLE', message: `${what} is not available in this version of the station yet.` });
  };

  const handlers: Handlers = {
    getInfo: async () => info.getInfo(),
    captureThisDevice: notYet('Capturing this device'),
    readFiles: notYet('Reading hash files'),
    readFileContents: notYet('Reading hash files'),
    readDropFolder: notYet('The drop folder'),
    checkDevice: notYet('Checking a device'),
    queueDevices: notYet('The queue'),
    listQueue: notYet('The queue'),
    getDevice: notYet('The queue'),
    deviceAction: notYet('The queue'),
    editDevices: notYet('The queue'),
    exportQueue: notYet('Export'),
    getSettings: notYet('Settings'),
    updateSettings: notYet('Settings'),
    getAuthStatus: notYet('Sign-in'),
    signIn: notYet('Sign-in'),
    signOut: notYet('Sign-in'),
    listGroupTags: notYet('Group tags'),
  };

  return {
    handlers,
    bus,
    close: async () => {},
  };
}

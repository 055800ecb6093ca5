import os from 'node:os';
import path from 'node:path';
import { SettingsStore } from '../auth/settingsStore.ts';
import { systemBrowserOpener } from '../auth/systemBrowser.ts';
import { TenantSession, type StartTrainingTenant } from '../auth/tenantSession.ts';
import { simulatedTrainingTenant } from '../auth/trainingTenant.ts';
import type { TokenCacheProtector } from '../auth/tokenCacheProtector.ts';
import { systemClock, type Clock } from './clock.ts';
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
  /** Service time (scaled in tests and benches). */
  clock?: Clock;
  /** Electron: safeStorage. Absent: a key file in dataDir (weaker; logged). */
  tokenCacheProtector?: TokenCacheProtector;
  /** Opens the sign-in page (Electron: shell.openExternal). Absent: the system browser. */
  openBrowser?: (url: string) => Promise<void>;
  /** Administrator's pre-seeded, possibly locked settings (Windows: %ProgramData%). */
  machineSettingsFile?: string;
  /** Starts the in-process simulated tenant for training mode (default: the training scenario). */
  startTraining?: StartTrainingTenant;
}

export interface Station {
  handlers: Handlers;
  bus: EventBus;
  /** Settings, sign-in and the Autopilot operations of the current tenant (the queue worker uses it). */
  tenant: TenantSession;
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

  const clock = options.clock ?? systemClock;
  const tenant = new TenantSession({
    dataDir: options.dataDir,
    logger: options.logger,
    clock,
    settings: new SettingsStore({ file: path.join(options.dataDir, 'settings.json'), ...(options.machineSettingsFile ? { machineFile: options.machineSettingsFile } : {}), logger: options.logger }),
    ...(options.tokenCacheProtector ? { protector: options.tokenCacheProtector } : {}),
    openBrowser: options.openBrowser ?? systemBrowserOpener(options.logger),
    onAuthChanged: (status) => bus.emit('authChanged', status),
    onDeviceCode: (prompt) => bus.emit('deviceCode', prompt),
    startTraining: options.startTraining ?? simulatedTrainingTenant(clock, options.logger),
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
    getSettings: () => tenant.getSettings(),
    updateSettings: ({ patch }) => tenant.updateSettings(patch),
    getAuthStatus: () => tenant.getAuthStatus(),
    signIn: () => tenant.signIn(),
    signOut: () => tenant.signOut(),
    listGroupTags: () => tenant.listGroupTags(),
  };

  return {
    handlers,
    bus,
    tenant,
    close: () => tenant.close(),
  };
}

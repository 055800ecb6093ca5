import os from 'node:os';
import type { Handlers } from '../contract/contract.ts';
import { StationError } from '../contract/errors.ts';
import type { StationInfo } from '../contract/types.ts';
import { DiagnosticsService } from './diagnostics.ts';
import { EventBus } from './eventBus.ts';
import { InfoService } from './infoService.ts';
import type { Logger } from './logger.ts';
import type { MachineSettings } from './machineSettings.ts';
import { STATION_VERSION } from './version.ts';

export interface StationOptions {
  host: StationInfo['host'];
  /** Folder for the queue database, token cache and logs (Electron: userData). */
  dataDir: string;
  logger: Logger;
  tenant?: { tenantId: string; cloud: string };
  /** The log files "save diagnostics" collects (Electron: the rotating files in userData/logs). */
  logFiles?: () => string[];
  /** Where "save diagnostics" writes its zip; without it the zip comes back as bytes (browser mode). */
  diagnosticsDir?: string;
  /** The admin's pre-seeded settings (readMachineSettings); values and the locked list, for the settings service. */
  machineSettings?: MachineSettings;
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
    saveDiagnostics: async () => diagnostics.save(),
  };

  const diagnostics = new DiagnosticsService({
    logFiles: options.logFiles ?? (() => []),
    outputDir: options.diagnosticsDir,
    stationName: os.hostname(),
    version: STATION_VERSION,
    now: () => Date.now(),
    sections: diagnosticsSections(handlers),
  });

  return {
    handlers,
    bus,
    close: async () => {},
  };
}

/** What support needs besides the logs: the station, its settings, sign-in state and the whole queue. */
function diagnosticsSections(handlers: Handlers): Record<string, () => Promise<unknown>> {
  const wholeQueue = async () => {
    const first = await handlers.listQueue({ offset: 0, limit: 10_000 });
    const rows = [...first.rows];
    while (rows.length < first.total) {
      const page = await handlers.listQueue({ offset: rows.length, limit: 10_000 });
      if (page.rows.length === 0) break;
      rows.push(...page.rows);
    }
    return { total: first.total, counts: first.counts, rows };
  };
  let queue: ReturnType<typeof wholeQueue> | undefined;
  const once = () => (queue ??= wholeQueue());
  return {
    'station.json': () => handlers.getInfo({}),
    'settings.json': () => handlers.getSettings({}),
    'sign-in.json': () => handlers.getAuthStatus({}),
    'queue-counts.json': async () => {
      const q = await once();
      return { total: q.total, counts: q.counts };
    },
    'queue.json': async () => (await once()).rows,
    // Failed devices with their event history: the Graph request ids Microsoft support asks for.
    'failed-devices.json': async () => {
      const failed = (await once()).rows.filter((r) => r.state === 'failed' || r.state === 'timed-out').slice(0, 200);
      return Promise.all(failed.map((r) => handlers.getDevice({ id: r.id })));
    },
  };
}

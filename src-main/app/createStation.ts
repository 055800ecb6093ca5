import os from 'node:os';
import path from 'node:path';
import { SettingsStore } from '../auth/settingsStore.ts';
import { systemBrowserOpener } from '../auth/systemBrowser.ts';
import { TenantSession, type StartTrainingTenant } from '../tenant/tenantSession.ts';
import { simulatedTrainingTenant } from '../tenant/trainingTenant.ts';
import type { TokenCacheProtector } from '../auth/tokenCacheProtector.ts';
import { systemClock, type Clock } from '../kernel/clock.ts';
import type { Handlers } from '../contract/contract.ts';
import type { StationInfo, StationSettings } from '../contract/types.ts';
import { CaptureService } from '../capture/captureService.ts';
import { DropFolder } from '../capture/dropFolder.ts';
import { DropFolderWatcher } from '../capture/dropFolderWatcher.ts';
import { SeenFiles } from '../capture/seenFiles.ts';
import type { SystemSerialPort } from '../capture/systemSerialPort.ts';
import { SysteminformationSerialPort } from '../capture/systeminformationSerialPort.ts';
import { ThisDeviceSerial } from '../capture/thisDeviceSerial.ts';
import type { AutopilotPort } from '../graph/autopilotPort.ts';
import { deferredAutopilot } from '../queue/deferredAutopilot.ts';
import type { WorkerTimings } from '../queue/importWorker.ts';
import { openQueueRuntime, type QueueRuntime } from '../queue/queueRuntime.ts';
import { DiagnosticsService } from './diagnostics.ts';
import { EventBus } from '../kernel/eventBus.ts';
import { InfoService } from './infoService.ts';
import type { Logger } from '../kernel/logger.ts';
import type { MachineSettings } from './machineSettings.ts';
import { STATION_VERSION } from './version.ts';

export interface StationOptions {
  host: StationInfo['host'];
  /** Folder for the queue database, token cache and logs (Electron: userData). */
  dataDir: string;
  logger: Logger;
  /** Service time (scaled in tests and benches). */
  clock?: Clock;
  /** Electron: safeStorage. Absent: a key file in dataDir (weaker; logged). */
  tokenCacheProtector?: TokenCacheProtector;
  /** Opens the sign-in page (Electron: shell.openExternal). Absent: the system browser. */
  openBrowser?: (url: string) => Promise<void>;
  /** The admin's pre-seeded, possibly locked settings (readMachineSettings; Windows: %ProgramData%). */
  machineSettings?: MachineSettings;
  /** The log files "save diagnostics" collects (Electron: the rotating files in userData/logs). */
  logFiles?: () => string[];
  /** Where "save diagnostics" writes its zip; without it the zip comes back as bytes (browser mode). */
  diagnosticsDir?: string;
  /** Starts the in-process simulated tenant for training mode (default: the training scenario). */
  startTraining?: StartTrainingTenant;
  /** Folder the OEM tooling writes hash files into; default: the dropFolder setting (read at each look). */
  dropFolder?: string | (() => string | undefined);
  /** This machine's firmware serials; systeminformation unless a test passes a fake. */
  serialPort?: SystemSerialPort;
  /** The Autopilot operations the queue worker uses; default: the tenant session's (training: the simulated tenant). */
  autopilot?: AutopilotPort;
  /** Queue worker: stage deadlines and polling (service time); `worker: false` keeps devices without sending (offline bench). */
  queue?: { timings?: Partial<WorkerTimings>; worker?: boolean };
}

export interface Station {
  handlers: Handlers;
  bus: EventBus;
  /** Settings, sign-in and the Autopilot operations of the current tenant (the queue worker uses it). */
  tenant: TenantSession;
  /** The queue (opened on first use: SQLite in dataDir, worker started). */
  queue(): QueueRuntime;
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
    tenant: async () => {
      const s = await tenant.getSettings();
      return s.tenantId ? { tenantId: s.tenantId, cloud: s.cloud } : undefined;
    },
  });

  const clock = options.clock ?? systemClock;
  const tenant = new TenantSession({
    dataDir: options.dataDir,
    logger: options.logger,
    clock,
    settings: new SettingsStore({ file: path.join(options.dataDir, 'settings.json'), ...(options.machineSettings ? { machine: options.machineSettings } : {}), logger: options.logger }),
    ...(options.tokenCacheProtector ? { protector: options.tokenCacheProtector } : {}),
    openBrowser: options.openBrowser ?? systemBrowserOpener(options.logger),
    onAuthChanged: (status) => bus.emit('authChanged', status),
    onDeviceCode: (prompt) => bus.emit('deviceCode', prompt),
    startTraining: options.startTraining ?? simulatedTrainingTenant(clock, options.logger),
  });

  // Capture: the serial is read now, once, so capturing later never waits on WMI.
  const dropFolderSetting = options.dropFolder;
  const dropFolderPath =
    typeof dropFolderSetting === 'function' ? dropFolderSetting : dropFolderSetting !== undefined ? () => dropFolderSetting : () => dropFolderFromSettings;
  // The setting as last read; refreshed at start and on every settings change, so a look never waits on disk.
  let dropFolderFromSettings: string | undefined;
  const settingsChanged = (s: StationSettings): StationSettings => {
    dropFolderFromSettings = s.dropFolder;
    return s;
  };
  const settingsRead = tenant.getSettings().then(settingsChanged, () => undefined);
  const captureLog = options.logger.child({ service: 'capture' });
  const dropFolder = new DropFolder({ folder: dropFolderPath, seen: new SeenFiles(path.join(options.dataDir, 'drop-folder-seen.json'), captureLog), logger: captureLog });
  const dropFolderWatcher = new DropFolderWatcher({ dropFolder, bus, logger: captureLog });
  dropFolderWatcher.start();
  const capture = new CaptureService({
    serial: new ThisDeviceSerial({ port: options.serialPort ?? new SysteminformationSerialPort(), logger: captureLog }),
    dropFolder,
    logger: captureLog,
  });

  // Queue: opened on first use so that a station built for other calls never touches the database.
  let queueRuntime: QueueRuntime | undefined;
  const queue = (): QueueRuntime =>
    (queueRuntime ??= openQueueRuntime({
      dataDir: options.dataDir,
      clock: options.clock ?? systemClock,
      logger: options.logger,
      stationName: os.hostname(),
      bus,
      ...(options.queue?.worker === false ? {} : { port: options.autopilot ?? deferredAutopilot(() => tenant.autopilot()) }),
      batchSize: async () => (await tenant.getSettings()).batchSize,
      waitFor: () => 'registered',
      ...(options.queue?.timings ? { timings: options.queue.timings } : {}),
    }));

  const handlers: Handlers = {
    getInfo: async () => info.getInfo(),
    captureThisDevice: (input) => capture.captureThisDevice(input),
    readFiles: (input) => capture.readFiles(input),
    readFileContents: (input) => capture.readFileContents(input),
    readDropFolder: async () => {
      await settingsRead;
      return capture.readDropFolder();
    },
    checkDevice: (input) => capture.checkDevice(input),
    queueDevices: async ({ devices, groupTag, assignedUser }) => {
      const settings = await tenant.getSettings();
      const tag = groupTag ?? settings.defaultGroupTag;
      return queue().service.queueDevices(devices, { waitFor: settings.waitFor, ...(tag !== undefined ? { defaultGroupTag: tag } : {}), ...(groupTag !== undefined ? { groupTag } : {}), ...(assignedUser !== undefined ? { assignedUser } : {}) });
    },
    listQueue: async (input) => queue().service.listQueue(input),
    getDevice: async ({ id }) => queue().service.getDevice(id),
    deviceAction: async ({ ids, action }) => queue().service.deviceAction(ids, action),
    editDevices: ({ ids, groupTag, assignedUser }) => queue().service.editDevices(ids, { ...(groupTag !== undefined ? { groupTag } : {}), ...(assignedUser !== undefined ? { assignedUser } : {}) }),
    exportQueue: async ({ format, ids }) => queue().service.exportQueue(format, ids),
    getSettings: () => tenant.getSettings(),
    updateSettings: async ({ patch }) => settingsChanged(await tenant.updateSettings(patch)),
    getAuthStatus: () => tenant.getAuthStatus(),
    signIn: () => tenant.signIn(),
    signOut: () => tenant.signOut(),
    listGroupTags: () => tenant.listGroupTags(),
    saveDiagnostics: async () => diagnostics.save(),
  };

  const diagnostics = new DiagnosticsService({
    logFiles: options.logFiles ?? (() => []),
    outputDir: options.diagnosticsDir,
    stationName: os.hostname(),
    version: STATION_VERSION,
    now: () => Date.now(),
    sections: {
      ...diagnosticsSections(handlers),
      // Queue rows that could not be read back (set aside, still in the file): how many, and why.
      'queue-set-aside.json': async () => {
        const rows = queue().store.setAsideRows?.() ?? [];
        return { count: rows.length, rows: rows.slice(0, 200) };
      },
    },
  });

  return {
    handlers,
    bus,
    tenant,
    queue,
    close: async () => {
      dropFolderWatcher.stop();
      await queueRuntime?.close();
      await tenant.close();
    },
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

import os from 'node:os';
import path from 'node:path';
import { isTrainingMode, SettingsStore } from '../auth/settingsStore.ts';
import { CheckRecords } from '../check/checkRecords.ts';
import { checkedAutopilot, ConnectionCheckService } from '../check/connectionCheckService.ts';
import { systemBrowserOpener } from '../auth/systemBrowser.ts';
import { TenantSession, type StartTrainingTenant } from '../tenant/tenantSession.ts';
import { simulatedTrainingTenant } from '../tenant/trainingTenant.ts';
import type { TokenCacheProtector } from '../auth/tokenCacheProtector.ts';
import { scaledClock, systemClock, type Clock } from '../kernel/clock.ts';
import { savedServiceTime, serviceClockHeartbeat, TRAINING_TENANT_FILE } from '../sim/trainingTenantState.ts';
import type { Handlers } from '../contract/contract.ts';
import {
  DEFAULT_REGISTRATION_TARGETS,
  type AuthStatus,
  type StationInfo,
  type StationSettings,
} from '../contract/types.ts';
import { CaptureService } from '../capture/captureService.ts';
import { DropFolder } from '../capture/dropFolder.ts';
import { hashFileReader, type HashFileReader } from '../capture/hashFileReader.ts';
import { DropFolderWatcher } from '../capture/dropFolderWatcher.ts';
import { SeenFiles } from '../capture/seenFiles.ts';
import type { SystemSerialPort } from '../capture/systemSerialPort.ts';
import { SysteminformationSerialPort } from '../capture/systeminformationSerialPort.ts';
import { ThisDeviceSerial } from '../capture/thisDeviceSerial.ts';
import type { AutopilotPort } from '../graph/autopilotPort.ts';
import { deferredAutopilot } from '../queue/deferredAutopilot.ts';
import type { WorkerTimings } from '../queue/importWorker.ts';
import { corporatePortOf } from '../graph/corporateIdentities.ts';
import { openQueueRuntime, type QueueRuntime, type QueueRuntimeOptions } from '../queue/queueRuntime.ts';
import { DEFAULT_WAIT_FOR } from '../queue/queueStore.ts';
import { tenantQueueDir, tenantSlug, tenantSlugAfter, TRAINING_SLUG } from '../queue/tenantQueues.ts';
import { TenantQueueService } from '../queue/tenantQueueService.ts';
import { openSqliteQueueStore } from '../queue/sqliteQueueStore.ts';
import type { SignInDeadlines } from '../auth/authService.ts';
import type { CloudEndpoints } from '../graph/clouds.ts';
import { StationError } from '../contract/errors.ts';
import { DiagnosticsService } from './diagnostics.ts';
import { diagnosticsSections } from './diagnosticsSections.ts';
import { EventBus } from '../kernel/eventBus.ts';
import { InfoService } from './infoService.ts';
import type { Logger } from '../kernel/logger.ts';
import type { MachineSettings } from './machineSettings.ts';
import { STATION_VERSION } from './version.ts';
import type { NetworkFactory } from '../net/networkPort.ts';

export interface StationOptions {
  host: StationInfo['host'];
  /** Folder for the queue database, token cache and logs (Electron: userData). */
  dataDir: string;
  logger: Logger;
  /** Service time (scaled in tests and benches). */
  clock?: Clock;
  /**
   * Without a clock: service seconds per real second, resumed from the last run's service time (restart tests,
   * benches).
   */
  timeScale?: number;
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
  /** Reads and decodes hash files (default: the process's worker-thread reader, hashFileReader). */
  hashFiles?: Pick<HashFileReader, 'readFile' | 'readBytes'>;
  /** Folder the OEM tooling writes hash files into; default: the dropFolder setting (read at each look). */
  dropFolder?: string | (() => string | undefined);
  /** This machine's firmware serials; systeminformation unless a test passes a fake. */
  serialPort?: SystemSerialPort;
  /** The Autopilot operations the queue worker uses; default: the tenant session's (training: the simulated tenant). */
  autopilot?: AutopilotPort;
  /**
   * Pins the queue to one tenant whatever the settings say (`import --tenant sim`: 'sim-cli'), in `dir`.
   * Without it the queue is the current tenant's, `<dataDir>/tenants/<slug>/`.
   */
  queueTenant?: { slug: string; dir: string };
  /** Sign-in deadlines in real ms (tests shorten them). */
  signInDeadlines?: Partial<SignInDeadlines>;
  /** Endpoints per cloud (tests: an authority that never answers). */
  clouds?: Partial<Record<StationSettings['cloud'], CloudEndpoints>>;
  /**
   * Queue worker: stage deadlines and polling (service time); `worker: false` keeps devices without sending (offline
   * bench).
   */
  queue?: { timings?: Partial<WorkerTimings>; worker?: boolean };
  /** The network stack (Electron: Chromium's for Microsoft's hosts). Default: Node's, proxy from the environment. */
  network?: NetworkFactory;
}

export interface Station {
  handlers: Handlers;
  bus: EventBus;
  /** Settings, sign-in and the Autopilot operations of the current tenant (the queue worker uses it). */
  tenant: TenantSession;
  /** The current tenant's queue (opened on first use: SQLite in dataDir/tenants/<slug>, worker started). */
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

  // A scaled clock (tests, benches) resumes from the last run's service time: time never runs backwards.
  const resumeAt = options.timeScale ? savedServiceTime(options.dataDir) : undefined;
  const clock =
    options.clock ??
    (options.timeScale
      ? scaledClock(
          options.timeScale,
          Math.max(Date.now(), resumeAt !== undefined ? resumeAt + 1000 * options.timeScale : 0),
        )
      : systemClock);
  const stopHeartbeat = options.timeScale && !options.clock ? serviceClockHeartbeat(options.dataDir, clock) : undefined;
  const tenant = new TenantSession({
    dataDir: options.dataDir,
    logger: options.logger,
    clock,
    settings: new SettingsStore({
      file: path.join(options.dataDir, 'settings.json'),
      ...(options.machineSettings ? { machine: options.machineSettings } : {}),
      logger: options.logger,
    }),
    ...(options.tokenCacheProtector ? { protector: options.tokenCacheProtector } : {}),
    openBrowser: options.openBrowser ?? systemBrowserOpener(options.logger),
    onAuthChanged: (status) => bus.emit('authChanged', status),
    onDeviceCode: (prompt) => bus.emit('deviceCode', prompt),
    startTraining:
      options.startTraining ??
      simulatedTrainingTenant(clock, options.logger, {
        stateFile: path.join(tenantQueueDir(options.dataDir, TRAINING_SLUG), TRAINING_TENANT_FILE),
      }),
    ...(options.signInDeadlines ? { signInDeadlines: options.signInDeadlines } : {}),
    ...(options.clouds ? { clouds: options.clouds } : {}),
    ...(options.network ? { network: options.network } : {}),
  });

  // Capture: the serial is read now, once, so capturing later never waits on WMI.
  const dropFolderSetting = options.dropFolder;
  const dropFolderPath =
    typeof dropFolderSetting === 'function'
      ? dropFolderSetting
      : dropFolderSetting !== undefined
        ? () => dropFolderSetting
        : () => dropFolderFromSettings;
  // The setting as last read; refreshed at start and on every settings change, so a look never waits on disk.
  let dropFolderFromSettings: string | undefined;
  const settingsChanged = (s: StationSettings): StationSettings => {
    dropFolderFromSettings = s.dropFolder;
    return s;
  };
  const settingsRead = tenant.getSettings().then(settingsChanged, () => undefined);
  const captureLog = options.logger.child({ service: 'capture' });
  // Hash files are read and decoded on a worker thread (the Electron main thread also answers the window).
  const files = options.hashFiles ?? hashFileReader;
  if (!options.hashFiles)
    hashFileReader.onWorkerError = (err) =>
      captureLog.warn('hash file worker failed; reading on the main thread', { error: err.message });
  const dropFolder = new DropFolder({
    folder: dropFolderPath,
    seen: new SeenFiles(path.join(options.dataDir, 'drop-folder-seen.json'), captureLog),
    logger: captureLog,
    files,
  });
  const dropFolderWatcher = new DropFolderWatcher({ dropFolder, bus, logger: captureLog });
  dropFolderWatcher.start();
  const capture = new CaptureService({
    serial: new ThisDeviceSerial({ port: options.serialPort ?? new SysteminformationSerialPort(), logger: captureLog }),
    dropFolder,
    logger: captureLog,
    files,
  });

  // Pre-flight check: Settings' "Check connection", and the first import of a never-checked tenant.
  const checks = new ConnectionCheckService({
    target: () => tenant.checkTarget(),
    records: CheckRecords.inDataDir(options.dataDir),
    clock,
    logger: options.logger.child({ service: 'check' }),
  });

  // Queue: one per tenant, opened on first use so that a station built for other calls never touches
  // a database; a tenant change closes it (worker first) and opens the new tenant's.
  const queues = new TenantQueueService({
    dataDir: options.dataDir,
    clock,
    logger: options.logger,
    bus,
    currentSlug: () => tenantSlug(tenant.settingsNow()),
    openRuntime: (slug, dir) => openQueueRuntime(queueRuntimeOptions(slug, dir)),
    openStore: (dir) => openSqliteQueueStore(dir),
    ...(options.queueTenant ? { pinned: options.queueTenant } : {}),
  });
  const queue = (): QueueRuntime => queues.current();
  // Devices held in the queue while the bench could not sign in go as soon as it can.
  bus.subscribe((name, payload) => {
    if (name === 'authChanged' && (payload as AuthStatus).state === 'signed-in') queues.openNow()?.worker?.resumeHeld();
  });
  const queueRuntimeOptions = (slug: string, dir: string): QueueRuntimeOptions => {
    // The worker of one tenant's queue never talks to another tenant: the session may already point
    // elsewhere while this queue is being closed. A tenant never checked is checked once before its
    // first batch (not the training tenant).
    const port =
      options.autopilot ??
      checkedAutopilot(
        deferredAutopilot(async () => {
          if (queues.slug() !== slug)
            throw new StationError({
              code: 'TENANT_CHANGED',
              message: 'The tenant changed; this queue is being closed.',
              action: 'Nothing to do: the queue of the new tenant takes over.',
            });
          return tenant.autopilot();
        }),
        checks,
        { skip: async () => isTrainingMode(await tenant.getSettings()) },
      );
    return {
      dataDir: dir,
      clock,
      logger: options.logger,
      stationName: os.hostname(),
      bus,
      ...(options.queue?.worker === false ? {} : { port }),
      batchSize: async () => (await tenant.getSettings()).batchSize,
      waitFor: () => DEFAULT_WAIT_FOR,
      ...(options.queue?.timings ? { timings: options.queue.timings } : {}),
      // Over the tenant's Graph client, so under its rate budget.
      corporatePort: corporatePortOf(() => tenant.graph()),
      registrationTargets: async () =>
        (await tenant.getSettings()).registrationTargets ?? [...DEFAULT_REGISTRATION_TARGETS],
    };
  };

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
    queueDevices: async ({ devices, groupTag, assignedUser, overrideGroupTag, overrideAssignedUser, refused }) => {
      const settings = await tenant.getSettings();
      const tag = groupTag ?? settings.defaultGroupTag;
      // In steps: a 10 MB file's 2,500 devices never hold the Electron main thread in one transaction. The service
      // decides from the targets whether the devices are corporate identifiers only.
      return queue().service.queueDevicesInSteps(devices, {
        waitFor: settings.waitFor,
        registrationTargets: settings.registrationTargets,
        ...(tag !== undefined ? { defaultGroupTag: tag } : {}),
        ...(groupTag !== undefined ? { groupTag } : {}),
        ...(assignedUser !== undefined ? { assignedUser } : {}),
        ...(overrideGroupTag ? { overrideGroupTag } : {}),
        ...(overrideAssignedUser ? { overrideAssignedUser } : {}),
        ...(refused?.length ? { refused } : {}),
      });
    },
    listQueue: async (input) => queue().service.listQueue(input),
    getDevice: async ({ id }) => queue().service.getDevice(id),
    deviceAction: async ({ ids, action }) => queue().service.deviceAction(ids, action),
    editDevices: ({ ids, groupTag, assignedUser }) =>
      queue().service.editDevices(ids, {
        ...(groupTag !== undefined ? { groupTag } : {}),
        ...(assignedUser !== undefined ? { assignedUser } : {}),
      }),
    exportQueue: async ({ format, ids }) => queue().service.exportQueue(format, ids),
    getSettings: () => tenant.getSettings(),
    // Every window follows at once (mode, banner, sign-in panel); the queue reloads when it is another tenant's.
    updateSettings: ({ patch }) =>
      queues.saveSettings(
        tenantSlugAfter(tenant.settingsNow(), patch),
        async () => settingsChanged(await tenant.updateSettings(patch)),
        (saved) => bus.emit('settingsChanged', saved),
      ),
    getAuthStatus: () => tenant.getAuthStatus(),
    signIn: () => tenant.signIn(),
    signOut: () => tenant.signOut(),
    listGroupTags: () => tenant.listGroupTags(),
    saveDiagnostics: async () => diagnostics.save(),
    listTenantQueues: async () => queues.list(),
    moveDevices: async ({ ids, toTenant }) => queues.move(ids, toTenant),
    cancelSignIn: () => tenant.cancelSignIn(),
    checkConnection: () => checks.run({ interactive: true }),
    lastConnectionCheck: () => checks.lastReport(),
  };
  const diagnostics = new DiagnosticsService({
    logFiles: options.logFiles ?? (() => []),
    outputDir: options.diagnosticsDir,
    stationName: os.hostname(),
    version: STATION_VERSION,
    now: () => Date.now(),
    // Built again at each save: every bundle is a fresh snapshot of the current tenant's queue.
    sections: () => ({
      ...diagnosticsSections(handlers),
      // Queue rows that could not be read back (set aside, still in the file): how many, and why.
      'queue-set-aside.json': async () => {
        const rows = queue().store.setAsideRows?.() ?? [];
        return { count: rows.length, rows: rows.slice(0, 200) };
      },
    }),
  });

  return {
    handlers,
    bus,
    tenant,
    queue,
    close: async () => {
      dropFolderWatcher.stop();
      stopHeartbeat?.();
      await queues.close();
      await tenant.close();
    },
  };
}

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
import type { AuthStatus, StationInfo, StationSettings } from '../contract/types.ts';
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
import { openQueueRuntime, type QueueRuntime } from '../queue/queueRuntime.ts';
import { DEFAULT_WAIT_FOR } from '../queue/queueStore.ts';
import { migrateLegacyQueues, moveDevices, SIM_CLI_SLUG, tenantOfSlug, tenantQueueDir, tenantQueueSlugs, tenantSlug, TRAINING_SLUG } from '../queue/tenantQueues.ts';
import { openSqliteQueueStore } from '../queue/sqliteQueueStore.ts';
import type { SignInDeadlines } from '../auth/authService.ts';
import type { CloudEndpoints } from '../graph/clouds.ts';
import { StationError } from '../contract/errors.ts';
import { DiagnosticsService } from './diagnostics.ts';
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
  /** Without a clock: service seconds per real second, resumed from the last run's service time (restart tests, benches). */
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
  /** Queue worker: stage deadlines and polling (service time); `worker: false` keeps devices without sending (offline bench). */
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
  const clock = options.clock ?? (options.timeScale ? scaledClock(options.timeScale, Math.max(Date.now(), resumeAt !== undefined ? resumeAt + 1000 * options.timeScale : 0)) : systemClock);
  const stopHeartbeat = options.timeScale && !options.clock ? serviceClockHeartbeat(options.dataDir, clock) : undefined;
  const tenant = new TenantSession({
    dataDir: options.dataDir,
    logger: options.logger,
    clock,
    settings: new SettingsStore({ file: path.join(options.dataDir, 'settings.json'), ...(options.machineSettings ? { machine: options.machineSettings } : {}), logger: options.logger }),
    ...(options.tokenCacheProtector ? { protector: options.tokenCacheProtector } : {}),
    openBrowser: options.openBrowser ?? systemBrowserOpener(options.logger),
    onAuthChanged: (status) => bus.emit('authChanged', status),
    onDeviceCode: (prompt) => bus.emit('deviceCode', prompt),
    startTraining: options.startTraining ?? simulatedTrainingTenant(clock, options.logger, { stateFile: path.join(tenantQueueDir(options.dataDir, TRAINING_SLUG), TRAINING_TENANT_FILE) }),
    ...(options.signInDeadlines ? { signInDeadlines: options.signInDeadlines } : {}),
    ...(options.clouds ? { clouds: options.clouds } : {}),
    ...(options.network ? { network: options.network } : {}),
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
  // Hash files are read and decoded on a worker thread (the Electron main thread also answers the window).
  const files = options.hashFiles ?? hashFileReader;
  if (!options.hashFiles) hashFileReader.onWorkerError = (err) => captureLog.warn('hash file worker failed; reading on the main thread', { error: err.message });
  const dropFolder = new DropFolder({ folder: dropFolderPath, seen: new SeenFiles(path.join(options.dataDir, 'drop-folder-seen.json'), captureLog), logger: captureLog, files });
  const dropFolderWatcher = new DropFolderWatcher({ dropFolder, bus, logger: captureLog });
  dropFolderWatcher.start();
  const capture = new CaptureService({
    serial: new ThisDeviceSerial({ port: options.serialPort ?? new SysteminformationSerialPort(), logger: captureLog }),
    dropFolder,
    logger: captureLog,
    files,
  });

  // Pre-flight check (issue 19): Settings' "Check connection", and the first import of a never-checked tenant.
  const checks = new ConnectionCheckService({ target: () => tenant.checkTarget(), records: CheckRecords.inDataDir(options.dataDir), clock, logger: options.logger.child({ service: 'check' }) });

  // Queue: one per tenant (<dataDir>/tenants/<slug>/queue.db), opened on first use so that a station
  // built for other calls never touches a database. A tenant change closes it (worker stopped first)
  // and the next use opens the new tenant's queue.
  const queueLog = options.logger.child({ service: 'queue' });
  const slugNow = (): string => options.queueTenant?.slug ?? tenantSlug(tenant.settingsNow());
  let legacyChecked = false;
  let current: { slug: string; runtime: QueueRuntime } | undefined;
  // Devices held in the queue while the bench could not sign in go as soon as it can.
  bus.subscribe((name, payload) => {
    if (name === 'authChanged' && (payload as AuthStatus).state === 'signed-in') current?.runtime.worker?.resumeHeld();
  });
  const openFor = (slug: string): QueueRuntime => {
    if (!options.queueTenant && !legacyChecked) {
      legacyChecked = true;
      migrateLegacyQueues(options.dataDir, slug, queueLog);
    }
    const dir = options.queueTenant?.dir ?? tenantQueueDir(options.dataDir, slug);
    queueLog.info('Opened the queue of this tenant', { tenant: slug, dir });
    // The worker of one tenant's queue never talks to another tenant: the session may already point
    // elsewhere while this queue is being closed.
    // A tenant never checked is checked once before its first batch (not the training tenant).
    const port =
      options.autopilot ??
      checkedAutopilot(
        deferredAutopilot(async () => {
          if (slugNow() !== slug) throw new StationError({ code: 'TENANT_CHANGED', message: 'The tenant changed; this queue is being closed.', action: 'Nothing to do: the queue of the new tenant takes over.' });
          return tenant.autopilot();
        }),
        checks,
        { skip: async () => isTrainingMode(await tenant.getSettings()) },
      );
    return openQueueRuntime({
      dataDir: dir,
      clock,
      logger: options.logger,
      stationName: os.hostname(),
      bus,
      ...(options.queue?.worker === false ? {} : { port }),
      batchSize: async () => (await tenant.getSettings()).batchSize,
      waitFor: () => DEFAULT_WAIT_FOR,
      ...(options.queue?.timings ? { timings: options.queue.timings } : {}),
      // Corporate identifiers (issue 18): over the tenant's Graph client, so under its rate budget.
      corporatePort: corporatePortOf(() => tenant.graph()),
      registrationTargets: async () => (await tenant.getSettings()).registrationTargets ?? 'autopilot',
    });
  };
  const queue = (): QueueRuntime => {
    const slug = slugNow();
    if (current && current.slug !== slug) {
      // Settings changed without going through updateSettings (another window, a test): switch now.
      const old = current.runtime;
      void old.close().catch((err: unknown) => queueLog.error('Closing the previous tenant\'s queue failed', { error: err instanceof Error ? err.message : String(err) }));
      current = undefined;
    }
    current ??= { slug, runtime: openFor(slug) };
    return current.runtime;
  };
  /** Before settings that change the tenant are saved: stop the old queue's worker so nothing more is sent to the old tenant. */
  const closeQueueIfTenantChanges = async (patch: { tenantId?: string | undefined; cloud?: StationSettings['cloud'] | undefined }): Promise<boolean> => {
    if (!current || options.queueTenant) return false;
    const before = tenant.settingsNow();
    const after = { tenantId: patch.tenantId === undefined ? before.tenantId : patch.tenantId || undefined, cloud: patch.cloud ?? before.cloud };
    if (tenantSlug(after) === current.slug) return false;
    const old = current;
    current = undefined;
    queueLog.info('Tenant changing: closing this tenant\'s queue', { from: old.slug, to: tenantSlug(after) });
    await old.runtime.close();
    return true;
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
      // In steps: a 10 MB file's 2,500 devices never hold the Electron main thread in one transaction.
      return queue().service.queueDevicesInSteps(devices, { waitFor: settings.waitFor, ...(settings.registrationTargets === 'corporate' ? { autopilot: false } : {}), ...(tag !== undefined ? { defaultGroupTag: tag } : {}), ...(groupTag !== undefined ? { groupTag } : {}), ...(assignedUser !== undefined ? { assignedUser } : {}), ...(overrideGroupTag ? { overrideGroupTag } : {}), ...(overrideAssignedUser ? { overrideAssignedUser } : {}), ...(refused?.length ? { refused } : {}) });
    },
    listQueue: async (input) => queue().service.listQueue(input),
    getDevice: async ({ id }) => queue().service.getDevice(id),
    deviceAction: async ({ ids, action }) => queue().service.deviceAction(ids, action),
    editDevices: ({ ids, groupTag, assignedUser }) => queue().service.editDevices(ids, { ...(groupTag !== undefined ? { groupTag } : {}), ...(assignedUser !== undefined ? { assignedUser } : {}) }),
    exportQueue: async ({ format, ids }) => queue().service.exportQueue(format, ids),
    getSettings: () => tenant.getSettings(),
    updateSettings: async ({ patch }) => {
      const switched = await closeQueueIfTenantChanges(patch);
      let saved: StationSettings;
      try {
        saved = settingsChanged(await tenant.updateSettings(patch));
      } finally {
        // The tenant's queue (the new one, or the old one when the change was refused) works on at once.
        if (switched) queue();
      }
      // Every window follows at once: mode, banner, sign-in panel; the queue reloads when it is another tenant's.
      bus.emit('settingsChanged', saved);
      if (switched) bus.emit('queueChanged', { deviceIds: [], at: new Date(clock.now()).toISOString(), counts: queue().store.countByState() });
      return saved;
    },
    getAuthStatus: () => tenant.getAuthStatus(),
    signIn: () => tenant.signIn(),
    signOut: () => tenant.signOut(),
    listGroupTags: () => tenant.listGroupTags(),
    saveDiagnostics: async () => diagnostics.save(),
    listTenantQueues: async () => {
      const now = slugNow();
      const slugs = [...new Set([now, ...tenantQueueSlugs(options.dataDir)])];
      return slugs.map((slug) => ({ slug, current: slug === now, training: slug === TRAINING_SLUG || slug === SIM_CLI_SLUG, total: slug === now ? queue().service.total() : countIn(slug), ...tenantOfSlug(slug) }));
    },
    moveDevices: async ({ ids, toTenant }) => {
      if (options.queueTenant) throw new StationError({ code: 'NOT_AVAILABLE', message: 'This station\'s queue is pinned to one tenant.', action: 'Move devices from the app or browser mode.' });
      const from = slugNow();
      if (toTenant === from) throw new StationError({ code: 'MOVE_SAME_TENANT', message: 'These devices are already in this tenant\'s queue.', action: 'Choose another tenant.' });
      if (!tenantQueueSlugs(options.dataDir).includes(toTenant) && toTenant !== TRAINING_SLUG) {
        throw new StationError({ code: 'MOVE_UNKNOWN_TENANT', message: `The station has no queue for the tenant "${toTenant}".`, action: 'Sign in to that tenant once (enter its tenant id in settings), then move the devices.', params: { tenant: toTenant } });
      }
      const source = queue();
      const target = openSqliteQueueStore(tenantQueueDir(options.dataDir, toTenant));
      try {
        const r = moveDevices(source.store, target, ids, { fromSlug: from, toSlug: toTenant, now: clock.now() });
        queueLog.info('Moved devices to another tenant\'s queue', { from, to: toTenant, moved: r.moved.length, refused: r.refused.length });
        if (r.refused.length < ids.length) bus.emit('queueChanged', { deviceIds: [], at: new Date(clock.now()).toISOString(), counts: source.store.countByState() });
        return { moved: r.moved, refused: r.refused.map((x) => ({ id: x.id, code: x.code, ...(x.serialNumber ? { serialNumber: x.serialNumber } : {}) })) };
      } finally {
        target.close();
      }
    },
    cancelSignIn: () => tenant.cancelSignIn(),
    checkConnection: () => checks.run({ interactive: true }),
    lastConnectionCheck: () => checks.lastReport(),
  };
  const countIn = (slug: string): number => {
    const store = openSqliteQueueStore(tenantQueueDir(options.dataDir, slug));
    try {
      return Object.values(store.countByState()).reduce((a, b) => a + b, 0);
    } finally {
      store.close();
    }
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
      const open = current;
      current = undefined;
      await open?.runtime.close();
      await tenant.close();
    },
  };
}

/** What support needs besides the logs: the station, its settings, sign-in state and the whole queue (of the current tenant). */
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
    // The configured method beside the live status (which says nothing about the method while signed out).
    'sign-in.json': async () => {
      const [settings, status] = await Promise.all([handlers.getSettings({}), handlers.getAuthStatus({})]);
      return { configuredMethod: settings.tenantId ? settings.authMode : 'training (certificate, built-in)', tenantId: settings.tenantId ?? null, cloud: settings.cloud, ...status };
    },
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

import type { Clock } from '../kernel/clock.ts';
import type { EventBus } from '../kernel/eventBus.ts';
import type { Logger } from '../kernel/logger.ts';
import { StationError } from '../contract/errors.ts';
import type { AutopilotPort } from '../graph/autopilotPort.ts';
import { ImportWorker, type WorkerContext, type WorkerStage, type WorkerTimings } from './importWorker.ts';
import type { QueueStore, WaitFor } from './queueStore.ts';
import { QueueService } from './queueService.ts';
import { openSqliteQueueStore, SqliteQueueStore } from './sqliteQueueStore.ts';
import { DEFAULT_REGISTRATION_TARGETS, type RegistrationTargets } from '../contract/types.ts';
import type { CorporateIdentityPort } from '../graph/corporateIdentityPort.ts';
import { CorporateStage } from './corporateStage.ts';
import { openSqliteCorporateStore, type SqliteCorporateStore } from './sqliteCorporateStore.ts';

export interface QueueRuntimeOptions {
  dataDir: string;
  clock: Clock;
  logger: Logger;
  stationName: string;
  bus?: EventBus;
  /** Absent on an offline bench: devices are kept and exported, nothing is sent. */
  port?: AutopilotPort;
  batchSize: () => number | Promise<number>;
  /** Default for devices queued without an explicit waitFor. */
  waitFor: () => WaitFor;
  timings?: Partial<WorkerTimings>;
  /**
   * Corporate identifiers: Graph's operations (over the tenant's client, so under its rate budget)
   * and the station's targets; with a port, the corporate stage runs as one of the worker's stages.
   */
  corporatePort?: CorporateIdentityPort;
  registrationTargets?: () => RegistrationTargets | Promise<RegistrationTargets>;
}

/** The corporate identifier stage of one tenant's queue and its table (SqliteCorporateStore, same file). */
export interface QueueCorporate {
  store: SqliteCorporateStore;
  stage: CorporateStage;
}

export interface QueueRuntime {
  store: QueueStore;
  service: QueueService;
  worker?: ImportWorker;
  /** The corporate identifier stage (one of the worker's) and its table, when the worker runs. */
  corporate?: QueueCorporate;
  /** Set when the previous database could not be used and was kept aside. */
  problem?: StationError;
  close(): Promise<void>;
}

/**
 * Opens the queue in the data folder, starts the worker when a tenant is at hand. A database that
 * cannot be used is kept aside (never overwritten), reported, and a fresh queue is started so that
 * the bench keeps working.
 */
export function openQueueRuntime(o: QueueRuntimeOptions): QueueRuntime {
  let problem: StationError | undefined;
  let store: QueueStore;
  try {
    store = openSqliteQueueStore(o.dataDir, { logger: o.logger.child({ service: 'queue-store' }) });
  } catch (err) {
    if (!(err instanceof StationError)) throw err;
    problem = err;
    o.logger.error('queue database kept aside', { code: err.code, movedTo: err.details?.movedTo });
    store = openSqliteQueueStore(o.dataDir, { logger: o.logger.child({ service: 'queue-store' }) });
    o.bus?.emit('attention', {
      kind: 'device-needs-attention',
      deviceIds: [],
      message: `${err.message} ${err.action ?? ''}`.trim(),
    });
  }
  // Corporate identifiers: a table on the same database, and a stage in the worker's loop.
  const corporateStore =
    o.port && o.corporatePort && store instanceof SqliteQueueStore ? openSqliteCorporateStore(store.file) : undefined;
  let corporate: QueueCorporate | undefined;
  const extraStages = (c: WorkerContext): WorkerStage[] => {
    if (!corporateStore || !o.corporatePort) return [];
    const targets = o.registrationTargets ?? (() => [...DEFAULT_REGISTRATION_TARGETS]);
    corporate = {
      store: corporateStore,
      stage: new CorporateStage(c, { store: corporateStore, port: o.corporatePort, targets, batchSize: o.batchSize }),
    };
    return [corporate.stage];
  };
  const worker = o.port
    ? new ImportWorker({
        store,
        port: o.port,
        clock: o.clock,
        logger: o.logger.child({ service: 'import-worker' }),
        batchSize: o.batchSize,
        extraStages,
        ...(o.bus ? { bus: o.bus } : {}),
        ...(o.timings ? { timings: o.timings } : {}),
      })
    : undefined;
  const service = new QueueService({
    store,
    clock: o.clock,
    logger: o.logger.child({ service: 'queue' }),
    stationName: o.stationName,
    waitFor: o.waitFor,
    ...(o.timings ? { timings: o.timings } : {}),
    ...(o.bus ? { bus: o.bus } : {}),
    ...(o.port ? { port: o.port } : {}),
    ...(worker ? { onWork: () => worker.kick(), checkNow: (ids: string[]) => checkNowOf(worker)(ids) } : {}),
    ...(corporate
      ? { corporate: corporate.store, corporateRetry: (ids: string[]) => corporate!.stage.retry(ids) }
      : {}),
  });
  worker?.start();
  return {
    store,
    service,
    ...(worker ? { worker } : {}),
    ...(corporate ? { corporate } : {}),
    ...(problem ? { problem } : {}),
    close: async () => {
      await worker?.stop();
      service.close();
      corporateStore?.close();
      store.close();
    },
  };
}

/**
 * The worker's "look these importing devices up now" (Retry on an import past its time) when it has
 * one; the service has already made their batch due, so waking the worker reads it from the tenant.
 */
function checkNowOf(worker: ImportWorker): (ids: string[]) => void {
  const w = worker as unknown as { checkNow?: (ids: string[]) => void | Promise<void> };
  return (ids) => {
    if (typeof w.checkNow === 'function') void Promise.resolve(w.checkNow(ids)).catch(() => {});
    worker.kick();
  };
}

import type { Clock } from '../kernel/clock.ts';
import type { EventBus } from '../kernel/eventBus.ts';
import type { Logger } from '../kernel/logger.ts';
import { StationError } from '../contract/errors.ts';
import type { AutopilotPort } from '../graph/autopilotPort.ts';
import { ImportWorker, type WorkerTimings } from './importWorker.ts';
import type { QueueStore, WaitFor } from './queueStore.ts';
import { QueueService } from './queueService.ts';
import { openSqliteQueueStore, SqliteQueueStore } from './sqliteQueueStore.ts';
import type { RegistrationTargets } from '../contract/types.ts';
import type { CorporateIdentityPort } from '../graph/corporateIdentityPort.ts';
import { openCorporateRuntime, type CorporateRuntime } from './corporateRuntime.ts';

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
  /** Corporate identifiers (issue 18): Graph's operations and the station's target; with a port, the stage runs beside the worker. */
  corporatePort?: CorporateIdentityPort;
  registrationTargets?: () => RegistrationTargets | Promise<RegistrationTargets>;
}

export interface QueueRuntime {
  store: QueueStore;
  service: QueueService;
  worker?: ImportWorker;
  /** The corporate identifier stage, its store and loop (issue 18), when the worker runs. */
  corporate?: CorporateRuntime;
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
    o.bus?.emit('attention', { kind: 'device-needs-attention', deviceIds: [], message: `${err.message} ${err.action ?? ''}`.trim() });
  }
  const worker = o.port
    ? new ImportWorker({ store, port: o.port, clock: o.clock, logger: o.logger.child({ service: 'import-worker' }), batchSize: o.batchSize, ...(o.bus ? { bus: o.bus } : {}), ...(o.timings ? { timings: o.timings } : {}) })
    : undefined;
  // Corporate identifiers (issue 18): their own stage and loop on the same database, beside the worker.
  const corporate =
    worker && o.corporatePort && store instanceof SqliteQueueStore
      ? openCorporateRuntime({ queueFile: store.file, clock: o.clock, logger: o.logger, port: o.corporatePort, targets: o.registrationTargets ?? (() => 'autopilot'), batchSize: o.batchSize, ...(o.bus ? { bus: o.bus } : {}) })
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
    ...(worker ? { onWork: () => (worker.kick(), corporate?.kick()), checkNow: (ids: string[]) => checkNowOf(worker)(ids) } : {}),
    ...(corporate ? { corporate: corporate.store, corporateRetry: (ids: string[]) => corporate.stage.retry(ids) } : {}),
  });
  worker?.start();
  return {
    store,
    service,
    ...(worker ? { worker } : {}),
    ...(corporate ? { corporate } : {}),
    ...(problem ? { problem } : {}),
    close: async () => {
      await corporate?.close();
      await worker?.stop();
      service.close();
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

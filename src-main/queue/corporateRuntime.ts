import type { Clock } from '../kernel/clock.ts';
import type { EventBus } from '../kernel/eventBus.ts';
import type { Logger } from '../kernel/logger.ts';
import type { RegistrationTargets } from '../contract/types.ts';
import type { CorporateIdentityPort } from '../graph/corporateIdentityPort.ts';
import { CorporateStage, runCorporateStage, type CorporateStageTimings } from './corporateStage.ts';
import { openSqliteCorporateStore, type SqliteCorporateStore } from './sqliteCorporateStore.ts';

/**
 * The corporate identifier stage of one tenant's queue, ready to run: its store on the queue's
 * database file, its port over the tenant's Graph client (the same client, so the same rate
 * budget), and its loop. queueRuntime (or the import worker's loop) owns one of these per queue.
 */
export interface CorporateRuntimeOptions {
  /** The queue database (SqliteQueueStore.file), already migrated by the queue store. */
  queueFile: string;
  clock: Clock;
  logger: Logger;
  bus?: EventBus;
  /** Graph's corporate identifier operations: corporatePortOf(() => tenant.graph()) (the tenant's client, so its rate budget). */
  port: CorporateIdentityPort;
  targets: () => RegistrationTargets | Promise<RegistrationTargets>;
  batchSize: () => number | Promise<number>;
  timings?: Partial<CorporateStageTimings>;
  /** false: the stage is built but not looped (the lead's import worker calls stage.tick()). Default true. */
  loop?: boolean;
}

export interface CorporateRuntime {
  store: SqliteCorporateStore;
  stage: CorporateStage;
  /** New devices queued: look now. */
  kick(): void;
  close(): Promise<void>;
}

export function openCorporateRuntime(o: CorporateRuntimeOptions): CorporateRuntime {
  const store = openSqliteCorporateStore(o.queueFile);
  const logger = o.logger.child({ service: 'corporate-stage' });
  const stage = new CorporateStage({
    store,
    port: o.port,
    clock: o.clock,
    logger,
    targets: o.targets,
    batchSize: o.batchSize,
    ...(o.bus ? { bus: o.bus } : {}),
    ...(o.timings ? { timings: o.timings } : {}),
  });
  const runner = o.loop === false ? undefined : runCorporateStage(stage, o.clock, logger, o.timings?.idleMs);
  return {
    store,
    stage,
    kick: () => runner?.kick(),
    close: async () => {
      await runner?.stop();
      store.close();
    },
  };
}

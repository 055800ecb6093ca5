import type { Clock } from '../../src-main/kernel/clock.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import type { RegistrationTargets } from '../../src-main/contract/types.ts';
import type { AutopilotPort } from '../../src-main/graph/autopilotPort.ts';
import type { CorporateIdentityPort } from '../../src-main/graph/corporateIdentityPort.ts';
import { CorporateStage } from '../../src-main/queue/corporateStage.ts';
import type { CorporateStore } from '../../src-main/queue/corporateStore.ts';
import type { QueueStore } from '../../src-main/queue/queueStore.ts';
import { DEFAULT_TIMINGS, WorkerContext } from '../../src-main/queue/worker/workerContext.ts';

/**
 * Any call on this port fails the test: the corporate stage works with the worker's context (its
 * graph() counting, its pause) but never with the Autopilot operations.
 */
export const autopilotNeverCalled = new Proxy({} as AutopilotPort, {
  get: (_target, name) => {
    if (name === 'then') return undefined;
    return () => {
      throw new Error(`the corporate stage called the Autopilot port (${String(name)})`);
    };
  },
});

/**
 * The corporate stage in a real worker context over the queue's store, driven tick by tick as the
 * import worker drives it: `tick()` runs the stage once and returns when the worker would look again
 * for it (its next due device, or the end of a throttling pause), in service time.
 */
export function corporateStageOn(o: {
  queueStore: QueueStore;
  store: CorporateStore;
  port: CorporateIdentityPort;
  clock: Clock;
  targets: () => RegistrationTargets;
  batchSize?: number;
}) {
  const context = new WorkerContext(
    o.queueStore,
    autopilotNeverCalled,
    o.clock,
    silentLogger,
    undefined,
    DEFAULT_TIMINGS,
  );
  const stage = new CorporateStage(context, {
    store: o.store,
    port: o.port,
    targets: o.targets,
    batchSize: () => o.batchSize ?? 10,
  });
  const tick = async (): Promise<number> => {
    await stage.run();
    return Math.max(stage.nextAt() ?? context.now() + context.t.maxPollMs, context.pausedUntil);
  };
  return { stage, context, tick };
}

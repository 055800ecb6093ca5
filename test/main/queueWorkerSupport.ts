import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventBus } from '../../src-main/kernel/eventBus.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { ImportWorker, type WorkerTimings } from '../../src-main/queue/importWorker.ts';
import { isSettled, type WaitFor } from '../../src-main/queue/queueStore.ts';
import { QueueService } from '../../src-main/queue/queueService.ts';
import { openSqliteQueueStore } from '../../src-main/queue/sqliteQueueStore.ts';
import { FakeAutopilot, ManualClock } from './queueFakes.ts';

const dirs: string[] = [];
export function cleanupBenches(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** A worker and a queue on a real SQLite store, a fake Graph and a manual clock. */
export function bench(
  opts: {
    waitFor?: WaitFor;
    batchSize?: number;
    timings?: Partial<WorkerTimings>;
    dir?: string;
    clock?: ManualClock;
    port?: FakeAutopilot;
  } = {},
) {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'queue-worker-'));
  if (!opts.dir) dirs.push(dir);
  const clock = opts.clock ?? new ManualClock();
  const port = opts.port ?? new FakeAutopilot(clock);
  const store = openSqliteQueueStore(dir);
  const bus = new EventBus();
  const events: { name: string; payload: unknown }[] = [];
  bus.subscribe((name, payload) => events.push({ name, payload }));
  const worker = new ImportWorker({
    store,
    port,
    clock,
    logger: silentLogger,
    bus,
    batchSize: () => opts.batchSize ?? 100,
    ...(opts.timings ? { timings: opts.timings } : {}),
  });
  const queue = new QueueService({
    store,
    clock,
    logger: silentLogger,
    stationName: 'BENCH-1',
    bus,
    port,
    waitFor: () => opts.waitFor ?? 'registered',
  });
  /** Runs the worker in service time until every device is settled (or the limit passes). */
  const run = async (limitMs = 4 * 3600_000) => {
    const end = clock.now() + limitMs;
    while (clock.now() < end) {
      const next = await worker.tick();
      if (queue.allDevices().every((d) => isSettled(d))) return;
      clock.advance(Math.max(1000, next - clock.now()));
    }
  };
  const state = (id: string) => queue.device(id)!.state;
  return { dir, clock, port, store, worker, queue, run, state, events };
}

import type { Clock } from '../../kernel/clock.ts';
import type { EventBus } from '../../kernel/eventBus.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { AutopilotPort } from '../../graph/autopilotPort.ts';
import type { QueueStore } from '../queueStore.ts';
import { AlreadyHereStage } from './alreadyHereStage.ts';
import { CleanupStage } from './cleanupStage.ts';
import { DeadlineStage } from './deadlines.ts';
import { PollStage } from './pollStage.ts';
import { RegistrationStage } from './registrationStage.ts';
import { SendStage } from './sendStage.ts';
import {
  DEFAULT_TIMINGS,
  stillImporting,
  WorkerContext,
  type WorkerStage,
  type WorkerTimings,
} from './workerContext.ts';

export interface ImportWorkerOptions {
  store: QueueStore;
  port: AutopilotPort;
  clock: Clock;
  logger: Logger;
  bus?: EventBus;
  /** Devices per import call (at most MAX_IMPORT_BATCH); read at each batch so settings changes apply. */
  batchSize: () => number | Promise<number>;
  timings?: Partial<WorkerTimings>;
  /**
   * Stages of their own (e.g. corporate identifiers), run after registration and before deadlines on
   * every tick, with the worker's shared context (store, port, clock, Graph call counting).
   */
  extraStages?: (context: WorkerContext) => WorkerStage[];
}

/**
 * Drives queued devices through Graph: import in batches, follow each device by the record id and
 * registration id the service gave back, clean up the records it created, follow registration and
 * profile assignment. Every decision is written to the store before the request that depends on it,
 * so a process killed anywhere resumes without losing or double-importing a device. The work is done
 * by stages (send, poll, already-registered, registration, cleanup, deadlines) that the loop runs in
 * order on each tick; `extraStages` adds more before the deadlines.
 */
export class ImportWorker {
  private readonly c: WorkerContext;
  private readonly stages: WorkerStage[];
  private loop?: Promise<void> | undefined;
  private stopping?: AbortController;
  private wake?: AbortController;
  private kicked = false;

  constructor(private readonly o: ImportWorkerOptions) {
    this.c = new WorkerContext(o.store, o.port, o.clock, o.logger, o.bus, { ...DEFAULT_TIMINGS, ...o.timings });
    const alreadyHere = new AlreadyHereStage(this.c);
    const poll = new PollStage(this.c, alreadyHere);
    // Registration before cleanup: a technician waits for the first, nobody for the second.
    this.stages = [
      new SendStage(this.c, o.batchSize, poll),
      poll,
      alreadyHere,
      new RegistrationStage(this.c),
      new CleanupStage(this.c),
      ...(o.extraStages?.(this.c) ?? []),
      new DeadlineStage(this.c),
    ];
  }

  /** What the worker saw from Graph, for the benchmark and diagnostics. */
  get stats(): WorkerContext['stats'] {
    return this.c.stats;
  }

  /** Runs ticks until stop(); sleeps (in service time) until the next due piece of work or a kick. */
  start(): void {
    if (this.loop) return;
    this.stopping = new AbortController();
    const stop = this.stopping.signal;
    this.loop = (async () => {
      while (!stop.aborted) {
        let next: number;
        try {
          next = await this.tick();
        } catch (err) {
          // A bug or a store failure must not spin: log and back off.
          this.o.logger.error('import worker tick failed', { error: err instanceof Error ? err.message : String(err) });
          next = this.c.now() + this.c.t.maxPollMs;
        }
        if (stop.aborted) break;
        if (this.kicked) {
          this.kicked = false;
          continue;
        }
        this.wake = new AbortController();
        const signal = AbortSignal.any([stop, this.wake.signal]);
        const wait = Math.max(0, Math.min(next - this.c.now(), this.c.t.maxPollMs));
        await this.o.clock.sleep(wait, signal).catch(() => {});
        this.kicked = false;
      }
    })();
  }

  /** New work arrived (devices queued, retried): run now instead of sleeping out the poll interval. */
  kick(): void {
    // Work that arrives during a tick is picked up right after it instead of after the sleep.
    this.kicked = true;
    this.wake?.abort();
  }

  /**
   * The technician asked (Retry on a device past its expected time): look at the tenant for these
   * devices at once. Importing devices' batches are read now, and records that cannot be found are
   * looked up by serial without waiting for the usual grace time; devices waiting for registration
   * or a profile are read now. A throttling pause (Retry-After) still holds.
   */
  checkNow(deviceIds: string[]): void {
    const now = this.c.now();
    for (const id of deviceIds) {
      const d = this.o.store.getDevice(id);
      if (!d) continue;
      if (stillImporting(d) && d.batchId) {
        const b = this.o.store.getBatch(d.batchId);
        if (b && b.status !== 'done') {
          this.c.checkNow.add(b.id);
          this.o.store.updateBatch(b.id, { nextAt: now });
        }
      } else if (d.state === 'imported' || d.state === 'registered') {
        this.o.store.updateDevice(id, { nextCheckAt: now });
      }
    }
    this.kick();
  }

  /**
   * Sending may work now (a sign-in just succeeded): queued devices the send stage held back (not
   * ready to import) are due at once instead of after their wait.
   */
  resumeHeld(): void {
    const now = this.c.now();
    const held = this.o.store
      .dueDevices(['queued'], Number.MAX_SAFE_INTEGER, 10_000)
      .filter((d) => (d.nextCheckAt ?? 0) > now);
    if (held.length) {
      this.o.store.transaction(() => {
        for (const d of held) this.o.store.updateDevice(d.id, { nextCheckAt: now });
      });
    }
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopping?.abort();
    await this.loop;
    this.loop = undefined;
  }

  /** One pass over everything due. Returns when the worker should look again (service time). */
  async tick(): Promise<number> {
    try {
      for (const stage of this.stages) await stage.run();
    } finally {
      this.publish();
    }
    return this.nextWake();
  }

  private nextWake(): number {
    const times = [
      this.o.store.nextDeviceTime(),
      ...this.o.store.openBatches().map((b) => b.nextAt),
      ...this.stages.map((s) => s.nextAt?.()),
    ].filter((t): t is number => t !== undefined);
    const next = times.length ? Math.min(...times) : this.c.now() + this.c.t.maxPollMs;
    return Math.max(next, this.c.pausedUntil);
  }

  private publish(): void {
    if (!this.c.changed.size) return;
    const deviceIds = [...this.c.changed];
    this.c.changed = new Set();
    this.o.bus?.emit('queueChanged', {
      deviceIds,
      at: new Date(this.c.now()).toISOString(),
      counts: this.o.store.countByState(),
    });
  }
}

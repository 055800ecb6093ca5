import type { Clock } from '../../kernel/clock.ts';
import type { EventBus } from '../../kernel/eventBus.ts';
import type { Logger } from '../../kernel/logger.ts';
import { SYNC_INTERVAL_MS } from '../../contract/limits.ts';
import type { Attention, DeviceState } from '../../contract/types.ts';
import { GraphFailure, type AutopilotPort } from '../../graph/autopilotPort.ts';
import { equalJitterBackoff } from '../../graph/retryTiming.ts';
import type { DeviceEventRecord, DevicePatch, DeviceRecord, QueueStore } from '../queueStore.ts';

export interface WorkerTimings {
  /** Deadlines per stage, in service time. */
  importDeadlineMs: number;
  registrationDeadlineMs: number;
  profileDeadlineMs: number;
  /**
   * What the service usually takes to process an import (1–2 minutes on real tenants). A batch whose
   * records cannot be found after `lostRecordFactor` times this is looked up by serial instead of
   * waiting out its deadline in silence.
   */
  expectedImportMs: number;
  lostRecordFactor: number;
  /**
   * Polling starts fast and backs off to the maximum. Growing by a tenth each time, a change is seen
   * at most about a tenth of the time already waited late, and never more than maxPollMs late.
   */
  firstPollMs: number;
  maxPollMs: number;
  pollFactor: number;
  /** Retry backoff for transient failures without Retry-After. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long registration may lag after import before a sync is worth asking for. */
  syncAfterMs: number;
  /** A device the registered list has not shown for this long is read by id once (does the list lag?). */
  listLagProbeMs: number;
  /** The service refuses a second sync within 10 minutes. */
  syncIntervalMs: number;
  /** A group tag changed with updateDeviceProperties must show in the tenant within this time. */
  tagFixDeadlineMs: number;
  /** Record-level transient errors (StorageError) retried this many times, then failed. */
  maxRecordRetries: number;
}

export const DEFAULT_TIMINGS: WorkerTimings = {
  importDeadlineMs: 30 * 60_000,
  registrationDeadlineMs: 60 * 60_000,
  profileDeadlineMs: 120 * 60_000,
  expectedImportMs: 2 * 60_000,
  lostRecordFactor: 3,
  firstPollMs: 10_000,
  maxPollMs: 30_000,
  pollFactor: 1.1,
  retryBaseMs: 5_000,
  retryMaxMs: 5 * 60_000,
  syncAfterMs: 5 * 60_000,
  listLagProbeMs: 90_000,
  syncIntervalMs: SYNC_INTERVAL_MS,
  tagFixDeadlineMs: 15 * 60_000,
  maxRecordRetries: 3,
};

export type Event = Partial<
  Omit<DeviceEventRecord, 'deviceId' | 'at' | 'toState' | 'fromState' | 'requestIds' | 'message'>
> & { requestIds?: (string | undefined)[] };

export type GraphResult<T> = { ok: true; value: T } | { ok: false; error: Error };

/** The queue's meta key of the last sync request (per tenant: one queue per tenant). */
export const LAST_SYNC_KEY = 'lastSyncAt';

/** Serials compared the way the service does: trimmed, case-insensitive. */
export function serialKey(serial: string): string {
  return serial.trim().toUpperCase();
}

/** Importing, or timed out while importing (Intune may still answer). */
export function stillImporting(d: DeviceRecord): boolean {
  return d.state === 'importing' || (d.state === 'timed-out' && d.lastKnownState === 'importing');
}

/**
 * What every stage shares: the ports, the timings, the pause after throttling, and the helpers that
 * write a device's move and its event in one step. One instance per ImportWorker.
 */
export class WorkerContext {
  /** No request before this time (Retry-After from a throttled answer). */
  pausedUntil = 0;
  changed = new Set<string>();
  /** Batches the technician asked to check now (Retry on an importing device past its time). */
  readonly checkNow = new Set<string>();
  /** What the worker saw from Graph, for the benchmark and diagnostics. */
  readonly stats = {
    requests: 0,
    throttled: 0,
    transientFailures: 0,
    batchesPosted: 0,
    syncsRequested: 0,
    batchesSplit: 0,
    reconciled: 0,
    resentAfterLookup: 0,
  };

  constructor(
    readonly store: QueueStore,
    readonly port: AutopilotPort,
    readonly clock: Clock,
    readonly logger: Logger,
    readonly bus: EventBus | undefined,
    readonly t: WorkerTimings,
  ) {}

  now(): number {
    return this.clock.now();
  }

  paused(): boolean {
    return this.now() < this.pausedUntil;
  }

  move(d: DeviceRecord, to: DeviceState, patch: DevicePatch, message: string, e: Event = {}): DeviceRecord {
    const now = this.now();
    const { requestIds, ...rest } = e;
    const full: DevicePatch = { ...patch, state: to };
    if (to !== d.state) full.stateSince = now;
    if (!('attempts' in patch) && to !== d.state) full.attempts = 0;
    if (d.state === 'timed-out' && to !== 'timed-out') {
      // A late answer: the timeout no longer explains the device.
      full.lastKnownState = null;
      if (!('errorName' in patch)) full.errorName = null;
      if (!('advice' in patch)) full.advice = null;
    }
    this.changed.add(d.id);
    return this.store.updateDevice(d.id, full, {
      ...rest,
      at: now,
      fromState: d.state,
      toState: to,
      message,
      requestIds: (requestIds ?? []).filter((x): x is string => !!x),
    });
  }

  attention(
    ids: string[],
    message: string,
    facts: Pick<Attention, 'serialNumber' | 'errorCode' | 'errorName' | 'params' | 'waiting'> = {},
  ): void {
    if (ids.length) this.bus?.emit('attention', { kind: 'device-needs-attention', deviceIds: ids, message, ...facts });
  }

  pollInterval(polls: number): number {
    return Math.min(this.t.maxPollMs, Math.round(this.t.firstPollMs * this.t.pollFactor ** Math.max(0, polls - 1)));
  }

  retryDelay(attempts: number, err: Error | undefined): number {
    if (err instanceof GraphFailure && err.retryAfterMs !== undefined) return err.retryAfterMs;
    return equalJitterBackoff(this.t.retryBaseMs, this.t.retryMaxMs, Math.min(attempts, 16), Math.random);
  }

  /**
   * At most one sync per 10 minutes per tenant: the stamp lives in the tenant's queue (its meta) and is
   * written before the call, so a crash mid-call cannot allow a second one. True when a sync was asked.
   */
  async maybeSync(): Promise<boolean> {
    const last = Number(this.store.getMeta(LAST_SYNC_KEY) ?? '0');
    if (this.now() - last < this.t.syncIntervalMs && this.now() >= last) return false;
    this.store.setMeta(LAST_SYNC_KEY, String(this.now()));
    const res = await this.graph(() => this.port.requestSync());
    if (!res.ok) return false;
    if (res.value === 'requested') this.stats.syncsRequested++;
    this.logger.info('Autopilot sync', { outcome: res.value });
    return true;
  }

  /** One Graph call: counts it, turns throttling into a pause for every request, never throws. */
  async graph<T>(fn: () => Promise<T>): Promise<GraphResult<T>> {
    this.stats.requests++;
    try {
      return { ok: true, value: await fn() };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (error instanceof GraphFailure) {
        if (error.transient) this.stats.transientFailures++;
        if (error.kind === 'throttled') {
          this.stats.throttled++;
          this.pausedUntil = Math.max(this.pausedUntil, this.now() + (error.retryAfterMs ?? this.t.retryBaseMs));
        }
        this.logger.warn('Graph call failed', {
          code: error.code,
          kind: error.kind,
          status: error.status,
          requestId: error.requestId,
          clientRequestId: error.clientRequestId,
        });
      } else if ((error as { code?: unknown }).code === 'GRAPH_CLIENT_CLOSED') {
        // The command reached its deadline or the station is closing: expected, not an error.
        this.logger.debug('Graph call not made: the client is closed');
      } else {
        this.logger.error('Graph call failed unexpectedly', { error: error.message });
      }
      return { ok: false, error };
    }
  }
}

/** One step of the worker's loop. The loop runs its stages in order on every tick. */
export interface WorkerStage {
  readonly name: string;
  run(): Promise<void>;
  /**
   * When this stage has work due next (service time, ms), for a stage whose work is not in the queue
   * store's devices and batches (the corporate identifier stage keeps its own table); undefined: none.
   */
  nextAt?(): number | undefined;
}

import { randomUUID } from 'node:crypto';
import type { Clock } from '../kernel/clock.ts';
import type { EventBus } from '../kernel/eventBus.ts';
import type { Logger } from '../kernel/logger.ts';
import type { RegistrationTargets } from '../contract/types.ts';
import { GraphFailure } from '../graph/autopilotPort.ts';
import type { CorporateIdentityPort } from '../graph/corporateIdentityPort.ts';
import { corporateIdentifierOf, identifierKey } from './corporateIdentifier.ts';
import type { CorporateRecord, CorporateStore } from './corporateStore.ts';

/**
 * The corporate identifier stage: registers each captured device's Windows corporate identifier
 * (manufacturer, model, serial from its hash) beside its Autopilot registration, with the same
 * guarantees as the Autopilot path:
 * - durable first: a batch's devices are marked 'sending' (with the batch id and attempt) before the
 *   POST; a device found in 'sending' later (a crash, a lost answer) is looked up with
 *   searchExistingIdentities before anything is sent again, so no identifier is ever posted twice;
 * - searched first: identifiers the tenant already has are 'already-present' without a POST;
 * - transient failures (throttling, 5xx, network) wait with backoff, Retry-After pauses the stage;
 * - every request id is kept on the device and in its history.
 * It has the import worker's shape: `tick()` does everything due and returns when to look again.
 */
export interface CorporateStageTimings {
  retryBaseMs: number;
  retryMaxMs: number;
  /** Transient failures per device before it is failed. */
  maxAttempts: number;
  /** Longest sleep when nothing is due. */
  idleMs: number;
}

export const DEFAULT_CORPORATE_TIMINGS: CorporateStageTimings = { retryBaseMs: 5_000, retryMaxMs: 5 * 60_000, maxAttempts: 8, idleMs: 30_000 };

export interface CorporateStageOptions {
  store: CorporateStore;
  port: CorporateIdentityPort;
  clock: Clock;
  logger: Logger;
  bus?: EventBus;
  /** The station's setting, read when a device is first seen. */
  targets: () => RegistrationTargets | Promise<RegistrationTargets>;
  /** Identifiers per call (at most 500). */
  batchSize: () => number | Promise<number>;
  timings?: Partial<CorporateStageTimings>;
  random?: () => number;
}

const MAX_BATCH = 500;
/** Marks a 'sending' device whose POST answered status false but whose follow-up search failed. */
const REFUSED_UNCHECKED = 'CORP_REFUSED_UNCHECKED';

export class CorporateStage {
  private readonly t: CorporateStageTimings;
  private pausedUntil = 0;
  private readonly changed = new Set<string>();
  /** The station's registration target at the last tick (retry reads it without waiting). */
  private targetsNow: RegistrationTargets = 'autopilot';
  readonly stats = { requests: 0, searches: 0, imports: 0, throttled: 0, transientFailures: 0 };

  constructor(private readonly o: CorporateStageOptions) {
    this.t = { ...DEFAULT_CORPORATE_TIMINGS, ...o.timings };
  }

  private now(): number {
    return this.o.clock.now();
  }

  /** One pass over everything due. Returns when the stage should look again (service time). */
  async tick(): Promise<number> {
    try {
      this.targetsNow = await this.o.targets();
      await this.adopt();
      if (this.now() >= this.pausedUntil) {
        await this.reconcileSending();
        await this.sendQueued();
      }
    } finally {
      this.publish();
    }
    const next = this.o.store.nextTime();
    return Math.max(next ?? this.now() + this.t.idleMs, this.pausedUntil);
  }

  /**
   * The technician's "retry": failed devices are queued again, and not-requested ones only when the
   * station's target now includes corporate identifiers (it changed after they were captured): a
   * Retry on a station set to Autopilot only never writes an identifier nobody asked for. Devices
   * whose values cannot make an identifier say so. Returns the devices queued again. Never touches a
   * device that is sending (its POST may have landed).
   */
  retry(deviceIds: string[]): string[] {
    const now = this.now();
    const queued: string[] = [];
    const wanted = this.targetsNow !== 'autopilot';
    this.o.store.transaction(() => {
      for (const deviceId of deviceIds) {
        const d = this.o.store.get(deviceId);
        if (!d || !(d.state === 'failed' || (d.state === 'not-requested' && wanted) || (d.state === 'unavailable' && d.errorCode === 'CORP_NOT_IN_CLOUD'))) continue;
        const id = corporateIdentifierOf(d.hash);
        this.changed.add(deviceId);
        if (!id.ok) {
          this.o.store.update([deviceId], { state: 'unavailable', since: now, nextAt: null, errorCode: id.code, params: id.params }, { at: now, message: `Corporate identifier: ${id.message}`, errorName: id.code });
          continue;
        }
        this.o.store.update([deviceId], { state: 'queued', since: now, nextAt: now, identifier: id.identifier, attempts: 0, errorCode: null, params: null, batchId: null }, { at: now, message: 'Corporate identifier queued again' });
        queued.push(deviceId);
      }
    });
    this.publish();
    return queued;
  }

  /** Devices seen for the first time: queued (or why they cannot be) when the target includes corporate. */
  private async adopt(): Promise<void> {
    let targets: RegistrationTargets | undefined;
    for (;;) {
      const fresh = this.o.store.unadopted(1000);
      if (!fresh.length) return;
      targets ??= await this.o.targets();
      const now = this.now();
      this.o.store.transaction(() => this.adoptAll(fresh, targets!, now));
    }
  }

  private adoptAll(fresh: CorporateRecord[], targets: RegistrationTargets, now: number): void {
    for (const d of fresh) {
      this.changed.add(d.deviceId);
      if (targets === 'autopilot' && !d.flags.includes('corporate-only')) {
        this.o.store.update([d.deviceId], { state: 'not-requested', since: now });
        continue;
      }
      const id = corporateIdentifierOf(d.hash);
      if (!id.ok) {
        this.o.store.update([d.deviceId], { state: 'unavailable', since: now, errorCode: id.code, params: id.params }, { at: now, message: `Corporate identifier: ${id.message}`, errorName: id.code });
        continue;
      }
      this.o.store.update([d.deviceId], { state: 'queued', since: now, nextAt: now, identifier: id.identifier, attempts: 0 }, { at: now, message: `Corporate identifier queued: ${id.identifier}` });
    }
  }

  /**
   * 'sending' devices whose retry time came: the POST may have landed. Look them up; found ones are
   * done (this station's POST landed), the others go back to the queue to be sent once more.
   */
  private async reconcileSending(): Promise<void> {
    for (;;) {
      const due = this.o.store.due(['sending'], this.now(), MAX_BATCH);
      if (!due.length) return;
      const found = await this.search(due);
      if (!found) return;
      const now = this.now();
      const landed = due.filter((d) => found.map.has(identifierKey(d.identifier!))).length;
      this.o.logger.info('reconciled corporate identifiers whose request may have reached Graph', { devices: due.length, found: landed, requestId: found.requestId });
      this.o.store.transaction(() => this.reconciled(due, found, now));
    }
  }

  private reconciled(due: CorporateRecord[], found: { map: Map<string, { id: string }>; requestId?: string }, now: number): void {
    for (const d of due) {
      this.changed.add(d.deviceId);
      const hit = found.map.get(identifierKey(d.identifier!));
      if (!hit && d.errorCode === REFUSED_UNCHECKED) {
        // Intune answered status false and the search after it failed: refused, not to be sent again.
        this.o.store.update([d.deviceId], { state: 'failed', since: now, nextAt: null, errorCode: 'CORP_REFUSED', params: { identifier: d.identifier! }, addRequestIds: [found.requestId] }, { at: now, message: `Intune refused the corporate identifier ${d.identifier}`, requestIds: [found.requestId], errorName: 'CORP_REFUSED' });
      } else if (hit) {
          this.o.store.update([d.deviceId], { state: 'done', since: now, nextAt: null, identityId: hit.id, errorCode: null, params: null, addRequestIds: [found.requestId] }, { at: now, message: 'Corporate identifier added (found by search after the answer was lost or the station stopped)', requestIds: [found.requestId] });
        } else {
          this.o.store.update([d.deviceId], { state: 'queued', since: now, nextAt: now, batchId: null, addRequestIds: [found.requestId] }, { at: now, message: 'Corporate identifier not found after an interrupted request: queued to send again', requestIds: [found.requestId] });
      }
    }
  }

  private async sendQueued(): Promise<void> {
    const size = Math.max(1, Math.min(MAX_BATCH, Math.floor((await this.o.batchSize()) || 1)));
    for (;;) {
      if (this.now() < this.pausedUntil) return;
      const due = this.o.store.due(['queued'], this.now(), size * 2);
      if (!due.length) return;
      // One device per identifier in a batch (the same device captured twice shares it).
      const seen = new Set<string>();
      const picked = due.filter((d) => !seen.has(identifierKey(d.identifier!)) && seen.add(identifierKey(d.identifier!))).slice(0, size);
      const twins = due.filter((d) => !picked.includes(d) && seen.has(identifierKey(d.identifier!)));

      // 1. Search first: identifiers the tenant already has need no POST.
      const found = await this.search(picked);
      if (!found) return;
      let now = this.now();
      const toSend: CorporateRecord[] = [];
      for (const d of picked) {
        this.changed.add(d.deviceId);
        const hit = found.map.get(identifierKey(d.identifier!));
        if (hit) this.o.store.update([d.deviceId], { state: 'already-present', since: now, nextAt: null, identityId: hit.id, addRequestIds: [found.requestId] }, { at: now, message: 'Corporate identifier already in the tenant: nothing to add', requestIds: [found.requestId] });
        else toSend.push(d);
      }
      // Later copies of an identifier wait for the first one's answer.
      for (const d of twins) this.o.store.update([d.deviceId], { nextAt: now + this.t.retryBaseMs });
      if (!toSend.length) continue;

      // 2. Durable before the POST: a crash from here on makes the next tick search before sending.
      const batchId = randomUUID();
      this.o.store.transaction(() => {
        for (const d of toSend) this.o.store.update([d.deviceId], { state: 'sending', since: now, batchId, attempts: d.attempts + 1, nextAt: now + this.backoff(d.attempts + 1), addRequestIds: [found.requestId] }, { at: now, message: `Not in the tenant yet: adding the corporate identifier in a batch of ${toSend.length}`, requestIds: [found.requestId] });
      });
      const items = toSend.map((d) => ({ identifier: d.identifier!, description: describe(d) }));
      let res;
      try {
        this.stats.requests++;
        this.stats.imports++;
        res = await this.o.port.importIdentities(items);
      } catch (err) {
        this.failedRequest(toSend, err, true);
        return;
      }
      now = this.now();
      const refused: CorporateRecord[] = [];
      const answer = res;
      this.o.store.transaction(() =>
        answer.value.forEach((r, i) => {
          const d = toSend[i]!;
          if (r.status) this.o.store.update([d.deviceId], { state: 'done', since: now, nextAt: null, ...(r.id ? { identityId: r.id } : {}), errorCode: null, params: null, addRequestIds: [answer.requestId] }, { at: now, message: 'Corporate identifier added', requestIds: [answer.requestId] });
          else refused.push(d);
        }),
      );
      if (!refused.length) continue;
      // 3. status false: already there (added meanwhile) counts as done; otherwise the service refused it.
      const again = await this.search(refused);
      now = this.now();
      for (const d of refused) {
        const hit = again?.map.get(identifierKey(d.identifier!));
        if (hit) {
          this.o.store.update([d.deviceId], { state: 'already-present', since: now, nextAt: null, identityId: hit.id, addRequestIds: [res.requestId, again?.requestId] }, { at: now, message: 'Corporate identifier already in the tenant', requestIds: [res.requestId, again?.requestId] });
        } else if (again) {
          this.o.store.update([d.deviceId], { state: 'failed', since: now, nextAt: null, errorCode: 'CORP_REFUSED', params: { identifier: d.identifier! }, addRequestIds: [res.requestId, again.requestId] }, { at: now, message: `Intune refused the corporate identifier ${d.identifier}`, requestIds: [res.requestId, again.requestId], errorName: 'CORP_REFUSED' });
        } else {
          // The search failed (transient): the answer is known to be false, so look again later.
          this.o.store.update([d.deviceId], { state: 'sending', nextAt: now + this.backoff(d.attempts + 1), errorCode: REFUSED_UNCHECKED, addRequestIds: [res.requestId] });
        }
      }
    }
  }

  /** searchExistingIdentities for these devices; undefined when it failed (handled: paused or failed). */
  private async search(devices: CorporateRecord[]): Promise<{ map: Map<string, { id: string }>; requestId?: string } | undefined> {
    try {
      this.stats.requests++;
      this.stats.searches++;
      const res = await this.o.port.searchExisting(devices.map((d) => d.identifier!));
      const map = new Map(res.value.map((r) => [identifierKey(r.identifier), { id: r.id }]));
      return { map, ...(res.requestId ? { requestId: res.requestId } : {}) };
    } catch (err) {
      this.failedRequest(devices, err, false);
      return undefined;
    }
  }

  /**
   * A Graph call failed. Transient: the devices wait (a POST that may have landed stays 'sending', so
   * it is searched first). Permanent: failed, or unavailable when the cloud has no such endpoint.
   */
  private failedRequest(devices: CorporateRecord[], err: unknown, posting: boolean): void {
    const now = this.now();
    const f = err instanceof GraphFailure ? err : undefined;
    for (const d of devices) this.changed.add(d.deviceId);
    if (f?.kind === 'throttled') this.stats.throttled++;
    if (f?.retryAfterMs !== undefined) this.pausedUntil = Math.max(this.pausedUntil, now + f.retryAfterMs);
    if (f?.transient || f?.kind === 'sign-in-expired' || !f) {
      this.stats.transientFailures++;
      this.o.logger.warn('corporate identifier request failed; will retry', { requestId: f?.requestId, clientRequestId: f?.clientRequestId, kind: f?.kind ?? 'error', error: f ? f.code : String(err) });
      for (const d of devices) {
        const attempts = posting ? d.attempts + 1 : d.attempts;
        if (attempts >= this.t.maxAttempts && !(posting && (!f || f.details?.maybeApplied))) {
          this.o.store.update([d.deviceId], { state: 'failed', since: now, nextAt: null, errorCode: f?.code ?? 'CORP_RETRIES_EXHAUSTED', params: { attempts }, addRequestIds: [f?.requestId] }, { at: now, message: `Corporate identifier not added after ${attempts} attempts: ${f?.message ?? String(err)}`, requestIds: [f?.requestId], errorName: f?.code ?? 'CORP_RETRIES_EXHAUSTED' });
          continue;
        }
        // A POST that may have landed stays 'sending' (searched before any resend); otherwise queued again.
        // An error that is not Graph's own answer (a bug, a dying process) may come after the POST left.
        const maybeLanded = posting && (!f || !!f.details?.maybeApplied);
        const state = maybeLanded || d.state === 'sending' ? 'sending' : 'queued';
        this.o.store.update([d.deviceId], { state, attempts, nextAt: Math.max(now + this.backoff(Math.max(1, attempts)), this.pausedUntil), addRequestIds: [f?.requestId] }, f ? { at: now, message: `Corporate identifier: ${f.message} Retrying later.`, requestIds: [f.requestId] } : undefined);
      }
      return;
    }
    const unavailable = f.kind === 'not-found' || f.kind === 'wrong-cloud';
    const code = unavailable ? 'CORP_NOT_IN_CLOUD' : f.code;
    this.o.logger.warn('corporate identifier request refused', { requestId: f.requestId, clientRequestId: f.clientRequestId, kind: f.kind, code: f.code });
    for (const d of devices) {
      this.o.store.update([d.deviceId], { state: unavailable ? 'unavailable' : 'failed', since: now, nextAt: null, errorCode: code, params: f.params ?? {}, addRequestIds: [f.requestId] }, { at: now, message: `Corporate identifier: ${f.message}${f.action ? ` ${f.action}` : ''}`, requestIds: [f.requestId], errorName: code });
    }
  }

  private backoff(attempt: number): number {
    const step = Math.min(this.t.retryMaxMs, this.t.retryBaseMs * 2 ** Math.max(0, attempt - 1));
    const r = this.o.random?.() ?? Math.random();
    return Math.round(step / 2 + r * (step / 2));
  }

  private publish(): void {
    if (!this.changed.size) return;
    const deviceIds = [...this.changed];
    this.changed.clear();
    this.o.bus?.emit('queueChanged', { deviceIds, at: new Date(this.now()).toISOString() });
  }
}

/** The admin centre shows this beside the identifier: which station and group tag added it. */
export function describe(d: Pick<CorporateRecord, 'stationName' | 'groupTag'>): string {
  return `Added by Autopilot Station ${d.stationName}${d.groupTag ? `, group tag ${d.groupTag}` : ', no group tag'}`;
}

/**
 * The stage in a loop of its own (until the lead folds tick() into the import worker's loop): sleeps
 * until the next due piece of work in service time, or until kick().
 */
export function runCorporateStage(stage: CorporateStage, clock: Clock, logger: Logger, idleMs = DEFAULT_CORPORATE_TIMINGS.idleMs): { kick(): void; stop(): Promise<void> } {
  const stop = new AbortController();
  let wake: AbortController | undefined;
  let kicked = false;
  const loop = (async () => {
    while (!stop.signal.aborted) {
      let next: number;
      try {
        next = await stage.tick();
      } catch (err) {
        logger.error('corporate identifier stage tick failed', { error: err instanceof Error ? err.message : String(err) });
        next = clock.now() + idleMs;
      }
      if (stop.signal.aborted) break;
      if (kicked) {
        kicked = false;
        continue;
      }
      wake = new AbortController();
      await clock.sleep(Math.max(0, Math.min(next - clock.now(), idleMs)), AbortSignal.any([stop.signal, wake.signal])).catch(() => {});
    }
  })();
  return {
    kick: () => {
      kicked = true;
      wake?.abort();
    },
    stop: async () => {
      stop.abort();
      await loop;
    },
  };
}

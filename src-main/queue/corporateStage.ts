import { randomUUID } from 'node:crypto';
import { DEFAULT_REGISTRATION_TARGETS, type RegistrationTargets } from '../contract/types.ts';
import { GraphFailure } from '../graph/autopilotPort.ts';
import type { CorporateIdentityPort } from '../graph/corporateIdentityPort.ts';
import { corporateIdentifierOf, identifierKey } from './corporateIdentifier.ts';
import type { CorporateRecord, CorporateStore } from './corporateStore.ts';
import type { WorkerContext, WorkerStage } from './worker/workerContext.ts';

/**
 * The corporate identifier stage, one of the import worker's stages (ImportWorkerOptions.extraStages):
 * registers each captured device's Windows corporate identifier (manufacturer, model, serial from its
 * hash) beside its Autopilot registration, with the same guarantees as the Autopilot path:
 * - durable first: a batch's devices are marked 'sending' (with the batch id and attempt) before the
 *   POST; a device found in 'sending' later (a crash, a lost answer) is looked up with
 *   searchExistingIdentities before anything is sent again, so no identifier is ever posted twice;
 * - searched first: identifiers the tenant already has are 'already-present' without a POST;
 * - transient failures (throttling, 5xx, network) wait with the worker's backoff; every Graph call goes
 *   through the worker's `graph()` (counted once, throttling pauses every stage: `paused()`);
 * - every request id is kept on the device and in its history.
 * Facts: docs/domain.md#corporate-identifiers; place in the loop:
 * docs/architecture.md#the-import-worker-and-its-stages.
 */
export interface CorporateStageOptions {
  /** The corporate table on the queue's database (SqliteCorporateStore). */
  store: CorporateStore;
  port: CorporateIdentityPort;
  /** The station's setting, read on every tick (a device is adopted with the targets of its first tick). */
  targets: () => RegistrationTargets | Promise<RegistrationTargets>;
  /** Identifiers per call (at most 500). */
  batchSize: () => number | Promise<number>;
  /** Transient failures per device before it is failed (default DEFAULT_CORPORATE_MAX_ATTEMPTS). */
  maxAttempts?: number;
}

export const DEFAULT_CORPORATE_MAX_ATTEMPTS = 8;
const MAX_BATCH = 500;
/** Marks a 'sending' device whose POST answered status false but whose follow-up search failed. */
const REFUSED_UNCHECKED = 'CORP_REFUSED_UNCHECKED';

type Found = { map: Map<string, { id: string }>; requestId?: string };

export class CorporateStage implements WorkerStage {
  readonly name = 'corporate';
  /** Calls of each kind (the worker's context counts all requests, throttling and transient failures). */
  readonly stats = { searches: 0, imports: 0 };
  /** The station's registration targets at the last tick (retry reads them without waiting). */
  private targetsNow: RegistrationTargets = [...DEFAULT_REGISTRATION_TARGETS];
  private readonly maxAttempts: number;

  constructor(
    private readonly c: WorkerContext,
    private readonly o: CorporateStageOptions,
  ) {
    this.maxAttempts = o.maxAttempts ?? DEFAULT_CORPORATE_MAX_ATTEMPTS;
  }

  /**
   * One pass over everything due: adopt new devices, then (unless Graph asked the worker to wait) reconcile and send.
   */
  async run(): Promise<void> {
    this.targetsNow = await this.o.targets();
    this.adopt();
    if (this.c.paused()) return;
    await this.reconcileSending();
    await this.sendQueued();
  }

  /** The next device due in the corporate table (the worker sleeps until then at most). */
  nextAt(): number | undefined {
    return this.o.store.nextTime();
  }

  /**
   * The technician's "retry": failed devices are queued again, and not-requested ones only when the
   * station's target now includes corporate identifiers (it changed after they were captured): a
   * Retry on a station set to Autopilot only never writes an identifier nobody asked for. Devices
   * whose values cannot make an identifier say so. Returns the devices queued again. Never touches a
   * device that is sending (its POST may have landed).
   */
  retry(deviceIds: string[]): string[] {
    const now = this.c.now();
    const queued: string[] = [];
    const wanted = this.targetsNow.includes('corporate');
    this.o.store.transaction(() => {
      for (const deviceId of deviceIds) {
        const d = this.o.store.get(deviceId);
        if (
          !d ||
          !(
            d.state === 'failed' ||
            (d.state === 'not-requested' && wanted) ||
            (d.state === 'unavailable' && d.errorCode === 'CORP_NOT_IN_CLOUD')
          )
        )
          continue;
        const id = corporateIdentifierOf(d.hash);
        this.c.changed.add(deviceId);
        if (!id.ok) {
          this.o.store.update(
            [deviceId],
            { state: 'unavailable', since: now, nextAt: null, errorCode: id.code, params: id.params },
            { at: now, message: `Corporate identifier: ${id.message}`, errorName: id.code },
          );
          continue;
        }
        this.o.store.update(
          [deviceId],
          {
            state: 'queued',
            since: now,
            nextAt: now,
            identifier: id.identifier,
            attempts: 0,
            errorCode: null,
            params: null,
            batchId: null,
          },
          { at: now, message: 'Corporate identifier queued again' },
        );
        queued.push(deviceId);
      }
    });
    return queued;
  }

  /** Devices seen for the first time: queued (or why they cannot be) when the target includes corporate. */
  private adopt(): void {
    for (;;) {
      const fresh = this.o.store.unadopted(1000);
      if (!fresh.length) return;
      const now = this.c.now();
      this.o.store.transaction(() => this.adoptAll(fresh, this.targetsNow, now));
    }
  }

  private adoptAll(fresh: CorporateRecord[], targets: RegistrationTargets, now: number): void {
    for (const d of fresh) {
      this.c.changed.add(d.deviceId);
      if (!targets.includes('corporate') && !d.flags.includes('corporate-only')) {
        this.o.store.update([d.deviceId], { state: 'not-requested', since: now });
        continue;
      }
      const id = corporateIdentifierOf(d.hash);
      if (!id.ok) {
        this.o.store.update(
          [d.deviceId],
          { state: 'unavailable', since: now, errorCode: id.code, params: id.params },
          { at: now, message: `Corporate identifier: ${id.message}`, errorName: id.code },
        );
        continue;
      }
      this.o.store.update(
        [d.deviceId],
        { state: 'queued', since: now, nextAt: now, identifier: id.identifier, attempts: 0 },
        { at: now, message: `Corporate identifier queued: ${id.identifier}` },
      );
    }
  }

  /**
   * 'sending' devices whose retry time came: the POST may have landed. Look them up; found ones are
   * done (this station's POST landed), the others go back to the queue to be sent once more.
   */
  private async reconcileSending(): Promise<void> {
    for (;;) {
      const due = this.o.store.due(['sending'], this.c.now(), MAX_BATCH);
      if (!due.length) return;
      const found = await this.search(due);
      if (!found) return;
      const now = this.c.now();
      const landed = due.filter((d) => found.map.has(identifierKey(d.identifier!))).length;
      this.c.logger.info('reconciled corporate identifiers whose request may have reached Graph', {
        devices: due.length,
        found: landed,
        requestId: found.requestId,
      });
      this.o.store.transaction(() => this.reconciled(due, found, now));
    }
  }

  private reconciled(due: CorporateRecord[], found: Found, now: number): void {
    for (const d of due) {
      this.c.changed.add(d.deviceId);
      const hit = found.map.get(identifierKey(d.identifier!));
      if (!hit && d.errorCode === REFUSED_UNCHECKED) {
        // Intune answered status false and the search after it failed: refused, not to be sent again.
        this.o.store.update(
          [d.deviceId],
          {
            state: 'failed',
            since: now,
            nextAt: null,
            errorCode: 'CORP_REFUSED',
            params: { identifier: d.identifier! },
            addRequestIds: [found.requestId],
          },
          {
            at: now,
            message: `Intune refused the corporate identifier ${d.identifier}`,
            requestIds: [found.requestId],
            errorName: 'CORP_REFUSED',
          },
        );
      } else if (hit) {
        this.o.store.update(
          [d.deviceId],
          {
            state: 'done',
            since: now,
            nextAt: null,
            identityId: hit.id,
            errorCode: null,
            params: null,
            addRequestIds: [found.requestId],
          },
          {
            at: now,
            message: 'Corporate identifier added (found by search after the answer was lost or the station stopped)',
            requestIds: [found.requestId],
          },
        );
      } else {
        this.o.store.update(
          [d.deviceId],
          { state: 'queued', since: now, nextAt: now, batchId: null, addRequestIds: [found.requestId] },
          {
            at: now,
            message: 'Corporate identifier not found after an interrupted request: queued to send again',
            requestIds: [found.requestId],
          },
        );
      }
    }
  }

  private async sendQueued(): Promise<void> {
    const size = Math.max(1, Math.min(MAX_BATCH, Math.floor((await this.o.batchSize()) || 1)));
    for (;;) {
      if (this.c.paused()) return;
      const due = this.o.store.due(['queued'], this.c.now(), size * 2);
      if (!due.length) return;
      // One device per identifier in a batch (the same device captured twice shares it).
      const seen = new Set<string>();
      const picked = due
        .filter((d) => !seen.has(identifierKey(d.identifier!)) && seen.add(identifierKey(d.identifier!)))
        .slice(0, size);
      const twins = due.filter((d) => !picked.includes(d) && seen.has(identifierKey(d.identifier!)));

      // 1. Search first: identifiers the tenant already has need no POST.
      const found = await this.search(picked);
      if (!found) return;
      let now = this.c.now();
      const toSend: CorporateRecord[] = [];
      for (const d of picked) {
        this.c.changed.add(d.deviceId);
        const hit = found.map.get(identifierKey(d.identifier!));
        if (hit)
          this.o.store.update(
            [d.deviceId],
            {
              state: 'already-present',
              since: now,
              nextAt: null,
              identityId: hit.id,
              addRequestIds: [found.requestId],
            },
            {
              at: now,
              message: 'Corporate identifier already in the tenant: nothing to add',
              requestIds: [found.requestId],
            },
          );
        else toSend.push(d);
      }
      // Later copies of an identifier wait for the first one's answer.
      for (const d of twins) this.o.store.update([d.deviceId], { nextAt: now + this.c.t.retryBaseMs });
      if (!toSend.length) continue;

      // 2. Durable before the POST: a crash from here on makes the next tick search before sending.
      const batchId = randomUUID();
      this.o.store.transaction(() => {
        for (const d of toSend)
          this.o.store.update(
            [d.deviceId],
            {
              state: 'sending',
              since: now,
              batchId,
              attempts: d.attempts + 1,
              nextAt: now + this.backoff(d.attempts + 1),
              addRequestIds: [found.requestId],
            },
            {
              at: now,
              message: `Not in the tenant yet: adding the corporate identifier in a batch of ${toSend.length}`,
              requestIds: [found.requestId],
            },
          );
      });
      const items = toSend.map((d) => ({ identifier: d.identifier!, description: describe(d) }));
      this.stats.imports++;
      const posted = await this.c.graph(() => this.o.port.importIdentities(items));
      if (!posted.ok) {
        this.failedRequest(toSend, posted.error, true);
        return;
      }
      const res = posted.value;
      now = this.c.now();
      const refused: CorporateRecord[] = [];
      this.o.store.transaction(() =>
        res.value.forEach((r, i) => {
          const d = toSend[i]!;
          if (r.status)
            this.o.store.update(
              [d.deviceId],
              {
                state: 'done',
                since: now,
                nextAt: null,
                ...(r.id ? { identityId: r.id } : {}),
                errorCode: null,
                params: null,
                addRequestIds: [res.requestId],
              },
              { at: now, message: 'Corporate identifier added', requestIds: [res.requestId] },
            );
          else refused.push(d);
        }),
      );
      if (!refused.length) continue;
      // 3. status false: already there (added meanwhile) counts as done; otherwise the service refused it.
      const again = await this.search(refused);
      now = this.c.now();
      for (const d of refused) {
        const hit = again?.map.get(identifierKey(d.identifier!));
        if (hit) {
          this.o.store.update(
            [d.deviceId],
            {
              state: 'already-present',
              since: now,
              nextAt: null,
              identityId: hit.id,
              addRequestIds: [res.requestId, again?.requestId],
            },
            {
              at: now,
              message: 'Corporate identifier already in the tenant',
              requestIds: [res.requestId, again?.requestId],
            },
          );
        } else if (again) {
          this.o.store.update(
            [d.deviceId],
            {
              state: 'failed',
              since: now,
              nextAt: null,
              errorCode: 'CORP_REFUSED',
              params: { identifier: d.identifier! },
              addRequestIds: [res.requestId, again.requestId],
            },
            {
              at: now,
              message: `Intune refused the corporate identifier ${d.identifier}`,
              requestIds: [res.requestId, again.requestId],
              errorName: 'CORP_REFUSED',
            },
          );
        } else {
          // The search failed (transient): the answer is known to be false, so look again later.
          this.o.store.update([d.deviceId], {
            state: 'sending',
            nextAt: now + this.backoff(d.attempts + 1),
            errorCode: REFUSED_UNCHECKED,
            addRequestIds: [res.requestId],
          });
        }
      }
    }
  }

  /** searchExistingIdentities for these devices; undefined when it failed (handled: waiting or failed). */
  private async search(devices: CorporateRecord[]): Promise<Found | undefined> {
    this.stats.searches++;
    const res = await this.c.graph(() => this.o.port.searchExisting(devices.map((d) => d.identifier!)));
    if (!res.ok) {
      this.failedRequest(devices, res.error, false);
      return undefined;
    }
    const map = new Map(res.value.value.map((r) => [identifierKey(r.identifier), { id: r.id }]));
    return { map, ...(res.value.requestId ? { requestId: res.value.requestId } : {}) };
  }

  /**
   * A Graph call failed (already counted and logged by the worker's graph(), throttling already a
   * pause). Transient: the devices wait (a POST that may have landed stays 'sending', so it is
   * searched first). Permanent: failed, or unavailable when the cloud has no such endpoint.
   */
  private failedRequest(devices: CorporateRecord[], err: Error, posting: boolean): void {
    const now = this.c.now();
    const f = err instanceof GraphFailure ? err : undefined;
    for (const d of devices) this.c.changed.add(d.deviceId);
    if (f?.transient || f?.kind === 'sign-in-expired' || !f) {
      for (const d of devices) {
        const attempts = posting ? d.attempts + 1 : d.attempts;
        if (attempts >= this.maxAttempts && !(posting && (!f || f.details?.maybeApplied))) {
          this.o.store.update(
            [d.deviceId],
            {
              state: 'failed',
              since: now,
              nextAt: null,
              errorCode: f?.code ?? 'CORP_RETRIES_EXHAUSTED',
              params: { attempts },
              addRequestIds: [f?.requestId],
            },
            {
              at: now,
              message: `Corporate identifier not added after ${attempts} attempts: ${f?.message ?? err.message}`,
              requestIds: [f?.requestId],
              errorName: f?.code ?? 'CORP_RETRIES_EXHAUSTED',
            },
          );
          continue;
        }
        // A POST that may have landed stays 'sending' (searched before any resend); otherwise queued again.
        // An error that is not Graph's own answer (a bug, a dying process) may come after the POST left.
        const maybeLanded = posting && (!f || !!f.details?.maybeApplied);
        const state = maybeLanded || d.state === 'sending' ? 'sending' : 'queued';
        const nextAt = Math.max(now + this.c.retryDelay(Math.max(0, attempts - 1), f), this.c.pausedUntil);
        this.o.store.update(
          [d.deviceId],
          { state, attempts, nextAt, addRequestIds: [f?.requestId] },
          f
            ? { at: now, message: `Corporate identifier: ${f.message} Retrying later.`, requestIds: [f.requestId] }
            : undefined,
        );
      }
      return;
    }
    const unavailable = f.kind === 'not-found' || f.kind === 'wrong-cloud';
    const code = unavailable ? 'CORP_NOT_IN_CLOUD' : f.code;
    for (const d of devices) {
      this.o.store.update(
        [d.deviceId],
        {
          state: unavailable ? 'unavailable' : 'failed',
          since: now,
          nextAt: null,
          errorCode: code,
          params: f.params ?? {},
          addRequestIds: [f.requestId],
        },
        {
          at: now,
          message: `Corporate identifier: ${f.message}${f.action ? ` ${f.action}` : ''}`,
          requestIds: [f.requestId],
          errorName: code,
        },
      );
    }
  }

  /** The worker's backoff for the attempt-th try (1 = the first): base, doubling to the maximum, with equal jitter. */
  private backoff(attempt: number): number {
    return this.c.retryDelay(Math.max(0, attempt - 1), undefined);
  }
}

/** The admin centre shows this beside the identifier: which station and group tag added it. */
export function describe(d: Pick<CorporateRecord, 'stationName' | 'groupTag'>): string {
  return `Added by Autopilot Station ${d.stationName}${d.groupTag ? `, group tag ${d.groupTag}` : ', no group tag'}`;
}

import { randomUUID } from 'node:crypto';
import type { Clock } from '../kernel/clock.ts';
import type { EventBus } from '../kernel/eventBus.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Attention, DeviceState } from '../contract/types.ts';
import { GraphFailure, type AutopilotPort, type ImportedIdentity, type ImportedIdentityInput, type RegisteredDevice } from '../graph/autopilotPort.ts';
import { describeImportError, isAlreadyHere, STATION_ADVICE } from './errorAdvice.ts';
import type { BatchRecord, DeviceEventRecord, DevicePatch, DeviceRecord, QueueStore } from './queueStore.ts';

export interface WorkerTimings {
  /** Deadlines per stage, in service time. */
  importDeadlineMs: number;
  registrationDeadlineMs: number;
  profileDeadlineMs: number;
  /**
   * Polling starts fast and backs off to the maximum. A poll costs one request per batch (or one
   * listing per 1000 registered devices), so the station can afford to look often: growing by a
   * tenth each time, a change is seen at most about a tenth of the time already waited late (the
   * goal: done within 1.1× the service's own processing time), and never more than maxPollMs late.
   * 10 s first (the service never answers sooner), 30 s at most: inside the 10–60 s the design asks.
   */
  firstPollMs: number;
  maxPollMs: number;
  pollFactor: number;
  /** Retry backoff for transient failures without Retry-After. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long registration may lag after import before a sync is worth asking for. */
  syncAfterMs: number;
  /** The service refuses a second sync within 10 minutes. */
  syncIntervalMs: number;
  /** Record-level transient errors (StorageError) retried this many times, then failed. */
  maxRecordRetries: number;
}

export const DEFAULT_TIMINGS: WorkerTimings = {
  importDeadlineMs: 30 * 60_000,
  registrationDeadlineMs: 60 * 60_000,
  profileDeadlineMs: 120 * 60_000,
  firstPollMs: 10_000,
  maxPollMs: 30_000,
  pollFactor: 1.1,
  retryBaseMs: 5_000,
  retryMaxMs: 5 * 60_000,
  syncAfterMs: 5 * 60_000,
  syncIntervalMs: 10 * 60_000,
  maxRecordRetries: 3,
};

export interface ImportWorkerOptions {
  store: QueueStore;
  port: AutopilotPort;
  clock: Clock;
  logger: Logger;
  bus?: EventBus;
  /** Devices per import call (at most 500); read at each batch so settings changes apply. */
  batchSize: () => number | Promise<number>;
  timings?: Partial<WorkerTimings>;
}

type Event = Partial<Omit<DeviceEventRecord, 'deviceId' | 'at' | 'toState' | 'fromState' | 'requestIds' | 'message'>> & { requestIds?: (string | undefined)[] };

const LAST_SYNC_KEY = 'lastSyncAt';

/** Importing, or timed out while importing (Intune may still answer). */
function stillImporting(d: DeviceRecord): boolean {
  return d.state === 'importing' || (d.state === 'timed-out' && d.lastKnownState === 'importing');
}
export const MAX_BATCH_SIZE = 500;
/** Imported records deleted per tick (see cleanupBatch). */
const CLEANUP_SLICE = 10;

/**
 * Drives queued devices through Graph: import in batches, poll by importId, clean up the records it
 * created, follow registration and profile assignment. Every decision is written to the store before
 * the request that depends on it, so a process killed anywhere resumes without losing or
 * double-importing a device: on start it reconciles every batch whose POST may have been sent.
 */
export class ImportWorker {
  private readonly t: WorkerTimings;
  private reconciled = false;
  /** No request before this time (Retry-After from a throttled answer). */
  private pausedUntil = 0;
  private changed = new Set<string>();
  /** Registered devices in the tenant at the last listing: what a listing costs in requests. */
  private lastListSize = 0;
  private needsAttention = new Set<string>();
  /** Batch → imported records still to delete. Memory only: after a restart the batch is read again. */
  private readonly cleanupIds = new Map<string, string[]>();
  private loop?: Promise<void>;
  private stopping?: AbortController;
  private wake?: AbortController;
  private kicked = false;
  /** What the worker saw from Graph, for the benchmark and diagnostics. */
  readonly stats = { requests: 0, throttled: 0, transientFailures: 0, batchesPosted: 0, syncsRequested: 0 };

  constructor(private readonly o: ImportWorkerOptions) {
    this.t = { ...DEFAULT_TIMINGS, ...o.timings };
  }

  private get store(): QueueStore {
    return this.o.store;
  }
  private now(): number {
    return this.o.clock.now();
  }

  // ---------- running ----------

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
          next = this.now() + this.t.maxPollMs;
        }
        if (stop.aborted) break;
        if (this.kicked) {
          this.kicked = false;
          continue;
        }
        this.wake = new AbortController();
        const signal = AbortSignal.any([stop, this.wake.signal]);
        const wait = Math.max(0, Math.min(next - this.now(), this.t.maxPollMs));
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

  async stop(): Promise<void> {
    this.stopping?.abort();
    await this.loop;
    this.loop = undefined;
  }

  /** One pass over everything due. Returns when the worker should look again (service time). */
  async tick(): Promise<number> {
    try {
      if (!this.reconciled) this.reconciled = await this.reconcile();
      if (this.reconciled) {
        for (const batch of this.store.openBatches()) {
          if (batch.nextAt > this.now() || this.paused()) continue;
          if (batch.status === 'sending') await this.sendBatch(batch);
          else if (batch.status === 'sent') await this.pollBatch(batch);
          else if (batch.status === 'cleanup') await this.cleanupBatch(batch);
        }
        await this.startBatches();
        await this.followRegistrations();
      }
      this.enforceDeadlines();
    } finally {
      this.publish();
    }
    return this.nextWake();
  }

  private nextWake(): number {
    const times = [this.store.nextDeviceTime(), ...this.store.openBatches().map((b) => b.nextAt)].filter((t): t is number => t !== undefined);
    let next = times.length ? Math.min(...times) : this.now() + this.t.maxPollMs;
    if (!this.reconciled) next = Math.min(next, this.now() + this.t.retryBaseMs);
    return Math.max(next, this.pausedUntil);
  }

  private paused(): boolean {
    return this.now() < this.pausedUntil;
  }

  // ---------- batches ----------

  /**
   * Before anything is sent: every batch whose POST may have happened is looked up by its importId.
   * Records found → the POST landed, poll it. None → it is re-sent with the same importId later.
   */
  private async reconcile(): Promise<boolean> {
    for (const batch of this.store.openBatches()) {
      if (batch.status !== 'sending' || batch.attempts === 0) continue;
      const read = await this.graph(() => this.o.port.readBatch(batch.importId));
      if (!read.ok) return false;
      if (read.value.value.length) {
        this.o.logger.info('reconciled a batch that reached Graph before the station stopped', { batchId: batch.id, importId: batch.importId, records: read.value.value.length });
        await this.accepted(batch, read.value.value, read.value.requestId, 'found by importId after a restart');
      } else {
        this.store.updateBatch(batch.id, { attempts: 0, nextAt: this.now() });
      }
    }
    return true;
  }

  /** Queued devices into new batches: importId stored with the devices before the POST. */
  private async startBatches(): Promise<void> {
    const size = Math.max(1, Math.min(MAX_BATCH_SIZE, Math.floor((await this.o.batchSize()) || 1)));
    for (;;) {
      if (this.paused()) return;
      const due = this.store.dueDevices(['queued'], this.now(), size * 2);
      if (!due.length) return;
      // One record per serial in a batch, so that every answer maps to exactly one device.
      const seen = new Set<string>();
      const picked = due.filter((d) => {
        const key = d.serialNumber.toUpperCase();
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      }).slice(0, size);
      const now = this.now();
      const batch: BatchRecord = { id: randomUUID(), importId: randomUUID(), status: 'sending', createdAt: now, nextAt: now, attempts: 0, deadline: now + this.t.importDeadlineMs, deviceCount: picked.length };
      this.store.createBatch(
        batch,
        picked.map((d) => d.id),
        { state: 'importing', stateSince: now, batchId: batch.id, importId: batch.importId, deadline: batch.deadline, nextCheckAt: null, errorCode: null, errorName: null, advice: null, importedRecordId: null, deviceRegistrationId: null, profileStatus: null },
        { at: now, fromState: 'queued', toState: 'importing', message: `Importing in a batch of ${picked.length}`, batchId: batch.id, importId: batch.importId, requestIds: [] },
      );
      for (const d of picked) this.changed.add(d.id);
      await this.sendBatch(batch);
    }
  }

  private async sendBatch(batch: BatchRecord): Promise<void> {
    if (batch.attempts > 0) {
      // A POST may have reached Graph (lost answer, crash): look before sending again.
      const read = await this.graph(() => this.o.port.readBatch(batch.importId));
      if (!read.ok) return this.retryBatchLater(batch, read.error);
      if (read.value.value.length) return this.accepted(batch, read.value.value, read.value.requestId, 'found by importId before sending again');
    }
    const devices = this.store.devicesInBatch(batch.id).filter((d) => d.state === 'importing');
    if (!devices.length) {
      this.store.updateBatch(batch.id, { status: 'done' });
      return;
    }
    // From here the POST may happen: a crash after this line makes the next start look first.
    this.store.updateBatch(batch.id, { attempts: batch.attempts + 1 });
    batch.attempts += 1;
    const res = await this.graph(() =>
      this.o.port.importBatch(
        devices.map((d) => {
          const input: ImportedIdentityInput = { serialNumber: d.serialNumber, hardwareIdentifier: d.hardwareHash, importId: batch.importId };
          if (d.productKey) input.productKey = d.productKey;
          if (d.groupTag) input.groupTag = d.groupTag;
          if (d.assignedUser) input.assignedUserPrincipalName = d.assignedUser;
          return input;
        }),
      ),
    );
    if (res.ok) {
      this.stats.batchesPosted++;
      return this.accepted(batch, res.value.value, res.value.requestId, 'sent to Intune');
    }
    const err = res.error;
    if (err instanceof GraphFailure && err.kind === 'bad-request') {
      // Graph refused the whole request: nothing was imported, say why on every device.
      for (const d of devices) {
        this.move(d, 'failed', { deadline: null, nextCheckAt: null, errorName: err.code, advice: err.action ?? err.message }, `Import refused: ${err.message}`, {
          batchId: batch.id,
          importId: batch.importId,
          requestIds: [err.requestId],
          errorName: err.code,
        });
      }
      this.store.updateBatch(batch.id, { status: 'done' });
      return;
    }
    this.retryBatchLater(batch, err);
  }

  private retryBatchLater(batch: BatchRecord, err: Error): void {
    const delay = this.retryDelay(batch.attempts, err);
    this.store.updateBatch(batch.id, { nextAt: this.now() + delay });
    if (!(err instanceof GraphFailure) || !err.transient) {
      this.attention(this.store.devicesInBatch(batch.id).map((d) => d.id), `Import is waiting: ${err.message}${err instanceof GraphFailure && err.action ? ` ${err.action}` : ''}`);
    }
  }

  /** Graph has the batch: record what it said, then poll by importId. */
  private async accepted(batch: BatchRecord, records: ImportedIdentity[], requestId: string | undefined, how: string): Promise<void> {
    const now = this.now();
    this.store.updateBatch(batch.id, { status: 'sent', postedAt: batch.postedAt ?? now, attempts: 0, nextAt: now + this.t.firstPollMs });
    this.store.transaction(() => {
      for (const d of this.store.devicesInBatch(batch.id)) {
        if (d.state !== 'importing') continue;
        this.store.appendEvent({ deviceId: d.id, at: now, fromState: 'importing', toState: 'importing', message: `Batch ${how}`, batchId: batch.id, importId: batch.importId, requestIds: requestId ? [requestId] : [] });
      }
    });
    await this.applyRecords({ ...batch, status: 'sent', attempts: 0 }, records, requestId);
  }

  private async pollBatch(batch: BatchRecord): Promise<void> {
    const read = await this.graph(() => this.o.port.readBatch(batch.importId));
    if (!read.ok) return this.retryBatchLater(batch, read.error);
    await this.applyRecords(batch, read.value.value, read.value.requestId);
  }

  /** Maps records (ours: same importId) to the batch's devices by serial and moves each one on. */
  private async applyRecords(batch: BatchRecord, records: ImportedIdentity[], requestId: string | undefined): Promise<void> {
    const bySerial = new Map<string, ImportedIdentity>();
    for (const r of records) if (r.importId === batch.importId) bySerial.set(r.serialNumber.toUpperCase(), r);
    const ev = (e: Event = {}): Event => ({ batchId: batch.id, importId: batch.importId, requestIds: [requestId], ...e });
    // What Graph said is written in one transaction (one disk sync for a batch of 500, not 500);
    // the 806 devices need requests of their own, made after it.
    const alreadyHere: { d: DeviceRecord; e: Event }[] = [];
    this.store.transaction(() => this.applyRecordsNow(batch, bySerial, ev, alreadyHere));
    for (const { d, e } of alreadyHere) await this.alreadyRegistered(d, e);
    this.settleBatch(batch);
  }

  private applyRecordsNow(batch: BatchRecord, bySerial: Map<string, ImportedIdentity>, ev: (e?: Event) => Event, alreadyHere: { d: DeviceRecord; e: Event }[]): void {
    for (const d of this.store.devicesInBatch(batch.id)) {
      // A device that timed out while importing still takes Intune's late answer: the truth wins.
      if (!stillImporting(d)) continue;
      const r = bySerial.get(d.serialNumber.toUpperCase());
      if (!r) continue;
      if (r.id && r.id !== d.importedRecordId) this.store.updateDevice(d.id, { importedRecordId: r.id });
      const st = r.state;
      if (st.deviceImportStatus === 'complete') {
        const regId = st.deviceRegistrationId || null;
        if (d.waitFor === 'imported') this.move(d, 'imported', { deviceRegistrationId: regId, deadline: null, nextCheckAt: null, importedRecordId: r.id }, 'Imported', ev());
        else {
          const now = this.now();
          this.move(d, 'imported', { deviceRegistrationId: regId, deadline: now + this.t.registrationDeadlineMs, nextCheckAt: now + this.t.firstPollMs, attempts: 0, importedRecordId: r.id }, 'Imported; waiting for registration', ev());
        }
      } else if (st.deviceImportStatus === 'error') {
        const code = st.deviceErrorCode || undefined;
        const name = st.deviceErrorName ?? undefined;
        if (isAlreadyHere(code, name)) {
          alreadyHere.push({ d: { ...d, importedRecordId: r.id }, e: ev({ errorCode: code, errorName: name ?? 'ZtdDeviceAlreadyAssigned' }) });
          continue;
        }
        const info = describeImportError(code, name);
        const errEv = ev({ errorCode: code, errorName: info.name });
        if (info.transient && d.attempts < this.t.maxRecordRetries) {
          const wait = this.retryDelay(d.attempts, undefined);
          this.move(d, 'queued', { deadline: null, nextCheckAt: this.now() + wait, attempts: d.attempts + 1, errorCode: code ?? null, errorName: info.name, advice: info.advice, importedRecordId: r.id }, `Intune reported ${info.name}; queued again`, errEv);
        } else {
          this.move(d, 'failed', { deadline: null, nextCheckAt: null, errorCode: code ?? null, errorName: info.name, advice: info.advice, importedRecordId: r.id }, `Import failed: ${info.name}${code ? ` (${code})` : ''}`, errEv);
          this.attention([d.id], `${d.serialNumber}: ${info.advice}`, { serialNumber: d.serialNumber, ...(code !== undefined ? { errorCode: code } : {}), errorName: info.name });
        }
      }
    }
  }

  /** 806: the device is registered in this tenant already. Success once its group tag (and user) match. */
  private async alreadyRegistered(d: DeviceRecord, e: Event): Promise<void> {
    const found = await this.graph(() => this.o.port.findRegisteredBySerial(d.serialNumber));
    if (!found.ok) return; // the record stays; the next poll tries again
    const reg = found.value.value.find((x) => x.serialNumber.toUpperCase() === d.serialNumber.toUpperCase());
    const requestIds = [...(e.requestIds ?? []), found.value.requestId];
    const base: DevicePatch = { deadline: null, nextCheckAt: null, errorCode: 806, errorName: 'ZtdDeviceAlreadyAssigned', importedRecordId: d.importedRecordId ?? null };
    if (!reg) {
      this.move(d, 'already-registered', { ...base, flags: [...new Set([...d.flags, 'group-tag-unchecked'])], advice: 'Intune says this device is registered here, but it could not be found to check its group tag. Check it in the admin centre.' }, 'Already registered in this tenant (not found to check the group tag)', { ...e, requestIds });
      return;
    }
    const props: { groupTag?: string; userPrincipalName?: string } = {};
    if ((reg.groupTag ?? '') !== d.groupTag) props.groupTag = d.groupTag;
    if (d.assignedUser && (reg.userPrincipalName ?? '') !== d.assignedUser) props.userPrincipalName = d.assignedUser;
    let message = 'Already registered in this tenant; group tag already correct';
    if (Object.keys(props).length) {
      const upd = await this.graph(() => this.o.port.updateDeviceProperties(reg.id, props));
      if (!upd.ok) return; // retried on the next poll, the 806 record is still there
      requestIds.push(upd.value.requestId);
      message = `Already registered in this tenant; group tag changed from "${reg.groupTag ?? ''}" to "${d.groupTag}"`;
    }
    this.move(d, 'already-registered', { ...base, deviceRegistrationId: reg.id, advice: describeImportError(806, null).advice }, message, { ...e, requestIds });
  }

  /**
   * When no record of the batch is pending any more: delete the records this station created. Devices
   * that timed out keep the batch polled (slower) for one more import deadline, so that a late answer
   * still lands and its record is still cleaned up.
   */
  private settleBatch(batch: BatchRecord): void {
    const devices = this.store.devicesInBatch(batch.id);
    const pending = devices.some((d) => d.state === 'importing') || (devices.some(stillImporting) && this.now() < batch.deadline + this.t.importDeadlineMs);
    if (pending) {
      const polls = batch.attempts + 1;
      this.store.updateBatch(batch.id, { attempts: polls, nextAt: this.now() + this.pollInterval(polls) });
      return;
    }
    this.store.updateBatch(batch.id, { status: 'cleanup', nextAt: this.now(), attempts: 0 });
    const ids = devices.map((d) => d.id);
    this.o.bus?.emit('attention', { kind: 'batch-finished', deviceIds: ids, message: `A batch of ${devices.length} device${devices.length === 1 ? '' : 's'} finished importing.`, count: devices.length });
  }

  private async cleanupBatch(batch: BatchRecord): Promise<void> {
    let ids = this.cleanupIds.get(batch.id);
    if (!ids) {
      // Everything under this batch's importId is ours (a GUID this station chose); only final records
      // are deleted, so a record still being processed is never cut short.
      const read = await this.graph(() => this.o.port.readBatch(batch.importId));
      if (!read.ok) return this.retryBatchLater(batch, read.error);
      ids = read.value.value.filter((r) => r.importId === batch.importId && (r.state.deviceImportStatus === 'complete' || r.state.deviceImportStatus === 'error')).map((r) => r.id);
      this.cleanupIds.set(batch.id, ids);
    }
    // A slice per tick: deletes are paced by the write limit (500 take almost two minutes), and
    // devices waiting for registration must not wait behind them.
    const slice = ids.splice(0, CLEANUP_SLICE);
    if (slice.length) {
      const del = await this.graph(() => this.o.port.deleteImported(slice));
      if (!del.ok && !(del.error instanceof GraphFailure && del.error.kind === 'not-found')) {
        ids.unshift(...slice); // the port skips records already gone, so the slice can be sent again
        return this.retryBatchLater(batch, del.error);
      }
    }
    if (ids.length) {
      this.store.updateBatch(batch.id, { nextAt: this.now() });
      return;
    }
    this.cleanupIds.delete(batch.id);
    this.store.updateBatch(batch.id, { status: 'done' });
  }

  // ---------- registration and profile ----------

  /**
   * Devices waiting for registration or a profile. Few: one GET each. Many: one listing of the
   * tenant's registered devices (one request per 1000) serves them all, when the port offers it.
   */
  private async followRegistrations(): Promise<void> {
    let lagging = false;
    for (let round = 0; round < 50; round++) {
      if (this.paused()) return;
      const now = this.now();
      let due = this.store.dueDevices(['imported', 'registered'], now, 1000);
      if (!due.length) break;
      let listed: { byId: Map<string, RegisteredDevice>; bySerial: Map<string, RegisteredDevice>; requestId?: string } | undefined;
      const pages = Math.max(1, Math.ceil(this.lastListSize / 1000));
      // A listing answers for every device waiting, due now or a little later: serve them all, so
      // that their next checks stay in step instead of drifting apart into one GET each.
      const waiting = this.o.port.listRegisteredDevices ? this.store.dueDevices(['imported', 'registered'], Number.MAX_SAFE_INTEGER, 1000) : [];
      if (this.o.port.listRegisteredDevices && waiting.length >= Math.max(10, 2 * pages)) {
        due = waiting;
        const wantProfile = due.some((d) => d.waitFor === 'assigned');
        const res = await this.graph(() => this.o.port.listRegisteredDevices!({ profileStatus: wantProfile }));
        if (res.ok) {
          this.lastListSize = res.value.value.length;
          listed = { byId: new Map(res.value.value.map((r) => [r.id, r])), bySerial: new Map(res.value.value.map((r) => [r.serialNumber.toUpperCase(), r])), ...(res.value.requestId ? { requestId: res.value.requestId } : {}) };
        } else {
          for (const d of due) this.store.updateDevice(d.id, { nextCheckAt: this.now() + this.retryDelay(d.attempts, res.error) });
          continue;
        }
      }
      if (listed) {
        // One listing, every device it answers for in one transaction (one disk sync, not one per device).
        const l = listed;
        this.store.transaction(() => {
          for (const d of due) {
            const value = (d.deviceRegistrationId ? l.byId.get(d.deviceRegistrationId) : undefined) ?? l.bySerial.get(d.serialNumber.toUpperCase());
            if (d.state === 'imported') lagging = this.observeRegistration(d, value, l.requestId) || lagging;
            else this.observeProfile(d, value, l.requestId);
          }
        });
        continue;
      }
      for (const d of due) {
        if (this.paused()) return;
        const res = await this.graph(() => this.lookupRegistered(d));
        if (!res.ok) {
          this.store.updateDevice(d.id, { nextCheckAt: this.now() + this.retryDelay(d.attempts, res.error) });
          continue;
        }
        const found = res.value;
        if (d.state === 'imported') lagging = this.observeRegistration(d, found.value, found.requestId) || lagging;
        else this.observeProfile(d, found.value, found.requestId);
      }
    }
    if (lagging) await this.maybeSync();
  }

  private async lookupRegistered(d: DeviceRecord): Promise<{ value: RegisteredDevice | undefined; requestId?: string }> {
    const wantProfile = d.waitFor === 'assigned';
    if (d.deviceRegistrationId) return this.o.port.getRegisteredDevice(d.deviceRegistrationId, { profileStatus: wantProfile });
    const list = await this.o.port.findRegisteredBySerial(d.serialNumber);
    const hit = list.value.find((x) => x.serialNumber.toUpperCase() === d.serialNumber.toUpperCase());
    return list.requestId ? { value: hit, requestId: list.requestId } : { value: hit };
  }

  /** Returns true when registration lags enough to be worth a sync. */
  private observeRegistration(d: DeviceRecord, reg: RegisteredDevice | undefined, requestId: string | undefined): boolean {
    const now = this.now();
    if (!reg) {
      this.store.updateDevice(d.id, { attempts: d.attempts + 1, nextCheckAt: now + this.pollInterval(d.attempts + 1) });
      return now - d.stateSince >= this.t.syncAfterMs;
    }
    const e: Event = { requestIds: [requestId] };
    const profile = reg.deploymentProfileAssignmentStatus;
    if (d.waitFor !== 'assigned') {
      this.move(d, 'registered', { deviceRegistrationId: reg.id, deadline: null, nextCheckAt: null, profileStatus: profile ?? null }, 'Registered in Autopilot', e);
      return false;
    }
    const reached = this.move(d, 'registered', { deviceRegistrationId: reg.id, deadline: now + this.t.profileDeadlineMs, nextCheckAt: now + this.t.firstPollMs, attempts: 0, profileStatus: profile ?? null }, 'Registered in Autopilot; waiting for a deployment profile', e);
    this.profileOutcome(reached, profile, e);
    return false;
  }

  private observeProfile(d: DeviceRecord, reg: RegisteredDevice | undefined, requestId: string | undefined): void {
    const profile = reg?.deploymentProfileAssignmentStatus;
    const updated = this.store.updateDevice(d.id, { attempts: d.attempts + 1, nextCheckAt: this.now() + this.pollInterval(d.attempts + 1), profileStatus: profile ?? null });
    this.profileOutcome(updated, profile, { requestIds: [requestId] });
  }

  private profileOutcome(d: DeviceRecord, profile: string | undefined, e: Event): void {
    if (profile?.startsWith('assigned')) {
      this.move(d, 'assigned', { deadline: null, nextCheckAt: null }, `Deployment profile assigned (${profile}): ready to deploy`, e);
    } else if (profile === 'failed') {
      this.move(d, 'failed', { deadline: null, nextCheckAt: null, errorName: 'ProfileAssignmentFailed', advice: STATION_ADVICE.profileFailed }, 'Deployment profile assignment failed', { ...e, errorName: 'ProfileAssignmentFailed' });
      this.attention([d.id], `${d.serialNumber}: ${STATION_ADVICE.profileFailed}`, { serialNumber: d.serialNumber, errorName: 'ProfileAssignmentFailed' });
    }
  }

  /** At most one sync per 10 minutes per tenant, remembered in the store across restarts. */
  private async maybeSync(): Promise<void> {
    const last = Number(this.store.getMeta(LAST_SYNC_KEY) ?? '0');
    if (this.now() - last < this.t.syncIntervalMs) return;
    const res = await this.graph(() => this.o.port.requestSync());
    if (!res.ok) return;
    this.store.setMeta(LAST_SYNC_KEY, String(this.now()));
    if (res.value === 'requested') this.stats.syncsRequested++;
    this.o.logger.info('Autopilot sync', { outcome: res.value });
  }

  // ---------- deadlines ----------

  private enforceDeadlines(): void {
    const advice: Partial<Record<DeviceState, string>> = { importing: STATION_ADVICE.importTimeout, imported: STATION_ADVICE.registrationTimeout, registered: STATION_ADVICE.profileTimeout };
    const touchedBatches = new Set<string>();
    for (const d of this.store.overdueDevices(this.now())) {
      const a = advice[d.state];
      if (!a) {
        this.store.updateDevice(d.id, { deadline: null });
        continue;
      }
      this.move(d, 'timed-out', { lastKnownState: d.state, deadline: null, nextCheckAt: null, advice: a, errorName: 'Timeout' }, `Timed out while ${d.state}`, { batchId: d.batchId, importId: d.importId, errorName: 'Timeout' });
      this.attention([d.id], `${d.serialNumber}: ${a}`, { serialNumber: d.serialNumber, errorName: 'Timeout' });
      if (d.state === 'importing' && d.batchId) touchedBatches.add(d.batchId);
    }
    for (const id of touchedBatches) {
      // Never sent: nothing to follow. Sent: polling goes on (settleBatch decides when to stop).
      const b = this.store.getBatch(id);
      if (b?.status === 'sending' && b.attempts === 0 && !this.store.devicesInBatch(id).some((d) => d.state === 'importing')) this.store.updateBatch(id, { status: 'done' });
    }
  }

  // ---------- helpers ----------

  private move(d: DeviceRecord, to: DeviceState, patch: DevicePatch, message: string, e: Event = {}): DeviceRecord {
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
    return this.store.updateDevice(d.id, full, { ...rest, at: now, fromState: d.state, toState: to, message, requestIds: (requestIds ?? []).filter((x): x is string => !!x) });
  }

  private attention(ids: string[], message: string, facts: Pick<Attention, 'serialNumber' | 'errorCode' | 'errorName'> = {}): void {
    for (const id of ids) this.needsAttention.add(id);
    if (ids.length) this.o.bus?.emit('attention', { kind: 'device-needs-attention', deviceIds: ids, message, ...facts });
  }

  private publish(): void {
    if (!this.changed.size) return;
    const deviceIds = [...this.changed];
    this.changed = new Set();
    this.needsAttention = new Set();
    this.o.bus?.emit('queueChanged', { deviceIds, at: new Date(this.now()).toISOString(), counts: this.store.countByState() });
  }

  private pollInterval(polls: number): number {
    return Math.min(this.t.maxPollMs, Math.round(this.t.firstPollMs * this.t.pollFactor ** Math.max(0, polls - 1)));
  }

  private retryDelay(attempts: number, err: Error | undefined): number {
    if (err instanceof GraphFailure && err.retryAfterMs !== undefined) return err.retryAfterMs;
    const cap = Math.min(this.t.retryMaxMs, this.t.retryBaseMs * 2 ** Math.min(attempts, 16));
    return Math.round(cap / 2 + (Math.random() * cap) / 2);
  }

  /** One Graph call: counts it, turns throttling into a pause for every request, never throws. */
  private async graph<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
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
        this.o.logger.warn('Graph call failed', { code: error.code, kind: error.kind, status: error.status, requestId: error.requestId, clientRequestId: error.clientRequestId });
      } else {
        this.o.logger.error('Graph call failed unexpectedly', { error: error.message });
      }
      return { ok: false, error };
    }
  }
}

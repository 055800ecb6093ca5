import type { ImportedIdentity } from '../../graph/autopilotPort.ts';
import { describeImportError, isAlreadyHere, isOtherTenant, STATION_ADVICE } from '../errorAdvice.ts';
import type { BatchRecord, DeviceRecord } from '../queueStore.ts';
import { matchRecords } from './recordMatching.ts';
import { pendingAlreadyHere, type AlreadyHereStage } from './alreadyHereStage.ts';
import { stillImporting, type Event, type WorkerContext, type WorkerStage } from './workerContext.ts';

const RESENT_FLAG = 'resent-after-lost-record';

/**
 * Follows sent batches by the record ids the service gave back. Per poll it chooses the cheaper read:
 * one GET per record when few wait, one listing of the tenant's imported records (matched here) when
 * more wait than the listing costs in pages. Records that cannot be found well after the service's
 * processing time are looked up by serial: resumed, re-sent when provably absent, or failed.
 */
export class PollStage implements WorkerStage {
  readonly name = 'poll';
  /** Pages the last listing of imported records took: what a listing costs. */
  private listPages = 1;
  constructor(
    private readonly c: WorkerContext,
    private readonly alreadyHere: AlreadyHereStage,
  ) {}

  async run(): Promise<void> {
    if (this.c.paused()) return;
    const now = this.c.now();
    const batches = this.c.store
      .openBatches()
      .filter((b) => b.status === 'sent' && (b.nextAt <= now || this.c.checkNow.has(b.id)));
    if (!batches.length) return;
    const waiting = batches.map((b) => ({
      batch: b,
      devices: this.c.store.devicesInBatch(b.id).filter(stillImporting),
    }));
    const all = waiting.flatMap((w) => w.devices);
    const withId = all.filter((d) => d.importedRecordId);
    const useList = withId.length < all.length || withId.length > this.listPages;
    if (useList) {
      const list = await this.c.graph(() => this.c.port.listImported());
      if (!list.ok) {
        for (const { batch } of waiting) this.retryLater(batch, list.error);
        return;
      }
      this.listPages = Math.max(1, list.value.requests ?? 1);
      for (const { batch } of waiting) await this.applyRecords(batch, list.value.value, list.value.requestId, true);
      return;
    }
    for (const { batch, devices } of waiting) {
      const records: ImportedIdentity[] = [];
      let requestId: string | undefined;
      let failed: Error | undefined;
      for (const d of devices) {
        const res = await this.c.graph(() => this.c.port.getImported(d.importedRecordId!));
        if (!res.ok) {
          failed = res.error;
          break;
        }
        if (res.value.value) records.push(res.value.value);
        requestId = res.value.requestId ?? requestId;
      }
      if (failed) this.retryLater(batch, failed);
      else await this.applyRecords(batch, records, requestId, false);
    }
  }

  /** Maps records to the batch's devices (record id first, then serial) and moves each one on. */
  async applyRecords(
    batch: BatchRecord,
    records: ImportedIdentity[],
    requestId: string | undefined,
    complete: boolean,
  ): Promise<void> {
    const devices = this.c.store.devicesInBatch(batch.id).filter(stillImporting);
    const matched = matchRecords(devices, records, (id) => !this.c.store.hasImportedRecord(id));
    const ev = (e: Event = {}): Event => ({
      batchId: batch.id,
      importId: batch.importId,
      requestIds: [requestId],
      ...e,
    });
    // What Graph said is written in one transaction (one disk sync for a batch of 500, not 500);
    // the 806 devices need requests of their own, made after it.
    const alreadyHere: { d: DeviceRecord; e: Event }[] = [];
    this.c.store.transaction(() => {
      for (const d of devices) {
        const r = matched.get(d.id);
        // An 806 being reconciled belongs to the already-registered stage until it is done.
        if (r && !pendingAlreadyHere(d)) this.applyOne(batch, d, r, ev, alreadyHere);
      }
    });
    for (const { d, e } of alreadyHere) await this.alreadyHere.alreadyRegistered(d, e);
    const missing = this.c.store
      .devicesInBatch(batch.id)
      .filter((d) => d.state === 'importing' && !matched.has(d.id) && !pendingAlreadyHere(d));
    const lookAt =
      this.c.checkNow.has(batch.id) ||
      this.c.now() >= (batch.postedAt ?? batch.createdAt) + this.c.t.lostRecordFactor * this.c.t.expectedImportMs;
    this.c.checkNow.delete(batch.id);
    if (missing.length && lookAt) await this.lookUpLost(batch, missing, complete ? records : undefined);
    this.settleBatch(batch);
  }

  private applyOne(
    batch: BatchRecord,
    d: DeviceRecord,
    r: ImportedIdentity,
    ev: (e?: Event) => Event,
    alreadyHere: { d: DeviceRecord; e: Event }[],
  ): void {
    if (r.id !== d.importedRecordId) {
      this.c.store.addImportedRecords([{ id: r.id, batchId: batch.id, deviceId: d.id, createdAt: this.c.now() }]);
      d = this.c.store.updateDevice(d.id, { importedRecordId: r.id });
    }
    const st = r.state;
    const now = this.c.now();
    if (st.deviceImportStatus === 'complete') {
      const regId = st.deviceRegistrationId || null;
      if (d.waitFor === 'imported')
        this.c.move(
          d,
          'imported',
          { deviceRegistrationId: regId, deadline: null, nextCheckAt: null },
          'Imported',
          ev(),
        );
      else
        this.c.move(
          d,
          'imported',
          {
            deviceRegistrationId: regId,
            deadline: now + this.c.t.registrationDeadlineMs,
            nextCheckAt: now + this.c.t.firstPollMs,
            attempts: 0,
          },
          'Imported; waiting for registration',
          ev(),
        );
      return;
    }
    if (st.deviceImportStatus !== 'error') return;
    const info = describeImportError(st.deviceErrorCode || undefined, st.deviceErrorName);
    // 808 named the other way with code 0 still carries its code, so every screen words it alike.
    const code = st.deviceErrorCode || info.code;
    const name = st.deviceErrorName ?? undefined;
    if (isAlreadyHere(code, name)) {
      alreadyHere.push({ d, e: ev({ errorCode: 806, errorName: name ?? 'ZtdDeviceAlreadyAssigned' }) });
      return;
    }
    const errEv = ev({ errorCode: code, errorName: info.name });
    if (info.transient && d.attempts < this.c.t.maxRecordRetries) {
      const wait = this.c.retryDelay(d.attempts, undefined);
      this.c.move(
        d,
        'queued',
        {
          deadline: null,
          nextCheckAt: now + wait,
          attempts: d.attempts + 1,
          errorCode: code ?? null,
          errorName: info.name,
          advice: info.advice,
        },
        `Intune reported ${info.name}; queued again`,
        errEv,
      );
      return;
    }
    const flags = isOtherTenant(code, name) ? [...new Set([...d.flags, 'other-tenant'])] : d.flags;
    this.c.move(
      d,
      'failed',
      { deadline: null, nextCheckAt: null, errorCode: code ?? null, errorName: info.name, advice: info.advice, flags },
      `Import failed: ${info.name}${code ? ` (${code})` : ''}`,
      errEv,
    );
    this.c.attention([d.id], `${d.serialNumber}: ${info.advice}`, {
      serialNumber: d.serialNumber,
      ...(code !== undefined ? { errorCode: code } : {}),
      errorName: info.name,
    });
  }

  /**
   * Records not found well after the service's processing time (or the technician asked): looked up
   * by serial in the imported list and among registered devices. Found → followed again; provably
   * absent → sent again once; absent a second time → failed with the reason.
   */
  private async lookUpLost(
    batch: BatchRecord,
    devices: DeviceRecord[],
    listed: ImportedIdentity[] | undefined,
  ): Promise<void> {
    let records = listed;
    let requestId: string | undefined;
    if (!records) {
      const list = await this.c.graph(() => this.c.port.listImported());
      if (!list.ok) return;
      records = list.value.value;
      requestId = list.value.requestId;
      this.listPages = Math.max(1, list.value.requests ?? 1);
    }
    const matched = matchRecords(devices, records, (id) => !this.c.store.hasImportedRecord(id), {
      ignoreKnownIds: true,
    });
    const ev = (e: Event = {}): Event => ({
      batchId: batch.id,
      importId: batch.importId,
      requestIds: [requestId],
      ...e,
    });
    const alreadyHere: { d: DeviceRecord; e: Event }[] = [];
    const rest: DeviceRecord[] = [];
    this.c.store.transaction(() => {
      for (const d of devices) {
        const r = matched.get(d.id);
        if (!r) rest.push(d);
        else {
          this.c.store.appendEvent({
            deviceId: d.id,
            at: this.c.now(),
            fromState: d.state,
            toState: d.state,
            message: 'Its import record was not where it was; found again by serial',
            batchId: batch.id,
            importId: batch.importId,
            requestIds: requestId ? [requestId] : [],
          });
          this.applyOne(batch, d, r, ev, alreadyHere);
        }
      }
    });
    for (const { d, e } of alreadyHere) await this.alreadyHere.alreadyRegistered(d, e);
    for (const d of rest) {
      const found = await this.c.graph(() => this.c.port.findRegisteredBySerial(d.serialNumber));
      if (!found.ok) continue; // not provable now: looked at again on the next poll
      const reg = found.value.value.find(
        (x) => x.serialNumber.trim().toUpperCase() === d.serialNumber.trim().toUpperCase(),
      );
      const e = ev({ requestIds: [found.value.requestId] });
      const now = this.c.now();
      if (reg) {
        const done = d.waitFor === 'imported';
        this.c.move(
          d,
          'imported',
          {
            deviceRegistrationId: reg.id,
            deadline: done ? null : now + this.c.t.registrationDeadlineMs,
            nextCheckAt: done ? null : now,
            attempts: 0,
          },
          'Its import record is gone, but the device is registered: following its registration',
          e,
        );
      } else if (d.flags.includes(RESENT_FLAG)) {
        this.c.move(
          d,
          'failed',
          { deadline: null, nextCheckAt: null, errorName: 'ImportRecordLost', advice: STATION_ADVICE.recordLost },
          'Its import record disappeared again and the device is not registered',
          { ...e, errorName: 'ImportRecordLost' },
        );
        this.c.attention([d.id], `${d.serialNumber}: ${STATION_ADVICE.recordLost}`, {
          serialNumber: d.serialNumber,
          errorName: 'ImportRecordLost',
        });
      } else {
        this.c.stats.resentAfterLookup++;
        this.c.move(
          d,
          'queued',
          { deadline: null, nextCheckAt: now, importedRecordId: null, flags: [...d.flags, RESENT_FLAG] },
          'Intune has no record of this import and the device is not registered: sending it again',
          e,
        );
      }
    }
  }

  /**
   * When no record of the batch is pending any more, the batch goes to cleanup. Devices that timed out
   * keep the batch polled (slower) for one more import deadline, so that a late answer still lands.
   */
  private settleBatch(batch: BatchRecord): void {
    const devices = this.c.store.devicesInBatch(batch.id);
    const pending =
      devices.some((d) => d.state === 'importing') ||
      (devices.some(stillImporting) && this.c.now() < batch.deadline + this.c.t.importDeadlineMs);
    if (pending) {
      const polls = batch.attempts + 1;
      this.c.store.updateBatch(batch.id, { attempts: polls, nextAt: this.c.now() + this.c.pollInterval(polls) });
      return;
    }
    this.c.store.updateBatch(batch.id, { status: 'cleanup', nextAt: this.c.now(), attempts: 0 });
    this.c.bus?.emit('attention', {
      kind: 'batch-finished',
      deviceIds: devices.map((d) => d.id),
      message: `A batch of ${devices.length} device${devices.length === 1 ? '' : 's'} finished importing.`,
      count: devices.length,
    });
  }

  private retryLater(batch: BatchRecord, err: Error): void {
    this.c.store.updateBatch(batch.id, { nextAt: this.c.now() + this.c.retryDelay(batch.attempts, err) });
  }
}

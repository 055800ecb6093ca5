import { randomUUID } from 'node:crypto';
import { MAX_IMPORT_BATCH } from '../../contract/limits.ts';
import { GraphFailure, type ImportedIdentity, type ImportedIdentityInput } from '../../graph/autopilotPort.ts';
import { importRefusalOf } from '../../graph/graphAnswers.ts';
import type { BatchRecord, DeviceRecord } from '../queueStore.ts';
import type { PollStage } from './pollStage.ts';
import { matchRecords } from './recordMatching.ts';
import type { WorkerContext, WorkerStage } from './workerContext.ts';

/** Service milliseconds queued devices wait when the port is not ready to import: first, and at most. */
const HOLD_FIRST_MS = 10_000;
const HOLD_MAX_MS = 60_000;

/** Codes a row carries while its batch waits on the network or the service; cleared when Graph's answer lands. */
export const WAITING_CODES: ReadonlySet<string> = new Set([
  'GRAPH_NOT_JSON',
  'GRAPH_NETWORK',
  'GRAPH_THROTTLED',
  'GRAPH_UNAVAILABLE',
]);

/** A whole-batch refusal: the service said no to the request itself, not to one record. */
interface Refusal {
  status?: number;
  code: string;
  message: string;
  action?: string;
  requestId?: string;
}

/** Refused before anything was applied (a bad request, 400, 413): split at once. */
function refusedOutright(err: Error): boolean {
  return err instanceof GraphFailure && importRefusalOf(err) === 'outright';
}

/** A 5xx that is not the service being busy (502/503/504 are): refused, but it may still have landed. */
function refusedMaybeApplied(err: Error): boolean {
  return err instanceof GraphFailure && importRefusalOf(err) === 'maybe-applied';
}

/**
 * Queued devices into batches, and each batch's one POST. A batch is stored before its POST; a POST
 * whose answer was lost (or a crash with it in flight) is reconciled here, on the persisted batch:
 * the devices' records are looked for by serial (and hash) in the tenant's imported list, a device
 * whose record exists is never sent again, the rest are re-sent only when provably absent. A batch
 * the service refuses as a whole is split in halves until the device it refuses is alone.
 */
export class SendStage implements WorkerStage {
  readonly name = 'send';
  /**
   * What this session learned of the service's batch limit: the smallest batch refused as a whole
   * (reset when a refusal turns out to be one device's) and the largest accepted. When the largest
   * accepted is below the smallest refused, new batches are no larger than it.
   */
  private refusedMin = Number.POSITIVE_INFINITY;
  private acceptedMax = 0;
  /** Consecutive times the port was not ready to import (the wait grows with it). */
  private holds = 0;

  constructor(
    private readonly c: WorkerContext,
    private readonly batchSize: () => number | Promise<number>,
    private readonly poll: PollStage,
  ) {}

  async run(): Promise<void> {
    for (const batch of this.c.store.openBatches()) {
      if (batch.status !== 'sending' || batch.nextAt > this.c.now() || this.c.paused()) continue;
      await this.sendBatch(batch);
    }
    await this.startBatches();
  }

  /** Queued devices into new batches: the batch is stored with its devices before the POST. */
  private async startBatches(): Promise<void> {
    if (!(await this.ready())) return;
    let size = Math.max(1, Math.min(MAX_IMPORT_BATCH, Math.floor((await this.batchSize()) || 1)));
    if (this.acceptedMax > 0 && this.acceptedMax < this.refusedMin && this.refusedMin <= size) size = this.acceptedMax;
    for (;;) {
      if (this.c.paused()) return;
      const now = this.c.now();
      const due = this.c.store.dueDevices(['queued'], now, size * 2);
      if (!due.length) return;
      // One record per serial in a batch, so that every answer maps to exactly one device.
      const seen = new Set<string>();
      const picked = due
        .filter((d) => {
          const key = d.serialNumber.trim().toUpperCase();
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        })
        .slice(0, size);
      const batch: BatchRecord = {
        id: randomUUID(),
        importId: randomUUID(),
        status: 'sending',
        createdAt: now,
        nextAt: now,
        attempts: 0,
        deadline: now + this.c.t.importDeadlineMs,
        deviceCount: picked.length,
      };
      this.c.store.createBatch(
        batch,
        picked.map((d) => d.id),
        {
          state: 'importing',
          stateSince: now,
          batchId: batch.id,
          importId: batch.importId,
          deadline: batch.deadline,
          nextCheckAt: null,
          errorCode: null,
          errorName: null,
          advice: null,
          importedRecordId: null,
          deviceRegistrationId: null,
          profileStatus: null,
        },
        {
          at: now,
          fromState: 'queued',
          toState: 'importing',
          message: `Importing in a batch of ${picked.length}`,
          batchId: batch.id,
          importId: batch.importId,
          requestIds: [],
        },
      );
      for (const d of picked) this.c.changed.add(d.id);
      await this.sendBatch(batch);
    }
  }

  /**
   * Whether queued devices may go into a batch now (the port can get a token; the tenant's check, when
   * due, passed). When not, they stay queued, due again after a growing wait (10 s, 20 s, 40 s, then
   * every 60 s), and the technician is told why, once per change: nothing shows "importing" while
   * nothing can be sent, and a queued device can still be removed. True when nothing is queued.
   */
  private async ready(): Promise<boolean> {
    const port = this.c.port;
    if (!port.readyToImport || this.c.paused()) return true;
    const now = this.c.now();
    if (!this.c.store.dueDevices(['queued'], now, 1).length) return true;
    const res = await this.c.graph(() => port.readyToImport!());
    if (res.ok) {
      this.holds = 0;
      return true;
    }
    const delay = Math.min(HOLD_MAX_MS, HOLD_FIRST_MS * 2 ** this.holds++);
    const waiting = this.c.store.dueDevices(['queued'], now, 10_000);
    // A failed tenant check names its failing step's own code (not signed in, DNS, TLS…): that is the reason.
    const checkStep = (res.error as { params?: Record<string, unknown> }).params?.code;
    const code = codeOf(res.error) === 'CHECK_FAILED' && typeof checkStep === 'string' ? checkStep : codeOf(res.error);
    const params = paramsOf(res.error);
    // Each waiting row says why (cleared when its batch starts), with the code's params ({host}, {reason}): the toast
    // alone scrolls away.
    const why = code ? { errorName: code, advice: res.error.message, ...(params ? { errorParams: params } : {}) } : {};
    this.c.store.transaction(() => {
      for (const d of waiting) this.c.store.updateDevice(d.id, { nextCheckAt: now + delay, ...why });
    });
    for (const d of waiting) this.c.changed.add(d.id);
    this.c.logger.warn('Import held: the tenant cannot be reached or signed in to yet; devices stay queued', {
      code,
      devices: waiting.length,
      retryInMs: delay,
    });
    this.c.attention(
      waiting.map((d) => d.id),
      `Import is waiting: ${res.error.message}`,
      { waiting: true, ...(code ? { errorName: code } : {}), ...(code && params ? { params } : {}) },
    );
    return false;
  }

  private async sendBatch(batch: BatchRecord): Promise<void> {
    let devices = this.c.store.devicesInBatch(batch.id).filter((d) => d.state === 'importing');
    if (!devices.length) {
      this.c.store.updateBatch(batch.id, { status: 'done' });
      return;
    }
    if (batch.attempts > 0) {
      // The POST may have reached the service (lost answer, crash in flight): look before sending again.
      const absent = await this.reconcile(batch, devices);
      if (!absent?.length) return;
      devices = absent;
    }
    // Devices of a batch the service refused, provably absent: never resent as they were.
    if (batch.refused) return this.split(batch, devices, JSON.parse(batch.refused) as Refusal);
    // From here the POST may happen: a crash after this line makes the next start look first.
    this.c.store.updateBatch(batch.id, { attempts: batch.attempts + 1 });
    batch.attempts += 1;
    const res = await this.c.graph(() => this.c.port.importBatch(devices.map((d) => importInput(d, batch.importId))));
    if (res.ok) {
      this.c.stats.batchesPosted++;
      this.acceptedMax = Math.max(this.acceptedMax, devices.length);
      return this.accepted(batch, devices, res.value.value, res.value.requestId, 'sent', true);
    }
    const err = res.error;
    const refusal: Refusal | undefined =
      err instanceof GraphFailure && (refusedOutright(err) || refusedMaybeApplied(err))
        ? {
            code: err.code,
            message: err.message,
            ...(err.action ? { action: err.action } : {}),
            ...(err.status !== undefined ? { status: err.status } : {}),
            ...(err.requestId ? { requestId: err.requestId } : {}),
          }
        : undefined;
    if (refusal && refusedOutright(err)) return this.split(batch, devices, refusal);
    // A 5xx refusal may still have imported some records: reconcile first, then split what did not land.
    if (refusal) this.c.store.updateBatch(batch.id, { refused: JSON.stringify(refusal) });
    else if (err instanceof GraphFailure && err.details?.maybeApplied !== true) {
      // Throttled or unavailable (429/503): the service did not take the request, nothing to look for.
      this.c.store.updateBatch(batch.id, { attempts: 0 });
      batch.attempts = 0;
      if (err.kind === 'throttled' || err.kind === 'unavailable') return this.notTaken(batch, devices, err);
    } else if (err instanceof GraphFailure && err.kind === 'not-json') {
      // Something other than Graph answered (a captive portal): whether the POST reached Graph is
      // unknown, so the batch is reconciled on the next tick, and each row says why.
      this.c.store.updateBatch(batch.id, { nextAt: this.c.now() });
      this.markWaiting(devices, err);
      this.c.attention(
        devices.map((d) => d.id),
        `Import is waiting: ${err.message} ${err.action ?? ''}`.trim(),
        { waiting: true, errorName: err.code },
      );
      return;
    }
    this.retryLater(batch, err);
  }

  /**
   * The service did not take the POST (429 or 503, so nothing landed): the devices go back to the
   * queue, due when the service said to come back, each row naming the code and the time. A row
   * never says "importing" while nothing was imported.
   */
  private notTaken(batch: BatchRecord, devices: DeviceRecord[], err: GraphFailure): void {
    const until = this.c.now() + this.c.retryDelay(0, err);
    const at = new Date(until).toISOString();
    const words =
      err.kind === 'throttled'
        ? `Intune throttled the import; the station sends it again after ${at}`
        : `Intune was unavailable; the station sends the import again after ${at}`;
    this.c.store.transaction(() => {
      for (const d of devices) {
        // The row's deadline is when it is sent again: the Queue screen shows it ("due in 58 min", the time on hover).
        this.c.move(
          d,
          'queued',
          {
            batchId: null,
            importId: null,
            deadline: until,
            nextCheckAt: until,
            errorName: err.code,
            errorCode: null,
            advice: `${words}.`,
          },
          `${words} (HTTP ${err.status ?? '?'})`,
          {
            batchId: batch.id,
            importId: batch.importId,
            requestIds: [err.requestId],
            errorName: err.code,
          },
        );
      }
      this.c.store.updateBatch(batch.id, { status: 'done' });
    });
    this.c.attention(
      devices.map((d) => d.id),
      `${words}.`,
      { waiting: true, errorName: err.code },
    );
  }

  /** Rows of a batch whose outcome is being checked say why (cleared when the batch's answer lands). */
  private markWaiting(devices: DeviceRecord[], err: GraphFailure): void {
    this.c.store.transaction(() => {
      for (const d of devices)
        this.c.store.updateDevice(
          d.id,
          { errorName: err.code, advice: `${err.message} ${err.action ?? ''}`.trim() },
          {
            at: this.c.now(),
            fromState: d.state,
            toState: d.state,
            message: err.message,
            batchId: d.batchId,
            importId: d.importId,
            requestIds: [],
            errorName: err.code,
          },
        );
    });
    for (const d of devices) this.c.changed.add(d.id);
  }

  /**
   * Finds the batch's devices in the tenant's imported list by serial (and hash). Found devices get
   * their record (and go on being followed); returns the devices provably absent, or undefined when
   * the list could not be read (nothing is sent then).
   */
  private async reconcile(batch: BatchRecord, devices: DeviceRecord[]): Promise<DeviceRecord[] | undefined> {
    const list = await this.c.graph(() => this.c.port.listImported());
    if (!list.ok) {
      this.retryLater(batch, list.error);
      return undefined;
    }
    const matched = matchRecords(devices, list.value.value, (id) => !this.c.store.hasImportedRecord(id), {
      ignoreKnownIds: true,
    });
    const found = devices.filter((d) => matched.has(d.id));
    const absent = devices.filter((d) => !matched.has(d.id));
    this.c.stats.reconciled++;
    this.c.logger.info('reconciled a batch that may have reached Graph', {
      batchId: batch.id,
      devices: devices.length,
      found: found.length,
      absent: absent.length,
    });
    if (found.length && absent.length) {
      // The ones that landed are followed in this batch; the others go on in a batch of their own.
      this.rebatch(
        batch,
        absent,
        `Not found in Intune after the batch's answer was lost: sending again (${absent.length} of ${devices.length})`,
        undefined,
        batch.refused,
      );
    }
    if (found.length) {
      await this.accepted(
        batch,
        found,
        [...matched.values()],
        list.value.requestId,
        'found by serial in the imported list (its answer had been lost)',
        false,
      );
      return [];
    }
    this.c.store.updateBatch(batch.id, { attempts: 0 });
    batch.attempts = 0;
    return absent;
  }

  /** Graph has the batch: the record ids it gave back are written first, then the states are applied. */
  private async accepted(
    batch: BatchRecord,
    devices: DeviceRecord[],
    records: ImportedIdentity[],
    requestId: string | undefined,
    how: string,
    fromPost: boolean,
  ): Promise<void> {
    const now = this.c.now();
    const matched = matchRecords(devices, records, (id) => !this.c.store.hasImportedRecord(id), {
      ignoreKnownIds: true,
    });
    const ownerOf = new Map([...matched].map(([deviceId, r]) => [r.id, deviceId]));
    this.c.store.transaction(() => {
      // Every record of a POST answer is this station's, matched to a device or not: all are cleaned up later.
      const mine = records.filter((r) => r.id && (fromPost || ownerOf.has(r.id)));
      this.c.store.addImportedRecords(
        mine.map((r) => ({ id: r.id, batchId: batch.id, deviceId: ownerOf.get(r.id) ?? '', createdAt: now })),
      );
      for (const d of devices) {
        const r = matched.get(d.id);
        // The answer landed: a network failure that made the row wait no longer explains it.
        const waited =
          d.errorName !== undefined && WAITING_CODES.has(d.errorName) ? { errorName: null, advice: null } : {};
        if (r) this.c.store.updateDevice(d.id, { importedRecordId: r.id, ...waited });
        else if (Object.keys(waited).length) this.c.store.updateDevice(d.id, waited);
        this.c.store.appendEvent({
          deviceId: d.id,
          at: now,
          fromState: 'importing',
          toState: 'importing',
          message: `Batch ${how}`,
          batchId: batch.id,
          importId: batch.importId,
          requestIds: requestId ? [requestId] : [],
        });
      }
      this.c.store.updateBatch(batch.id, {
        status: 'sent',
        postedAt: batch.postedAt ?? now,
        attempts: 0,
        nextAt: now + this.c.t.firstPollMs,
      });
    });
    await this.poll.applyRecords(
      { ...batch, status: 'sent', attempts: 0, postedAt: batch.postedAt ?? now },
      records,
      requestId,
      false,
    );
  }

  /**
   * Refused as a whole: halves go on as batches of their own; a device refused alone fails with the service's words.
   */
  private split(batch: BatchRecord, devices: DeviceRecord[], refusal: Refusal): void {
    const remaining = this.c.store
      .devicesInBatch(batch.id)
      .filter((d) => d.state === 'importing' && !devices.some((x) => x.id === d.id));
    if (devices.length === 1) {
      // One device refused alone: the refusals on the way here were about it, not about the size.
      this.refusedMin = Number.POSITIVE_INFINITY;
      const d = devices[0]!;
      this.c.move(
        d,
        'failed',
        { deadline: null, nextCheckAt: null, errorName: refusal.code, advice: refusal.action ?? refusal.message },
        `Import refused by Intune: ${refusal.message}`,
        {
          batchId: batch.id,
          importId: batch.importId,
          requestIds: [refusal.requestId],
          errorName: refusal.code,
        },
      );
      this.c.attention([d.id], `${d.serialNumber}: ${refusal.message}`, {
        serialNumber: d.serialNumber,
        errorName: refusal.code,
      });
    } else {
      this.c.stats.batchesSplit++;
      this.refusedMin = Math.min(this.refusedMin, devices.length);
      const half = Math.ceil(devices.length / 2);
      const why = `Intune refused the batch of ${devices.length}${refusal.status ? ` (${refusal.status})` : ''}: ${refusal.message}`;
      this.rebatch(
        batch,
        devices.slice(0, half),
        `${why}; sending it in halves to find the device it refuses`,
        refusal.requestId,
      );
      this.rebatch(
        batch,
        devices.slice(half),
        `${why}; sending it in halves to find the device it refuses`,
        refusal.requestId,
      );
    }
    if (!remaining.length) this.c.store.updateBatch(batch.id, { status: 'done', refused: JSON.stringify(refusal) });
  }

  /** Moves devices into a new batch, never sent yet (same import deadline). */
  private rebatch(
    from: BatchRecord,
    devices: DeviceRecord[],
    message: string,
    requestId?: string,
    refused?: string,
  ): void {
    const now = this.c.now();
    const batch: BatchRecord = {
      id: randomUUID(),
      importId: randomUUID(),
      status: 'sending',
      createdAt: now,
      nextAt: now,
      attempts: 0,
      deadline: from.deadline,
      deviceCount: devices.length,
      ...(refused ? { refused } : {}),
    };
    this.c.store.createBatch(
      batch,
      devices.map((d) => d.id),
      { batchId: batch.id, importId: batch.importId, importedRecordId: null },
      {
        at: now,
        fromState: 'importing',
        toState: 'importing',
        message,
        batchId: batch.id,
        importId: batch.importId,
        requestIds: requestId ? [requestId] : [],
      },
    );
    for (const d of devices) this.c.changed.add(d.id);
  }

  private retryLater(batch: BatchRecord, err: Error): void {
    this.c.store.updateBatch(batch.id, { nextAt: this.c.now() + this.c.retryDelay(batch.attempts, err) });
    if (!(err instanceof GraphFailure) || !err.transient) {
      const ids = this.c.store.devicesInBatch(batch.id).map((d) => d.id);
      // The failure's code travels with it: the renderer says why the import waits, in the technician's language.
      const code = codeOf(err);
      const params = paramsOf(err);
      this.c.attention(
        ids,
        `Import is waiting: ${err.message}${err instanceof GraphFailure && err.action ? ` ${err.action}` : ''}`,
        { waiting: true, ...(code ? { errorName: code } : {}), ...(code && params ? { params } : {}) },
      );
    }
  }
}

/**
 * The values a failure's code is worded with ({host}, {reason}…), without the connection check's own
 * bookkeeping (which check, which code); undefined when it carries none.
 */
function paramsOf(err: Error): Record<string, string | number> | undefined {
  const raw = (err as { params?: unknown }).params;
  if (!raw || typeof raw !== 'object') return undefined;
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(raw))
    if (
      (typeof v === 'string' || typeof v === 'number') &&
      !(codeOf(err) === 'CHECK_FAILED' && (k === 'check' || k === 'code'))
    )
      out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

/** A failure's code (StationError and GraphFailure carry one), for an attention or a row; undefined without. */
function codeOf(err: Error): string | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function importInput(d: DeviceRecord, importId: string): ImportedIdentityInput {
  const input: ImportedIdentityInput = { serialNumber: d.serialNumber, hardwareIdentifier: d.hardwareHash, importId };
  if (d.productKey) input.productKey = d.productKey;
  if (d.groupTag) input.groupTag = d.groupTag;
  if (d.assignedUser) input.assignedUserPrincipalName = d.assignedUser;
  return input;
}

import { randomUUID } from 'node:crypto';
import type { Clock } from '../kernel/clock.ts';
import type { EventBus } from '../kernel/eventBus.ts';
import type { Logger } from '../kernel/logger.ts';
import { checkDevice, type DeviceFields } from '../capture/checkDevice.ts';
import { maskLicenceKeys } from '../capture/fieldRules.ts';
import { StationError } from '../contract/errors.ts';
import { recaptureError } from '../contract/importErrors.ts';
import {
  DEFAULT_REGISTRATION_TARGETS,
  type DeviceActionResult,
  type DeviceDetail,
  type DeviceEvent,
  type DeviceSkip,
  type DeviceState,
  type ExportFile,
  type QueuePage,
  type QueueResult,
  type QueueRow,
  type RegistrationTarget,
} from '../contract/types.ts';
import type { AutopilotPort } from '../graph/autopilotPort.ts';
import { STATION_ADVICE } from './errorAdvice.ts';
import {
  actionsChangeAt,
  actionVerdict,
  allowedActions,
  EXPECTED_IMPORT_MS,
  notUploadable,
  type ActionSubject,
} from './deviceActions.ts';
import { DEFAULT_TIMINGS, type WorkerTimings } from './importWorker.ts';
import { intuneCsvFiles, reportCsvFile } from './exportCsv.ts';
import { type DevicePatch, type DeviceRecord, type QueueStore, type WaitFor } from './queueStore.ts';
import { corporateCsvFiles } from './corporateCsv.ts';
import { corporateRegistrationOf, type CorporateStore } from './corporateStore.ts';

export interface QueueServiceOptions {
  store: QueueStore;
  clock: Clock;
  logger: Logger;
  stationName: string;
  bus?: EventBus;
  /** Needed to edit registered devices; absent on an offline bench. */
  port?: AutopilotPort;
  /** How far new devices are followed (settings, or the command line's --wait). */
  waitFor: () => WaitFor;
  /** Tells the worker there is new work. */
  onWork?: () => void;
  /** Stage deadlines, for devices the technician sends back to waiting. */
  timings?: Partial<Pick<WorkerTimings, 'registrationDeadlineMs' | 'profileDeadlineMs'>> & {
    expectedImportMs?: number;
  };
  /**
   * Corporate identifier registrations (docs/domain.md#corporate-identifiers), shown beside each row's Autopilot state.
   */
  corporate?: CorporateStore;
  /** The technician's retry also queues failed corporate identifiers again; returns the devices it queued. */
  corporateRetry?: (ids: string[]) => string[];
  /** Asks the worker to look these importing devices up in the tenant now (Retry past their expected time). */
  checkNow?: (deviceIds: string[]) => void;
}

export type QueueInput = DeviceFields;

/**
 * A row refused before upload (a file's row the station could not read as a device): kept as an 'invalid' record with
 * its source and reason.
 */
export interface RefusedRowInput {
  source: DeviceFields['source'];
  /** The refusal code (CSV_PKID_ONLY, CSV_FORMULA, …). */
  code: string;
  message: string;
  params?: Record<string, string | number> | undefined;
  /** The row's serial when it had one (it may be empty or not a serial at all). */
  serialNumber?: string | undefined;
}

export interface QueueOptions {
  /** The tag chosen when queueing: fills rows without their own tag, or replaces every row's with overrideGroupTag. */
  groupTag?: string;
  overrideGroupTag?: boolean;
  /** The station's default tag, for rows that still have none. */
  defaultGroupTag?: string;
  assignedUser?: string;
  overrideAssignedUser?: boolean;
  /**
   * Rows refused before upload, kept as records (docs/architecture.md#the-queue-data-model: everything captured is a
   * record).
   */
  refused?: RefusedRowInput[];
  waitFor?: WaitFor;
  /**
   * The station's registration targets (settings, or the command line's --register); DEFAULT_REGISTRATION_TARGETS
   * when absent. The one place "corporate only" is decided: without 'autopilot' a device is queued for its corporate
   * identifier alone (flag 'corporate-only'), and the import worker never sends it.
   */
  registrationTargets?: readonly RegistrationTarget[] | undefined;
}

/** An empty hash summary for records that never had a readable hash (refused rows). */
const NO_HASH: DeviceRecord['hash'] = {
  valid: false,
  padded: false,
  checksumOk: false,
  macAddresses: [],
  tpmEkPresent: false,
  length: 0,
  findings: [],
};

const EDITABLE_LOCALLY: readonly DeviceState[] = ['captured', 'invalid', 'queued', 'failed', 'timed-out'];
const EDITABLE_IN_TENANT: readonly DeviceState[] = ['imported', 'registered', 'assigned', 'already-registered'];

/** The queue as the contract sees it: queueing with duplicate rules, listing, history, actions, exports. */
export class QueueService {
  constructor(private readonly o: QueueServiceOptions) {}

  private get store(): QueueStore {
    return this.o.store;
  }
  private now(): number {
    return this.o.clock.now();
  }

  /**
   * queueDevices in steps of `step` devices (one transaction each), letting the thread answer other
   * work between steps: Electron's main thread, which also paints the window, never holds a
   * 2,500-device file's checks and writes in one go. Same result as one queueDevices call (ids in
   * input order; refused rows kept with the first step). Every device is on disk before it resolves.
   */
  async queueDevicesInSteps(devices: QueueInput[], options: QueueOptions = {}, step = 50): Promise<QueueResult> {
    const total: Required<QueueResult> = { queued: [], duplicates: [], invalid: [], flagged: [], refused: [] };
    for (let i = 0; i === 0 || i < devices.length; i += step) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const r = this.queueDevices(devices.slice(i, i + step), i === 0 ? options : { ...options, refused: [] });
      total.queued.push(...r.queued);
      total.duplicates.push(...r.duplicates);
      total.invalid.push(...r.invalid);
      total.flagged.push(...(r.flagged ?? []));
      total.refused.push(...(r.refused ?? []));
    }
    return total;
  }

  /** Every device is judged by checkDevice and on disk before this returns. */
  queueDevices(devices: QueueInput[], options: QueueOptions = {}): QueueResult {
    const result: Required<QueueResult> = { queued: [], duplicates: [], invalid: [], flagged: [], refused: [] };
    const changed: string[] = [];
    const now = this.now();
    const corporateOnly = !(options.registrationTargets ?? DEFAULT_REGISTRATION_TARGETS).includes('autopilot');
    this.store.transaction(() => {
      for (const row of options.refused ?? []) this.keepRefusedRow(row, now, result, changed);
      for (const input of devices) {
        const fields: DeviceFields = { ...input };
        // A file's per-row Group Tag and Assigned User are kept; the values chosen when queueing fill the
        // rows without one, and replace them only when the technician said so ("use this tag for every row").
        if (options.groupTag !== undefined && (options.overrideGroupTag || !fields.groupTag))
          fields.groupTag = options.groupTag;
        if (options.assignedUser !== undefined && (options.overrideAssignedUser || !fields.assignedUser))
          fields.assignedUser = options.assignedUser;
        if (!fields.groupTag && options.defaultGroupTag) fields.groupTag = options.defaultGroupTag;
        const checked = checkDevice(fields);
        const found = this.store.findBySerial(checked.serialNumber);
        const same = found.find((e) => e.hardwareHash === checked.hardwareHash);
        // Rivals are captures Intune could still take. A refused row (no hash), an invalid capture or one Intune
        // refused for its own hash (801/802/803/812) is what a new capture replaces, as their advice says: not a
        // conflict to park the new one for.
        const existing = found.filter(isRival);
        const where = input.source.path ? `${input.source.kind} ${input.source.path}` : input.source.kind;
        if (same) {
          this.store.appendEvent({
            deviceId: same.id,
            at: now,
            fromState: same.state,
            toState: same.state,
            message: `Captured again (${where}); kept as one device`,
            requestIds: [],
          });
          result.duplicates.push(same.id);
          changed.push(same.id);
          continue;
        }
        const id = randomUUID();
        const record: DeviceRecord = {
          id,
          serialNumber: checked.serialNumber,
          hardwareHash: checked.hardwareHash,
          hash: checked.hash,
          groupTag: checked.groupTag ?? '',
          assignedUser: checked.assignedUser ?? '',
          source: checked.source,
          capturedAt: now,
          stationName: this.o.stationName,
          state: 'queued',
          stateSince: now,
          attempts: 0,
          waitFor: options.waitFor ?? this.o.waitFor(),
          findings: checked.findings,
          flags: [],
        };
        if (checked.productKey) record.productKey = checked.productKey;
        let message = `Queued from ${where}`;
        if (!checked.valid) {
          const first = checked.findings.find((f) => f.severity === 'error');
          Object.assign(record, {
            state: 'invalid',
            errorName: first?.code ?? 'DEVICE_INVALID',
            advice: first?.message ?? STATION_ADVICE.checkFailed,
            ...(first?.params ? { errorParams: first.params } : {}),
          });
          message = `Captured from ${where} but not valid: ${checked.findings
            .filter((f) => f.severity === 'error')
            .map((f) => f.code)
            .join(', ')}`;
          result.invalid.push(id);
        } else if (existing.length) {
          // Same serial, another hash: a capture mistake or a replaced board. The technician decides.
          Object.assign(record, {
            state: 'captured',
            flags: ['different-hash'],
            advice:
              'Another capture of this serial has a different hardware hash. Remove the wrong one, then retry the right one.',
          });
          message = `Captured from ${where}; this serial is already in the queue with a different hash`;
          for (const e of existing) {
            if (!e.flags.includes('different-hash')) {
              this.store.updateDevice(
                e.id,
                { flags: [...e.flags, 'different-hash'] },
                {
                  at: now,
                  fromState: e.state,
                  toState: e.state,
                  message: 'Captured again with a different hardware hash',
                  requestIds: [],
                },
              );
              changed.push(e.id);
            }
          }
          result.flagged.push(id);
        } else if (corporateOnly) {
          // Corporate identifier only: kept without a check time, so the import worker never sends it.
          record.flags = ['corporate-only'];
          message += ' (corporate identifier only)';
          result.queued.push(id);
        } else {
          record.nextCheckAt = now;
          result.queued.push(id);
        }
        // The technician asked for this tag on every device: an 806 may change the tag of a device already registered.
        if (options.overrideGroupTag && options.groupTag !== undefined)
          record.flags = [...record.flags, 'group-tag-override'];
        this.store.insertDevice(record, {
          at: now,
          toState: record.state,
          message,
          requestIds: [],
          ...(record.errorName ? { errorName: record.errorName } : {}),
        });
        changed.push(id);
      }
    });
    this.changed(changed);
    if (result.flagged.length)
      this.o.bus?.emit('attention', {
        kind: 'device-needs-attention',
        deviceIds: result.flagged,
        message: 'A serial number was captured twice with different hardware hashes.',
        errorName: 'DEVICE_DIFFERENT_HASH',
      });
    if (result.queued.length) this.o.onWork?.();
    return result;
  }

  /** A refused row as an 'invalid' record; the same row (file, line, reason) brought again is kept once. */
  private keepRefusedRow(row: RefusedRowInput, now: number, result: Required<QueueResult>, changed: string[]): void {
    const serial = maskLicenceKeys((row.serialNumber ?? '').trim()).slice(0, 64);
    const message = maskLicenceKeys(row.message).slice(0, 1000);
    const where = row.source.path
      ? `${row.source.path}${row.source.line !== undefined ? ` line ${row.source.line}` : ''}`
      : row.source.kind;
    const same = this.store
      .findBySerial(serial)
      .find(
        (d) =>
          d.flags.includes('refused') &&
          d.errorName === row.code &&
          d.source.path === row.source.path &&
          d.source.line === row.source.line,
      );
    if (same) {
      this.store.appendEvent({
        deviceId: same.id,
        at: now,
        fromState: same.state,
        toState: same.state,
        message: `Refused again (${where}); kept as one record`,
        requestIds: [],
      });
      result.refused.push(same.id);
      changed.push(same.id);
      return;
    }
    const id = randomUUID();
    const finding = {
      code: row.code,
      severity: 'error' as const,
      message,
      ...(row.params ? { params: row.params } : {}),
    };
    const record: DeviceRecord = {
      id,
      serialNumber: serial,
      hardwareHash: '',
      hash: NO_HASH,
      groupTag: '',
      assignedUser: '',
      source: row.source,
      capturedAt: now,
      stationName: this.o.stationName,
      state: 'invalid',
      stateSince: now,
      attempts: 0,
      waitFor: this.o.waitFor(),
      errorName: row.code,
      ...(row.params ? { errorParams: row.params } : {}),
      advice: message,
      findings: [finding],
      // Not a device the station can import: a row of a file, kept so that nothing captured is lost.
      flags: ['refused'],
    };
    this.store.insertDevice(record, {
      at: now,
      toState: 'invalid',
      message: `Refused before upload (${where}): ${row.code}`,
      requestIds: [],
      errorName: row.code,
    });
    result.refused.push(id);
    changed.push(id);
  }

  listQueue(input: {
    offset: number;
    limit: number;
    states?: DeviceState[] | undefined;
    search?: string | undefined;
  }): QueuePage {
    const filter: Parameters<QueueStore['listDevices']>[0] = { offset: input.offset, limit: input.limit };
    if (input.states?.length) filter.states = input.states;
    if (input.search) filter.search = input.search;
    const { total, rows } = this.store.listDevices(filter);
    return { total, offset: input.offset, rows: rows.map((d) => this.row(d)), counts: this.store.countByState() };
  }

  getDevice(id: string): DeviceDetail {
    const d = this.mustGet(id);
    const detail: DeviceDetail = {
      row: this.row(d),
      hash: d.hash,
      findings: d.findings,
      events: this.store.events(id).map(toEvent),
    };
    if (d.productKey) detail.productKey = d.productKey;
    return detail;
  }

  /**
   * Retry, remove or register again. Every device the action leaves as it was comes back with a code
   * saying why (the renderer words it), so an action never answers only "0 devices updated".
   */
  deviceAction(ids: string[], action: 'retry' | 'remove' | 'reregister'): DeviceActionResult {
    const now = this.now();
    const changed: string[] = [];
    const skipped: DeviceSkip[] = [];
    const checkNow: string[] = [];
    const requeue: DevicePatch = {
      state: 'queued',
      stateSince: now,
      nextCheckAt: now,
      deadline: null,
      attempts: 0,
      errorCode: null,
      errorName: null,
      advice: null,
      lastKnownState: null,
      batchId: null,
      importId: null,
      importedRecordId: null,
    };
    this.store.transaction(() => {
      for (const id of ids) {
        const d = this.store.getDevice(id);
        if (!d) {
          skipped.push({ id, code: 'ACTION_DEVICE_GONE' });
          continue;
        }
        const skip = (code: string, params?: Record<string, string | number>) =>
          skipped.push({ id, serialNumber: d.serialNumber, code, ...(params ? { params } : {}) });
        const ev = (to: DeviceState, message: string) => ({
          at: now,
          fromState: d.state,
          toState: to,
          message,
          requestIds: [],
        });
        // The same verdict the row's button was drawn from (deviceActions.ts).
        const verdict = actionVerdict(action, d, now, this.expectedImportMs());
        if (!verdict.allowed) {
          skip(verdict.reason.code, verdict.reason.params);
          continue;
        }
        if (action === 'remove') {
          this.store.removeDevice(id, ev(d.state, 'Removed from the queue by the technician'));
        } else if (action === 'retry') {
          if (d.state === 'importing') {
            // Past its expected import time: Retry asks the tenant now.
            checkNow.push(id);
            // Due now: the worker's next look reads this batch from the tenant instead of waiting for its next poll.
            if (d.batchId && this.store.getBatch(d.batchId)) this.store.updateBatch(d.batchId, { nextAt: now });
            this.store.appendEvent({
              deviceId: id,
              at: now,
              fromState: d.state,
              toState: d.state,
              message: 'The technician asked the station to check this import with the tenant now',
              requestIds: [],
            });
            continue;
          }
          // An invalid device never gets here: its serial and hash never change, so the verdict refuses it.
          if (d.state === 'timed-out' && (d.lastKnownState === 'imported' || d.lastKnownState === 'registered')) {
            // Imported already: wait again rather than import a second time.
            const stage = d.lastKnownState;
            this.store.updateDevice(
              id,
              {
                state: stage,
                stateSince: now,
                nextCheckAt: now,
                attempts: 0,
                deadline:
                  now +
                  (stage === 'imported'
                    ? (this.o.timings?.registrationDeadlineMs ?? DEFAULT_TIMINGS.registrationDeadlineMs)
                    : (this.o.timings?.profileDeadlineMs ?? DEFAULT_TIMINGS.profileDeadlineMs)),
                advice: null,
                errorName: null,
                lastKnownState: null,
              },
              ev(stage, 'Waiting again'),
            );
          } else {
            this.store.updateDevice(
              id,
              { ...requeue, flags: d.flags.filter((f) => f !== 'different-hash') },
              ev('queued', 'Queued again by the technician'),
            );
          }
        } else {
          this.store.updateDevice(
            id,
            { ...requeue, deviceRegistrationId: null, profileStatus: null },
            ev('queued', 'Queued to register again'),
          );
        }
        changed.push(id);
      }
    });
    // Corporate identifiers retry on their own: a device can be registered in Autopilot and failed as a corporate
    // identifier.
    if (action === 'retry' && this.o.corporateRetry)
      for (const id of this.o.corporateRetry(ids)) if (!changed.includes(id)) changed.push(id);
    // A device the action helped one way (its corporate identifier) is not also reported as left alone.
    const helped = new Set(changed);
    const stillSkipped = skipped.filter((x) => !helped.has(x.id));
    this.changed(changed);
    if (action !== 'remove' && changed.length) this.o.onWork?.();
    if (checkNow.length) {
      if (this.o.checkNow) this.o.checkNow(checkNow);
      else this.o.onWork?.();
    }
    return {
      affected: changed.length,
      skipped: stillSkipped,
      ...(checkNow.length ? { checking: checkNow.length } : {}),
    };
  }

  private expectedImportMs(): number {
    return this.o.timings?.expectedImportMs ?? EXPECTED_IMPORT_MS;
  }

  /** Before import: changed in the queue. Registered: changed in Intune through updateDeviceProperties. */
  async editDevices(ids: string[], edit: { groupTag?: string; assignedUser?: string }): Promise<{ affected: number }> {
    const changed: string[] = [];
    let firstFailure: unknown;
    for (const id of ids) {
      const d = this.store.getDevice(id);
      if (!d) continue;
      const patch: DevicePatch = {};
      if (edit.groupTag !== undefined && edit.groupTag !== d.groupTag) patch.groupTag = edit.groupTag;
      if (edit.assignedUser !== undefined && edit.assignedUser !== d.assignedUser)
        patch.assignedUser = edit.assignedUser;
      if (!Object.keys(patch).length) continue;
      const what = describeEdit(d, patch);
      const requestIds: string[] = [];
      if (EDITABLE_IN_TENANT.includes(d.state) && d.deviceRegistrationId) {
        if (!this.o.port)
          throw new StationError({
            code: 'OFFLINE',
            message: 'The station is not connected to a tenant, so a registered device cannot be changed.',
            action: 'Sign in, then try again.',
          });
        const props: { groupTag?: string; userPrincipalName?: string } = {};
        if (patch.groupTag !== undefined) props.groupTag = patch.groupTag as string;
        if (patch.assignedUser !== undefined) props.userPrincipalName = patch.assignedUser as string;
        try {
          const res = await this.o.port.updateDeviceProperties(d.deviceRegistrationId, props);
          if (res.requestId) requestIds.push(res.requestId);
        } catch (err) {
          firstFailure ??= err;
          this.o.logger.warn('updateDeviceProperties failed', {
            deviceId: id,
            error: err instanceof Error ? err.message : String(err),
          });
          continue;
        }
      } else if (!EDITABLE_LOCALLY.includes(d.state)) {
        continue; // importing: the tag is already on its way; edit once it is registered
      }
      // A tag kept on an 806 (GROUP_TAG_KEPT) that the technician now changed: the row no longer says it was kept.
      const asked =
        patch.groupTag !== undefined && d.errorName === 'GROUP_TAG_KEPT'
          ? { errorName: 'ZtdDeviceAlreadyAssigned', advice: null }
          : {};
      this.store.updateDevice(
        id,
        { ...patch, ...asked },
        { at: this.now(), fromState: d.state, toState: d.state, message: what, requestIds },
      );
      changed.push(id);
    }
    this.changed(changed);
    if (!changed.length && firstFailure) throw firstFailure;
    return { affected: changed.length };
  }

  exportQueue(format: 'intune' | 'report' | 'corporate', ids?: string[]): ExportFile[] {
    const devices = ids
      ? ids.map((id) => this.store.getDevice(id)).filter((d): d is DeviceRecord => !!d)
      : this.allDevices();
    if (format === 'report') {
      const corporate = this.o.corporate;
      return [
        corporate
          ? reportCsvFile(devices, undefined, (id) => {
              const c = corporate.get(id);
              return c?.state ? corporateRegistrationOf(c) : undefined;
            })
          : reportCsvFile(devices),
      ];
    }
    // Corporate identifiers (docs/domain.md#corporate-identifiers): the admin centre's manufacturer,model,serial file.
    if (format === 'corporate') return corporateCsvFiles(devices.filter((d) => d.state !== 'invalid')).files;
    // Only devices the service would accept belong in an upload file. With nothing selected, only those
    // that can still be uploaded: not registered (or 806), not owned by another tenant, not invalid, not in flight.
    const leftOut: NonNullable<ExportFile['leftOut']> = {};
    const keep = devices.filter((d) => {
      const reason = notUploadable(d, !!ids);
      if (reason) leftOut[reason] = (leftOut[reason] ?? 0) + 1;
      return !reason;
    });
    const files = intuneCsvFiles(keep);
    if (Object.keys(leftOut).length) {
      if (files.length === 0) return [{ name: 'autopilot-devices.csv', content: '', rows: 0, leftOut }];
      files[0]!.leftOut = leftOut;
    }
    return files;
  }

  /** Devices in the queue (not removed). */
  total(): number {
    return Object.values(this.store.countByState()).reduce((a, b) => a + b, 0);
  }

  /**
   * A device as the screens get it: its corporate identifier registration when the station follows them,
   * and main's verdict on each action (deviceActions.ts). A verdict that changes with time alone (Retry on
   * an import past its expected time) is watched, and the row is announced again when it changes.
   */
  private row(d: DeviceRecord): QueueRow {
    const now = this.now();
    const c = this.o.corporate?.get(d.id);
    const row = toRow(d, now, this.expectedImportMs(), c?.state);
    if (c?.state) row.corporate = corporateRegistrationOf(c);
    const at = actionsChangeAt(d, this.expectedImportMs());
    if (at !== undefined && at > now) this.watchActions(d.id, at);
    else this.actionChanges.delete(d.id);
    return row;
  }

  /** Devices whose verdicts change with time alone, by the service instant they change (ms). */
  private readonly actionChanges = new Map<string, number>();
  private actionTimer: { at: number; abort: AbortController } | undefined;

  /**
   * Announces (queueChanged) the device at service time `at`, so the screens fetch its new verdicts:
   * main re-sends rows rather than sending the instant, because its clock is service time (scaled in
   * training runs, tests and benches) and the screen's is not. One timer for the earliest instant.
   */
  private watchActions(id: string, at: number): void {
    this.actionChanges.set(id, at);
    if (!this.actionTimer || at < this.actionTimer.at) this.armActionTimer(at);
  }

  private armActionTimer(at: number): void {
    this.actionTimer?.abort.abort();
    const abort = new AbortController();
    this.actionTimer = { at, abort };
    this.o.clock.sleep(Math.max(0, at - this.now()), abort.signal).then(
      () => {
        this.actionTimer = undefined;
        const now = this.now();
        const due: string[] = [];
        let next = Infinity;
        for (const [id, when] of this.actionChanges) {
          if (when <= now) due.push(id);
          else next = Math.min(next, when);
        }
        for (const id of due) this.actionChanges.delete(id);
        if (Number.isFinite(next)) this.armActionTimer(next);
        try {
          this.changed(due);
        } catch (err) {
          // The queue closed under the timer (a tenant switch): nobody is left to tell.
          this.o.logger.warn('could not announce changed actions', {
            error: err instanceof Error ? err.message : String(err),
          });
        }
      },
      () => undefined,
    );
  }

  /** Stops the timer that announces verdicts changing with time (the queue is closing). */
  close(): void {
    this.actionTimer?.abort.abort();
    this.actionTimer = undefined;
    this.actionChanges.clear();
  }

  allDevices(): DeviceRecord[] {
    const out: DeviceRecord[] = [];
    for (let offset = 0; ; offset += 5000) {
      const page = this.store.listDevices({ offset, limit: 5000 });
      out.push(...page.rows);
      if (page.rows.length < 5000) return out;
    }
  }

  device(id: string): DeviceRecord | undefined {
    return this.store.getDevice(id);
  }

  private mustGet(id: string): DeviceRecord {
    const d = this.store.getDevice(id);
    if (!d)
      throw new StationError({
        code: 'DEVICE_NOT_FOUND',
        message: 'That device is no longer in the queue.',
        action: 'Reload the queue.',
      });
    return d;
  }

  private changed(ids: string[]): void {
    if (ids.length)
      this.o.bus?.emit('queueChanged', {
        deviceIds: [...new Set(ids)],
        at: new Date(this.now()).toISOString(),
        counts: this.store.countByState(),
      });
  }
}

function describeEdit(d: DeviceRecord, patch: DevicePatch): string {
  const parts: string[] = [];
  if (patch.groupTag !== undefined) parts.push(`group tag "${d.groupTag}" → "${patch.groupTag}"`);
  if (patch.assignedUser !== undefined) parts.push(`assigned user "${d.assignedUser}" → "${patch.assignedUser}"`);
  return `Changed ${parts.join(', ')}${d.deviceRegistrationId && EDITABLE_IN_TENANT.includes(d.state) ? ' in Intune' : ''}`;
}

/** What the action rules read of a record (deviceActions.ts). */
function actionSubject(d: DeviceRecord, corporate?: ActionSubject['corporate']): ActionSubject {
  return { ...d, ...(corporate ? { corporate } : {}) };
}

/**
 * A record as the contract's row, with main's verdicts on each action at service time `now` (ms); `corporate`
 * is the device's corporate identifier registration, when the station follows them (it can allow Retry).
 */
export function toRow(
  d: DeviceRecord,
  now: number,
  expectedImportMs = EXPECTED_IMPORT_MS,
  corporate?: ActionSubject['corporate'],
): QueueRow {
  const iso = (t: number) => new Date(t).toISOString();
  const row: QueueRow = {
    id: d.id,
    serialNumber: d.serialNumber,
    groupTag: d.groupTag,
    assignedUser: d.assignedUser,
    state: d.state,
    stateSince: iso(d.stateSince),
    source: d.source,
    capturedAt: iso(d.capturedAt),
    flags: d.flags,
    actions: allowedActions(actionSubject(d, corporate), now, expectedImportMs),
  };
  if (d.hash.manufacturer) row.manufacturer = d.hash.manufacturer;
  if (d.hash.model) row.model = d.hash.model;
  if (d.deadline !== undefined) row.deadline = iso(d.deadline);
  if (d.errorCode !== undefined) row.errorCode = d.errorCode;
  if (d.errorName !== undefined) row.errorName = d.errorName;
  if (d.errorParams !== undefined) row.errorParams = d.errorParams;
  if (d.advice !== undefined) row.advice = d.advice;
  if (d.importId !== undefined) row.importId = d.importId;
  if (d.deviceRegistrationId !== undefined) row.deviceRegistrationId = d.deviceRegistrationId;
  if (d.profileStatus !== undefined) row.profileStatus = d.profileStatus;
  if (d.lastKnownState !== undefined) row.lastKnownState = d.lastKnownState;
  return row;
}

function toEvent(e: Omit<DeviceEvent, 'at'> & { at: number }): DeviceEvent {
  const out: DeviceEvent = {
    at: new Date(e.at).toISOString(),
    toState: e.toState,
    message: e.message,
    requestIds: e.requestIds,
  };
  if (e.fromState) out.fromState = e.fromState;
  if (e.batchId) out.batchId = e.batchId;
  if (e.importId) out.importId = e.importId;
  if (e.errorCode !== undefined) out.errorCode = e.errorCode;
  if (e.errorName) out.errorName = e.errorName;
  return out;
}

/**
 * A record that a new capture of its serial with another hash competes with: one with a hash, not invalid, and not
 * refused by Intune for that hash (`recapture` rows of the import error table).
 */
function isRival(e: DeviceRecord): boolean {
  if (!e.hardwareHash || e.state === 'invalid') return false;
  return !(e.state === 'failed' && recaptureError(e.errorCode, e.errorName));
}

import { randomUUID } from 'node:crypto';
import type { Clock } from '../kernel/clock.ts';
import type { EventBus } from '../kernel/eventBus.ts';
import type { Logger } from '../kernel/logger.ts';
import { checkDevice, type DeviceFields } from '../capture/checkDevice.ts';
import { StationError } from '../contract/errors.ts';
import type { DeviceDetail, DeviceEvent, DeviceState, ExportFile, QueuePage, QueueResult, QueueRow } from '../contract/types.ts';
import type { AutopilotPort } from '../graph/autopilotPort.ts';
import { STATION_ADVICE } from './errorAdvice.ts';
import { DEFAULT_TIMINGS, type WorkerTimings } from './importWorker.ts';
import { intuneCsvFiles, reportCsvFile } from './exportCsv.ts';
import type { DevicePatch, DeviceRecord, QueueStore, WaitFor } from './queueStore.ts';

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
  timings?: Partial<Pick<WorkerTimings, 'registrationDeadlineMs' | 'profileDeadlineMs'>>;
}

export type QueueInput = DeviceFields;

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

  /** Every device is judged by checkDevice and on disk before this returns. */
  queueDevices(devices: QueueInput[], options: { groupTag?: string; defaultGroupTag?: string; assignedUser?: string; waitFor?: WaitFor } = {}): QueueResult {
    const result: Required<QueueResult> = { queued: [], duplicates: [], invalid: [], flagged: [] };
    const changed: string[] = [];
    const now = this.now();
    this.store.transaction(() => {
      for (const input of devices) {
        const fields: DeviceFields = { ...input };
        // The tag and user chosen when queueing win over what the file carried.
        if (options.groupTag !== undefined) fields.groupTag = options.groupTag;
        if (options.assignedUser !== undefined) fields.assignedUser = options.assignedUser;
        if (!fields.groupTag && options.defaultGroupTag) fields.groupTag = options.defaultGroupTag;
        const checked = checkDevice(fields);
        const existing = this.store.findBySerial(checked.serialNumber);
        const same = existing.find((e) => e.hardwareHash === checked.hardwareHash);
        const where = input.source.path ? `${input.source.kind} ${input.source.path}` : input.source.kind;
        if (same) {
          this.store.appendEvent({ deviceId: same.id, at: now, fromState: same.state, toState: same.state, message: `Captured again (${where}); kept as one device`, requestIds: [] });
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
          Object.assign(record, { state: 'invalid', errorName: first?.code ?? 'DEVICE_INVALID', advice: first?.message ?? STATION_ADVICE.checkFailed });
          message = `Captured from ${where} but not valid: ${checked.findings.filter((f) => f.severity === 'error').map((f) => f.code).join(', ')}`;
          result.invalid.push(id);
        } else if (existing.length) {
          // Same serial, another hash: a capture mistake or a replaced board. The technician decides.
          Object.assign(record, { state: 'captured', flags: ['different-hash'], advice: 'Another capture of this serial has a different hardware hash. Remove the wrong one, then retry the right one.' });
          message = `Captured from ${where}; this serial is already in the queue with a different hash`;
          for (const e of existing) {
            if (!e.flags.includes('different-hash')) {
              this.store.updateDevice(e.id, { flags: [...e.flags, 'different-hash'] }, { at: now, fromState: e.state, toState: e.state, message: 'Captured again with a different hardware hash', requestIds: [] });
              changed.push(e.id);
            }
          }
          result.flagged.push(id);
        } else {
          record.nextCheckAt = now;
          result.queued.push(id);
        }
        this.store.insertDevice(record, { at: now, toState: record.state, message, requestIds: [], ...(record.errorName ? { errorName: record.errorName } : {}) });
        changed.push(id);
      }
    });
    this.changed(changed);
    if (result.flagged.length) this.o.bus?.emit('attention', { kind: 'device-needs-attention', deviceIds: result.flagged, message: 'A serial number was captured twice with different hardware hashes.' });
    if (result.queued.length) this.o.onWork?.();
    return result;
  }

  listQueue(input: { offset: number; limit: number; states?: DeviceState[]; search?: string }): QueuePage {
    const filter: Parameters<QueueStore['listDevices']>[0] = { offset: input.offset, limit: input.limit };
    if (input.states?.length) filter.states = input.states;
    if (input.search) filter.search = input.search;
    const { total, rows } = this.store.listDevices(filter);
    return { total, offset: input.offset, rows: rows.map(toRow), counts: this.store.countByState() };
  }

  getDevice(id: string): DeviceDetail {
    const d = this.mustGet(id);
    const detail: DeviceDetail = { row: toRow(d), hash: d.hash, findings: d.findings, events: this.store.events(id).map(toEvent) };
    if (d.productKey) detail.productKey = d.productKey;
    return detail;
  }

  deviceAction(ids: string[], action: 'retry' | 'remove' | 'reregister'): { affected: number } {
    const now = this.now();
    const changed: string[] = [];
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
        if (!d) continue;
        const ev = (to: DeviceState, message: string) => ({ at: now, fromState: d.state, toState: to, message, requestIds: [] });
        if (action === 'remove') {
          // A device in flight stays: its import would otherwise finish without anyone to follow it.
          if (d.state === 'importing') continue;
          this.store.removeDevice(id, ev(d.state, 'Removed from the queue by the technician'));
        } else if (action === 'retry') {
          if (d.state === 'invalid') {
            const again = checkDevice({ serialNumber: d.serialNumber, hardwareHash: d.hardwareHash, source: d.source });
            if (!again.valid) continue;
            this.store.updateDevice(id, { ...requeue, findings: again.findings }, ev('queued', 'Checked again and queued'));
          } else if (d.state === 'timed-out' && (d.lastKnownState === 'imported' || d.lastKnownState === 'registered')) {
            // Imported already: wait again rather than import a second time.
            const stage = d.lastKnownState;
            this.store.updateDevice(id, { state: stage, stateSince: now, nextCheckAt: now, attempts: 0, deadline: now + (stage === 'imported' ? (this.o.timings?.registrationDeadlineMs ?? DEFAULT_TIMINGS.registrationDeadlineMs) : (this.o.timings?.profileDeadlineMs ?? DEFAULT_TIMINGS.profileDeadlineMs)), advice: null, errorName: null, lastKnownState: null }, ev(stage, 'Waiting again'));
          } else if (d.state === 'failed' || d.state === 'timed-out' || d.state === 'captured') {
            this.store.updateDevice(id, { ...requeue, flags: d.flags.filter((f) => f !== 'different-hash') }, ev('queued', 'Queued again by the technician'));
          } else continue;
        } else {
          if (!['imported', 'registered', 'assigned', 'already-registered', 'failed', 'timed-out'].includes(d.state)) continue;
          this.store.updateDevice(id, { ...requeue, deviceRegistrationId: null, profileStatus: null }, ev('queued', 'Queued to register again'));
        }
        changed.push(id);
      }
    });
    this.changed(changed);
    if (action !== 'remove' && changed.length) this.o.onWork?.();
    return { affected: changed.length };
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
      if (edit.assignedUser !== undefined && edit.assignedUser !== d.assignedUser) patch.assignedUser = edit.assignedUser;
      if (!Object.keys(patch).length) continue;
      const what = describeEdit(d, patch);
      const requestIds: string[] = [];
      if (EDITABLE_IN_TENANT.includes(d.state) && d.deviceRegistrationId) {
        if (!this.o.port) throw new StationError({ code: 'OFFLINE', message: 'The station is not connected to a tenant, so a registered device cannot be changed.', action: 'Sign in, then try again.' });
        const props: { groupTag?: string; userPrincipalName?: string } = {};
        if (patch.groupTag !== undefined) props.groupTag = patch.groupTag as string;
        if (patch.assignedUser !== undefined) props.userPrincipalName = patch.assignedUser as string;
        try {
          const res = await this.o.port.updateDeviceProperties(d.deviceRegistrationId, props);
          if (res.requestId) requestIds.push(res.requestId);
        } catch (err) {
          firstFailure ??= err;
          this.o.logger.warn('updateDeviceProperties failed', { deviceId: id, error: err instanceof Error ? err.message : String(err) });
          continue;
        }
      } else if (!EDITABLE_LOCALLY.includes(d.state)) {
        continue; // importing: the tag is already on its way; edit once it is registered
      }
      this.store.updateDevice(id, patch, { at: this.now(), fromState: d.state, toState: d.state, message: what, requestIds });
      changed.push(id);
    }
    this.changed(changed);
    if (!changed.length && firstFailure) throw firstFailure;
    return { affected: changed.length };
  }

  exportQueue(format: 'intune' | 'report', ids?: string[]): ExportFile[] {
    const devices = ids ? ids.map((id) => this.store.getDevice(id)).filter((d): d is DeviceRecord => !!d) : this.allDevices();
    if (format === 'report') return [reportCsvFile(devices)];
    // Only devices the service would accept belong in an upload file.
    return intuneCsvFiles(devices.filter((d) => d.state !== 'invalid'));
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
    if (!d) throw new StationError({ code: 'DEVICE_NOT_FOUND', message: 'That device is no longer in the queue.', action: 'Reload the queue.' });
    return d;
  }

  private changed(ids: string[]): void {
    if (ids.length) this.o.bus?.emit('queueChanged', { deviceIds: [...new Set(ids)], at: new Date(this.now()).toISOString(), counts: this.store.countByState() });
  }
}

function describeEdit(d: DeviceRecord, patch: DevicePatch): string {
  const parts: string[] = [];
  if (patch.groupTag !== undefined) parts.push(`group tag "${d.groupTag}" → "${patch.groupTag}"`);
  if (patch.assignedUser !== undefined) parts.push(`assigned user "${d.assignedUser}" → "${patch.assignedUser}"`);
  return `Changed ${parts.join(', ')}${d.deviceRegistrationId && EDITABLE_IN_TENANT.includes(d.state) ? ' in Intune' : ''}`;
}

export function toRow(d: DeviceRecord): QueueRow {
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
  };
  if (d.hash.manufacturer) row.manufacturer = d.hash.manufacturer;
  if (d.hash.model) row.model = d.hash.model;
  if (d.deadline !== undefined) row.deadline = iso(d.deadline);
  if (d.errorCode !== undefined) row.errorCode = d.errorCode;
  if (d.errorName !== undefined) row.errorName = d.errorName;
  if (d.advice !== undefined) row.advice = d.advice;
  if (d.importId !== undefined) row.importId = d.importId;
  if (d.deviceRegistrationId !== undefined) row.deviceRegistrationId = d.deviceRegistrationId;
  if (d.profileStatus !== undefined) row.profileStatus = d.profileStatus;
  if (d.lastKnownState !== undefined) row.lastKnownState = d.lastKnownState;
  return row;
}

function toEvent(e: { at: number; fromState?: DeviceState; toState: DeviceState; message: string; batchId?: string; importId?: string; requestIds: string[]; errorCode?: number; errorName?: string }): DeviceEvent {
  const out: DeviceEvent = { at: new Date(e.at).toISOString(), toState: e.toState, message: e.message, requestIds: e.requestIds };
  if (e.fromState) out.fromState = e.fromState;
  if (e.batchId) out.batchId = e.batchId;
  if (e.importId) out.importId = e.importId;
  if (e.errorCode !== undefined) out.errorCode = e.errorCode;
  if (e.errorName) out.errorName = e.errorName;
  return out;
}

import type { CaptureSource, DeviceEvent, DeviceState, FindingData, HashSummary } from '../contract/types.ts';

/**
 * The queue's storage port. The SQLite adapter implements it; the worker and the queue service see
 * only this. Every method is synchronous and atomic: a device is on disk when a call returns.
 * Times are milliseconds of service time (Clock.now()).
 */
export type WaitFor = 'imported' | 'registered' | 'assigned';
export { DEFAULT_WAIT_FOR } from '../contract/types.ts';

export interface DeviceRecord {
  id: string;
  serialNumber: string;
  /** Padded base64 exactly as it will be uploaded. Never logged. */
  hardwareHash: string;
  hash: HashSummary;
  productKey?: string;
  groupTag: string;
  assignedUser: string;
  source: CaptureSource;
  capturedAt: number;
  stationName: string;
  state: DeviceState;
  stateSince: number;
  /** When the current stage must end (service time). */
  deadline?: number;
  /** For 'timed-out': the state the device was stuck in. */
  lastKnownState?: DeviceState;
  /** When the worker should look at this device next (queued retries, registration polls). */
  nextCheckAt?: number;
  /** Polls or retries done in the current stage; drives backoff. */
  attempts: number;
  waitFor: WaitFor;
  errorCode?: number;
  errorName?: string;
  /**
   * The values the screens fill into errorName's words ({host}, {reason}, {serial}…); cleared whenever errorName
   * changes.
   */
  errorParams?: Record<string, string | number>;
  advice?: string;
  findings: FindingData[];
  importId?: string;
  batchId?: string;
  deviceRegistrationId?: string;
  importedRecordId?: string;
  profileStatus?: string;
  flags: string[];
}

export type BatchStatus =
  /** Batch stored, the POST may or may not have reached Graph: look (by serial) before sending again. */
  | 'sending'
  /** Graph accepted the POST: follow the record ids it gave back. */
  | 'sent'
  /** Every record is final: delete the records this station created. */
  | 'cleanup'
  | 'done';

export interface BatchRecord {
  id: string;
  importId: string;
  status: BatchStatus;
  createdAt: number;
  postedAt?: number;
  /** When the worker should act on this batch next. */
  nextAt: number;
  attempts: number;
  deadline: number;
  deviceCount: number;
  /**
   * The service refused the whole POST in a way that may still have applied it (a 5xx): after the
   * reconciliation shows what did not land, those devices are split into halves, never resent as is.
   */
  refused?: string;
}

/** An imported record this station created, by the id the service gave back. */
export interface ImportedRecordRef {
  id: string;
  batchId: string;
  deviceId: string;
  createdAt: number;
}

/** A stored event: the contract's DeviceEvent with its device and the time as epoch ms. */
export interface DeviceEventRecord extends Omit<DeviceEvent, 'at'> {
  deviceId: string;
  at: number;
}

export interface ListFilter {
  offset: number;
  limit: number;
  states?: DeviceState[];
  /** Part of a serial number (case-insensitive). */
  search?: string;
}

/** Fields that may change on a device; undefined leaves a field as is, null clears it. */
export type DevicePatch = {
  [
    K in Exclude<
      keyof DeviceRecord,
      'id' | 'serialNumber' | 'hardwareHash' | 'hash' | 'source' | 'capturedAt' | 'stationName'
    >
  ]?: DeviceRecord[K] | null | undefined;
};

export interface QueueStore {
  insertDevice(device: DeviceRecord, event: Omit<DeviceEventRecord, 'deviceId'>): void;
  getDevice(id: string): DeviceRecord | undefined;
  /** Devices (not removed) with this serial, case-insensitive. */
  findBySerial(serialNumber: string): DeviceRecord[];
  /** Applies the patch and appends the event in one transaction. */
  updateDevice(id: string, patch: DevicePatch, event?: Omit<DeviceEventRecord, 'deviceId'>): DeviceRecord;
  /** Hides a device from the queue; its history stays. */
  removeDevice(id: string, event: Omit<DeviceEventRecord, 'deviceId'>): void;
  appendEvent(event: DeviceEventRecord): void;
  listDevices(filter: ListFilter): { total: number; rows: DeviceRecord[] };
  countByState(): Record<DeviceState, number>;
  /** Devices in these states whose nextCheckAt is due (unset means "nothing to do"), most overdue first. */
  dueDevices(states: DeviceState[], now: number, limit: number): DeviceRecord[];
  devicesInBatch(batchId: string): DeviceRecord[];
  /** Devices in a non-final stage whose deadline has passed. */
  overdueDevices(now: number): DeviceRecord[];
  /** Earliest nextCheckAt or deadline of any device (for the worker's sleep). */
  nextDeviceTime(): number | undefined;
  events(deviceId: string): DeviceEventRecord[];

  /** Stores the batch (importId first) and moves its devices to 'importing' in one transaction. */
  createBatch(
    batch: BatchRecord,
    deviceIds: string[],
    devicePatch: DevicePatch,
    event: Omit<DeviceEventRecord, 'deviceId'>,
  ): void;
  updateBatch(id: string, patch: Partial<Omit<BatchRecord, 'id' | 'importId'>>): void;
  getBatch(id: string): BatchRecord | undefined;
  openBatches(): BatchRecord[];

  /** Records the ids the service gave back (ignored when already known). */
  addImportedRecords(records: ImportedRecordRef[]): void;
  /** This batch's records not yet deleted. */
  importedRecords(batchId: string): ImportedRecordRef[];
  /** The record is one this station already knows (any batch): not free to be matched again. */
  hasImportedRecord(id: string): boolean;
  markImportedDeleted(ids: string[], at: number): void;

  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  /** Runs fn in one transaction. */
  transaction<T>(fn: () => T): T;
  close(): void;
  /** Rows that could not be read back and were set aside (kept in the file, not worked on): for diagnostics. */
  setAsideRows?(): { table: 'devices' | 'batches'; id: string; reason: string }[];
}

/** States the worker never leaves by itself. */
export const FINAL_STATES: readonly DeviceState[] = [
  'invalid',
  'assigned',
  'already-registered',
  'failed',
  'timed-out',
];

/** Final for this device: a final state, the stage it was asked to wait for, or waiting for the technician. */
export function isSettled(d: Pick<DeviceRecord, 'state' | 'waitFor'>): boolean {
  if (FINAL_STATES.includes(d.state) || d.state === 'captured') return true;
  return (
    (d.state === 'imported' && d.waitFor === 'imported') || (d.state === 'registered' && d.waitFor === 'registered')
  );
}

/** Final states the command line and the UI count as a problem. */
export function isProblem(state: DeviceState): boolean {
  return state === 'failed' || state === 'invalid' || state === 'timed-out';
}

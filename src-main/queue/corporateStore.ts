import type { CorporateRegistration, DeviceState, HashSummary } from '../contract/types.ts';

/**
 * Each device's corporate identifier registration, beside its Autopilot state (columns corporate_*
 * of the devices table, added by the second queue migration). A port so the stage is testable with
 * the real SQLite adapter (sqliteCorporateStore.ts) and nothing else needs to know the columns.
 */
export type CorporateState =
  /** The station's target did not include corporate identifiers when the device was queued. */
  | 'not-requested'
  | 'queued'
  /** Durable before the POST: the request may have reached Graph; search before sending again. */
  | 'sending'
  | 'done'
  /** The tenant already had this identifier (someone added it before): counted as done. */
  | 'already-present'
  | 'failed'
  /** Cannot be registered this way (the hash lacks a value, or the cloud has no such endpoint). */
  | 'unavailable';

export const CORPORATE_STATES: readonly CorporateState[] = [
  'not-requested',
  'queued',
  'sending',
  'done',
  'already-present',
  'failed',
  'unavailable',
];
export const CORPORATE_FINAL: readonly CorporateState[] = [
  'not-requested',
  'done',
  'already-present',
  'failed',
  'unavailable',
];

export interface CorporateRecord {
  deviceId: string;
  serialNumber: string;
  groupTag: string;
  stationName: string;
  hash: HashSummary;
  /** The device's Autopilot state (history events are written with it). */
  autopilotState: DeviceState;
  /** The device's flags ('corporate-only': queued for the corporate identifier alone). */
  flags: string[];
  state?: CorporateState;
  since?: number;
  nextAt?: number;
  attempts: number;
  batchId?: string;
  identifier?: string;
  identityId?: string;
  /** A code the renderer words (CORP_*), or a GraphFailure's code. */
  errorCode?: string;
  params?: Record<string, string | number>;
  /** Every Graph request id of this device's corporate registration (support asks for them). */
  requestIds: string[];
}

export interface CorporatePatch {
  state?: CorporateState;
  since?: number;
  attempts?: number;
  identifier?: string;
  nextAt?: number | null;
  batchId?: string | null;
  errorCode?: string | null;
  params?: Record<string, string | number> | null;
  identityId?: string | null;
  /** Appended to the device's request ids. */
  addRequestIds?: (string | undefined)[];
}

export interface CorporateEvent {
  at: number;
  message: string;
  requestIds?: (string | undefined)[];
  errorName?: string;
}

export interface CorporateStore {
  /** Devices the stage has not looked at yet (queued or further in Autopilot; captured and invalid ones wait). */
  unadopted(limit: number): CorporateRecord[];
  /** Devices in these corporate states whose nextAt is due, most overdue first. */
  due(states: CorporateState[], now: number, limit: number): CorporateRecord[];
  get(deviceId: string): CorporateRecord | undefined;
  /** Applies the patch to every device and appends one history event to each, in one transaction. */
  update(deviceIds: string[], patch: CorporatePatch, event?: CorporateEvent): void;
  counts(): Record<CorporateState, number>;
  /** Runs fn in one transaction (many devices' changes, one disk sync). */
  transaction<T>(fn: () => T): T;
  /** Earliest nextAt of a device still to act on. */
  nextTime(): number | undefined;
  close(): void;
}

/** The contract's view of a device's corporate registration (QueueRow.corporate). */
export function corporateRegistrationOf(c: CorporateRecord): CorporateRegistration {
  return {
    state: c.state ?? 'not-requested',
    requestIds: c.requestIds,
    ...(c.identifier ? { identifier: c.identifier } : {}),
    ...(c.errorCode && c.errorCode !== 'CORP_REFUSED_UNCHECKED' ? { errorCode: c.errorCode } : {}),
    ...(c.params ? { params: c.params } : {}),
  };
}

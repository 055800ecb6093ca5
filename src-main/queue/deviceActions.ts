import type {
  ActionVerdict,
  CorporateRegistrationState,
  DeviceActionName,
  DeviceActions,
  DeviceState,
  ExportLeftOutReason,
} from '../contract/types.ts';
import { isAlreadyHere, isOtherTenant } from './errorAdvice.ts';
import { recaptureError } from '../contract/importErrors.ts';
import { isSettled, type WaitFor } from './queueStore.ts';

/**
 * Retry, Register again, Remove and Move to another tenant: whether each can do something for a device, decided here
 * once.
 * Main sends the verdicts with every queue row (`QueueRow.actions`), judges each action with the same
 * function when it arrives (`QueueService.deviceAction`), and the renderer's test fake calls it too, so a
 * button and its action never disagree. See [architecture](../../docs/architecture.md#allowed-actions)
 * and, for the 808–811 family, [domain](../../docs/domain.md#import-errors).
 */

/**
 * How long the service usually takes to process an import (service milliseconds): Retry on a device
 * importing for longer asks the tenant about it now instead of waiting for the next poll.
 */
export const EXPECTED_IMPORT_MS = 5 * 60_000;

/** What the rules read of a device. A `DeviceRecord` has all of it; a queue row gives it with `stateSince` parsed. */
export interface ActionSubject {
  state: DeviceState;
  /** When the device entered its state, in service milliseconds since the epoch. */
  stateSince: number;
  /** How far the worker follows the device: an `imported` or `registered` device may still be waiting. */
  waitFor: WaitFor;
  errorCode?: number;
  errorName?: string;
  /** 'refused': a file's row kept as a record, with no hash to check again. */
  flags: readonly string[];
  /** The device's corporate identifier registration, when the station follows them. */
  corporate?: CorporateRegistrationState;
  /** For 'timed-out': the stage the device was stuck in. */
  lastKnownState?: DeviceState;
  /** Set once the device was put in a batch for the tenant (stored before its POST). */
  batchId?: string;
  /** The tenant's imported record for the device, once its import answered. */
  importedRecordId?: string;
  /** The tenant's Windows Autopilot device, once it is registered. */
  deviceRegistrationId?: string;
}

const ALLOWED: ActionVerdict = { allowed: true };
const refuse = (code: string, params?: Record<string, string | number>): ActionVerdict => ({
  allowed: false,
  reason: { code, ...(params ? { params } : {}) },
});
/** States of a device that reached the tenant: Register again sends it once more, on purpose. */
const SENT_BEFORE: readonly DeviceState[] = [
  'imported',
  'registered',
  'assigned',
  'already-registered',
  'failed',
  'timed-out',
];
const IN_TENANT: readonly DeviceState[] = ['imported', 'registered', 'assigned', 'already-registered'];
/** States a device the tenant never saw can be in ('failed' before any upload: refused by the station's own checks). */
const MOVABLE: readonly DeviceState[] = ['captured', 'queued', 'invalid', 'failed'];

/**
 * The verdict on moving a device to another tenant's queue (`moveDevices`): allowed only when the tenant never saw it,
 * in
 * a movable state with no batch, imported record or registration; otherwise refused with MOVE_ALREADY_SENT, as its
 * history belongs to the tenant that saw it. See [architecture](../../docs/architecture.md#the-queue-data-model).
 */
export function moveVerdict(d: ActionSubject): ActionVerdict {
  const sent = d.batchId !== undefined || d.importedRecordId !== undefined || d.deviceRegistrationId !== undefined;
  return MOVABLE.includes(d.state) && !sent ? ALLOWED : refuse('MOVE_ALREADY_SENT');
}

/**
 * The verdict on one Autopilot action for one device at service time `now` (ms). Retry on a device
 * importing past `expectedImportMs` is allowed and means "ask the tenant now" (the caller checks the
 * state); a corporate identifier's own retry is not judged here (see allowedActions).
 */
export function actionVerdict(
  action: DeviceActionName,
  d: ActionSubject,
  now: number,
  expectedImportMs = EXPECTED_IMPORT_MS,
): ActionVerdict {
  if (action === 'remove') {
    // A device in flight stays: its import would otherwise finish with nobody to follow it.
    return d.state === 'importing' ? refuse('ACTION_IN_FLIGHT') : ALLOWED;
  }
  // Intune refused the record's own hash, serial or product key (801, 802, 803, 812). A record's hash and serial never
  // change in the queue (DevicePatch leaves them out; a new capture is a new record), so sending it again, by Retry or
  // Register again, gets the same answer: only capturing the hash again on the device (or a new file) helps.
  const sameHash = d.state === 'failed' ? recaptureError(d.errorCode, d.errorName) : undefined;
  if (sameHash)
    return refuse(
      'ACTION_SAME_HASH_REFUSED',
      sameHash.code ? { errorCode: sameHash.code } : { errorName: sameHash.name },
    );
  if (action === 'reregister') {
    if (d.state === 'importing') return refuse('ACTION_IN_FLIGHT');
    if (!SENT_BEFORE.includes(d.state)) return refuse('REREGISTER_NOT_SENT');
    // 808–811 stay allowed: once the previous owner or the reseller has deregistered the device, Register
    // again is the technician's deliberate way to send it; asked first, as it usually ends 808 again.
    if (isOtherTenant(d.errorCode, d.errorName)) return { allowed: true, ask: { code: 'REREGISTER_ASK_OTHER_TENANT' } };
    if (IN_TENANT.includes(d.state)) return { allowed: true, ask: { code: 'REREGISTER_ASK_REGISTERED' } };
    return ALLOWED;
  }
  switch (d.state) {
    case 'invalid':
      // Judged on its serial and hash (a refused file row has none), which never change in a record: checking them
      // again gives the same finding. Only a new capture helps.
      return refuse('RETRY_STILL_INVALID', { finding: d.errorName ?? 'DEVICE_INVALID' });
    case 'captured':
    case 'timed-out':
      return ALLOWED;
    case 'failed':
      // Another tenant owns the device (808–811): another import cannot change that.
      if (isOtherTenant(d.errorCode, d.errorName))
        return refuse('RETRY_OWNED_ELSEWHERE', d.errorCode ? { errorCode: d.errorCode } : undefined);
      return ALLOWED;
    case 'queued':
      return refuse('RETRY_ALREADY_QUEUED');
    case 'importing':
      if (now >= d.stateSince + expectedImportMs) return ALLOWED;
      return refuse('RETRY_IMPORTING', {
        minutes: Math.max(1, Math.ceil((d.stateSince + expectedImportMs - now) / 60_000)),
      });
    case 'imported':
    case 'registered':
      return isSettled(d) ? refuse('RETRY_ALREADY_DONE') : refuse('RETRY_WAITING');
    case 'assigned':
    case 'already-registered':
      return refuse('RETRY_ALREADY_DONE');
  }
}

/**
 * Every action's verdict for a device, as sent with its queue row. Retry is also allowed when the
 * device's corporate identifier failed: the technician's Retry queues that again too.
 */
export function allowedActions(d: ActionSubject, now: number, expectedImportMs = EXPECTED_IMPORT_MS): DeviceActions {
  const retry = actionVerdict('retry', d, now, expectedImportMs);
  return {
    retry: !retry.allowed && d.corporate === 'failed' ? ALLOWED : retry,
    reregister: actionVerdict('reregister', d, now, expectedImportMs),
    remove: actionVerdict('remove', d, now, expectedImportMs),
    move: moveVerdict(d),
  };
}

/**
 * The service instant (ms) at which this device's verdicts change with time alone, or undefined when
 * only a change to the device can change them: Retry on an import becomes "ask the tenant now".
 */
export function actionsChangeAt(
  d: Pick<ActionSubject, 'state' | 'stateSince'>,
  expectedImportMs = EXPECTED_IMPORT_MS,
): number | undefined {
  return d.state === 'importing' ? d.stateSince + expectedImportMs : undefined;
}

/**
 * Why a device does not belong in an Intune upload file (Export Intune CSV), undefined when it does.
 * Devices the technician selected are left out only when invalid; of the whole queue (nothing selected),
 * also those owned by another tenant (808–811), already registered here (or 806), or being imported.
 */
export function notUploadable(d: ActionSubject, selected = false): ExportLeftOutReason | undefined {
  if (d.state === 'invalid') return 'invalid';
  if (selected) return undefined;
  if (isOtherTenant(d.errorCode, d.errorName)) return 'otherTenant';
  if (IN_TENANT.includes(d.state) || isAlreadyHere(d.errorCode, d.errorName)) return 'registered';
  if (d.state === 'importing') return 'inFlight';
  if (d.state === 'timed-out' && (d.lastKnownState === 'imported' || d.lastKnownState === 'registered'))
    return 'registered';
  return undefined;
}

import {
  DEVICE_STATES,
  type DeviceDetail,
  type DeviceState,
  type QueueRow,
  type StationSettings,
} from '../../src-main/contract/types.ts';
import { allowedActions, type ActionSubject } from '../../src-main/queue/deviceActions.ts';
import { fakeHash } from './fakeHash.ts';

/** What main's action rules (deviceActions.ts) read of a row, as the station reads it from its record. */
export function actionSubjectOf(
  row: Omit<QueueRow, 'actions'>,
  waitFor: StationSettings['waitFor'] = 'assigned',
): ActionSubject {
  return {
    state: row.state,
    stateSince: Date.parse(row.stateSince),
    waitFor,
    flags: row.flags,
    ...(row.errorCode !== undefined ? { errorCode: row.errorCode } : {}),
    ...(row.errorName !== undefined ? { errorName: row.errorName } : {}),
    ...(row.corporate ? { corporate: row.corporate.state } : {}),
    ...(row.lastKnownState ? { lastKnownState: row.lastKnownState } : {}),
    // A row names the import it was sent in, not its batch: an import id means the tenant saw the device (Move).
    ...(row.importId ? { batchId: row.importId } : {}),
    ...(row.deviceRegistrationId ? { deviceRegistrationId: row.deviceRegistrationId } : {}),
  };
}

/** A test's row as main sends it: with main's verdict on each action at `now` (ms). */
export function withActions(
  row: Omit<QueueRow, 'actions'>,
  now = Date.now(),
  waitFor: StationSettings['waitFor'] = 'assigned',
): QueueRow {
  return { ...row, actions: allowedActions(actionSubjectOf(row, waitFor), now) };
}

const MODELS: [string, string][] = [
  ['Contoso', 'Surface Laptop 6'],
  ['Fabrikam', 'EliteBook 840 G11'],
  ['Litware', 'ThinkPad T14 Gen 5'],
  ['Northwind', 'Latitude 7450'],
  ['Tailspin', 'ProBook 450 G10'],
];
const TAGS = ['Sales-Tokyo', 'Kiosk', 'Engineering', 'HR-Osaka', ''];
const USERS = ['', 'aiko@contoso.com', 'ben@contoso.com', ''];
/** Errors a bench really sees, plus one the UI has never heard of. */
const ERRORS: { code?: number; name: string; advice: string }[] = [
  { code: 802, name: 'InvalidZtdHardwareHash', advice: 'Capture the hash again.' },
  { code: 808, name: 'ZtdDeviceAssignedToOtherTenant', advice: 'The previous owner must deregister it.' },
  { name: 'ZtdDeviceDuplicated', advice: 'Remove the duplicate and retry.' },
  { name: 'StorageError', advice: 'Retry later.' },
  { code: 899, name: 'ZtdNoSuchCode', advice: 'The service returned an error the station does not know.' },
];
const WAITING: ReadonlySet<DeviceState> = new Set(['queued', 'importing', 'imported', 'registered']);

export interface SeededDevice {
  row: QueueRow;
  detail: DeviceDetail;
  hardwareHash: string;
}

/** n devices spread over every state, deterministic (same n, same queue), times relative to now. */
export function seedQueue(n: number, now = Date.now()): SeededDevice[] {
  const out: SeededDevice[] = [];
  for (let i = 0; i < n; i++) {
    const state = DEVICE_STATES[(i * 7 + (i >> 3)) % DEVICE_STATES.length]!;
    const [manufacturer, model] = MODELS[i % MODELS.length]!;
    const serial = `PF${(3_000_000 + i * 37).toString(36).toUpperCase()}${i % 10}`;
    const since = new Date(now - ((i % 50) + 1) * 61_000).toISOString();
    const row: Omit<QueueRow, 'actions'> = {
      id: `dev-${i}`,
      serialNumber: serial,
      manufacturer,
      model,
      groupTag: TAGS[i % TAGS.length]!,
      assignedUser: USERS[i % USERS.length]!,
      state,
      stateSince: since,
      source:
        i % 3 === 0
          ? { kind: 'this-device' }
          : { kind: 'file', path: `C:\\Hashes\\batch-${i % 12}.csv`, line: (i % 40) + 2, format: 'autopilot-csv' },
      capturedAt: new Date(now - 3_600_000 - i * 1000).toISOString(),
      flags: [],
    };
    if (WAITING.has(state)) row.deadline = new Date(now + ((i % 9) - 1) * 60_000 + 30_000).toISOString();
    if (state !== 'captured' && state !== 'invalid' && state !== 'queued')
      row.importId = `station-bench01-${Math.floor(i / 100)}`;
    if (['registered', 'assigned', 'already-registered'].includes(state))
      row.deviceRegistrationId = `4f1c${i.toString(16).padStart(4, '0')}-2b1e-4c7a-9d3e-0c5b${i.toString(16).padStart(8, '0')}`;
    if (state === 'assigned') row.profileStatus = 'assignedInSync';
    // Waiting to be sent because the bench is signed out or offline: the row says why (what to do), as the worker keeps
    // it.
    if (state === 'queued' && i % 4 === 1)
      Object.assign(row, {
        errorName: i % 8 === 1 ? 'GRAPH_SIGN_IN_EXPIRED' : 'GRAPH_NETWORK',
        advice: 'Import is waiting.',
      });
    if (state === 'already-registered')
      Object.assign(row, { errorCode: 806, errorName: 'ZtdDeviceAlreadyAssigned', advice: 'Already registered here.' });
    // As the station keeps them: an invalid device carries its finding's code.
    if (state === 'invalid') Object.assign(row, { errorName: 'HASH_CHECKSUM_MISMATCH', advice: 'Checksum mismatch.' });
    if (state === 'failed' || state === 'timed-out') {
      const e = ERRORS[i % ERRORS.length]!;
      if (state === 'timed-out') Object.assign(row, { errorName: 'Timeout', advice: 'Intune did not finish in time.' });
      if (state === 'failed') {
        if (e.code !== undefined) row.errorCode = e.code;
        row.errorName = e.name;
        row.advice = e.advice;
      }
    }
    const hardwareHash = fakeHash(manufacturer, model, serial);
    const sent = withActions(row, now);
    const detail: DeviceDetail = {
      row: sent,
      ...(i % 2 ? { productKey: '00330-80000-00000-AA' + String(i % 1000).padStart(3, '0') } : {}),
      hash: {
        valid: state !== 'invalid',
        padded: true,
        checksumOk: state !== 'invalid',
        serialNumber: serial,
        manufacturer,
        model,
        smbiosUuid: `1a2b3c4d-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
        macAddresses: [`00:15:5D:${hex2(i >> 16)}:${hex2(i >> 8)}:${hex2(i)}`],
        tpmEkPresent: i % 4 !== 0,
        length: 4000,
        findings:
          state === 'invalid'
            ? [{ code: 'HASH_CHECKSUM_MISMATCH', severity: 'error', message: 'Checksum mismatch.' }]
            : [],
      },
      events: eventsFor(row, now),
      ...(state === 'invalid'
        ? { findings: [{ code: 'HASH_CHECKSUM_MISMATCH', severity: 'error' as const, message: 'Checksum mismatch.' }] }
        : {}),
    };
    if (detail.productKey === undefined) delete detail.productKey;
    out.push({ row: sent, detail, hardwareHash });
  }
  return out;
}

const hex2 = (n: number) => (n & 255).toString(16).padStart(2, '0').toUpperCase();

function eventsFor(row: Omit<QueueRow, 'actions'>, now: number): DeviceDetail['events'] {
  const path: DeviceState[] = ['captured', 'queued', 'importing', 'imported', 'registered', 'assigned'];
  const end = path.indexOf(row.state);
  const moves = end >= 0 ? path.slice(0, end + 1) : (['captured', 'queued', 'importing', row.state] as DeviceState[]);
  // As the send stage writes it: the batch's POST answered is a note on 'importing' (from and to the same state).
  const steps = moves.flatMap((s) => (s === 'importing' ? [s, s] : [s]));
  return steps.map((to, k) => {
    const note = k > 0 && steps[k - 1] === to;
    const ev: DeviceDetail['events'][number] = {
      at: new Date(now - (steps.length - k) * 95_000).toISOString(),
      toState: to,
      message:
        to === 'captured'
          ? 'Captured from ' + (row.source.path ?? 'this device')
          : note
            ? 'Batch sent to Intune'
            : `Now ${to}`,
      requestIds: k >= 2 ? [`7d3f${k}a10-55e2-4b6c-8a1f-${row.id.replace(/\D/g, '').padStart(12, '0')}`] : [],
    };
    if (k > 0) ev.fromState = steps[k - 1]!;
    if (row.importId && k >= 2) ev.importId = row.importId;
    if (k === steps.length - 1 && row.errorName) {
      if (row.errorCode !== undefined) ev.errorCode = row.errorCode;
      ev.errorName = row.errorName;
    }
    return ev;
  });
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEVICE_ACTIONS, type DeviceState, type QueueChanged } from '../../src-main/contract/types.ts';
import {
  actionVerdict,
  allowedActions,
  EXPECTED_IMPORT_MS,
  moveVerdict,
  notUploadable,
  type ActionSubject,
} from '../../src-main/queue/deviceActions.ts';
import { openSqliteQueueStore } from '../../src-main/queue/sqliteQueueStore.ts';
import { moveDevices } from '../../src-main/queue/tenantQueues.ts';
import type { DevicePatch } from '../../src-main/queue/queueStore.ts';
import { bench, cleanupBenches } from './queueWorkerSupport.ts';
import { deviceInput } from './queueFakes.ts';

afterEach(() => cleanupBenches());

const now = Date.UTC(2026, 10, 23, 9, 0, 0);
const device = (state: DeviceState, extra: Partial<ActionSubject> = {}): ActionSubject => ({
  state,
  stateSince: now,
  waitFor: 'registered',
  flags: [],
  ...extra,
});
const reason = (v: ReturnType<typeof actionVerdict>) =>
  v.allowed ? (v.ask ? `ask ${v.ask.code}` : 'allowed') : v.reason.code;

describe('allowed actions: Retry, Register again and Remove decided once in main', () => {
  /**
   * The spec: for each state, and for a failed device each kind of error (IMPORT_ERROR_TABLE's kinds, the station's
   * own failures), which actions are offered. None offered may be one that cannot work: a record's serial and hash
   * never change in the queue (DevicePatch leaves them out), so a device refused for its hash or serial is never sent
   * again as it is; only a new capture helps. Remove is always offered but while the import is in flight.
   */
  it.each([
    // state, extra, retry, reregister, remove
    ['captured', {}, 'allowed', 'REREGISTER_NOT_SENT', 'allowed'],
    ['captured', { flags: ['different-hash'] }, 'allowed', 'REREGISTER_NOT_SENT', 'allowed'],
    // A station finding on the hash or serial: the same hash cannot become valid.
    ['invalid', { errorName: 'HASH_NO_MANUFACTURER' }, 'RETRY_STILL_INVALID', 'REREGISTER_NOT_SENT', 'allowed'],
    ['invalid', { errorName: 'SERIAL_MISMATCH' }, 'RETRY_STILL_INVALID', 'REREGISTER_NOT_SENT', 'allowed'],
    // A file's row refused before upload has no hash to check again.
    [
      'invalid',
      { flags: ['refused'], errorName: 'CSV_PKID_ONLY' },
      'RETRY_STILL_INVALID',
      'REREGISTER_NOT_SENT',
      'allowed',
    ],
    ['queued', {}, 'RETRY_ALREADY_QUEUED', 'REREGISTER_NOT_SENT', 'allowed'],
    ['queued', { flags: ['corporate-only'] }, 'RETRY_ALREADY_QUEUED', 'REREGISTER_NOT_SENT', 'allowed'],
    ['importing', {}, 'RETRY_IMPORTING', 'ACTION_IN_FLIGHT', 'ACTION_IN_FLIGHT'],
    ['imported', {}, 'RETRY_WAITING', 'ask REREGISTER_ASK_REGISTERED', 'allowed'],
    ['imported', { waitFor: 'imported' }, 'RETRY_ALREADY_DONE', 'ask REREGISTER_ASK_REGISTERED', 'allowed'],
    ['registered', {}, 'RETRY_ALREADY_DONE', 'ask REREGISTER_ASK_REGISTERED', 'allowed'],
    ['registered', { waitFor: 'assigned' }, 'RETRY_WAITING', 'ask REREGISTER_ASK_REGISTERED', 'allowed'],
    ['assigned', {}, 'RETRY_ALREADY_DONE', 'ask REREGISTER_ASK_REGISTERED', 'allowed'],
    ['already-registered', { errorCode: 806 }, 'RETRY_ALREADY_DONE', 'ask REREGISTER_ASK_REGISTERED', 'allowed'],
    ['timed-out', { errorName: 'Timeout', lastKnownState: 'importing' }, 'allowed', 'allowed', 'allowed'],
    ['timed-out', { errorName: 'Timeout', lastKnownState: 'registered' }, 'allowed', 'allowed', 'allowed'],
    // failed, kind fix on the record's own data (801, 802, 803, 812): sending the same hash gets the same answer.
    [
      'failed',
      { errorCode: 801, errorName: 'InvalidZtdRequestBody' },
      'ACTION_SAME_HASH_REFUSED',
      'ACTION_SAME_HASH_REFUSED',
      'allowed',
    ],
    [
      'failed',
      { errorCode: 802, errorName: 'InvalidZtdHardwareHash' },
      'ACTION_SAME_HASH_REFUSED',
      'ACTION_SAME_HASH_REFUSED',
      'allowed',
    ],
    ['failed', { errorCode: 803 }, 'ACTION_SAME_HASH_REFUSED', 'ACTION_SAME_HASH_REFUSED', 'allowed'],
    [
      'failed',
      { errorCode: 812, errorName: 'ZtdDeviceNotFound' },
      'ACTION_SAME_HASH_REFUSED',
      'ACTION_SAME_HASH_REFUSED',
      'allowed',
    ],
    // kind fix that a Retry does help: the same hash twice in one request; the station sends it once.
    ['failed', { errorName: 'ZtdDeviceDuplicated' }, 'allowed', 'allowed', 'allowed'],
    // kind done: the worker checks the tag again.
    ['failed', { errorCode: 806 }, 'allowed', 'allowed', 'allowed'],
    // kind stop (808–811): retrying cannot help; Register again is asked first (after the previous owner deregisters
    // it).
    ['failed', { errorCode: 808 }, 'RETRY_OWNED_ELSEWHERE', 'ask REREGISTER_ASK_OTHER_TENANT', 'allowed'],
    ['failed', { errorCode: 811 }, 'RETRY_OWNED_ELSEWHERE', 'ask REREGISTER_ASK_OTHER_TENANT', 'allowed'],
    // The family spelled by name with code 0 (errorAdvice.ts isOtherTenant): the renderer's number set missed it.
    [
      'failed',
      { errorCode: 0, errorName: 'ZtdDeviceAssignedToAnotherTenant' },
      'RETRY_OWNED_ELSEWHERE',
      'ask REREGISTER_ASK_OTHER_TENANT',
      'allowed',
    ],
    // kind retry (807, 813, 814; StorageError once the worker gave up): after the admin's step, Retry can work.
    ['failed', { errorCode: 807 }, 'allowed', 'allowed', 'allowed'],
    ['failed', { errorCode: 813 }, 'allowed', 'allowed', 'allowed'],
    ['failed', { errorCode: 814 }, 'allowed', 'allowed', 'allowed'],
    ['failed', { errorName: 'StorageError' }, 'allowed', 'allowed', 'allowed'],
    // The station's own failures: an unknown code, a batch refused for this device alone, a lost record, a profile.
    ['failed', { errorCode: 899, errorName: 'ZtdSomethingNew' }, 'allowed', 'allowed', 'allowed'],
    ['failed', { errorName: 'GRAPH_BAD_REQUEST' }, 'allowed', 'allowed', 'allowed'],
    ['failed', { errorName: 'ImportRecordLost' }, 'allowed', 'allowed', 'allowed'],
    ['failed', { errorName: 'ProfileAssignmentFailed' }, 'allowed', 'allowed', 'allowed'],
  ] as const)('%s %j → retry %s, register again %s, remove %s', (state, extra, retry, reregister, remove) => {
    const d = device(state, extra as Partial<ActionSubject>);
    expect([
      reason(actionVerdict('retry', d, now)),
      reason(actionVerdict('reregister', d, now)),
      reason(actionVerdict('remove', d, now)),
    ]).toEqual([retry, reregister, remove]);
  });

  it('a refusal for the hash says which error and what to do (capture the hash again), never "still not valid" after the press', () => {
    expect(
      actionVerdict('retry', device('failed', { errorCode: 802, errorName: 'InvalidZtdHardwareHash' }), now),
    ).toEqual({ allowed: false, reason: { code: 'ACTION_SAME_HASH_REFUSED', params: { errorCode: 802 } } });
    expect(actionVerdict('retry', device('failed', { errorCode: 0, errorName: 'ZtdDeviceNotFound' }), now)).toEqual({
      allowed: false,
      reason: { code: 'ACTION_SAME_HASH_REFUSED', params: { errorCode: 812 } },
    });
    expect(actionVerdict('retry', device('invalid', { errorName: 'HASH_NO_MANUFACTURER' }), now)).toEqual({
      allowed: false,
      reason: { code: 'RETRY_STILL_INVALID', params: { finding: 'HASH_NO_MANUFACTURER' } },
    });
  });

  it('Retry on an import is refused until its expected time (with the minutes left), then allowed: it asks the tenant now', () => {
    const d = device('importing');
    expect(actionVerdict('retry', d, now + 60_000)).toEqual({
      allowed: false,
      reason: { code: 'RETRY_IMPORTING', params: { minutes: 4 } },
    });
    expect(actionVerdict('retry', d, now + EXPECTED_IMPORT_MS)).toEqual({ allowed: true });
  });

  it('says the 808 code it refused for, and Retry helps a device whose corporate identifier failed', () => {
    expect(actionVerdict('retry', device('failed', { errorCode: 809 }), now)).toEqual({
      allowed: false,
      reason: { code: 'RETRY_OWNED_ELSEWHERE', params: { errorCode: 809 } },
    });
    expect(allowedActions(device('registered', { corporate: 'failed' }), now).retry).toEqual({ allowed: true });
    expect(allowedActions(device('registered', { corporate: 'done' }), now).retry.allowed).toBe(false);
  });

  it.each([
    // state, what the tenant knows of it, move
    ['captured', {}, 'allowed'],
    ['queued', {}, 'allowed'],
    ['invalid', {}, 'allowed'],
    // Refused by the station's own checks before any upload: the tenant never saw it.
    ['failed', {}, 'allowed'],
    ['failed', { batchId: 'b1' }, 'MOVE_ALREADY_SENT'],
    ['queued', { importedRecordId: 'rec-1' }, 'MOVE_ALREADY_SENT'],
    ['importing', { batchId: 'b1' }, 'MOVE_ALREADY_SENT'],
    ['imported', {}, 'MOVE_ALREADY_SENT'],
    ['registered', { deviceRegistrationId: 'reg-1' }, 'MOVE_ALREADY_SENT'],
    ['assigned', {}, 'MOVE_ALREADY_SENT'],
    ['already-registered', {}, 'MOVE_ALREADY_SENT'],
    ['timed-out', {}, 'MOVE_ALREADY_SENT'],
  ] as const)('move to another tenant: %s %j → %s', (state, extra, move) => {
    const d = device(state, extra as Partial<ActionSubject>);
    expect(reason(moveVerdict(d))).toBe(move);
    expect(allowedActions(d, now).move).toEqual(moveVerdict(d));
  });

  it("leaves out of the whole queue's upload file what cannot be uploaded, the 808 family by isOtherTenant", () => {
    expect(notUploadable(device('failed', { errorCode: 810 }))).toBe('otherTenant');
    expect(notUploadable(device('failed', { errorCode: 0, errorName: 'ZtdDeviceOwnedByAnotherTenant' }))).toBe(
      'otherTenant',
    );
    expect(notUploadable(device('failed', { errorCode: 806 }))).toBe('registered');
    expect(notUploadable(device('timed-out', { lastKnownState: 'registered' }))).toBe('registered');
    expect(notUploadable(device('importing'))).toBe('inFlight');
    expect(notUploadable(device('failed', { errorCode: 802 }))).toBeUndefined();
    // Devices the technician selected: only an invalid one is left out.
    expect(notUploadable(device('failed', { errorCode: 808 }), true)).toBeUndefined();
    expect(notUploadable(device('invalid'), true)).toBe('invalid');
  });
});

describe('the queue sends each row its actions, and judges an action with the same verdict', () => {
  /** One device in each state (SQLite store, manual clock), as the worker would have left it. */
  function queueInEveryState() {
    const b = bench();
    const states: [DeviceState, DevicePatch][] = [
      ['failed', { errorCode: 808, errorName: 'ZtdDeviceAssignedToOtherTenant' }],
      ['failed', { errorCode: 802, errorName: 'InvalidZtdHardwareHash' }],
      ['failed', { errorCode: 807, errorName: 'ZtdDeviceIsNotRegistered' }],
      ['invalid', { errorName: 'HASH_NO_MANUFACTURER' }],
      ['captured', { flags: ['different-hash'] }],
      ['timed-out', {}],
      ['queued', {}],
      ['importing', {}],
      ['imported', {}],
      ['registered', {}],
      ['assigned', {}],
      ['already-registered', { errorCode: 806 }],
    ];
    const ids = b.queue.queueDevices(states.map((_, i) => deviceInput(`PF${i}`))).queued;
    states.forEach(([state, patch], i) =>
      b.store.updateDevice(ids[i]!, { state, stateSince: b.clock.now(), ...patch }),
    );
    return b;
  }

  it.each(DEVICE_ACTIONS)(
    '%s: a row allowed it exactly when the action does something, and a refused row says the same reason',
    (action) => {
      const b = queueInEveryState();
      const rows = b.queue.listQueue({ offset: 0, limit: 100 }).rows;
      for (const row of rows) {
        const verdict = row.actions[action];
        const result = b.queue.deviceAction([row.id], action);
        if (verdict.allowed)
          expect(result.affected + (result.checking ?? 0), `${row.serialNumber} ${row.state}`).toBe(1);
        else
          expect(result.skipped, `${row.serialNumber} ${row.state}`).toEqual([
            {
              id: row.id,
              serialNumber: row.serialNumber,
              code: verdict.reason.code,
              ...(verdict.reason.params ? { params: verdict.reason.params } : {}),
            },
          ]);
      }
    },
  );

  it('move: a row allowed it exactly when moveDevices moves the device, and a refused row says the same reason', () => {
    const b = queueInEveryState();
    const queued = b.queue.queueDevices([deviceInput('PF-SENT')]).queued[0]!;
    b.store.updateDevice(queued, { batchId: 'b1' }); // queued again after its batch reached the tenant
    const other = openSqliteQueueStore(fs.mkdtempSync(path.join(os.tmpdir(), 'queue-other-')));
    try {
      for (const row of b.queue.listQueue({ offset: 0, limit: 100 }).rows) {
        const result = moveDevices(b.store, other, [row.id], {
          fromSlug: 'training',
          toSlug: 'global-contoso',
          now: b.clock.now(),
        });
        if (row.actions.move.allowed) expect(result.moved, `${row.serialNumber} ${row.state}`).toHaveLength(1);
        else
          expect(result.refused, `${row.serialNumber} ${row.state}`).toEqual([
            { id: row.id, serialNumber: row.serialNumber, code: row.actions.move.reason.code },
          ]);
      }
      expect(other.findBySerial('PF3')).toHaveLength(1); // the queued device moved
    } finally {
      other.close();
      b.queue.close();
    }
  });

  it("sends the row again when Retry on an import becomes allowed with time alone (service time, not the screen's clock)", async () => {
    const b = queueInEveryState();
    const importing = b.queue.listQueue({ offset: 0, limit: 100 }).rows.find((r) => r.state === 'importing')!;
    expect(importing.actions.retry).toMatchObject({ allowed: false, reason: { code: 'RETRY_IMPORTING' } });
    const changed = () =>
      b.events.filter((e) => e.name === 'queueChanged').map((e) => (e.payload as QueueChanged).deviceIds);
    const before = changed().length;
    b.clock.advance(EXPECTED_IMPORT_MS - 1000);
    await Promise.resolve();
    expect(changed().length).toBe(before);
    b.clock.advance(1000);
    await Promise.resolve();
    expect(changed().slice(before)).toEqual([[importing.id]]);
    expect(b.queue.getDevice(importing.id).row.actions.retry).toEqual({ allowed: true });
    b.queue.close();
  });
});

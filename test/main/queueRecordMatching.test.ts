import { describe, expect, it } from 'vitest';
import type { ImportedIdentity } from '../../src-main/graph/autopilotPort.ts';
import type { DeviceRecord } from '../../src-main/queue/queueStore.ts';
import { matchRecords } from '../../src-main/queue/worker/recordMatching.ts';

const device = (id: string, serialNumber: string, extra: Partial<DeviceRecord> = {}): DeviceRecord =>
  ({
    id,
    serialNumber,
    hardwareHash: `hash-${serialNumber}`,
    importId: 'batch-1',
    flags: [],
    findings: [],
    ...extra,
  }) as DeviceRecord;
const record = (id: string, serialNumber: string, extra: Partial<ImportedIdentity> = {}): ImportedIdentity => ({
  id,
  serialNumber,
  importId: id, // rewritten, as a real tenant has answered
  state: { deviceImportStatus: 'unknown', deviceErrorCode: 0 },
  ...extra,
});
const all = () => true;

describe('matching imported records to devices (keys the service gives back)', () => {
  it('a device that knows its record id is matched by that id only, whatever the serial says', () => {
    const m = matchRecords(
      [device('d1', 'A1', { importedRecordId: 'r2' })],
      [record('r1', 'A1'), record('r2', 'something else')],
      all,
    );
    expect(m.get('d1')?.id).toBe('r2');
    expect(matchRecords([device('d1', 'A1', { importedRecordId: 'gone' })], [record('r1', 'A1')], all).size).toBe(0);
  });

  it('otherwise by serial, trimmed and case-insensitive, one record per device', () => {
    const m = matchRecords(
      [device('d1', ' ab-1 '), device('d2', 'AB-2')],
      [record('r1', 'AB-1'), record('r2', 'ab-2 '), record('r3', 'AB-1')],
      all,
    );
    expect(m.get('d1')?.id).toBe('r1');
    expect(m.get('d2')?.id).toBe('r2');
  });

  it('never claims a record another device already owns, nor one whose hash differs', () => {
    const m = matchRecords(
      [device('d1', 'A1'), device('d2', 'B2')],
      [record('r1', 'A1'), record('r2', 'B2', { hardwareIdentifier: 'another-hash' })],
      (id) => id !== 'r1',
    );
    expect(m.size).toBe(0);
    expect(
      matchRecords([device('d2', 'B2')], [record('r2', 'B2', { hardwareIdentifier: 'hash-B2' })], all).get('d2')?.id,
    ).toBe('r2');
  });

  it('uses importId only to choose between records of the same serial', () => {
    const m = matchRecords(
      [device('d1', 'A1')],
      [record('r1', 'A1', { importId: 'other' }), record('r2', 'A1', { importId: 'batch-1' })],
      all,
    );
    expect(m.get('d1')?.id).toBe('r2');
  });

  it('ignoreKnownIds: a device whose record vanished is matched again by serial', () => {
    const m = matchRecords([device('d1', 'A1', { importedRecordId: 'gone' })], [record('r9', 'a1')], all, {
      ignoreKnownIds: true,
    });
    expect(m.get('d1')?.id).toBe('r9');
  });
});

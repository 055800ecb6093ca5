import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStation } from '../../src-main/app/createStation.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { makeExportCommand } from '../../src-main/cli/exportCommand.ts';
import { INTUNE_CSV_HEADER, intuneCsvFiles, reportCell, reportCsvFile } from '../../src-main/queue/exportCsv.ts';
import type { DeviceRecord } from '../../src-main/queue/queueStore.ts';
import { hashFor } from './queueFakes.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-export-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function record(serialNumber: string, extra: Partial<DeviceRecord> = {}): DeviceRecord {
  return {
    id: serialNumber,
    serialNumber,
    hardwareHash: hashFor(serialNumber),
    hash: {
      valid: true,
      padded: true,
      checksumOk: true,
      macAddresses: [],
      tpmEkPresent: false,
      length: 4000,
      findings: [],
      manufacturer: 'Contoso',
      model: 'M1',
    },
    groupTag: 'Bench',
    assignedUser: '',
    source: { kind: 'file', path: 'a.csv' },
    capturedAt: 0,
    stationName: 'BENCH',
    state: 'queued',
    stateSince: 0,
    attempts: 0,
    waitFor: 'registered',
    findings: [],
    flags: [],
    ...extra,
  };
}

describe('Intune admin-centre CSV', () => {
  it('has the exact header, CRLF, no BOM, no quotes, ASCII only, and splits at 500 rows', () => {
    const devices = Array.from({ length: 1001 }, (_, i) =>
      record(`SN${i}`, {
        ...(i === 0 ? { productKey: 'ABCDE-"12345"' } : {}),
        assignedUser: i === 1 ? 'tech@contoso.com' : '',
        groupTag: 'Bench',
      }),
    );
    const files = intuneCsvFiles(devices);
    expect(files.map((f) => [f.name, f.rows])).toEqual([
      ['autopilot-devices-001.csv', 500],
      ['autopilot-devices-002.csv', 500],
      ['autopilot-devices-003.csv', 1],
    ]);
    for (const f of files) {
      const bytes = Buffer.from(f.content, 'utf8');
      expect(bytes[0]).not.toBe(0xef);
      expect(bytes.every((b) => b < 0x80)).toBe(true);
      expect(f.content).not.toContain('"');
      expect(f.content.split('\r\n')[0]).toBe(INTUNE_CSV_HEADER);
      expect(f.content.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      expect(f.content.endsWith('\r\n')).toBe(true);
      for (const line of f.content.trimEnd().split('\r\n')) expect(line.split(',')).toHaveLength(5);
    }
    const lines = files[0]!.content.split('\r\n');
    expect(lines[1]).toBe(`SN0,ABCDE-12345,${hashFor('SN0')},Bench,`);
    expect(lines[2]).toBe(`SN1,,${hashFor('SN1')},Bench,tech@contoso.com`);
    expect(lines[3]).toBe(`SN2,,${hashFor('SN2')},Bench,`);
    expect(intuneCsvFiles([record('ONE')]).map((f) => f.name)).toEqual(['autopilot-devices.csv']);
  });

  it('refuses to write a tag or user it would have to change (Japanese, accents, a comma), naming one', () => {
    for (const groupTag of ['東京本社', 'Bänch', 'Bench,1']) {
      expect(() => intuneCsvFiles([record('OK1'), record('JP1', { groupTag })])).toThrow(
        expect.objectContaining({ code: 'EXPORT_FIELD_NOT_ANSI', params: { count: 1, value: groupTag } }),
      );
    }
    expect(() => intuneCsvFiles([record('JP2', { assignedUser: '山田@contoso.com' })])).toThrow(
      expect.objectContaining({ code: 'EXPORT_FIELD_NOT_ANSI' }),
    );
    // The others alone export as before.
    expect(intuneCsvFiles([record('OK1')])[0]!.rows).toBe(1);
  });
});

describe('report CSV', () => {
  it('neutralises formulas and quotes what needs quoting', () => {
    expect(reportCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(reportCell('+1')).toBe(`"'+1"`);
    expect(reportCell('-2')).toBe(`"'-2"`);
    expect(reportCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(reportCell('\tx')).toBe(`"'\tx"`);
    expect(reportCell('a,b')).toBe('"a,b"');
    expect(reportCell('PF1')).toBe('PF1');
    expect(reportCell(808)).toBe('808');
    expect(reportCell(undefined)).toBe('');
  });

  it('lists every device with its state, error and advice, and never the hash', () => {
    const f = reportCsvFile([
      record('PF1', {
        state: 'failed',
        errorCode: 808,
        errorName: 'ZtdDeviceAssignedToOtherTenant',
        advice: 'Ask, the reseller',
      }),
      record('=cmd|x', { state: 'timed-out', lastKnownState: 'imported' }),
    ]);
    const lines = f.content.trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(
      'PF1,Contoso,M1,Bench,,failed,1970-01-01T00:00:00.000Z,808,ZtdDeviceAssignedToOtherTenant,"Ask, the reseller"',
    );
    expect(lines[2]!.startsWith(`"'=cmd|x"`)).toBe(true);
    expect(lines[2]).toContain('timed-out (imported)');
    expect(f.content).not.toContain(hashFor('PF1').slice(0, 40));
  });
});

describe('export command', () => {
  it('writes the queue as admin-centre CSV without sending anything and never overwrites', async () => {
    const dataDir = tmp();
    const out = tmp();
    const make = (o: Parameters<typeof createStation>[0]) =>
      createStation({ ...o, logger: silentLogger, serialPort: { readSerials: async () => ({ system: 'PF0TEST' }) } });
    const seed = make({ host: 'browser', dataDir, logger: silentLogger, queue: { worker: false } });
    await seed.handlers.queueDevices({
      devices: [
        { serialNumber: 'EX1', hardwareHash: hashFor('EX1'), source: { kind: 'typed' } },
        { serialNumber: 'EX2', hardwareHash: 'bm9wZQ==', source: { kind: 'typed' } },
      ],
      groupTag: 'Lab',
    });
    await seed.close();
    const stdout: string[] = [];
    const stderr: string[] = [];
    const cmd = makeExportCommand({
      io: { stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t) },
      dataDir: () => dataDir,
      station: make,
    });
    expect(await cmd(['--format', 'intune', '--out', out, '--json'])).toBe(0);
    const { files } = JSON.parse(stdout.join('')) as { files: { path: string; rows: number }[] };
    expect(files).toHaveLength(1);
    expect(files[0]!.rows).toBe(1); // the invalid device is not in an upload file
    expect(fs.readFileSync(files[0]!.path, 'utf8')).toBe(`${INTUNE_CSV_HEADER}\r\nEX1,,${hashFor('EX1')},Lab,\r\n`);
    expect(await cmd(['--format', 'report', '--out', out])).toBe(0);
    const report = fs.readdirSync(out).find((f) => f.startsWith('autopilot-report'))!;
    expect(fs.readFileSync(path.join(out, report), 'utf8')).toMatch(/EX2,.*,invalid,/);
    await expect(cmd(['--format', 'pdf'])).rejects.toThrow(/intune or report/);
  });
});

describe('import command', () => {
  it('queues the devices of a CSV, follows them and prints each final state; exit 1 when one fails', async () => {
    const { scaledClock } = await import('../../src-main/kernel/clock.ts');
    const { makeImportCommand } = await import('../../src-main/cli/importCommand.ts');
    const { FakeAutopilot } = await import('./queueFakes.ts');
    const dataDir = tmp();
    const clock = scaledClock(5000);
    const port = new FakeAutopilot(clock);
    port.otherTenant.add('IMP808');
    const csv = path.join(tmp(), 'devices.csv');
    fs.writeFileSync(
      csv,
      [
        'Device Serial Number,Windows Product ID,Hardware Hash',
        ...['IMP1', 'IMP2', 'IMP808'].map((s) => `${s},,${hashFor(s)}`),
        `IMP1,,${hashFor('IMP1')}`,
      ].join('\r\n'),
    );
    const stdout: string[] = [];
    const stderr: string[] = [];
    const cmd = makeImportCommand({
      io: { stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t) },
      dataDir: () => dataDir,
      clock,
      station: (o) =>
        createStation({
          ...o,
          logger: silentLogger,
          clock,
          autopilot: port,
          serialPort: { readSerials: async () => ({ system: 'PF0TEST' }) },
        }),
    });
    const code = await cmd([csv, '--group-tag', 'Lab', '--wait', 'registered', '--json']);
    const out = JSON.parse(stdout.join('')) as { devices: Record<string, unknown>[] };
    expect(out.devices).toEqual([
      expect.objectContaining({
        serialNumber: 'IMP1',
        state: 'registered',
        groupTag: 'Lab',
        errorCode: null,
        errorName: null,
        advice: null,
        deviceRegistrationId: expect.stringMatching(/^reg-/),
      }),
      expect.objectContaining({ serialNumber: 'IMP2', state: 'registered' }),
      expect.objectContaining({
        serialNumber: 'IMP808',
        state: 'failed',
        errorCode: 808,
        errorName: 'ZtdDeviceAssignedToOtherTenant',
        deviceRegistrationId: null,
        advice: expect.stringContaining('another organisation'),
      }),
    ]);
    expect(Object.keys(out.devices[0]!)).toEqual([
      'serialNumber',
      'state',
      'groupTag',
      'errorCode',
      'errorName',
      'deviceRegistrationId',
      'advice',
    ]);
    expect(code).toBe(1);
    expect(stderr.join('')).toMatch(/1 of 3 devices did not reach "registered"/);
    expect(port.count('importBatch')).toBe(1);

    // The same file again: nothing is imported twice, the devices are reported as they are.
    port.otherTenant.delete('IMP808');
    stdout.length = 0;
    expect(await cmd([csv, '--group-tag', 'Lab', '--json', '--timeout-s', '600'])).toBe(1);
    expect(port.count('importBatch')).toBe(1);
    await expect(cmd([csv])).rejects.toThrow(/--group-tag is required/);
    await expect(cmd([csv, '--group-tag', '=cmd'])).rejects.toThrow(/--group-tag/);
  });
});

describe('Intune export of the whole queue (nothing selected)', () => {
  it('holds only devices that can still be uploaded and counts the others by reason', async () => {
    const { openSqliteQueueStore } = await import('../../src-main/queue/sqliteQueueStore.ts');
    const { QueueService } = await import('../../src-main/queue/queueService.ts');
    const { ManualClock } = await import('./queueFakes.ts');
    const store = openSqliteQueueStore(tmp());
    const queue = new QueueService({
      store,
      clock: new ManualClock(),
      logger: silentLogger,
      stationName: 'BENCH-1',
      waitFor: () => 'registered',
    });
    const put = (serial: string, extra: Partial<DeviceRecord>) =>
      store.insertDevice(record(serial, extra), {
        at: 0,
        toState: extra.state ?? 'queued',
        message: 'seeded',
        requestIds: [],
      });
    put('Q1', { state: 'queued' });
    put('F1', { state: 'failed', errorCode: 807, errorName: 'ZtdDeviceIsNotRegistered' });
    put('T1', { state: 'timed-out', lastKnownState: 'importing' });
    put('R1', { state: 'registered' });
    put('A1', { state: 'already-registered', errorCode: 806 });
    put('O1', { state: 'failed', errorCode: 808, errorName: 'ZtdDeviceAssignedToOtherTenant' });
    put('I1', { state: 'invalid', errorName: 'SERIAL_MISMATCH' });
    put('M1', { state: 'importing' });
    put('T2', { state: 'timed-out', lastKnownState: 'registered' });
    const [file, ...rest] = queue.exportQueue('intune');
    expect(rest).toEqual([]);
    const serials = file!.content
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(',')[0]);
    expect(serials.sort()).toEqual(['F1', 'Q1', 'T1']);
    expect(file!.rows).toBe(3);
    expect(file!.leftOut).toEqual({ registered: 3, otherTenant: 1, invalid: 1, inFlight: 1 });
    // Chosen devices: the technician's choice, only invalid ones left out.
    const chosen = queue.exportQueue('intune', ['R1', 'I1']);
    expect(chosen[0]!.rows).toBe(1);
    expect(chosen[0]!.leftOut).toEqual({ invalid: 1 });
    store.close();
  });
});

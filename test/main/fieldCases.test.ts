import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { createStation } from '../../src-main/app/createStation.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { MAX_FILE_BYTES } from '../../src-main/contract/limits.ts';
import { checkDevice, useHashSerial } from '../../src-main/capture/checkDevice.ts';
import { readHashFile, readHashFileBytes } from '../../src-main/capture/readHashFile.ts';
import { trainingConnectionOf } from '../../src-main/tenant/trainingTenant.ts';
import { makeImportCommand } from '../../src-main/cli/importCommand.ts';
import { intuneCsvFiles, reportCsvFile } from '../../src-main/queue/exportCsv.ts';
import { QUEUE_MIGRATIONS } from '../../src-main/queue/queueMigrations.ts';
import { QueueService } from '../../src-main/queue/queueService.ts';
import type { DeviceRecord } from '../../src-main/queue/queueStore.ts';
import { openSqliteQueueStore, QUEUE_DB_FILE } from '../../src-main/queue/sqliteQueueStore.ts';
import { startSimulatedTenant } from '../../src-main/sim/startSimulatedTenant.ts';
import {
  hashOf,
  hp,
  LICENCE_KEY,
  lenovo,
  otherExportCases,
  placeholderSerials,
  spreadsheetCases,
  unknownCsvCases,
  vmSerials,
} from '../fixtures/capture/fieldKinds.ts';
import { ManualClock } from './queueFakes.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIELD = path.join(here, '..', 'fixtures', 'field-cases');
const field = (name: string) => path.join(FIELD, name);

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'field-cases-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const codes = (r: { errors: { code: string }[] }) => r.errors.map((e) => e.code);
const findingCodes = (d: { findings: { code: string }[] }) => d.findings.map((f) => f.code);
const csv3 = (...rows: string[]) =>
  Buffer.from(['Device Serial Number,Windows Product ID,Hardware Hash', ...rows].join('\r\n'));

describe('every field case gives the expected result through inspect (the readers)', () => {
  it.each([
    // file, format, valid serials, refused codes, duplicates, a finding expected on the first device
    ['c02_configmgr_report.csv', 'configmgr-report', ['5CG1230AB1', '5CG1230AB2'], [], 0, undefined],
    ['c03_partner_center_header.csv', 'autopilot-csv', ['PC0AB123'], [], 0, undefined],
    [
      'c08_vmware_serial_spaces.csv',
      'autopilot-csv',
      ['VMware-56 4d 12 ab cd ef 01 23-45 67 89 ab cd ef 01 23'],
      [],
      0,
      'SERIAL_VIRTUAL_MACHINE',
    ],
    ['c10_concat_utf16_duplicates.csv', 'autopilot-csv', ['PF4DUP01', 'PF4DUP02'], [], 1, undefined],
    ['c11_OA3_utf16_wrapped.xml', 'oa3-xml', ['PF5OA301'], [], 0, 'LICENCE_KEY_DROPPED'],
    ['c23b_mixed_good_and_pkid_row.csv', 'autopilot-csv', ['PFBGOOD1'], ['CSV_PKID_ONLY'], 0, undefined],
  ] as const)('%s', async (name, format, valid, refused, duplicates, findingCode) => {
    const r = await readHashFile(field(name));
    expect(r.format).toBe(format);
    expect(r.devices.filter((d) => d.valid).map((d) => d.serialNumber)).toEqual(valid);
    expect(r.devices.every((d) => d.valid)).toBe(true);
    expect(codes(r)).toEqual(refused);
    expect(r.duplicates ?? []).toHaveLength(duplicates);
    if (findingCode) expect(findingCodes(r.devices[0]!)).toContain(findingCode);
  });

  it('c10: the device in both joined files is named once, as a duplicate of its first line', async () => {
    const r = await readHashFile(field('c10_concat_utf16_duplicates.csv'));
    expect(r.duplicates).toEqual([{ line: 4, firstLine: 2, serialNumber: 'PF4DUP01' }]);
  });

  it('c11: the PKID is the product key and the licence key is nowhere in the result', async () => {
    const r = await readHashFile(field('c11_OA3_utf16_wrapped.xml'));
    expect(r.devices[0]!.productKey).toBe('3301234567890');
    expect(JSON.stringify(r)).not.toContain('XXXXX-XXXXX');
  });

  it('c23b: the PKID-only row is refused with its line, serial and reason', async () => {
    const r = await readHashFile(field('c23b_mixed_good_and_pkid_row.csv'));
    expect(r.errors).toEqual([
      {
        code: 'CSV_PKID_ONLY',
        line: 3,
        message: expect.stringContaining('needs the hash'),
        params: { serial: 'PFBPK001' },
      },
    ]);
  });
});

describe('kind 1: other Microsoft exports read, or named by what they are', () => {
  it.each(otherExportCases().map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = readHashFileBytes(c.bytes, c.name);
    if (c.format) expect(r.format).toBe(c.format);
    expect(r.devices.filter((d) => d.valid).map((d) => d.serialNumber)).toEqual(c.valid ?? []);
    expect(codes(r)).toEqual(c.errors ?? []);
    if (c.findings) expect(r.devices.flatMap(findingCodes)).toEqual(expect.arrayContaining(c.findings));
    if (c.kind) {
      expect(r.errors[0]!.params?.kind).toBe(c.kind);
      // Named, with what to do: never only "unknown format".
      expect(r.errors[0]!.message).toMatch(/CSV|Get-WindowsAutopilotInfo/);
    }
  });
});

describe('kind 1b: a CSV of something else is not a hash file, and says its columns; corporate identifiers only when they look so', () => {
  it.each(unknownCsvCases().map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = readHashFileBytes(c.bytes, c.name);
    expect(r.devices).toEqual([]);
    expect(codes(r)).toEqual(c.errors);
    if (c.kind) expect(r.errors[0]!.params?.kind).toBe(c.kind);
    if (c.columns) {
      expect(r.errors[0]!.params?.columns).toBe(c.columns);
      expect(r.errors[0]!.message).toMatch(/not a hash file: its columns are/);
      expect(r.errors[0]!.message).toMatch(/Device Serial Number, Windows Product ID, Hardware Hash/);
    }
  });
});

describe('kind 2: a serial damaged by a spreadsheet is told apart from a hash of another device', () => {
  it.each(spreadsheetCases().map((c) => [c.name, c] as const))('%s', (_name, c) => {
    // Excel quotes a cell holding the delimiter (a decimal comma).
    const cell = c.column.includes(',') ? `"${c.column}"` : c.column;
    const r = readHashFileBytes(csv3(`${cell},,${hashOf(c.device)}`), 'saved-in-excel.csv');
    const d = r.devices[0]!;
    expect(d.valid).toBe(false);
    expect(findingCodes(d)).toContain(c.code);
    expect(findingCodes(d)).not.toContain(
      c.code === 'SERIAL_MISMATCH' ? 'SERIAL_SPREADSHEET_DAMAGE' : 'SERIAL_MISMATCH',
    );
    const fixed = useHashSerial(d);
    if (c.code === 'SERIAL_SPREADSHEET_DAMAGE') {
      expect(d.findings.find((f) => f.code === c.code)!.params).toEqual({
        serial: c.column,
        hashSerial: c.device.serialNumber,
        damage: c.damage,
      });
      // The one action: the hash's serial, and the device is good.
      expect(fixed).toMatchObject({ serialNumber: c.device.serialNumber, valid: true });
    } else {
      expect(fixed).toBe(d); // never a way round a hash from another device
    }
  });
});

describe("kind 3: virtual machines' serials are serials; placeholders stay refused", () => {
  it.each(vmSerials.map((v) => [v.serial, v] as const))(
    '%s is accepted exactly as reported, noted as a VM',
    (_s, v) => {
      const r = readHashFileBytes(
        csv3(`${v.serial},,${hashOf({ serialNumber: v.serial, manufacturer: v.manufacturer, model: v.model })}`),
        'vm.csv',
      );
      expect(r.devices[0]).toMatchObject({ serialNumber: v.serial, valid: true });
      expect(r.devices[0]!.findings.find((f) => f.code === 'SERIAL_VIRTUAL_MACHINE')).toMatchObject({
        severity: 'info',
        params: { serial: v.serial },
      });
    },
  );

  it.each(placeholderSerials)('"%s" is refused as a placeholder', (serial) => {
    const d = checkDevice({
      serialNumber: serial,
      hardwareHash: hashOf({ serialNumber: serial, manufacturer: 'ASUS', model: 'PRIME' }),
      source: { kind: 'typed' },
    });
    expect(d.valid).toBe(false);
    expect(findingCodes(d)).toEqual(expect.arrayContaining([serial === '' ? 'SERIAL_MISSING' : 'SERIAL_PLACEHOLDER']));
  });
});

describe('kind 4: licence keys never travel', () => {
  it.each([
    ['the product key column', `${hp.serialNumber},${LICENCE_KEY},${hashOf(hp)},,`, 'productKey'],
    ['the group tag column', `${hp.serialNumber},,${hashOf(hp)},${LICENCE_KEY},`, 'groupTag'],
    ['the assigned user column', `${hp.serialNumber},,${hashOf(hp)},,${LICENCE_KEY}`, 'assignedUser'],
  ])('in %s: dropped with a finding, the row still read', (_where, row, field) => {
    const r = readHashFileBytes(
      Buffer.from(`Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User\r\n${row}\r\n`),
      'keys.csv',
    );
    expect(r.errors).toEqual([]);
    expect(r.devices[0]!.valid).toBe(true);
    expect(r.devices[0]!.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'LICENCE_KEY_DROPPED', params: expect.objectContaining({ field }) }),
      ]),
    );
    expect(JSON.stringify(r)).not.toContain(LICENCE_KEY);
  });

  it('typed as a serial or sent as a product key over the contract: dropped', () => {
    const d = checkDevice({
      serialNumber: LICENCE_KEY,
      productKey: LICENCE_KEY,
      hardwareHash: hashOf(hp),
      source: { kind: 'typed' },
    });
    expect(findingCodes(d)).toEqual(expect.arrayContaining(['LICENCE_KEY_DROPPED', 'SERIAL_MISSING']));
    expect(JSON.stringify(d)).not.toContain(LICENCE_KEY);
  });

  it('OA3.xml without <ProductKeyID>: the PKID of the hash (record 24) is the product key', () => {
    const xml = `<Key><ProductKey>${LICENCE_KEY}</ProductKey><HardwareHash>${hashOf(lenovo)}</HardwareHash></Key>`;
    const r = readHashFileBytes(Buffer.from(xml), 'OA3.xml');
    expect(r.devices[0]!.productKey).toBe(lenovo.productKeyId);
    expect(JSON.stringify(r)).not.toContain(LICENCE_KEY);
  });

  it('a queue written before this rule is scrubbed by the migration (product key, group tag, user)', () => {
    const dir = tmp();
    const db = new Database(path.join(dir, QUEUE_DB_FILE));
    db.exec(QUEUE_MIGRATIONS[0]!);
    db.pragma('user_version = 1');
    const insert = db.prepare(
      `INSERT INTO devices (id, serial, serial_key, hardware_hash, hash_summary, product_key, group_tag, assigned_user, source, captured_at, station_name, state, state_since) VALUES (?, ?, ?, 'x', '{"valid":true,"padded":false,"checksumOk":true,"macAddresses":[],"tpmEkPresent":false,"length":1,"findings":[]}', ?, ?, ?, '{"kind":"file"}', 0, 'B', 'queued', 0)`,
    );
    insert.run('a', 'S1', 'S1', LICENCE_KEY, 'Bench', '');
    insert.run('b', 'S2', 'S2', '3301234567890', `x ${LICENCE_KEY.toLowerCase()}`, `${LICENCE_KEY}`);
    db.close();
    const store = openSqliteQueueStore(dir);
    expect(store.getDevice('a')).toMatchObject({ groupTag: 'Bench' });
    expect(store.getDevice('a')!.productKey).toBeUndefined();
    expect(store.getDevice('b')).toMatchObject({ productKey: '3301234567890', groupTag: '', assignedUser: '' });
    store.close();
  });
});

function queueIn(dir: string) {
  const store = openSqliteQueueStore(dir);
  return {
    store,
    queue: new QueueService({
      store,
      clock: new ManualClock(),
      logger: silentLogger,
      stationName: 'BENCH-1',
      waitFor: () => 'registered',
    }),
  };
}

describe('kind 5: per-row Group Tag and Assigned User are kept unless the technician overrides them', () => {
  const rows = () => {
    const r = readHashFileBytes(
      Buffer.from(
        [
          'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User',
          `${hp.serialNumber},,${hashOf(hp)},Site-Osaka,ken@contoso.com`,
          `${lenovo.serialNumber},,${hashOf(lenovo)},,`,
        ].join('\r\n'),
      ),
      'reseller.csv',
    );
    return r.devices.map((d) => ({
      serialNumber: d.serialNumber,
      hardwareHash: d.hardwareHash,
      source: d.source,
      ...(d.groupTag ? { groupTag: d.groupTag } : {}),
      ...(d.assignedUser ? { assignedUser: d.assignedUser } : {}),
    }));
  };
  const tagsOf = (q: QueueService) =>
    q.listQueue({ offset: 0, limit: 10 }).rows.map((r) => [r.serialNumber, r.groupTag, r.assignedUser]);

  it.each([
    [
      'no override: the chosen tag and user fill only rows without their own',
      {},
      [
        [hp.serialNumber, 'Site-Osaka', 'ken@contoso.com'],
        [lenovo.serialNumber, 'Bench', 'amy@contoso.com'],
      ],
    ],
    [
      '"use this tag for every row"',
      { overrideGroupTag: true },
      [
        [hp.serialNumber, 'Bench', 'ken@contoso.com'],
        [lenovo.serialNumber, 'Bench', 'amy@contoso.com'],
      ],
    ],
    [
      'both overridden',
      { overrideGroupTag: true, overrideAssignedUser: true },
      [
        [hp.serialNumber, 'Bench', 'amy@contoso.com'],
        [lenovo.serialNumber, 'Bench', 'amy@contoso.com'],
      ],
    ],
  ] as const)('%s', (_name, flags, expected) => {
    const { store, queue } = queueIn(tmp());
    queue.queueDevices(rows(), { groupTag: 'Bench', assignedUser: 'amy@contoso.com', ...flags });
    expect(tagsOf(queue)).toEqual(expected);
    store.close();
  });
});

describe('kind 7: refused rows are kept as invalid records', () => {
  it('with file, line and reason; counted; in the report, not in the Intune CSV; surviving a reload; brought again, kept once', async () => {
    const dir = tmp();
    const read = await readHashFile(field('c23b_mixed_good_and_pkid_row.csv'));
    const refused = read.errors.map((e) => ({
      source: { kind: 'file' as const, path: read.path, line: e.line! },
      code: e.code,
      message: e.message,
      ...(e.params ? { params: e.params } : {}),
      serialNumber: String(e.params?.serial ?? ''),
    }));
    const devices = read.devices.map((d) => ({
      serialNumber: d.serialNumber,
      hardwareHash: d.hardwareHash,
      source: d.source,
    }));
    let { store, queue } = queueIn(dir);
    const r = queue.queueDevices(devices, { groupTag: 'Bench', refused });
    expect(r).toMatchObject({ queued: [expect.any(String)], refused: [expect.any(String)] });
    store.close();
    ({ store, queue } = queueIn(dir)); // a reload
    const page = queue.listQueue({ offset: 0, limit: 10 });
    expect(page.counts).toMatchObject({ queued: 1, invalid: 1 });
    const row = page.rows.find((x) => x.state === 'invalid')!;
    expect(row).toMatchObject({
      serialNumber: 'PFBPK001',
      errorName: 'CSV_PKID_ONLY',
      source: { kind: 'file', path: read.path, line: 3 },
      flags: ['refused'],
      advice: expect.stringContaining('needs the hash'),
    });
    expect(queue.getDevice(row.id).findings).toEqual([
      expect.objectContaining({ code: 'CSV_PKID_ONLY', params: { serial: 'PFBPK001' } }),
    ]);
    expect(queue.exportQueue('report')[0]!.content).toMatch(/PFBPK001,.*,invalid,.*CSV_PKID_ONLY/);
    expect(
      queue
        .exportQueue('intune')
        .map((f) => f.content)
        .join(''),
    ).not.toContain('PFBPK001');
    // Imported again: the same row of the same file is one record.
    const again = queue.queueDevices(devices, { groupTag: 'Bench', refused });
    expect(again.refused).toEqual([row.id]);
    expect(queue.listQueue({ offset: 0, limit: 10 }).total).toBe(2);
    store.close();
  });
});

describe('kind 8: formula-safe everywhere, by one rule', () => {
  const formulas = ['=HYPERLINK("http://x","y")', '+SUM(1)', '-2+3', '@SUM(A1)'];
  it.each(formulas)('typed or scanned serial %s is refused', (serial) => {
    const d = checkDevice({ serialNumber: serial, hardwareHash: hashOf(hp), source: { kind: 'typed' } });
    expect(d.valid).toBe(false);
    expect(findingCodes(d)).toContain('VALUE_FORMULA');
  });
  it.each(formulas)('an OA3.xml whose hash carries the serial %s is refused', (serial) => {
    const r = readHashFileBytes(
      Buffer.from(
        `<Key><HardwareHash>${hashOf({ serialNumber: serial, manufacturer: 'HP', model: 'X' })}</HardwareHash></Key>`,
      ),
      'OA3.xml',
    );
    expect(findingCodes(r.devices[0]!)).toContain('VALUE_FORMULA');
  });
  it.each(formulas)('a CSV row with the serial %s is refused', (serial) => {
    const r = readHashFileBytes(csv3(`"${serial.replaceAll('"', '""')}",,${hashOf(hp)}`), 'x.csv');
    expect(codes(r)).toEqual(['CSV_FORMULA']);
  });
  it('a user name typed with a formula lead is refused; the Intune CSV writer refuses such a field as a last guard', () => {
    const d = checkDevice({
      serialNumber: hp.serialNumber,
      assignedUser: '@evil',
      hardwareHash: hashOf(hp),
      source: { kind: 'typed' },
    });
    expect(findingCodes(d)).toContain('VALUE_FORMULA');
    const old = {
      id: 'x',
      serialNumber: '=HYPERLINK("http://x")',
      hardwareHash: hashOf(hp),
      groupTag: '',
      assignedUser: '',
      state: 'queued',
    } as unknown as DeviceRecord;
    expect(() => intuneCsvFiles([old])).toThrow(expect.objectContaining({ code: 'EXPORT_FORMULA_FIELD' }));
    // The report neutralises it instead (quoted with an apostrophe), so the device is still on paper.
    expect(
      reportCsvFile([
        {
          ...old,
          hash: { findings: [] },
          source: { kind: 'typed' },
          flags: [],
          capturedAt: 0,
          stateSince: 0,
        } as unknown as DeviceRecord,
      ]).content,
    ).toContain(`"'=HYPERLINK`);
  });
});

describe('kind 6: honest results of import --tenant sim (the training tenant over HTTPS, ×20 time)', () => {
  it('every field case: devices, refused rows and duplicates in --json, exit 1 for a refused row, the PKID sent and never a licence key', async () => {
    const dataDir = tmp();
    const sent: { serialNumber?: string | null; productKey?: string | null }[] = [];
    const stdout: string[] = [];
    const stderr: string[] = [];
    const cmd = makeImportCommand({
      io: { stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t) },
      dataDir: () => dataDir,
      clock: scaledClock(1),
      station: (o) =>
        createStation({ ...o, logger: silentLogger, serialPort: { readSerials: async () => ({ system: 'PF0TEST' }) } }),
      simulatedTenant: async () => {
        const clock = scaledClock(20);
        const sim = await startSimulatedTenant({ clock, timeScale: 20, scenario: 'training' });
        const importBatch = sim.model.importBatch.bind(sim.model);
        sim.model.importBatch = (inputs, overrides) => {
          sent.push(...inputs);
          return importBatch(inputs, overrides);
        };
        const training = trainingConnectionOf(sim);
        return {
          options: { clock, startTraining: async () => ({ ...training, close: async () => {} }) },
          close: () => sim.stop(),
        };
      },
    });
    const files = [
      'c02_configmgr_report.csv',
      'c03_partner_center_header.csv',
      'c08_vmware_serial_spaces.csv',
      'c10_concat_utf16_duplicates.csv',
      'c11_OA3_utf16_wrapped.xml',
      'c23b_mixed_good_and_pkid_row.csv',
    ].map(field);
    const code = await cmd([
      ...files,
      '--group-tag',
      'Bench',
      '--tenant',
      'sim',
      '--wait',
      'imported',
      '--json',
      '--timeout-s',
      '60',
    ]);
    const out = JSON.parse(stdout.join(''));
    expect(out.devices.map((d: { serialNumber: string; state: string }) => [d.serialNumber, d.state])).toEqual(
      [
        '5CG1230AB1',
        '5CG1230AB2',
        'PC0AB123',
        'VMware-56 4d 12 ab cd ef 01 23-45 67 89 ab cd ef 01 23',
        'PF4DUP01',
        'PF4DUP02',
        'PF5OA301',
        'PFBGOOD1',
      ].map((s) => [s, 'imported']),
    );
    expect(out.refused).toEqual([
      {
        file: field('c23b_mixed_good_and_pkid_row.csv'),
        line: 3,
        code: 'CSV_PKID_ONLY',
        reason: expect.stringContaining('needs the hash'),
      },
    ]);
    expect(out.duplicates).toEqual([
      { file: field('c10_concat_utf16_duplicates.csv'), line: 4, firstLine: 2, serialNumber: 'PF4DUP01' },
    ]);
    expect(out.files.map((f: { devices: number; refused: number }) => [f.devices, f.refused])).toEqual([
      [2, 0],
      [1, 0],
      [1, 0],
      [2, 0],
      [1, 0],
      [1, 1],
    ]);
    expect(code).toBe(1);
    expect(stderr.join('')).toContain('1 row was refused');
    // Sent exactly as reported (the VM's serial with its spaces) and with the PKID, never the licence key.
    expect(sent.find((s) => s.serialNumber?.startsWith('VMware'))?.serialNumber).toBe(
      'VMware-56 4d 12 ab cd ef 01 23-45 67 89 ab cd ef 01 23',
    );
    expect(sent.find((s) => s.serialNumber === 'PF5OA301')?.productKey).toBe('3301234567890');
    expect(sent).toHaveLength(8);
    const everything = [
      stdout.join(''),
      stderr.join(''),
      JSON.stringify(sent),
      fs.readFileSync(path.join(dataDir, 'tenants', 'sim-cli', QUEUE_DB_FILE)).toString('latin1'),
    ].join('\n');
    expect(everything).not.toContain('XXXXX-XXXXX-XXXXX');
  }, 60_000);

  it('--timeout-s is wall-clock seconds on the training tenant (not its ×20 service time)', async () => {
    const dataDir = tmp();
    const stdout: string[] = [];
    const cmd = makeImportCommand({
      io: { stdout: (t) => stdout.push(t), stderr: () => {} },
      dataDir: () => dataDir,
      clock: scaledClock(1),
      station: (o) =>
        createStation({ ...o, logger: silentLogger, serialPort: { readSerials: async () => ({ system: 'PF0TEST' }) } }),
      simulatedTenant: async () => {
        const { inProcessSimulatedTenant } = await import('../../src-main/cli/importCommand.ts');
        return inProcessSimulatedTenant();
      },
    });
    const started = performance.now();
    const code = await cmd([
      field('c03_partner_center_header.csv'),
      '--group-tag',
      'Bench',
      '--tenant',
      'sim',
      '--wait',
      'assigned',
      '--json',
      '--timeout-s',
      '3',
    ]);
    const seconds = (performance.now() - started) / 1000;
    // Assignment takes 480 s of service time (24 s here): the command stops after 3 real seconds, as it says.
    expect(seconds).toBeGreaterThanOrEqual(3);
    expect(seconds).toBeLessThan(15);
    expect(code).toBe(1);
    expect(JSON.parse(stdout.join('')).devices[0]).toMatchObject({
      state: 'timed-out',
      advice: expect.stringContaining('after 3 s'),
    });
  }, 60_000);
});

describe("import on the command line: per-row values, the hash's serial, per-file counts", () => {
  it("keeps a row's own tag unless --override-group-tag, takes the hash's serial with --use-hash-serial, counts own tags per file", async () => {
    const { FakeAutopilot } = await import('./queueFakes.ts');
    const { numeric } = await import('../fixtures/capture/fieldKinds.ts');
    const clock = scaledClock(5000);
    const dir = tmp();
    const reseller = path.join(dir, 'reseller.csv');
    fs.writeFileSync(
      reseller,
      [
        'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag',
        `${hp.serialNumber},,${hashOf(hp)},Site-Osaka`,
        `${lenovo.serialNumber},,${hashOf(lenovo)},`,
      ].join('\r\n'),
    );
    const excel = path.join(dir, 'saved-in-excel.csv');
    fs.writeFileSync(excel, `Device Serial Number,Windows Product ID,Hardware Hash\r\n123456,,${hashOf(numeric)}\r\n`);
    const run = async (dataDir: string, args: string[]) => {
      const port = new FakeAutopilot(clock); // a fresh tenant each run
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
      const code = await cmd([...args, '--wait', 'imported', '--json']);
      return { code, out: JSON.parse(stdout.join('')), stderr: stderr.join('') };
    };
    const kept = await run(tmp(), [reseller, excel, '--group-tag', 'Bench']);
    expect(
      kept.out.devices.map((d: { serialNumber: string; groupTag: string; state: string }) => [
        d.serialNumber,
        d.groupTag,
        d.state,
      ]),
    ).toEqual([
      [hp.serialNumber, 'Site-Osaka', 'imported'],
      [lenovo.serialNumber, 'Bench', 'imported'],
      ['123456', 'Bench', 'invalid'],
    ]);
    expect(kept.out.files.map((f: { ownGroupTag: number }) => f.ownGroupTag)).toEqual([1, 0]);
    expect(kept.code).toBe(1);

    const fixed = await run(tmp(), [
      reseller,
      excel,
      '--group-tag',
      'Bench',
      '--override-group-tag',
      '--use-hash-serial',
    ]);
    expect(
      fixed.out.devices.map((d: { serialNumber: string; groupTag: string; state: string }) => [
        d.serialNumber,
        d.groupTag,
        d.state,
      ]),
    ).toEqual([
      [hp.serialNumber, 'Bench', 'imported'],
      [lenovo.serialNumber, 'Bench', 'imported'],
      ['00123456', 'Bench', 'imported'],
    ]);
    expect(fixed.code).toBe(0);
  }, 60_000);
});

describe('the new readers stay bounded on hostile files', () => {
  it.each([
    [
      'a ConfigMgr report followed by 10 MB of empty lines',
      () => `Textbox1,Details_Table0_SerialNumber\n${'\n'.repeat(MAX_FILE_BYTES - 100)}`,
    ],
    [
      'a ConfigMgr report of two million refused rows',
      () =>
        `Textbox1,Details_Table0_SerialNumber\n${'Device Serial Number,Windows Product ID,Hardware Hash,a,,\n'.repeat(150_000)}`,
    ],
    [
      'a Partner Center file of 200,000 tuple rows',
      () => `Device serial number,Manufacturer name,Device model\n${'S1,LENOVO,X\n'.repeat(200_000)}`,
    ],
  ])('%s', (_name, make) => {
    const started = performance.now();
    const r = readHashFileBytes(Buffer.from(make()), 'hostile.csv');
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(r.devices.length + r.errors.length + (r.duplicates?.length ?? 0)).toBeLessThanOrEqual(10_001);
  });
});

describe('queueDevices through the contract (dispatcher + zod): refused rows and the override flag', () => {
  it('takes refused rows alone, refuses a malformed one, and applies the tag to every row only when told', async () => {
    const { createDispatcher } = await import('../../src-main/ipc/dispatch.ts');
    const { FakeAutopilot } = await import('./queueFakes.ts');
    const clock = scaledClock(5000);
    const s = createStation({
      host: 'browser',
      dataDir: tmp(),
      logger: silentLogger,
      clock,
      autopilot: new FakeAutopilot(clock),
      queue: { worker: false },
      serialPort: { readSerials: async () => ({ system: 'PF0TEST' }) },
    });
    try {
      const dispatch = createDispatcher(s.handlers, silentLogger);
      const refused = {
        source: { kind: 'file', path: 'pc.csv', line: 4, format: 'autopilot-csv' },
        code: 'CSV_TUPLE_ONLY',
        message: 'no hash',
        params: { serial: 'PFTU0003' },
        serialNumber: 'PFTU0003',
      };
      expect(await dispatch('queueDevices', { devices: [], refused: [refused] })).toMatchObject({
        ok: true,
        value: { queued: [], refused: [expect.any(String)] },
      });
      expect(
        await dispatch('queueDevices', { devices: [], refused: [{ ...refused, code: 'lower case; DROP TABLE' }] }),
      ).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID' } });
      expect(await dispatch('queueDevices', { devices: [], refused: [{ ...refused, extra: 1 }] })).toMatchObject({
        ok: false,
        error: { code: 'INPUT_INVALID' },
      });
      const own = {
        serialNumber: hp.serialNumber,
        hardwareHash: hashOf(hp),
        groupTag: 'Site-Osaka',
        source: { kind: 'file', path: 'r.csv', line: 2 },
      };
      const other = {
        serialNumber: lenovo.serialNumber,
        hardwareHash: hashOf(lenovo),
        groupTag: 'Site-Kobe',
        source: { kind: 'file', path: 'r.csv', line: 3 },
      };
      await dispatch('queueDevices', { devices: [own], groupTag: 'Bench' });
      await dispatch('queueDevices', { devices: [other], groupTag: 'Bench', overrideGroupTag: true });
      const rows = (await s.handlers.listQueue({ offset: 0, limit: 10 })).rows;
      expect(rows.map((r) => [r.serialNumber, r.groupTag, r.state])).toEqual([
        ['PFTU0003', '', 'invalid'],
        [hp.serialNumber, 'Site-Osaka', 'queued'],
        [lenovo.serialNumber, 'Bench', 'queued'],
      ]);
    } finally {
      await s.close();
    }
  });
});

describe('kind 2 (product key column): a PKID a spreadsheet turned into 3.30123E+12 is never sent as is', () => {
  it.each([
    ['the hash has its PKID: it replaces the damaged one', lenovo, lenovo.productKeyId],
    ['the hash has none: left out', hp, undefined],
  ])('%s', (_name, device, expected) => {
    const r = readHashFileBytes(csv3(`${device.serialNumber},3.30123E+12,${hashOf(device)}`), 'excel.csv');
    const d = r.devices[0]!;
    expect(d.valid).toBe(true);
    expect(d.productKey).toBe(expected);
    expect(findingCodes(d)).toContain('PRODUCT_KEY_SPREADSHEET_DAMAGE');
  });
});

describe('kind 8: a user name with a formula lead is refused by the contract too', () => {
  it.each(['=cmd@contoso.com', '+a@contoso.com', '-a@contoso.com'])('%s', async (user) => {
    const { userPrincipalName } = await import('../../src-main/contract/schemas.ts');
    expect(userPrincipalName.safeParse(user).success).toBe(false);
    expect(userPrincipalName.safeParse('aiko.tanaka@contoso.com').success).toBe(true);
  });
});

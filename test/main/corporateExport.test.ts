import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStation } from '../../src-main/app/createStation.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { makeExportCommand } from '../../src-main/cli/exportCommand.ts';
import { CORPORATE_CSV_MAX_ROWS, corporateCsvFiles } from '../../src-main/queue/corporateCsv.ts';
import { corporateIdentifierOf } from '../../src-main/queue/corporateIdentifier.ts';
import { REPORT_CSV_CORPORATE_COLUMNS, REPORT_CSV_HEADER, reportCsvFile } from '../../src-main/queue/exportCsv.ts';
import type { DeviceRecord } from '../../src-main/queue/queueStore.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'corp-export-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function record(
  serialNumber: string,
  hash: { manufacturer?: string; model?: string; serialNumber?: string },
): DeviceRecord {
  return {
    id: `id-${serialNumber}`,
    serialNumber,
    hardwareHash: 'T0E=',
    hash: {
      valid: true,
      padded: true,
      checksumOk: true,
      macAddresses: [],
      tpmEkPresent: false,
      length: 4000,
      findings: [],
      ...hash,
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
  };
}

describe('corporate identifier of a hash', () => {
  it('is the firmware strings exactly, and says which value is missing or cannot be carried', () => {
    expect(
      corporateIdentifierOf({ manufacturer: 'LENOVO', model: '20XW0026US ', serialNumber: 'PF2ABC' }),
    ).toMatchObject({ ok: true, identifier: 'LENOVO;20XW0026US ;PF2ABC', csvLine: 'LENOVO,20XW0026US ,PF2ABC' });
    expect(corporateIdentifierOf({ manufacturer: 'HP', serialNumber: 'X' })).toMatchObject({
      ok: false,
      code: 'CORP_MISSING_VALUES',
      params: { missing: 'model' },
    });
    expect(corporateIdentifierOf({ manufacturer: ' ', model: 'M' })).toMatchObject({
      ok: false,
      params: { missing: 'manufacturer, serial' },
    });
    // Graph's tuple is semicolon-delimited (Microsoft's reference): a comma is carried, a semicolon is not.
    expect(
      corporateIdentifierOf({
        manufacturer: 'Micro-Star International Co., Ltd.',
        model: 'MS-7C56',
        serialNumber: 'X',
      }),
    ).toMatchObject({ ok: true, identifier: 'Micro-Star International Co., Ltd.;MS-7C56;X' });
    expect(
      corporateIdentifierOf({ manufacturer: 'Dell Inc.', model: 'Latitude 7440; rev B', serialNumber: 'X' }),
    ).toMatchObject({ ok: false, code: 'CORP_VALUE_HAS_SEMICOLON', params: { fields: 'model' } });
  });
});

describe("admin centre's corporate identifier CSV", () => {
  it('exact bytes: manufacturer,model,serial per line, no header, CRLF, UTF-8 without BOM, values untouched', () => {
    const { files, skipped } = corporateCsvFiles([
      record('PF2ABC', { manufacturer: 'LENOVO', model: '20XW0026US', serialNumber: 'PF2ABC' }),
      record('5CG1', { manufacturer: 'HP', model: 'HP EliteBook 840 G8 Notebook PC', serialNumber: '5CG1' }),
      record('MÜ1', { manufacturer: 'Fujitsü', model: 'LIFEBOOK U9311 ', serialNumber: 'mü1' }),
      record('DUP', { manufacturer: 'lenovo', model: '20xw0026us', serialNumber: 'pf2abc' }),
      record('NOMODEL', { manufacturer: 'HP', serialNumber: 'NOMODEL' }),
      record('COMMA', { manufacturer: 'Dell Inc.', model: 'A,B', serialNumber: 'COMMA' }),
      record('QUOTE', { manufacturer: 'Dell "Inc"', model: 'A', serialNumber: 'QUOTE' }),
    ]);
    expect(files).toHaveLength(1);
    expect(files[0]!.name).toBe('corporate-identifiers.csv');
    expect(files[0]!.rows).toBe(3);
    const expected = Buffer.concat([
      Buffer.from('LENOVO,20XW0026US,PF2ABC\r\n', 'ascii'),
      Buffer.from('HP,HP EliteBook 840 G8 Notebook PC,5CG1\r\n', 'ascii'),
      Buffer.from([0x46, 0x75, 0x6a, 0x69, 0x74, 0x73, 0xc3, 0xbc]), // Fujitsü in UTF-8
      Buffer.from(',LIFEBOOK U9311 ,m', 'ascii'),
      Buffer.from([0xc3, 0xbc]),
      Buffer.from('1\r\n', 'ascii'),
    ]);
    expect(Buffer.from(files[0]!.content, 'utf8').equals(expected)).toBe(true);
    expect(skipped.map((s) => [s.serialNumber, s.code])).toEqual([
      ['DUP', 'CORP_DUPLICATE'],
      ['NOMODEL', 'CORP_MISSING_VALUES'],
      ['COMMA', 'CORP_VALUE_HAS_COMMA'],
      ['QUOTE', 'CORP_VALUE_NOT_WRITABLE'],
    ]);
  });

  it('splits at 5,000 lines per file', () => {
    const many = Array.from({ length: CORPORATE_CSV_MAX_ROWS + 2 }, (_, i) =>
      record(`S${i}`, { manufacturer: 'M', model: 'X', serialNumber: `S${i}` }),
    );
    const { files } = corporateCsvFiles(many);
    expect(files.map((f) => [f.name, f.rows])).toEqual([
      ['corporate-identifiers-001.csv', 5000],
      ['corporate-identifiers-002.csv', 2],
    ]);
    expect(files[1]!.content).toBe('M,X,S5000\r\nM,X,S5001\r\n');
  });

  it('export --format corporate writes the file from the queue and names the devices left out', async () => {
    const dataDir = tmp();
    const out = tmp();
    const make = (o: Parameters<typeof createStation>[0]) =>
      createStation({ ...o, logger: silentLogger, serialPort: { readSerials: async () => ({ system: 'PF0TEST' }) } });
    const seed = make({ host: 'browser', dataDir, logger: silentLogger, queue: { worker: false } });
    await seed.handlers.queueDevices({
      devices: [
        {
          serialNumber: 'CX1',
          hardwareHash: encodeHardwareHash({ serialNumber: 'CX1', manufacturer: 'Contoso', model: 'Bench 1' }),
          source: { kind: 'typed' },
        },
        {
          serialNumber: 'CX2',
          hardwareHash: encodeHardwareHash({ serialNumber: 'CX2', manufacturer: 'Contoso' }),
          source: { kind: 'typed' },
        },
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
    expect(await cmd(['--format', 'corporate', '--out', out, '--json'])).toBe(0);
    const { files } = JSON.parse(stdout.join('')) as { files: { path: string; rows: number }[] };
    expect(files).toHaveLength(1);
    expect(fs.readFileSync(files[0]!.path)).toEqual(Buffer.from('Contoso,Bench 1,CX1\r\n'));
    expect(stderr.join('')).toContain('CX2: not in the corporate identifier file (CORP_MISSING_VALUES missing=model)');
  });

  it("the report carries each device's corporate registration at the end of its line, only when asked", () => {
    const devices = [
      record('R1', { manufacturer: 'M', model: 'X', serialNumber: 'R1' }),
      record('R2', { manufacturer: 'M', serialNumber: 'R2' }),
    ];
    expect(reportCsvFile(devices).content.split('\r\n')[0]).toBe(REPORT_CSV_HEADER);
    const f = reportCsvFile(devices, undefined, (id) =>
      id === 'id-R1'
        ? { state: 'done', identifier: 'M,X,R1', requestIds: ['a', 'b'] }
        : { state: 'unavailable', errorCode: 'CORP_MISSING_VALUES', requestIds: [] },
    );
    const lines = f.content.trimEnd().split('\r\n');
    expect(lines[0]).toBe(`${REPORT_CSV_HEADER},${REPORT_CSV_CORPORATE_COLUMNS}`);
    expect(lines[1]!.endsWith(',done,"M,X,R1",,a b')).toBe(true);
    expect(lines[2]!.endsWith(',unavailable,,CORP_MISSING_VALUES,')).toBe(true);
  });
});

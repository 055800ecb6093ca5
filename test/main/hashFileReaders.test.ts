import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES } from '../../src-main/contract/limits.ts';
import { readHashFile, readHashFileBytes } from '../../src-main/capture/readHashFile.ts';
import { badFixtures, devices, goodFixtures, hashOf } from '../fixtures/capture/fixtureFiles.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtureDir = path.join(here, '..', 'fixtures', 'capture');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'capture-readers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const allCodes = (r: Awaited<ReturnType<typeof readHashFile>>) => [
  ...r.errors.map((e) => e.code),
  ...r.devices.flatMap((d) => d.findings.map((f) => f.code)),
];

describe('good hash files of every real shape', () => {
  it.each(goodFixtures().map((f) => [f.name, f] as const))('%s', async (_name, fixture) => {
    const file = path.join(fixtureDir, 'good', fixture.name);
    // The committed file is exactly what make-fixtures.ts writes today.
    expect(readFileSync(file).equals(fixture.bytes)).toBe(true);
    const r = await readHashFile(file);
    expect(r.path).toBe(file);
    expect(r.format).toBe(fixture.format);
    expect(r.encoding).toBe(fixture.encoding);
    expect(r.errors.map((e) => e.code)).toEqual(fixture.errors ?? []);
    expect(r.devices.map((d) => d.serialNumber)).toEqual(fixture.serials);
    for (const d of r.devices) {
      expect(d.valid, JSON.stringify(d.findings)).toBe(true);
      expect(d.hash.checksumOk).toBe(true);
      expect(d.hardwareHash.length % 4).toBe(0); // padded for upload
      expect(d.source).toMatchObject({ kind: 'file', path: file, format: fixture.format });
      expect(d.source.line).toBeGreaterThan(0);
    }
    if (fixture.groupTags) expect(r.devices.map((d) => d.groupTag)).toEqual(fixture.groupTags);
    if (fixture.users) expect(r.devices.map((d) => d.assignedUser)).toEqual(fixture.users);
  });

  it('reads what the hash says about the device and the OA3 product key fields', () => {
    const good = goodFixtures().find((f) => f.name === 'oa3-utf16le-bom.xml')!;
    const r = readHashFileBytes(good.bytes, 'OA3.xml');
    expect(r.devices).toHaveLength(1);
    const d = r.devices[0]!;
    // The PKID is the product key; the licence key in <ProductKey> is never kept (docs/domain.md#oa3xml).
    expect(d).toMatchObject({
      serialNumber: 'PF3ABC12',
      productKey: '3306201234567',
      valid: true,
      source: { kind: 'file', line: 7, format: 'oa3-xml' },
    });
    expect(JSON.stringify(r)).not.toContain('NPPR9-FWDCX');
    expect(d.hash).toMatchObject({
      manufacturer: 'LENOVO',
      model: '21CB004LUS',
      productKeyId: '3306201234567',
      serialNumber: 'PF3ABC12',
      length: 4000,
    });
    expect(d.hardwareHash).toBe(hashOf(devices.lenovo));
  });

  it('keeps line numbers of concatenated files and reads the right columns under each header', () => {
    const r = readHashFileBytes(
      goodFixtures().find((f) => f.name === 'concatenated-repeated-headers.csv')!.bytes,
      'all.csv',
    );
    expect(r.devices.map((d) => d.source.line)).toEqual([2, 4, 6]);
    expect(r.devices[0]!.hash.padded).toBe(true);
  });

  it('gives the serial from the label precedence and stops a hash from another device (OA3.xml has no serial of its own)', () => {
    const good = goodFixtures().find((f) => f.name === 'oa3-utf8-declaration.xml')!;
    const same = readHashFileBytes(good.bytes, 'OA3.xml', { serialNumber: 'pf3abc12' });
    expect(same.devices[0]!.valid).toBe(true);
    const other = readHashFileBytes(good.bytes, 'OA3.xml', { serialNumber: 'OTHER999' });
    expect(other.devices[0]!).toMatchObject({ serialNumber: 'OTHER999', valid: false });
    expect(other.devices[0]!.findings.map((f) => f.code)).toContain('SERIAL_MISMATCH');
  });

  it('warns when the report and its hash disagree on the ProductKeyID', () => {
    const xml = `<Key><ProductKeyID>9999999999999</ProductKeyID><HardwareHash>${hashOf(devices.lenovo)}</HardwareHash></Key>`;
    const d = readHashFileBytes(Buffer.from(xml), 'OA3.xml').devices[0]!;
    expect(d.findings).toEqual([expect.objectContaining({ code: 'PRODUCT_KEY_ID_MISMATCH', severity: 'warning' })]);
    expect(d.valid).toBe(true);
  });

  it('picks the reader by content, not by file name', () => {
    const csv = goodFixtures().find((f) => f.name === 'gwai-ps7-utf8-4col.csv')!.bytes;
    const xml = goodFixtures().find((f) => f.name === 'oa3-utf8-bom.xml')!.bytes;
    expect(readHashFileBytes(csv, 'OA3.xml').format).toBe('autopilot-csv');
    expect(readHashFileBytes(xml, 'hashes.csv').format).toBe('oa3-xml');
    expect(readHashFileBytes(xml, 'no-extension').devices).toHaveLength(1);
  });
});

describe('bad input corpus: every file refused or flagged with its own code, nothing crashes or hangs', () => {
  const bad = badFixtures();
  it('has at least 30 malformed files committed', () => {
    expect(bad.length).toBeGreaterThanOrEqual(30);
  });

  it.each(bad.map((f) => [f.name, f.code, f] as const))('%s → %s', async (_name, code, fixture) => {
    const file = path.join(fixtureDir, 'bad', fixture.name);
    expect(readFileSync(file).equals(fixture.bytes)).toBe(true);
    const started = performance.now();
    const r = await readHashFile(file);
    // Bounded: the largest fixture is read in well under a second even on a busy two-core machine.
    expect(performance.now() - started).toBeLessThan(5000);
    expect(allCodes(r)).toContain(code);
    const error = r.errors.find((e) => e.code === code);
    if (error) {
      expect(error.message.length).toBeGreaterThan(20);
      if (fixture.line !== undefined) expect(error.line).toBe(fixture.line);
      expect(r.devices).toHaveLength(fixture.goodRows ?? 0);
      for (const d of r.devices) expect(d.valid).toBe(true);
    } else {
      // A broken hash or serial is a device the technician sees, marked invalid, never dropped silently.
      expect(r.errors).toEqual([]);
      expect(r.devices).toHaveLength(1);
      expect(r.devices[0]!.valid).toBe(false);
    }
  });

  it('refuses a file over 10 MB without reading it (generated here, not committed)', async () => {
    const big = path.join(tmp, 'huge.csv');
    const header = Buffer.from('Device Serial Number,Windows Product ID,Hardware Hash\r\n');
    writeFileSync(big, Buffer.concat([header, Buffer.alloc(MAX_FILE_BYTES + 1 - header.length, 0x41)]));
    const r = await readHashFile(big);
    expect(r.errors.map((e) => e.code)).toEqual(['FILE_TOO_LARGE']);
    expect(r.errors[0]!.message).toContain('10.0 MB');
    expect(readHashFileBytes(Buffer.alloc(MAX_FILE_BYTES + 1, 0x41), 'x.csv').errors.map((e) => e.code)).toEqual([
      'FILE_TOO_LARGE',
    ]);
  });

  it('reads a file of exactly 10 MB (the limit is inclusive) and reports its rows', async () => {
    const row = `${devices.hp.serialNumber},,${hashOf(devices.hp)}\r\n`;
    const header = 'Device Serial Number,Windows Product ID,Hardware Hash\r\n';
    const rows = Math.floor((MAX_FILE_BYTES - header.length) / row.length);
    const text = header + row.repeat(rows);
    const padded = text + ' '.repeat(MAX_FILE_BYTES - text.length);
    const r = readHashFileBytes(Buffer.from(padded), 'big.csv');
    expect(r.errors).toEqual([]);
    // The same device on every row: read once, every other row reported as its duplicate.
    expect(r.devices).toHaveLength(1);
    expect(r.duplicates).toHaveLength(rows - 1);
  });

  it.each([
    [
      '10 MB of empty lines',
      () => `Device Serial Number,Windows Product ID,Hardware Hash\n${'\n'.repeat(MAX_FILE_BYTES - 100)}`,
      'CSV_NO_ROWS',
    ],
    [
      'two million tiny rows',
      () => `Device Serial Number,Windows Product ID,Hardware Hash\n${'a,,x\n'.repeat(2_000_000)}`,
      'FILE_TOO_MANY_ROWS',
    ],
    [
      'two million refused rows',
      () => `Device Serial Number,Windows Product ID,Hardware Hash\r${'a,b\r'.repeat(2_000_000)}`,
      'FILE_TOO_MANY_ROWS',
    ],
    ['an XML file over 1 MB', () => `<Key>${'<b>x</b>'.repeat(140_000)}</Key>`, 'FILE_TOO_LARGE'],
    [
      '30,000 hashes in one XML',
      () => `<Key>${'<HardwareHash>T0E=</HardwareHash>'.repeat(30_000)}</Key>`,
      'FILE_TOO_MANY_ROWS',
    ],
    ['an XML nested 100,000 deep', () => `${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`, 'XML_MALFORMED'],
  ] as const)('bounds time and memory on %s (generated here)', (_name, make, code) => {
    const r = readHashFileBytes(Buffer.from(make()), 'hostile');
    expect(r.devices.length + r.errors.length + (r.duplicates?.length ?? 0)).toBeLessThanOrEqual(10_001);
    expect(r.errors.map((e) => e.code)).toContain(code);
  });

  it('refuses folders, missing files and pipes without opening them', async () => {
    expect((await readHashFile(tmp)).errors.map((e) => e.code)).toEqual(['FILE_UNREADABLE']);
    expect((await readHashFile(path.join(tmp, 'nope.csv'))).errors.map((e) => e.code)).toEqual(['FILE_NOT_FOUND']);
    if (process.platform !== 'win32') {
      const fifo = path.join(tmp, 'fifo.csv');
      execFileSync('mkfifo', [fifo]);
      expect((await readHashFile(fifo)).errors.map((e) => e.code)).toEqual(['FILE_UNREADABLE']);
    }
  });
});

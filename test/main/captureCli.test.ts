import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const good = (name: string) => path.join('test', 'fixtures', 'capture', 'good', name);
const bad = (name: string) => path.join('test', 'fixtures', 'capture', 'bad', name);

/** The real binary as users run it: `node bin/autopilot-station.js ...` in a child process. */
function station(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/autopilot-station.js', ...args],
      { cwd: root, timeout: 60_000, env: { ...process.env, STATION_LOG_LEVEL: 'error' } },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

const FILE_KEYS = ['path', 'format', 'encoding', 'devices', 'errors', 'duplicates'];
const DEVICE_KEYS = ['serialNumber', 'productKey', 'groupTag', 'assignedUser', 'hardwareHash'];
const HASH_KEYS = ['valid', 'padded', 'checksumOk', 'serialNumber', 'manufacturer', 'model', 'length', 'findings'];

/** The shape src-main/cli/captureOutput.ts fixes for `inspect --json`: exactly these keys, no more, no fewer. */
function expectDesignShape(file: Record<string, unknown>) {
  expect(Object.keys(file)).toEqual(FILE_KEYS);
  for (const d of file.devices as Record<string, unknown>[]) {
    expect(Object.keys(d)).toEqual(DEVICE_KEYS);
    const h = d.hardwareHash as Record<string, unknown>;
    expect(Object.keys(h)).toEqual(HASH_KEYS);
    for (const f of h.findings as Record<string, unknown>[])
      expect(Object.keys(f)).toEqual(['code', 'severity', 'message']);
  }
  for (const e of file.errors as Record<string, unknown>[]) expect(Object.keys(e)).toEqual(['code', 'line', 'message']);
}

describe('autopilot-station inspect / capture (child process)', () => {
  it('inspect --json: good files in the documented exact shape, exit 0', async () => {
    const r = await station('inspect', good('admin-centre-5col.csv'), good('oa3-utf16le-bom.xml'), '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['files']);
    out.files.forEach(expectDesignShape);
    expect(out.files[0]).toMatchObject({
      path: good('admin-centre-5col.csv'),
      format: 'autopilot-csv',
      encoding: 'utf-8',
      errors: [],
    });
    expect(out.files[0].devices[0]).toEqual({
      serialNumber: 'PF3ABC12',
      productKey: null,
      groupTag: 'Bench-A',
      assignedUser: 'aiko.tanaka@contoso.com',
      hardwareHash: {
        valid: true,
        padded: false,
        checksumOk: true,
        serialNumber: 'PF3ABC12',
        manufacturer: 'LENOVO',
        model: '21CB004LUS',
        length: 4000,
        findings: [],
      },
    });
    expect(out.files[1]).toMatchObject({
      format: 'oa3-xml',
      encoding: 'utf-16le-bom',
      devices: [{ serialNumber: 'PF3ABC12', productKey: '3306201234567' }],
    });
    // The licence key of <ProductKey> is never shown (docs/domain.md#oa3xml).
    expect(r.stdout).not.toContain('NPPR9-FWDCX');
  });

  it('inspect --json: an unreadable file, a refused row and an invalid device give exit 1 and one line on stderr', async () => {
    const r = await station(
      'inspect',
      '--json',
      bad('empty.csv'),
      bad('formula-serial.csv'),
      bad('hash-checksum-mismatch.csv'),
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('1 of 2 devices is invalid');
    expect(r.stderr).toContain('could not be read (FILE_EMPTY)');
    const out = JSON.parse(r.stdout);
    out.files.forEach(expectDesignShape);
    expect(out.files[0]).toEqual({
      path: bad('empty.csv'),
      format: null,
      encoding: null,
      devices: [],
      errors: [{ code: 'FILE_EMPTY', line: null, message: expect.any(String) }],
      duplicates: [],
    });
    expect(out.files[1].errors).toEqual([
      { code: 'CSV_FORMULA', line: 3, message: expect.stringContaining('formula') },
    ]);
    expect(out.files[1].devices.map((d: { hardwareHash: { valid: boolean } }) => d.hardwareHash.valid)).toEqual([true]);
    expect(out.files[2].devices[0].hardwareHash).toMatchObject({
      valid: false,
      checksumOk: false,
      findings: [{ code: 'HASH_CHECKSUM_MISMATCH', severity: 'error' }],
    });
  });

  it('inspect --serial checks the file against the label; human text without --json', async () => {
    const wrong = await station('inspect', good('oa3-utf8-bom.xml'), '--serial', 'JX0K2M3');
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('INVALID JX0K2M3');
    expect(wrong.stdout).toContain('SERIAL_MISMATCH');
    const right = await station('inspect', good('oa3-utf8-bom.xml'), '--serial', 'PF3ABC12');
    expect(right.code).toBe(0);
    expect(right.stdout).toMatch(/OK +PF3ABC12 +LENOVO 21CB004LUS/);
  });

  it('refuses bad usage with a one-line reason', async () => {
    for (const args of [['inspect'], ['inspect', 'x.csv', '--bogus'], ['inspect', 'x.csv', '--serial', '=1+1\u0007']]) {
      const r = await station(...args);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });

  it('capture --hash-file --serial --json: this machine as one device record', async () => {
    const r = await station(
      'capture',
      '--hash-file',
      good('concatenated-repeated-headers.csv'),
      '--serial',
      'JX0K2M3',
      '--json',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['serial', 'needsSerial', 'device', 'files']);
    expect(out.serial).toEqual({ value: 'JX0K2M3', source: 'typed', problem: null, raw: null });
    expect(out.needsSerial).toBe(false);
    expect(out.device).toMatchObject({
      serialNumber: 'JX0K2M3',
      groupTag: 'Warehouse',
      hardwareHash: { valid: true, manufacturer: 'Dell Inc.' },
    });
    out.files.forEach(expectDesignShape);
  });

  it("capture --json reads this machine's serial through systeminformation and says when it needs one", async () => {
    const r = await station('capture', '--json');
    const out = JSON.parse(r.stdout);
    if (out.serial.value === null) {
      expect(out.needsSerial).toBe(true);
      expect(['placeholder', 'virtual-machine', 'missing']).toContain(out.serial.problem);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('no usable serial number');
    } else {
      expect(out.needsSerial).toBe(false);
      expect(['system', 'bios', 'chassis']).toContain(out.serial.source);
      expect(r.code).toBe(0);
    }
    expect(out.device).toBeNull();
    expect(out.files).toEqual([]);
  });
});

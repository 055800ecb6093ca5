import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createStation } from '../../src-main/app/createStation.ts';
import { calls } from '../../src-main/contract/contract.ts';
import { checkDevice, useHashSerial } from '../../src-main/capture/checkDevice.ts';
import { chooseAnsi, decodeFileText } from '../../src-main/capture/decodeFileText.ts';
import { readHashFileBytes } from '../../src-main/capture/readHashFile.ts';
import { makeImportCommand } from '../../src-main/cli/importCommand.ts';
import { makeInspectCommand } from '../../src-main/cli/inspectCommand.ts';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { startSimulatedTenant } from '../../src-main/sim/startSimulatedTenant.ts';
import { trainingConnectionOf } from '../../src-main/tenant/trainingTenant.ts';
import { devices, hashOf } from '../fixtures/capture/fixtureFiles.ts';
import { shiftJis } from '../fixtures/capture/shiftJis.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const good = (name: string) => path.join(here, '..', 'fixtures', 'capture', 'good', name);
const latin1 = (s: string) => Buffer.from(s, 'latin1');
const HEADER5 = 'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function cli() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { io: { stdout: (t: string) => stdout.push(t), stderr: (t: string) => stderr.push(t) }, stdout, stderr };
}

describe('encodings are decided by validity, not guessed', () => {
  it.each([
    ['東京本社', 'shift_jis'],
    ['テスト', 'shift_jis'], // katakana only: every second byte is ASCII
    ['大阪支店 ﾃｽﾄ', 'shift_jis'],
    ['ＰＦ１２３', 'shift_jis'],
  ] as const)('%s saved by Excel on a Japanese PC is %s', (text, encoding) => {
    const read = decodeFileText(shiftJis(`${HEADER5}\r\nPF1,,AAAA,${text},\r\n`));
    expect(read.ok && read.encoding).toBe(encoding);
    expect(read.ok && read.text).toContain(text);
  });

  it.each(['Büro', 'Straße', 'Häuser', 'Inscrição', 'Señor', 'Müller-Lüdenscheidt', 'naïve façade', 'Ärger'])(
    '%s saved on a Western PC stays windows-1252',
    (text) => {
      const read = decodeFileText(latin1(`${HEADER5}\r\nPF1,,AAAA,${text},\r\n`));
      expect(read.ok && read.encoding).toBe('windows-1252');
      expect(read.ok && read.text).toContain(text);
    },
  );

  it('bytes that are neither UTF-8, Shift_JIS nor windows-1252 are named as such', () => {
    // 0x81 0x20: a Shift_JIS lead byte without a trail, and a byte windows-1252 leaves undefined.
    const read = decodeFileText(Buffer.from([...Buffer.from(`${HEADER5}\r\nPF1,,A,`), 0x81, 0x20, 0x0d, 0x0a]));
    expect(read.ok).toBe(false);
    expect(!read.ok && read.error.code).toBe('FILE_BAD_ENCODING');
    expect(!read.ok && read.error.message).toContain('Shift_JIS');
    expect(chooseAnsi(Uint8Array.of(0x81, 0x20))).toBeUndefined();
  });
});

describe('inspect names the encoding and reads Japanese files whole', () => {
  it('a Shift_JIS Excel CSV: encoding in JSON and text, Japanese group tags and the assigned user kept', async () => {
    const json = cli();
    expect(
      await makeInspectCommand(json.io)([
        good('excel-shift-jis-japanese-tags.csv'),
        good('excel-shift-jis-japanese-header.csv'),
        '--json',
      ]),
    ).toBe(0);
    const out = JSON.parse(json.stdout.join(''));
    expect(out.files.map((f: { encoding: string }) => f.encoding)).toEqual(['shift_jis', 'shift_jis']);
    expect(
      out.files[0].devices.map((d: { serialNumber: string; groupTag: string; assignedUser: string }) => [
        d.serialNumber,
        d.groupTag,
        d.assignedUser,
      ]),
    ).toEqual([
      ['PF3ABC12', '東京本社', 'aiko.tanaka@contoso.com'],
      ['N5NRKD001234567', '大阪支店 テスト', null],
    ]);
    // The localized header (デバイスのシリアル番号, ハードウェア ハッシュ, グループ タグ,
    // 割り当てユーザー) is read, not refused.
    expect(out.files[1].errors).toEqual([]);
    expect(out.files[1].devices[0]).toMatchObject({
      serialNumber: '5CG1234XYZ',
      groupTag: 'テスト',
      assignedUser: 'kenji.sato@contoso.com',
      hardwareHash: { valid: true },
    });
    expect(json.stderr.join('')).toBe('');

    const text = cli();
    expect(await makeInspectCommand(text.io)([good('excel-shift-jis-japanese-tags.csv')])).toBe(0);
    expect(text.stdout.join('')).toContain('Shift_JIS (CP932');
    expect(text.stdout.join('')).toContain('group tag 東京本社');
  });

  it("a full-width serial is the label's serial, noted; the --serial option folds it too", async () => {
    const json = cli();
    expect(await makeInspectCommand(json.io)([good('full-width-serial-utf8bom.csv'), '--json'])).toBe(0);
    const device = JSON.parse(json.stdout.join('')).files[0].devices[0];
    expect(device.serialNumber).toBe('PF3ABC12');
    expect(device.hardwareHash.valid).toBe(true);
    expect(device.hardwareHash.findings).toEqual([
      expect.objectContaining({
        code: 'SERIAL_WIDTH_FOLDED',
        severity: 'info',
        message: expect.stringContaining('"PF3ABC12"'),
      }),
    ]);
    // Never blamed on the encoding.
    expect(JSON.stringify(device)).not.toMatch(/encoding/i);

    const typed = cli();
    expect(
      await makeInspectCommand(typed.io)([good('oa3-utf8-declaration.xml'), '--serial', 'ｐｆ３ａｂｃ１２', '--json']),
    ).toBe(0);
    expect(JSON.parse(typed.stdout.join('')).files[0].devices[0]).toMatchObject({
      serialNumber: 'pf3abc12',
      hardwareHash: { valid: true },
    });
  });

  it("a serial no label has is kept as a device with the hash's serial offered, as for spreadsheet damage", () => {
    const r = readHashFileBytes(Buffer.from(`${HEADER5}\r\nシリアル１２,,${hashOf(devices.hp)},,\r\n`), 'typed.csv');
    expect(r.errors).toEqual([]);
    const d = r.devices[0]!;
    expect(d.valid).toBe(false);
    expect(d.findings).toEqual([
      expect.objectContaining({
        code: 'SERIAL_NOT_ON_LABEL',
        params: { serial: 'シリアル12', hashSerial: '5CG1234XYZ' },
      }),
    ]);
    const fixed = useHashSerial(d);
    expect(fixed).toMatchObject({ serialNumber: '5CG1234XYZ', valid: true });
    // A hash from another device is never waved through this way.
    const other = checkDevice({
      serialNumber: 'ＪＸ０Ｋ２Ｍ３',
      hardwareHash: hashOf(devices.hp),
      source: { kind: 'typed' },
    });
    expect(other.findings.map((f) => f.code)).toEqual(['SERIAL_WIDTH_FOLDED', 'SERIAL_MISMATCH']);
    expect(useHashSerial(other)).toBe(other);
  });

  it("a device with such a serial passes the contract and is kept in the queue as invalid, with the hash's serial in its words", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jp-bench-'));
    dirs.push(dataDir);
    const read = readHashFileBytes(
      Buffer.from(`${HEADER5}\r\nシリアル１２,,${hashOf(devices.hp)},東京本社,\r\n`),
      'typed.csv',
    );
    const d = read.devices[0]!;
    // What the import screen sends, parsed by the contract as the station's IPC does.
    const input = calls.queueDevices.input.parse({
      devices: [{ serialNumber: d.serialNumber, hardwareHash: d.hardwareHash, groupTag: d.groupTag, source: d.source }],
    });
    const station = createStation({ host: 'browser', dataDir, logger: silentLogger, queue: { worker: false } });
    try {
      const result = await station.handlers.queueDevices(input);
      expect(result.invalid).toHaveLength(1);
      const row = (await station.handlers.listQueue({ offset: 0, limit: 10 })).rows[0]!;
      expect(row).toMatchObject({
        serialNumber: 'シリアル12',
        groupTag: '東京本社',
        state: 'invalid',
        errorName: 'SERIAL_NOT_ON_LABEL',
        errorParams: { serial: 'シリアル12', hashSerial: '5CG1234XYZ' },
      });
    } finally {
      await station.close();
    }
  });

  it('PowerShell Export-Csv without -NoTypeInformation is read; another object type is named', async () => {
    const json = cli();
    expect(await makeInspectCommand(json.io)([good('export-csv-type-line.csv'), '--json'])).toBe(0);
    expect(JSON.parse(json.stdout.join('')).files[0]).toMatchObject({
      format: 'autopilot-csv',
      errors: [],
      devices: [{ serialNumber: 'JX0K2M3', groupTag: 'Warehouse' }],
    });
    const other = readHashFileBytes(
      Buffer.from('#TYPE System.IO.FileInfo\r\n"Name","Length","Hardware Hash"\r\n"a.txt","12","x"\r\n'),
      'files.csv',
    );
    expect(other.errors).toEqual([
      expect.objectContaining({
        code: 'CSV_UNKNOWN_HEADER',
        line: 2,
        params: { psType: 'System.IO.FileInfo' },
        message: expect.stringContaining('PowerShell Export-Csv output of System.IO.FileInfo objects'),
      }),
    ]);
  });

  it('a group tag too long says too long, with its length, and the other rows still read', () => {
    const r = readHashFileBytes(
      Buffer.from(
        `${HEADER5}\r\n${devices.hp.serialNumber},,${hashOf(devices.hp)},${'東'.repeat(600)},\r\n${devices.dell.serialNumber},,${hashOf(devices.dell)},東京本社,\r\n`,
      ),
      'long.csv',
    );
    expect(r.errors).toEqual([
      expect.objectContaining({
        code: 'CSV_GROUP_TAG_TOO_LONG',
        line: 2,
        params: { line: 2, length: 600, max: 512, serial: expect.any(String) },
        message: expect.stringContaining('too long: 600 characters'),
      }),
    ]);
    expect(r.errors[0]!.message).not.toMatch(/character Intune group tags cannot carry/);
    expect(r.devices.map((d) => [d.serialNumber, d.groupTag])).toEqual([[devices.dell.serialNumber, '東京本社']]);
  });
});

describe('import against the simulated tenant', () => {
  it('the command line judges --group-tag by the same rule: a Japanese tag is taken, a long one is "too long"', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jp-bench-'));
    dirs.push(dataDir);
    const { io } = cli();
    const cmd = makeImportCommand({
      io,
      dataDir: () => dataDir,
      clock: scaledClock(1),
      station: (o) => createStation({ ...o, logger: silentLogger }),
      simulatedTenant: async () => {
        throw new Error('not reached');
      },
    });
    await expect(
      cmd([good('export-csv-type-line.csv'), '--group-tag', '東'.repeat(513), '--tenant', 'sim']),
    ).rejects.toThrow(/too long: 513 characters, Intune takes at most 512/);
    await expect(
      cmd([good('export-csv-type-line.csv'), '--group-tag', 'Tokyo,Osaka', '--tenant', 'sim']),
    ).rejects.toThrow(/is not valid: cannot contain a comma ','\.$/);
  });

  it('the Japanese files reach Intune with their Japanese group tags, users and label serials', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jp-bench-'));
    dirs.push(dataDir);
    const sent: {
      serialNumber?: string | null;
      groupTag?: string | null;
      assignedUserPrincipalName?: string | null;
    }[] = [];
    const { io, stdout, stderr } = cli();
    const cmd = makeImportCommand({
      io,
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
      'excel-shift-jis-japanese-tags.csv',
      'excel-shift-jis-japanese-header.csv',
      'full-width-serial-utf8bom.csv',
      'export-csv-type-line.csv',
    ].map(good);
    const code = await cmd([
      ...files,
      '--group-tag',
      '大阪支店',
      '--tenant',
      'sim',
      '--wait',
      'imported',
      '--json',
      '--timeout-s',
      '60',
    ]);
    expect(stderr.join('')).not.toMatch(/damaged|encoding/i);
    const out = JSON.parse(stdout.join(''));
    // The full-width PF3ABC12 is the same device as the Shift_JIS file's first row: one device, sent once.
    expect(
      out.devices.map((d: { serialNumber: string; state: string; groupTag: string }) => [
        d.serialNumber,
        d.state,
        d.groupTag,
      ]),
    ).toEqual([
      ['PF3ABC12', 'imported', '東京本社'],
      ['N5NRKD001234567', 'imported', '大阪支店 テスト'],
      ['5CG1234XYZ', 'imported', 'テスト'],
      ['JX0K2M3', 'imported', 'Warehouse'],
    ]);
    expect(code).toBe(0);
    expect(sent.map((s) => [s.serialNumber, s.groupTag, s.assignedUserPrincipalName ?? null])).toEqual([
      ['PF3ABC12', '東京本社', 'aiko.tanaka@contoso.com'],
      ['N5NRKD001234567', '大阪支店 テスト', null],
      ['5CG1234XYZ', 'テスト', 'kenji.sato@contoso.com'],
      ['JX0K2M3', 'Warehouse', null],
    ]);
  }, 90_000);
});

import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStation } from '../../src-main/app/createStation.ts';
import { DiagnosticsService, diagnosticsFileName } from '../../src-main/app/diagnostics.ts';
import { createLogger, silentLogger } from '../../src-main/kernel/logger.ts';
import { createRotatingLogFile } from '../../src-main/app/rotatingLogFile.ts';
import { writeZip } from '../../src-main/kernel/writeZip.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { StationError } from '../../src-main/contract/errors.ts';
import type { DiagnosticsFile } from '../../src-main/contract/types.ts';
import { createDispatcher } from '../../src-main/ipc/dispatch.ts';
import { readZip } from '../support/readZip.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'station-diag-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const hasUnzip = spawnSync('unzip', ['-v']).status === 0;

describe('writeZip', () => {
  const entries = [
    { name: 'README.txt', data: 'hello\r\n' },
    { name: 'logs/station.log', data: '{"a":1}\n'.repeat(5000) },
    { name: 'random.bin', data: randomBytes(4096) },
    { name: 'empty.json', data: '' },
    { name: '日本語/ファイル.txt', data: 'テスト' },
  ];
  const zip = writeZip(entries);

  it('writes an archive whose central directory, CRCs and sizes read back exactly', () => {
    const files = readZip(zip);
    expect([...files.keys()]).toEqual(entries.map((e) => e.name));
    for (const e of entries) expect(files.get(e.name)).toEqual(Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data));
    // Text compresses; random bytes are stored rather than grown.
    expect(zip.length).toBeLessThan(4096 + 40_000 / 10);
  });

  it.skipIf(!hasUnzip)('is accepted by Info-ZIP unzip (integrity test and extraction)', () => {
    const file = path.join(root, 'check.zip');
    fs.writeFileSync(file, zip);
    expect(execFileSync('unzip', ['-t', file], { encoding: 'utf8' })).toMatch(/No errors detected/);
    expect(execFileSync('unzip', ['-p', file, 'README.txt'], { encoding: 'utf8' })).toBe('hello\r\n');
  });
});

describe('save diagnostics', () => {
  const hash = encodeHardwareHash({
    serialNumber: 'PF3ABCDE',
    manufacturer: 'LENOVO',
    model: 'ThinkPad T14',
    totalBytes: 2999,
  });
  const token = `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${randomBytes(400).toString('base64url')}.${randomBytes(200).toString('base64url')}`;
  const refresh = `1.AXkA${randomBytes(700).toString('base64url')}`;
  const requestId = randomUUID();

  function logsWithHostileLines(dir: string) {
    const file = createRotatingLogFile({ dir, maxBytes: 3_000, maxFiles: 4 });
    const logger = createLogger(file.sink);
    for (let i = 0; i < 30; i++)
      logger.info(`import batch ${i}`, {
        'request-id': requestId,
        accessToken: token,
        hash,
        note: `refresh ${refresh}`,
      });
    file.close();
    return file;
  }

  it('zips the logs and every section, without tokens or full hashes, and records what was unavailable', async () => {
    const logs = logsWithHostileLines(path.join(root, 'logs-a'));
    // A section that carries secrets by mistake: the bundle must still be clean.
    const rows = Array.from({ length: 120 }, (_, i) => ({
      id: `d${i}`,
      serialNumber: `SN${i}`,
      state: 'failed',
      hardwareHash: hash,
      requestIds: [requestId],
      debug: `Bearer ${token}`,
    }));
    const service = new DiagnosticsService({
      logFiles: logs.files,
      sections: {
        'queue.json': async () => rows,
        'settings.json': async () => ({
          tenantId: 'contoso.onmicrosoft.com',
          clientSecret: 'Xy78Q~aB3dE5fG7hJ9kL1mN3pQ5rS7tV9wX1yZ3a',
          locked: ['tenantId'],
        }),
        'sign-in.json': async () => {
          throw new StationError({
            code: 'NOT_AVAILABLE',
            message: 'Sign-in is not available in this version of the station yet.',
          });
        },
      },
      stationName: 'BENCH 07/Tokyo',
      version: '0.1.0',
      now: () => Date.parse('2026-11-23T10:05:07.123Z'),
    });
    const result = await service.save();
    expect(result.fileName).toBe('autopilot-station-diagnostics-BENCH_07_Tokyo-20261123-100507Z.zip');
    expect(result.path).toBeUndefined();
    const zip = Buffer.from(result.base64!, 'base64');
    expect(zip.length).toBe(result.bytes);
    const files = readZip(zip);
    const logNames = logs.files().map((f) => `logs/${path.basename(f)}`);
    expect(logNames.length).toBeGreaterThan(1);
    expect([...files.keys()].sort()).toEqual(
      ['README.txt', ...logNames, 'manifest.json', 'queue.json', 'settings.json'].sort(),
    );

    const everything = [...files.values()].map((b) => b.toString('utf8')).join('\n');
    for (const secret of [hash, token, refresh, 'Xy78Q~aB3dE5fG7hJ9kL1mN3pQ5rS7tV9wX1yZ3a']) {
      for (let i = 8; i + 24 <= secret.length; i += 8) expect(everything.includes(secret.slice(i, i + 24))).toBe(false);
    }
    expect(everything).toContain(requestId);

    const queue = JSON.parse(files.get('queue.json')!.toString('utf8')) as { id: string; hardwareHash: string }[];
    expect(queue).toHaveLength(120);
    expect(queue[119]!.id).toBe('d119');
    expect(queue[0]!.hardwareHash).toBe('[redacted]');

    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(manifest.unavailable['sign-in.json']).toMatch(/^NOT_AVAILABLE: /);
    expect(manifest.files).toContain('logs/station.log');
  });

  it('writes the zip to the output folder when one is given (Electron: the Desktop)', async () => {
    const out = path.join(root, 'desktop');
    const service = new DiagnosticsService({
      logFiles: () => [],
      sections: {},
      outputDir: out,
      stationName: '',
      version: '0.1.0',
      now: () => 0,
    });
    const result = await service.save();
    expect(result.path).toBe(path.join(out, diagnosticsFileName('', new Date(0))));
    expect(result.base64).toBeUndefined();
    expect(fs.statSync(result.path!).size).toBe(result.bytes);
    expect([...readZip(fs.readFileSync(result.path!)).keys()]).toEqual(['README.txt', 'manifest.json']);
  });

  it('is a contract call wired in createStation: browser mode gets bytes, Electron a file path', async () => {
    const logs = logsWithHostileLines(path.join(root, 'logs-b'));
    const browser = createStation({
      host: 'browser',
      dataDir: path.join(root, 'data-b'),
      logger: silentLogger,
      logFiles: logs.files,
    });
    const r = await createDispatcher(browser.handlers, silentLogger)('saveDiagnostics', {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const files = readZip(Buffer.from((r.value as DiagnosticsFile).base64!, 'base64'));
    expect(files.has('station.json')).toBe(true);
    expect(files.has('logs/station.log')).toBe(true);
    expect(files.get('logs/station.log')!.toString('utf8')).not.toContain(hash.slice(8, 40));
    await browser.close();

    const dir = path.join(root, 'electron-out');
    const electron = createStation({
      host: 'electron',
      dataDir: path.join(root, 'data-e'),
      logger: silentLogger,
      diagnosticsDir: dir,
    });
    const e = await createDispatcher(electron.handlers, silentLogger)('saveDiagnostics', {});
    expect(e.ok && (e.value as DiagnosticsFile).path?.startsWith(dir)).toBe(true);
    await electron.close();
  });
});

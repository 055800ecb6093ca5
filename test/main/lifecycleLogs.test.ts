/**
 * Logs in every mode and diagnostics as fresh snapshots: browser mode and the CLI log to the same
 * rotating JSON files in the data folder; each "save diagnostics" reads the queue again; sign-in.json
 * names the configured method. Real files, real SQLite, the diagnostics zip read back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStation } from '../../src-main/app/createStation.ts';
import { openDataDirLog } from '../../src-main/app/dataDirLog.ts';
import { makeExportCommand } from '../../src-main/cli/exportCommand.ts';
import { readZip } from '../support/readZip.ts';
import { hashFor } from './queueFakes.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lifecycle-logs-'));
  dirs.push(d);
  return d;
};
const dev = (serialNumber: string) => ({
  serialNumber,
  hardwareHash: hashFor(serialNumber),
  source: { kind: 'typed' as const },
});

describe('logs and diagnostics in every mode', () => {
  it('browser mode: the log is in the data folder and in every diagnostics zip, and each zip is a fresh snapshot', async () => {
    const dataDir = tmp();
    const logs = openDataDirLog(dataDir, { stderrLevel: false });
    const s = createStation({
      host: 'browser',
      dataDir,
      logger: logs.logger,
      logFiles: logs.files,
      queue: { worker: false },
      serialPort: { readSerials: async () => ({ system: 'PF0TEST' }) },
    });
    await s.handlers.queueDevices({ devices: [dev('D1')], groupTag: 'Lab' });
    const read = async () => {
      const zip = await s.handlers.saveDiagnostics({});
      return readZip(Buffer.from(zip.base64!, 'base64'));
    };
    const first = await read();
    expect((JSON.parse(first.get('queue.json')!.toString()) as unknown[]).length).toBe(1);
    await s.handlers.queueDevices({ devices: [dev('D2')], groupTag: 'Lab' });
    const second = await read();
    expect(
      (JSON.parse(second.get('queue.json')!.toString()) as { serialNumber: string }[])
        .map((r) => r.serialNumber)
        .sort(),
    ).toEqual(['D1', 'D2']);
    expect(second.get('logs/station.log')!.toString()).toMatch(/Opened the queue of this tenant/);
    expect(fs.existsSync(path.join(dataDir, 'logs', 'station.log'))).toBe(true);
    expect(JSON.parse(second.get('sign-in.json')!.toString())).toMatchObject({
      configuredMethod: expect.stringMatching(/^training/),
    });
    await s.handlers.updateSettings({
      patch: { tenantId: '8a1f4c2e-0b3d-4e5f-9a6b-7c8d9e0f1a2b', authMode: 'device-code' },
    });
    const third = await read();
    expect(JSON.parse(third.get('sign-in.json')!.toString())).toMatchObject({ configuredMethod: 'device-code' });
    // The new tenant's queue, not the training one.
    expect(JSON.parse(third.get('queue.json')!.toString())).toEqual([]);
    await s.close();
    logs.close();
  });

  it('the command line writes the same rotating log in the data folder', async () => {
    const dataDir = tmp();
    const out = tmp();
    const make = (o: Parameters<typeof createStation>[0]) =>
      createStation({ ...o, serialPort: { readSerials: async () => ({ system: 'PF0TEST' }) } });
    const cmd = makeExportCommand({
      io: { stdout: () => {}, stderr: () => {} },
      dataDir: () => dataDir,
      station: make,
    });
    await cmd(['--format', 'report', '--out', out]);
    const log = fs.readFileSync(path.join(dataDir, 'logs', 'station.log'), 'utf8');
    expect(
      log
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { message: string }).message),
    ).toContain('Opened the queue of this tenant');
  });
});

/**
 * `import --tenant sim` has its own queue (tenants/sim-cli), apart from the app's training queue and
 * any real tenant's, and takes over the queue earlier versions kept in <dataDir>/training once.
 * The real command against the in-process simulated tenant over HTTPS.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src-main/kernel/clock.ts';
import { createStation } from '../../src-main/app/createStation.ts';
import { inProcessSimulatedTenant, makeImportCommand } from '../../src-main/cli/importCommand.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { openSqliteQueueStore, QUEUE_DB_FILE } from '../../src-main/queue/sqliteQueueStore.ts';
import { tenantQueueDir } from '../../src-main/queue/tenantQueues.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('import --tenant sim', () => {
  it("queues into tenants/sim-cli, never into the training or a real tenant's queue, after moving the old CLI queue there", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-sim-'));
    dirs.push(dataDir);
    // An earlier version's CLI queue, with one device in it.
    const old = openSqliteQueueStore(path.join(dataDir, 'training'));
    old.close();
    const csv = path.join(dataDir, 'devices.csv');
    fs.writeFileSync(
      csv,
      `Device Serial Number,Windows Product ID,Hardware Hash\r\nSIMCLI01,,${encodeHardwareHash({ serialNumber: 'SIMCLI01', manufacturer: 'LENOVO', model: '21CB004LUS' })}\r\n`,
    );
    const out: string[] = [];
    const cmd = makeImportCommand({
      io: { stdout: (t) => out.push(t), stderr: () => {} },
      dataDir: () => dataDir,
      station: createStation,
      clock: systemClock,
      simulatedTenant: inProcessSimulatedTenant,
    });
    expect(await cmd([csv, '--group-tag', 'Training', '--tenant', 'sim', '--wait', 'imported', '--json'])).toBe(0);
    expect((JSON.parse(out.join('')) as { devices: { serialNumber: string; state: string }[] }).devices).toEqual([
      expect.objectContaining({ serialNumber: 'SIMCLI01', state: 'imported' }),
    ]);
    expect(fs.existsSync(path.join(dataDir, 'training', QUEUE_DB_FILE))).toBe(false);
    const store = openSqliteQueueStore(tenantQueueDir(dataDir, 'sim-cli'));
    expect(store.listDevices({ offset: 0, limit: 10 }).rows.map((d) => d.serialNumber)).toEqual(['SIMCLI01']);
    store.close();
    expect(fs.existsSync(tenantQueueDir(dataDir, 'training'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'logs', 'station.log'))).toBe(true);
  }, 60_000);
});

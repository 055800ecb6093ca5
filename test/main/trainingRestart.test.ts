/**
 * Work resumes after any restart, in training mode too: a station in training mode (its own simulated
 * tenant in the same process, kept in the data folder) is SIGKILLed at random points and restarted;
 * every device reaches its final state, none is imported twice, none is stuck, and service time never
 * runs backwards across the restarts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { openSqliteQueueStore } from '../../src-main/queue/sqliteQueueStore.ts';
import { tenantQueueDir, TRAINING_SLUG } from '../../src-main/queue/tenantQueues.ts';
import { TRAINING_TENANT_FILE } from '../../src-main/sim/trainingTenantState.ts';
import { mulberry32, runCrashChild, type ChildRun } from './queueCrashSupport.ts';
import { tmpDir } from './queueSimSupport.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('training mode across restarts', () => {
  it('a training station SIGKILLed mid-import and mid-registration finishes every device once, after restarts', async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
    const random = mulberry32(seed);
    const dataDir = tmpDir('training-restart-');
    dirs.push(dataDir);
    const serials = Array.from({ length: 20 }, (_, i) => `TR${String(i).padStart(3, '0')}`);
    const devices = serials.map((serialNumber) => ({
      serialNumber,
      hardwareHash: encodeHardwareHash({ serialNumber, manufacturer: 'Contoso', model: 'Restart 1' }),
    }));
    const base = { dataDir, timeScale: 100, origin: Date.now(), batchSize: 5, groupTag: 'Training', devices };
    const runs: ChildRun[] = [];
    const statesAtKills: string[][] = [];
    const statesNow = () => {
      const store = openSqliteQueueStore(tenantQueueDir(dataDir, TRAINING_SLUG));
      try {
        return store.listDevices({ offset: 0, limit: 100 }).rows.map((d) => d.state);
      } catch {
        return []; // the station is creating it
      } finally {
        store.close();
      }
    };
    for (let i = 0; i < 7; i++) {
      // A kill with a POST in flight, then one while devices are imported and waiting for registration,
      // then kills at random moments. The mid-registration kill comes second, not last: a restarted station
      // resumes its clock ahead of the saved service time, where the tenant has finished processing
      // every record it holds, so a run after a restart can take the whole queue to registered within
      // the random delay (most of which the first run spends starting the training tenant).
      // The first two wait for a state on disk (a delay alone can outlast a fast run's whole job), so
      // two kills always land in the work.
      const midRegistration = i === 1;
      const killAfter = i >= 2 && i < 4 ? Math.round(300 + random() * 1200) : undefined;
      const killWhen = midRegistration
        ? () => statesNow().includes('imported')
        : i === 0
          ? () => statesNow().includes('importing')
          : undefined;
      const run = await runCrashChild({ ...base, queueOnStart: i === 0 }, killAfter, 90_000, killWhen);
      runs.push(run);
      if (run.code === 0) break;
      if (!run.killed)
        throw new Error(
          `child failed by itself (exit ${run.code}, seed ${seed}): ${run.stdout.slice(-500)} ${run.stderr.slice(-2000)}`,
        );
      const store = openSqliteQueueStore(tenantQueueDir(dataDir, TRAINING_SLUG));
      statesAtKills.push([...new Set(store.listDevices({ offset: 0, limit: 100 }).rows.map((d) => d.state))].sort());
      store.close();
    }
    const last = runs.at(-1)!;
    expect(last.code, `seed ${seed}: ${last.stderr.slice(-1500)}`).toBe(0);
    console.info(
      JSON.stringify({
        seed,
        runs: runs.length,
        kills: runs.filter((r) => r.killed).length,
        statesAtKills,
        lastWorkMs: last.workMs,
      }),
    );
    expect(runs.filter((r) => r.killed).length).toBeGreaterThanOrEqual(2);
    expect(
      statesAtKills.some((s) => s.includes('imported')),
      `seed ${seed}: ${JSON.stringify(statesAtKills)}`,
    ).toBe(true);

    // The training tenant on disk: each serial accepted by the import action exactly once.
    const saved = JSON.parse(
      fs.readFileSync(path.join(tenantQueueDir(dataDir, TRAINING_SLUG), TRAINING_TENANT_FILE), 'utf8'),
    ) as {
      model: { importsPerSerial: [string, number][]; registrations: { serialNumber: string }[]; imported: unknown[] };
    };
    const imports = Object.fromEntries(saved.model.importsPerSerial);
    expect(Object.keys(imports).sort()).toEqual(serials);
    expect(
      Object.entries(imports).filter(([, n]) => n !== 1),
      `seed ${seed}`,
    ).toEqual([]);
    expect(saved.model.registrations.filter((r) => serials.includes(r.serialNumber))).toHaveLength(20);
    expect(saved.model.imported, 'imported records cleaned up').toEqual([]);

    const store = openSqliteQueueStore(tenantQueueDir(dataDir, TRAINING_SLUG));
    const rows = store.listDevices({ offset: 0, limit: 100 }).rows;
    expect(rows.map((d) => d.serialNumber).sort()).toEqual(serials);
    expect(rows.filter((d) => d.state !== 'registered').map((d) => [d.serialNumber, d.state])).toEqual([]);
    expect(store.openBatches()).toEqual([]);
    // Service time never ran backwards: each device's history is in order.
    for (const d of rows) {
      const at = store.events(d.id).map((e) => e.at);
      expect(at, d.serialNumber).toEqual([...at].sort((a, b) => a - b));
    }
    store.close();
  }, 240_000);
});

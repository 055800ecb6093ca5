import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { TRAINING_SLUG, tenantQueueDir } from '../../src-main/queue/tenantQueues.ts';
import { openSqliteQueueStore } from '../../src-main/queue/sqliteQueueStore.ts';
import type { RealTenantInput } from '../../src-main/sim/simScenario.ts';
import { mulberry32, runCrashChild, type ChildRun } from './queueCrashSupport.ts';
import { hashFor } from './queueFakes.ts';
import { startSim, tmpDir, trainingOf } from './queueSimSupport.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('crash safety against the simulated tenant', () => {
  it(
    'a station SIGKILLed at random points and restarted loses no device and imports none twice',
    () => crashRun('off', 6),
    240_000,
  );

  // importId rewritten, $select failing, lagging lists…: a crash with the POST in flight is reconciled by serial.
  it('the same on a tenant that behaves like real ones (realistic preset)', () => crashRun('realistic', 4), 240_000);
});

async function crashRun(realTenant: RealTenantInput, maxKills: number): Promise<void> {
  {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
    const random = mulberry32(seed);
    const sim = await startSim({ timeScale: 50, realTenant });
    // Slow import answers widen the window between "POST sent" and "answer recorded".
    sim.injectFault({ kind: 'slow', probability: 1, pathContains: '/import', method: 'POST', delayMs: 20_000 });
    const dataDir = tmpDir('queue-crash-');
    dirs.push(dataDir);
    const serials = Array.from({ length: 40 }, (_, i) => `CR${String(i).padStart(3, '0')}`);
    const base = {
      dataDir,
      training: trainingOf(sim),
      timeScale: 50,
      batchSize: 8,
      groupTag: 'Crash',
      devices: serials.map((s) => ({ serialNumber: s, hardwareHash: hashFor(s) })),
    };
    const runs: ChildRun[] = [];
    // The short version of bench/crash.bench.ts: a few kills, then starts that run to the end.
    for (let i = 0; i < maxKills + 2; i++) {
      // A killed run dies when the n-th request of its own reaches the tenant (n from 1 to 6: a token
      // request, a POST whose answer is delayed, a poll, a delete…). Counting the station's requests
      // rather than milliseconds keeps every kill inside the work however fast or loaded the machine
      // is: the whole job takes more than 40 requests (40 deletes alone), so the kills cannot run out of work.
      const killAt = i < maxKills ? 1 + Math.floor(random() * 6) : undefined;
      const before = sim.requestLog.received;
      const killWhen = killAt === undefined ? undefined : () => sim.requestLog.received - before >= killAt;
      // Only the first start queues: what later starts work on must come from disk (a lost device fails the run).
      const run = await runCrashChild(
        { ...base, origin: sim.clock.now(), originRealMs: Date.now(), queueOnStart: i === 0 },
        undefined,
        90_000,
        killWhen,
      );
      runs.push(run);
      if (run.code === 0) break;
      if (!run.killed)
        throw new Error(
          `child failed by itself (exit ${run.code}, seed ${seed}): ${run.stdout.slice(-500)} ${run.stderr.slice(-2000)}`,
        );
    }
    const last = runs.at(-1)!;
    expect(last.code, `seed ${seed}: ${last.stderr.slice(-1500)}`).toBe(0);
    const kills = runs.filter((r) => r.killed).length;
    const reconciled = runs.reduce((n, r) => n + (r.stderr.match(/reconciled a batch/g)?.length ?? 0), 0);
    console.info(
      JSON.stringify({
        realTenant,
        seed,
        runs: runs.length,
        kills,
        reconciledBatches: reconciled,
        importPosts: sim.requestLog.count({ method: 'POST', pathContains: '/import' }),
      }),
    );
    expect(kills).toBe(maxKills);

    // Each serial was imported exactly once, whatever the kills.
    const counts = sim.requestLog.importCounts();
    expect(Object.keys(counts).sort()).toEqual(serials);
    expect(
      Object.entries(counts).filter(([, n]) => n !== 1),
      `seed ${seed}`,
    ).toEqual([]);
    // Every device is in the queue, registered, once; every batch is closed; the tenant holds no leftovers.
    const store = openSqliteQueueStore(tenantQueueDir(dataDir, TRAINING_SLUG));
    const devices = store.listDevices({ offset: 0, limit: 1000 }).rows;
    expect(devices.map((d) => d.serialNumber).sort()).toEqual(serials);
    expect(devices.filter((d) => d.state !== 'registered').map((d) => [d.serialNumber, d.state])).toEqual([]);
    expect(store.openBatches()).toEqual([]);
    for (const d of devices) expect(store.events(d.id).some((e) => e.toState === 'registered')).toBe(true);
    // Each device's registration, by the id the service gave back (the list may lag behind on a real tenant).
    expect(
      devices
        .filter((d) => !d.deviceRegistrationId || !sim.model.getRegistration(d.deviceRegistrationId))
        .map((d) => d.serialNumber),
    ).toEqual([]);
    store.close();
    expect(sim.model.listImported().map((r) => r.serialNumber)).toEqual([]);
    await sim.stop();
  }
}

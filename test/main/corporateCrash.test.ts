import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteCorporateStore } from '../../src-main/queue/sqliteCorporateStore.ts';
import { openSqliteQueueStore } from '../../src-main/queue/sqliteQueueStore.ts';
import { corporateModelOf } from '../../src-main/sim/CorporateIdentityModel.ts';
import { mulberry32, runCrashChild, type ChildRun } from './queueCrashSupport.ts';
import { hashFor } from './queueFakes.ts';
import { startSim, tmpDir, trainingOf } from './queueSimSupport.ts';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'corporateCrashChild.ts');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('both registrations under crashes', () => {
  it('a station registering both ways, SIGKILLed at random and restarted: both final, nothing posted twice', async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
    const random = mulberry32(seed);
    const sim = await startSim({ timeScale: 50 });
    // Slow answers widen the window between "request sent" and "answer recorded", on both paths.
    sim.injectFault({
      kind: 'slow',
      probability: 1,
      pathContains: 'importDeviceIdentityList',
      method: 'POST',
      delayMs: 60_000,
    });
    sim.injectFault({ kind: 'slow', probability: 1, pathContains: '/import', method: 'POST', delayMs: 10_000 });
    const dataDir = tmpDir('corp-crash-');
    dirs.push(dataDir);
    const serials = Array.from({ length: 16 }, (_, i) => `CC${String(i).padStart(3, '0')}`);
    const base = {
      dataDir,
      training: trainingOf(sim),
      timeScale: 50,
      batchSize: 4,
      groupTag: 'Crash',
      devices: serials.map((s) => ({ serialNumber: s, hardwareHash: hashFor(s) })),
    };
    const runs: ChildRun[] = [];
    for (let i = 0; i < 6; i++) {
      // Killed on the n-th request of its own to reach the tenant (n from 1 to 4), not after a delay:
      // the job takes more than 16 requests (16 deletes alone), so four kills always land in the work.
      const killAt = i < 4 ? 1 + Math.floor(random() * 4) : undefined;
      const before = sim.requestLog.received;
      const killWhen = killAt === undefined ? undefined : () => sim.requestLog.received - before >= killAt;
      const run = await runCrashChild(
        { ...base, origin: sim.clock.now(), originRealMs: Date.now(), queueOnStart: i === 0 },
        undefined,
        90_000,
        killWhen,
        CHILD,
      );
      runs.push(run);
      if (run.code === 0) break;
      if (!run.killed)
        throw new Error(
          `child failed by itself (exit ${run.code}, seed ${seed}): ${run.stdout.slice(-500)} ${run.stderr.slice(-2000)}`,
        );
    }
    expect(runs.at(-1)!.code, `seed ${seed}: ${runs.at(-1)!.stderr.slice(-1500)}`).toBe(0);
    const kills = runs.filter((r) => r.killed).length;
    const reconciled = runs.reduce((n, r) => n + (r.stderr.match(/reconciled corporate identifiers/g)?.length ?? 0), 0);
    console.info(
      JSON.stringify({
        seed,
        runs: runs.length,
        kills,
        reconciledCorporate: reconciled,
        corporatePosts: sim.requestLog.count({ method: 'POST', pathContains: 'importDeviceIdentityList' }),
      }),
    );
    expect(kills).toBe(4);

    // Every identifier posted exactly once, every hash imported exactly once.
    const posts = corporateModelOf(sim.model, sim.clock).postsPerIdentifier;
    expect([...posts.keys()].sort(), `seed ${seed}`).toEqual(serials.map((s) => `Contoso;Bench 1;${s}`));
    expect(
      [...posts.entries()].filter(([, n]) => n !== 1),
      `seed ${seed}`,
    ).toEqual([]);
    expect(
      Object.entries(sim.requestLog.importCounts()).filter(([, n]) => n !== 1),
      `seed ${seed}`,
    ).toEqual([]);
    // Both registrations final for every device, in the queue on disk.
    const queue = openSqliteQueueStore(dataDir);
    const corporate = openSqliteCorporateStore(queue.file);
    const devices = queue.listDevices({ offset: 0, limit: 100 }).rows;
    expect(
      devices
        .map((d) => [d.serialNumber, d.state, corporate.get(d.id)!.state])
        .filter(([, a, c]) => a !== 'registered' || c !== 'done'),
    ).toEqual([]);
    corporate.close();
    queue.close();
    await sim.stop();
  }, 240_000);
});

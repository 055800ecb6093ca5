import { describe, expect, it } from 'vitest';
import { maxInWindow, runFaultScenario, type FaultRunReport } from './queueFaultRun.ts';

/** Short fault runs (the full ones are bench/faults.bench.ts). A failing run replays with FAULT_SEED. */
const seed = Number(process.env.FAULT_SEED ?? Date.now() % 100_000);

function expectRightOutcome(r: FaultRunReport, why: string): void {
  // Every device in the state it should be in, not merely settled.
  expect(r.settled, why).toBe(true);
  expect(r.wrong, why).toEqual([]);
  expect(r.final).toEqual(r.expected);
  expect(r.groupTagNotFixed, why).toEqual([]);
  // Imported once each (the one refused at home never), and nothing of ours left in the tenant.
  expect(r.importedTwice, why).toEqual([]);
  expect(r.importMismatch, why).toEqual([]);
  expect(r.leftoverImportedRecords, why).toBe(0);
  // Never over Intune's per-app limits in any 20 s window, and never throttled by the tenant itself.
  expect(r.window.maxWrites, why).toBeLessThanOrEqual(r.window.limitWrites);
  expect(r.window.maxAll, why).toBeLessThanOrEqual(r.window.limitAll);
  expect(r.received429.byTenantLimit, why).toBe(0);
}

const brief = (r: FaultRunReport) => ({
  seed: r.seed,
  devices: r.devices,
  realMs: r.realMs,
  graphRequests: r.graphRequests,
  faultsFired: r.faultsFired,
  retries: r.retries,
  window: r.window,
});

describe('queue under injected faults against the simulated tenant', () => {
  it('counts the busiest window the way the limit is defined (20 s, half-open)', () => {
    expect(maxInWindow([], 20_000)).toBe(0);
    expect(maxInWindow([0, 19_999, 20_000, 39_999], 20_000)).toBe(2);
    expect(maxInWindow([5, 1, 3, 30_000, 30_001, 30_002, 49_999], 20_000)).toBe(4);
  });

  it('429 storms, 5xx, resets, lost and slow answers, token expiry: every device ends in its right state, once', async () => {
    const r = await runFaultScenario({ devices: 60, seed, batchSize: 20, limitMs: 60_000 });
    const why = `seed ${seed} (replay with FAULT_SEED=${seed}): ${JSON.stringify(r)}`;
    console.info(JSON.stringify(brief(r)));
    // The faults did happen: a run without them proves nothing.
    for (const kind of ['429', '500', '502', '503', 'reset', 'drop-answer', 'slow', 'expire-tokens'])
      expect(r.faultsFired[kind] ?? 0, `${kind}; ${why}`).toBeGreaterThan(0);
    expect(r.received429.injected, why).toBeGreaterThanOrEqual(10);
    expect(r.expected).toEqual({
      'failed 802': 1,
      'failed 808': 1,
      'already-registered 806': 1,
      invalid: 1,
      registered: 56,
    });
    expectRightOutcome(r, why);
  }, 90_000);

  it('keeps within the per-app budget when a burst of clean-up writes meets faults', async () => {
    // 150 records deleted at once, at a time scale where the station's pace, not the sim's latency,
    // sets the rate: without the budget this run goes over 100 writes in 20 s.
    const r = await runFaultScenario({
      devices: 150,
      seed,
      batchSize: 150,
      timeScale: 15,
      processingS: 5,
      registrationS: 5,
      intensity: 0.5,
      storms: false,
      limitMs: 60_000,
    });
    const why = `seed ${seed} (replay with FAULT_SEED=${seed}): ${JSON.stringify(r)}`;
    console.info(JSON.stringify(brief(r)));
    expect(r.graphWrites, why).toBeGreaterThan(r.window.limitWrites);
    expectRightOutcome(r, why);
  }, 90_000);
});

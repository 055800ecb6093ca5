/**
 * Fault benchmark: the fuller version of test/main/queueFaults.test.ts, two runs against the
 * simulated tenant over HTTPS (real worker, Graph client and msal-node):
 *
 *  - mix:    DEVICES devices (default 300) while the tenant injects 429 storms (three bursts plus 3%
 *            of requests), 500/502/503, connection resets, lost answers, slow answers and token
 *            expiry; among them devices that must end in error (802, 808, 806, a corrupted hash).
 *  - budget: BURST devices (default 300) in one batch, so that the clean-up sends one write per
 *            device at once, at a low time scale where the station's own pace sets the rate (lighter
 *            faults, no storms): the per-app write budget is what holds it back.
 *
 * For each: final states against the expected ones, devices imported twice (from the sim's log),
 * Graph requests, 429s received (injected vs the tenant's own limit), retries, and the most Graph
 * requests (all and writes) in any 20 s window against Intune's per-app limits and the station's budget.
 *
 *   npx tsx bench/faults.bench.ts      (env: DEVICES=300 BURST=300 SEED=<printed> TIME_SCALE=50)
 *
 * Prints one JSON object on stdout and a one-line summary on stderr; exits 1 when a check fails.
 */
import { runFaultScenario, type FaultRunReport } from '../test/main/queueFaultRun.ts';

const DEVICES = Number(process.env.DEVICES ?? 300);
const BURST = Number(process.env.BURST ?? 300);
const SEED = Number(process.env.SEED ?? Date.now() % 1_000_000);
const TIME_SCALE = Number(process.env.TIME_SCALE ?? 50);

process.stderr.write(`faults bench: seed ${SEED} (replay with SEED=${SEED})\n`);

function verdict(r: FaultRunReport) {
  const checks = {
    allSettled: r.settled,
    everyDeviceInItsRightState: r.wrong.length === 0,
    noneImportedTwice: r.importedTwice.length === 0,
    importedExactlyThoseItShould: r.importMismatch.length === 0,
    noLeftoverImportedRecords: r.leftoverImportedRecords === 0,
    groupTagsFixedOn806: r.groupTagNotFixed.length === 0,
    writesWithinIntuneLimit: r.window.maxWrites <= r.window.limitWrites,
    requestsWithinIntuneLimit: r.window.maxAll <= r.window.limitAll,
    neverThrottledByTenantLimit: r.received429.byTenantLimit === 0,
  };
  return { ok: Object.values(checks).every(Boolean), checks };
}

function figures(r: FaultRunReport) {
  return {
    ...verdict(r),
    devices: r.devices,
    batchSize: r.batchSize,
    timeScale: r.timeScale,
    expectedFinalStates: r.expected,
    finalStates: r.final,
    wrong: r.wrong,
    importedTwice: r.importedTwice.length,
    graphRequests: r.graphRequests,
    graphWrites: r.graphWrites,
    graphRequestsPerDevice: r.graphRequestsPerDevice,
    tokenRequests: r.tokenRequests,
    faultsFired: r.faultsFired,
    received429: r.received429,
    received5xx: r.received5xx,
    connectionsReset: r.connectionsReset,
    answersDropped: r.answersDropped,
    retries: r.retries,
    maxInAnyWindow: r.window,
    workerStats: r.workerStats,
    serviceSeconds: r.serviceS,
    realSeconds: Number((r.realMs / 1000).toFixed(1)),
  };
}

const mix = await runFaultScenario({
  devices: DEVICES,
  seed: SEED,
  timeScale: TIME_SCALE,
  batchSize: 100,
  limitMs: 300_000,
});
const budget = await runFaultScenario({
  devices: BURST,
  seed: SEED + 1,
  timeScale: 10,
  batchSize: Math.min(BURST, 500),
  processingS: 5,
  registrationS: 5,
  intensity: 0.5,
  storms: false,
  limitMs: 300_000,
});
const result = { seed: SEED, mix: figures(mix), budget: figures(budget) };
process.stdout.write(`${JSON.stringify(result)}\n`);
const line = (name: string, f: ReturnType<typeof figures>) =>
  `${name}: ${f.devices} devices ${
    f.ok
      ? 'all in their right state'
      : `FAILED ${Object.entries(f.checks)
          .filter(([, v]) => !v)
          .map(([k]) => k)
          .join(', ')}`
  }, ${f.importedTwice} imported twice, ${f.graphRequests} requests, ${f.received429.injected}+${f.received429.byTenantLimit} × 429, ${f.retries} retries, max ${f.maxInAnyWindow.maxWrites}/${f.maxInAnyWindow.limitWrites} writes and ${f.maxInAnyWindow.maxAll}/${f.maxInAnyWindow.limitAll} requests per ${f.maxInAnyWindow.windowS} s`;
process.stderr.write(`faults bench (seed ${SEED}): ${line('mix', result.mix)}; ${line('budget', result.budget)}\n`);
process.exit(result.mix.ok && result.budget.ok ? 0 : 1);

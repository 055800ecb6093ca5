/**
 * Crash benchmark: RUNS runs (default 30), each a DEVICES-device import (default 100) by a station
 * process (test/main/queueCrashChild.ts) that is SIGKILLed at a random moment (seeded) and then
 * restarted on the same data folder until every device is settled. The simulated tenant lives in this
 * process, so it outlives every killed station; the station talks to it over HTTPS.
 *
 * The kill moment is uniform over the length of an uninterrupted import of the same size, measured
 * first (calibration run) and again by every run whose kill came after the end. Import answers are slowed
 * (SLOW_IMPORT_S of service time) so that a fair share of kills land between "POST sent" and "answer recorded", the
 * moment a double import would come from.
 *
 * A kill drawn after the station finished is not a crash: that run is checked all the same and one
 * more is drawn, until RUNS kills have landed mid-work.
 *
 * Counts: devices lost (queued, then missing from the queue database or not in their final state),
 * devices imported twice (a serial in more than one record the import action accepted, from the
 * sim's request log), kills that landed mid-work, and real time per run.
 *
 *   npx tsx bench/crash.bench.ts      (env: RUNS=30 DEVICES=100 SEED=<printed> TIME_SCALE=100 BATCH=10
 *     SLOW_IMPORT_S=10 FAULT_P=0 TRAINING=0)
 *   TRAINING=1 npx tsx bench/crash.bench.ts   training mode: the station and its own tenant killed together
 *
 * Prints one JSON object on stdout and a one-line summary on stderr; exits 1 when a device was lost
 * or imported twice.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeHardwareHash } from '../src-main/capture/encodeHardwareHash.ts';
import { isSettled } from '../src-main/queue/queueStore.ts';
import { TRAINING_SLUG, tenantQueueDir } from '../src-main/queue/tenantQueues.ts';
import { TRAINING_TENANT_FILE } from '../src-main/sim/trainingTenantState.ts';
import { openSqliteQueueStore } from '../src-main/queue/sqliteQueueStore.ts';
import { startSimulatedTenant } from '../src-main/sim/startSimulatedTenant.ts';
import type { ChildConfig } from '../test/main/queueCrashChild.ts';
import { mulberry32, runCrashChild, type ChildRun } from '../test/main/queueCrashSupport.ts';
import { trainingConnectionOf } from '../src-main/tenant/trainingTenant.ts';

const RUNS = Number(process.env.RUNS ?? 30);
const DEVICES = Number(process.env.DEVICES ?? 100);
const SEED = Number(process.env.SEED ?? Date.now() % 1_000_000);
const TIME_SCALE = Number(process.env.TIME_SCALE ?? 100);
const BATCH = Number(process.env.BATCH ?? 10);
const SLOW_IMPORT_S = Number(process.env.SLOW_IMPORT_S ?? 10);
const MAX_RESTARTS = 5;
/**
 * TRAINING=1: training mode's restarts. Each station runs its own simulated tenant in its process (kept
 * in the data folder, as a technician's station does), so a kill takes the tenant down with it; double
 * imports are counted from the tenant's saved state. The Graph request figures then cover nothing.
 */
const TRAINING = process.env.TRAINING === '1';

process.stderr.write(`crash bench: seed ${SEED} (replay with SEED=${SEED})\n`);
const random = mulberry32(SEED);
const sim = await startSimulatedTenant({ timeScale: TIME_SCALE, random: mulberry32(SEED ^ 0x5eed) });
if (SLOW_IMPORT_S > 0)
  sim.injectFault({
    kind: 'slow',
    probability: 1,
    pathContains: '/import',
    method: 'POST',
    delayMs: SLOW_IMPORT_S * 1000,
  });
// Optional: crashes on top of Graph faults (lost answers, resets, 5xx), each at this probability per request.
const FAULT_P = Number(process.env.FAULT_P ?? 0);
if (FAULT_P > 0)
  for (const kind of ['drop-answer', 'reset', '500', '503'] as const)
    sim.injectFault({ kind, probability: FAULT_P, pathContains: '/deviceManagement/', retryAfterS: 1 });
const training = trainingConnectionOf(sim);

function configFor(dataDir: string, prefix: string, queueOnStart: boolean): ChildConfig {
  const devices = Array.from({ length: DEVICES }, (_, i) => {
    const serialNumber = `${prefix}${String(i).padStart(4, '0')}`;
    return {
      serialNumber,
      hardwareHash: encodeHardwareHash({ serialNumber, manufacturer: 'Contoso', model: 'Crash 1' }),
    };
  });
  if (TRAINING)
    return {
      dataDir,
      timeScale: TIME_SCALE,
      origin: Date.now(),
      batchSize: BATCH,
      groupTag: 'Training',
      devices,
      queueOnStart,
    };
  return {
    dataDir,
    training,
    timeScale: TIME_SCALE,
    origin: sim.clock.now(),
    originRealMs: Date.now(),
    batchSize: BATCH,
    groupTag: 'Crash',
    devices,
    queueOnStart,
  };
}

/** Training mode: records the station's own tenant accepted per serial, from its saved state. */
function savedTrainingImports(dataDir: string): Map<string, number> {
  try {
    const saved = JSON.parse(
      fs.readFileSync(path.join(tenantQueueDir(dataDir, TRAINING_SLUG), TRAINING_TENANT_FILE), 'utf8'),
    ) as { model: { importsPerSerial: [string, number][] } };
    return new Map(saved.model.importsPerSerial);
  } catch {
    return new Map();
  }
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'crash-bench-'));
const reconciledIn = (runs: ChildRun[]) =>
  runs.reduce((n, r) => n + (r.stderr.match(/reconciled a batch/g)?.length ?? 0), 0);

// Calibration: how long an uninterrupted import of this size takes, from "queued" to settled.
const calDir = tmp();
const cal = await runCrashChild(configFor(calDir, 'CAL', true), undefined);
fs.rmSync(calDir, { recursive: true, force: true });
if (cal.code !== 0 || cal.workMs === undefined) {
  process.stdout.write(
    `${JSON.stringify({ error: 'calibration run failed', code: cal.code, stderr: cal.stderr.slice(-2000) })}\n`,
  );
  process.stderr.write('crash bench: calibration run failed\n');
  await sim.stop();
  process.exit(1);
}
// The machine's load changes during the bench: a run whose kill came after the end is a fresh
// measure of an uninterrupted import, and the window follows it.
let killWindowMs = cal.workMs;

interface RunReport {
  run: number;
  killAfterMs: number;
  landedMidWork: boolean;
  /** At the kill: a batch whose POST may have been sent and whose answer was not recorded. */
  postInFlightAtKill: boolean;
  statesAtKill?: Record<string, number>;
  restarts: number;
  reconciledBatches: number;
  lost: string[];
  importedTwice: string[];
  neverImported: string[];
  wrongState: [string, string][];
  realMs: number;
  error?: string;
}

const reports: RunReport[] = [];
// A kill drawn after the end of the work lands on a finished station: that run still counts for the
// checks, and another is drawn, until RUNS kills have landed mid-work.
const landed = () => reports.filter((r) => r.landedMidWork).length;
for (let run = 0; landed() < RUNS && run < RUNS * 2; run++) {
  const started = Date.now();
  const dataDir = tmp();
  const prefix = `K${String(run).padStart(2, '0')}X`;
  const killAfterMs = Math.round(random() * killWindowMs);
  const children: ChildRun[] = [];
  const report: RunReport = {
    run,
    killAfterMs,
    landedMidWork: false,
    postInFlightAtKill: false,
    restarts: 0,
    reconciledBatches: 0,
    lost: [],
    importedTwice: [],
    neverImported: [],
    wrongState: [],
    realMs: 0,
  };
  const first = await runCrashChild(configFor(dataDir, prefix, true), killAfterMs);
  children.push(first);
  report.landedMidWork = first.killed;
  if (!first.killed && first.code === 0 && first.workMs !== undefined) killWindowMs = first.workMs;
  if (!first.killed && first.code !== 0)
    report.error = `first start failed by itself (exit ${first.code}): ${first.stderr.slice(-500)}`;

  if (first.killed) {
    // What the killed station left on disk.
    const store = openSqliteQueueStore(tenantQueueDir(dataDir, TRAINING_SLUG));
    const rows = store.listDevices({ offset: 0, limit: 100_000 }).rows;
    report.statesAtKill = {};
    for (const d of rows) report.statesAtKill[d.state] = (report.statesAtKill[d.state] ?? 0) + 1;
    report.postInFlightAtKill = store.openBatches().some((b) => b.status === 'sending' && b.attempts > 0);
    store.close();
    // Restarts, without queueing again: what the queue holds now must come from disk.
    for (let i = 0; i < MAX_RESTARTS; i++) {
      const again = await runCrashChild(configFor(dataDir, prefix, false), undefined);
      children.push(again);
      report.restarts++;
      if (again.code === 0) break;
      if (again.code === 2) {
        report.lost = (
          JSON.parse(again.stdout.split('\n').find((l) => l.startsWith('{"lost"')) ?? '{"lost":[]}') as {
            lost: string[];
          }
        ).lost;
        break;
      }
      report.error = `restart ${i + 1} failed (exit ${again.code}): ${again.stderr.slice(-500)}`;
    }
  }
  report.reconciledBatches = reconciledIn(children);

  // The verdict, from the queue database and the simulated tenant's own records.
  const serials = configFor(dataDir, prefix, false).devices.map((d) => d.serialNumber);
  const store = openSqliteQueueStore(tenantQueueDir(dataDir, TRAINING_SLUG));
  const bySerial = new Map(store.listDevices({ offset: 0, limit: 100_000 }).rows.map((d) => [d.serialNumber, d]));
  const openBatches = store.openBatches().length;
  store.close();
  const lost = new Set(report.lost);
  const trainingImports = TRAINING ? savedTrainingImports(dataDir) : undefined;
  for (const s of serials) {
    const d = bySerial.get(s);
    if (!d) lost.add(s);
    else if (!isSettled(d)) lost.add(s);
    else if (d.state !== 'registered') report.wrongState.push([s, d.state]);
    const imports = trainingImports ? (trainingImports.get(s.toUpperCase()) ?? 0) : sim.requestLog.importCountFor(s);
    if (imports > 1) report.importedTwice.push(s);
    if (imports === 0) report.neverImported.push(s);
  }
  report.lost = [...lost];
  if (openBatches && !report.error) report.error = `${openBatches} batch(es) left open`;
  report.realMs = Date.now() - started;
  reports.push(report);
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.stderr.write(
    `run ${run}: kill at ${killAfterMs} ms${report.landedMidWork ? '' : ' (after the end)'}${report.postInFlightAtKill ? ', POST in flight' : ''}, ${report.restarts} restart(s), lost ${report.lost.length}, twice ${report.importedTwice.length}, ${(report.realMs / 1000).toFixed(1)} s${report.error ? `, ERROR ${report.error}` : ''}\n`,
  );
}

const times = reports.map((r) => r.realMs).sort((a, b) => a - b);
const median = times.length
  ? times.length % 2
    ? times[(times.length - 1) / 2]!
    : (times[times.length / 2 - 1]! + times[times.length / 2]!) / 2
  : 0;
const sum = (f: (r: RunReport) => number) => reports.reduce((n, r) => n + f(r), 0);
const graph = sim.requestLog.entries.filter((e) => /^\/(v1\.0|beta)\//.test(e.path));
const result = {
  seed: SEED,
  runs: reports.length,
  devicesPerRun: DEVICES,
  batchSize: BATCH,
  timeScale: TIME_SCALE,
  trainingMode: TRAINING,
  slowImportAnswerS: SLOW_IMPORT_S,
  faultProbability: FAULT_P,
  calibrationWorkMs: cal.workMs,
  lastKillWindowMs: killWindowMs,
  killsLandedMidWork: landed(),
  killsAfterTheEnd: reports.filter((r) => !r.landedMidWork).length,
  killsWithImportPostInFlight: reports.filter((r) => r.postInFlightAtKill).length,
  restarts: sum((r) => r.restarts),
  reconciledBatches: sum((r) => r.reconciledBatches),
  devicesQueued: reports.length * DEVICES,
  devicesLost: sum((r) => r.lost.length),
  devicesImportedTwice: sum((r) => r.importedTwice.length),
  devicesNeverImported: sum((r) => r.neverImported.length),
  devicesInWrongFinalState: sum((r) => r.wrongState.length),
  runErrors: reports.filter((r) => r.error).map((r) => ({ run: r.run, error: r.error })),
  importPosts: sim.requestLog.count({ method: 'POST', pathContains: '/import' }),
  graphRequests: graph.length,
  throttled429: graph.filter((e) => e.status === 429).length,
  realMsPerRun: { min: times[0] ?? 0, median: Math.round(median), max: times.at(-1) ?? 0 },
  failures: reports
    .filter((r) => r.lost.length || r.importedTwice.length || r.wrongState.length)
    .map((r) => ({
      run: r.run,
      killAfterMs: r.killAfterMs,
      lost: r.lost,
      importedTwice: r.importedTwice,
      wrongState: r.wrongState,
    })),
};
await sim.stop();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.stderr.write(
  `crash bench: ${reports.length} runs of ${DEVICES} devices (seed ${SEED}), ${result.killsLandedMidWork} kills mid-work (${result.killsWithImportPostInFlight} with an import POST in flight): ${result.devicesLost} lost, ${result.devicesImportedTwice} imported twice, ${result.runErrors.length} errors; ${(result.realMsPerRun.min / 1000).toFixed(1)}/${(result.realMsPerRun.median / 1000).toFixed(1)}/${(result.realMsPerRun.max / 1000).toFixed(1)} s per run (min/median/max)\n`,
);
process.exit(
  result.devicesLost ||
    result.devicesImportedTwice ||
    result.devicesInWrongFinalState ||
    result.runErrors.length ||
    landed() < RUNS
    ? 1
    : 0,
);

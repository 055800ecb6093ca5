/**
 * One fault run, shared by the fault test (npm test, small) and the fault benchmark (bench/faults.bench.ts):
 * a station imports N devices into the simulated tenant while the tenant injects 429 storms, 500,
 * 502 and 503 answers, connection resets, lost answers, slow answers and token expiry, at seeded
 * probabilities. Some devices must end in error: a hash the service refuses (802), a device owned
 * by another tenant (808), one already registered here (806), and a corrupted hash the station
 * itself refuses (invalid, never sent). The report says, per device, whether it ended in the state
 * it should, and measures from the sim's request log what the station sent: requests, 429s,
 * retries, and the most Graph requests in any window of the per-app budget.
 */
import fs from 'node:fs';
import type { DeviceState } from '../../src-main/contract/types.ts';
import { INTUNE_APP_LIMITS } from '../../src-main/graph/rateBudget.ts';
import { isSettled } from '../../src-main/queue/queueStore.ts';
import type { RequestLogEntry } from '../../src-main/sim/RequestLog.ts';
import type { FaultSpec } from '../../src-main/sim/simScenario.ts';
import { mulberry32 } from './queueCrashSupport.ts';
import { hashFor } from './queueFakes.ts';
import { startSim, stationOn, tmpDir } from './queueSimSupport.ts';

export interface FaultRunOptions {
  devices: number;
  seed: number;
  timeScale?: number;
  batchSize?: number;
  /** Real-time limit for every device to settle. */
  limitMs?: number;
  /** Service seconds from import to a final record, and from there to registration. */
  processingS?: number;
  registrationS?: number;
  /** Scales every fault probability (1 = the rates below). */
  intensity?: number;
  /** 429 storms at the start, the first import and half-way (default true). */
  storms?: boolean;
  /** More faults, e.g. on the sign-in endpoints. */
  extraFaults?: FaultSpec[];
  waitFor?: 'registered' | 'assigned';
}

export interface Expected {
  state: DeviceState;
  errorCode?: number;
}

export interface WindowFigures {
  /** Most Graph requests (all / writes) that reached the tenant within any window of `windowS` service seconds. */
  maxAll: number;
  maxWrites: number;
  windowS: number;
  /** Intune's per-app limits (docs/domain.md#throttling-and-limits; the simulated tenant enforces the same). */
  limitAll: number;
  limitWrites: number;
  /** The station's own budget, a margin under Intune's. */
  budgetAll: number;
  budgetWrites: number;
}

export interface FaultRunReport {
  seed: number;
  devices: number;
  batchSize: number;
  timeScale: number;
  settled: boolean;
  realMs: number;
  serviceS: number;
  expected: Record<string, number>;
  final: Record<string, number>;
  /** Devices whose final state (or error code) is not the one expected: [serial, got, wanted]. */
  wrong: [string, string, string][];
  importedTwice: string[];
  /** Devices that should have been imported (sent to Intune) but never were, and refused ones that were. */
  importMismatch: string[];
  /** Records this station created and left behind in the tenant. */
  leftoverImportedRecords: number;
  /** 806 devices whose registration did not end with the queued group tag. */
  groupTagNotFixed: string[];
  graphRequests: number;
  graphWrites: number;
  graphRequestsPerDevice: number;
  tokenRequests: number;
  faultsFired: Record<string, number>;
  received429: { injected: number; byTenantLimit: number };
  received5xx: number;
  connectionsReset: number;
  answersDropped: number;
  /** Graph requests sent again under the same client-request-id (the client's own retries). */
  retries: number;
  window: WindowFigures;
  workerStats: unknown;
}

const GROUP_TAG = 'Faults';
const isGraph = (e: RequestLogEntry) => /^\/(v1\.0|beta)\//.test(e.path);
const isWrite = (e: RequestLogEntry) => e.method !== 'GET' && e.method !== 'HEAD';

/** The most entries whose service time falls within any half-open window [t, t + windowMs). */
export function maxInWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (j < t.length && t[j]! < t[i]! + windowMs) j++;
    max = Math.max(max, j - i);
  }
  return max;
}

/**
 * The faults at their base rates (probability per Graph request); `intensity` scales them. Only on
 * Graph: after a 5xx or 429 from the token endpoint msal-node holds every token request back for
 * 60 s of real time (its throttling cache), hours of service time at these time scales.
 */
function probabilisticFaults(intensity: number): FaultSpec[] {
  const p = (x: number) => Math.min(1, x * intensity);
  const graph = '/deviceManagement/';
  return [
    { kind: '429', probability: p(0.03), retryAfterS: 2, pathContains: graph },
    { kind: '503', probability: p(0.02), retryAfterS: 1, pathContains: graph },
    { kind: '500', probability: p(0.02), pathContains: graph },
    { kind: '502', probability: p(0.02), pathContains: graph },
    { kind: 'reset', probability: p(0.02), pathContains: graph },
    { kind: 'drop-answer', probability: p(0.02), pathContains: graph },
    { kind: 'slow', probability: p(0.1), delayMs: 4000, pathContains: graph },
    { kind: 'expire-tokens', probability: p(0.02), pathContains: graph },
  ];
}

/** Each kind at least once, whatever the dice say, on requests where it hurts most. */
const FLOOR_FAULTS: FaultSpec[] = [
  { kind: 'reset', count: 1, method: 'POST', pathContains: '/import' },
  { kind: 'drop-answer', count: 1, method: 'DELETE' },
  { kind: '502', count: 1, method: 'DELETE' },
  { kind: '500', count: 1, method: 'GET', pathContains: '/deviceManagement/' },
  { kind: 'expire-tokens', count: 1, method: 'GET', pathContains: '/deviceManagement/' },
  { kind: '503', count: 1, method: 'GET', pathContains: '/windowsAutopilotDeviceIdentities', retryAfterS: 1 },
  { kind: 'slow', count: 1, method: 'POST', pathContains: '/import', delayMs: 8000 },
];

/** A 429 storm: the next `count` Graph requests are refused, whatever they are. */
const storm = (count: number): FaultSpec => ({
  kind: '429',
  count,
  retryAfterS: 2,
  pathContains: '/deviceManagement/',
});

export async function runFaultScenario(o: FaultRunOptions): Promise<FaultRunReport> {
  const timeScale = o.timeScale ?? 100;
  const batchSize = o.batchSize ?? 25;
  const random = mulberry32(o.seed);
  // Tokens live ten real minutes: at a high time scale an hour of service time would be under the
  // station's early-refresh margin and every request would fetch one. Expiry comes from the fault.
  // Shorter service delays than the default scenario's, so that a low time scale (requests at a
  // realistic pace against the 20 s window) still runs in seconds.
  const sim = await startSim({
    timeScale,
    random,
    scenario: {
      tokenLifetimeS: 600 * timeScale,
      delays: {
        processingS: o.processingS ?? 20,
        registrationS: o.registrationS ?? 30,
        assignmentS: 60,
        syncRunS: 30,
        syncCooldownS: 600,
      },
    },
  });
  const dir = tmpDir('queue-faults-');
  const station = stationOn(sim, dir);
  try {
    await station.handlers.updateSettings({ patch: { batchSize, waitFor: 'registered' } });

    // Which devices end where.
    const special = Math.max(1, Math.floor(o.devices / 100));
    const expected = new Map<string, Expected>();
    const inputs: { serialNumber: string; hardwareHash: string; source: { kind: 'file'; path: string } }[] = [];
    const add = (serialNumber: string, want: Expected, hardwareHash = hashFor(serialNumber)) => {
      expected.set(serialNumber, want);
      inputs.push({ serialNumber, hardwareHash, source: { kind: 'file', path: 'faults.csv' } });
    };
    const rest: [string, Expected, string?][] = [];
    for (let i = 0; i < special; i++) {
      // A hash the station finds sound and the service refuses (802).
      const s802 = `F802X${i}`;
      sim.injectFault({
        kind: 'record-error',
        serialNumber: s802,
        errorCode: 802,
        errorName: 'InvalidZtdHardwareHash',
      });
      rest.push([s802, { state: 'failed', errorCode: 802 }]);
      const s808 = `F808X${i}`;
      sim.seedOtherTenantDevice(s808, 'Contoso');
      rest.push([s808, { state: 'failed', errorCode: 808 }]);
      const s806 = `F806X${i}`;
      sim.seedRegisteredDevice({ serialNumber: s806, manufacturer: 'Contoso', groupTag: 'Old' });
      rest.push([s806, { state: 'already-registered', errorCode: 806 }]);
      // Cut off: the station refuses it itself and never sends it.
      const sBad = `FBADX${i}`;
      rest.push([sBad, { state: 'invalid' }, hashFor(sBad).slice(0, 100)]);
    }
    const normal = o.devices - rest.length;
    for (let i = 0; i < normal; i++) rest.push([`FOKX${String(i).padStart(4, '0')}`, { state: 'registered' }]);
    // Seeded shuffle: the refused ones sit anywhere among the good ones.
    for (let i = rest.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [rest[i], rest[j]] = [rest[j]!, rest[i]!];
    }
    for (const [s, want, hash] of rest) add(s, want, hash);

    for (const f of [...FLOOR_FAULTS, ...probabilisticFaults(o.intensity ?? 1), ...(o.extraFaults ?? [])])
      sim.injectFault(f);
    const storms = o.storms ?? true;
    if (storms) sim.injectFault(storm(10));

    const realStart = Date.now();
    const serviceStart = sim.clock.now();
    // The run asks for its tag on every device, so 806 devices get it too (a tag is never changed unasked).
    await station.handlers.queueDevices({ devices: inputs, groupTag: GROUP_TAG, overrideGroupTag: true });

    // Two more storms, at the first import and half-way.
    const stormsAt = storms ? [(n: number, imported: number) => imported > 0, (n: number) => n >= o.devices / 2] : [];
    const limit = Date.now() + (o.limitMs ?? 60_000);
    let settled = false;
    for (;;) {
      const all = station.queue().service.allDevices();
      const done = all.filter((d) => isSettled(d)).length;
      const imported = all.filter((d) => d.state === 'imported' || d.state === 'registered').length;
      while (stormsAt.length && stormsAt[0]!(done, imported)) {
        stormsAt.shift();
        sim.injectFault(storm(15));
      }
      if (all.length >= o.devices && done === all.length && station.queue().store.openBatches().length === 0) {
        settled = true;
        break;
      }
      if (Date.now() > limit) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const realMs = Date.now() - realStart;
    const serviceS = Math.round((sim.clock.now() - serviceStart) / 1000);

    // Verdict per device.
    const devices = station.queue().service.allDevices();
    const wrong: [string, string, string][] = [];
    const importedTwice: string[] = [];
    const importMismatch: string[] = [];
    const groupTagNotFixed: string[] = [];
    const final: Record<string, number> = {};
    const expectedCounts: Record<string, number> = {};
    for (const [serial, want] of expected) {
      const key = `${want.state}${want.errorCode ? ` ${want.errorCode}` : ''}`;
      expectedCounts[key] = (expectedCounts[key] ?? 0) + 1;
      const d = devices.find((x) => x.serialNumber === serial);
      const got = d ? `${d.state}${d.errorCode ? ` ${d.errorCode}` : ''}` : 'missing';
      final[got] = (final[got] ?? 0) + 1;
      if (got !== key) wrong.push([serial, got, key]);
      const imports = sim.requestLog.importCountFor(serial);
      if (imports > 1) importedTwice.push(serial);
      if ((want.state === 'invalid') !== (imports === 0)) importMismatch.push(serial);
      if (want.errorCode === 806) {
        const reg = sim.model.listRegistrations().find((r) => r.serialNumber === serial);
        if (reg?.groupTag !== GROUP_TAG) groupTagNotFixed.push(serial);
      }
    }

    // What the station sent, from the tenant's side.
    const graph = sim.requestLog.entries.filter(isGraph);
    const fired: Record<string, number> = {};
    for (const e of graph) for (const f of e.faults ?? []) fired[f] = (fired[f] ?? 0) + 1;
    const byClientId = new Map<string, number>();
    for (const e of graph)
      if (e.clientRequestId) byClientId.set(e.clientRequestId, (byClientId.get(e.clientRequestId) ?? 0) + 1);
    const at = (e: RequestLogEntry) => Date.parse(e.at);
    const limits = sim.scenario.throttle;
    const window: WindowFigures = {
      maxAll: maxInWindow(graph.map(at), INTUNE_APP_LIMITS.windowMs),
      maxWrites: maxInWindow(graph.filter(isWrite).map(at), INTUNE_APP_LIMITS.windowMs),
      windowS: INTUNE_APP_LIMITS.windowMs / 1000,
      limitAll: limits.appAll,
      limitWrites: limits.appWrites,
      budgetAll: INTUNE_APP_LIMITS.maxRequests,
      budgetWrites: INTUNE_APP_LIMITS.maxWrites,
    };
    const ours = new Set(expected.keys());
    if (process.env.FAULT_TRACE)
      for (const e of sim.requestLog.entries)
        process.stderr.write(
          `${((Date.parse(e.at) - serviceStart) / 1000).toFixed(1)} ${e.method} ${e.path.replace(/[0-9a-f-]{36}/g, '{id}')} ${e.status} ${e.outcome} ${(e.faults ?? []).join(',')}\n`,
        );
    return {
      seed: o.seed,
      devices: o.devices,
      batchSize,
      timeScale,
      settled,
      realMs,
      serviceS,
      expected: expectedCounts,
      final,
      wrong,
      importedTwice,
      importMismatch,
      leftoverImportedRecords: sim.model.listImported().filter((r) => ours.has(r.serialNumber)).length,
      groupTagNotFixed,
      graphRequests: graph.length,
      graphWrites: graph.filter(isWrite).length,
      graphRequestsPerDevice: Number((graph.length / o.devices).toFixed(2)),
      tokenRequests: sim.requestLog.entries.filter((e) => e.path.includes('/oauth2/')).length,
      faultsFired: fired,
      received429: {
        injected: graph.filter((e) => e.status === 429 && e.faults?.includes('429')).length,
        byTenantLimit: graph.filter((e) => e.status === 429 && !e.faults?.includes('429')).length,
      },
      received5xx: graph.filter((e) => e.status >= 500 && e.outcome === 'answered').length,
      connectionsReset: graph.filter((e) => e.outcome === 'reset').length,
      answersDropped: graph.filter((e) => e.outcome === 'answer-dropped').length,
      retries: [...byClientId.values()].reduce((n, c) => n + c - 1, 0),
      window,
      workerStats: station.queue().worker?.stats,
    };
  } finally {
    await station.close();
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

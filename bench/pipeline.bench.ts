/**
 * The headline benchmark: the import pipeline, station against today's scripts, in one run.
 *
 *   npx tsx bench/pipeline.bench.ts     env: DEVICES=500 SCALE_DEVICES=5000 (0 skips) TIME_SCALE=20
 *   quick look at the station alone:    DEVICES=100 SCALE_DEVICES=0 BASELINE=0 npx tsx bench/pipeline.bench.ts
 *
 * Every pass gets a fresh simulated tenant (default Intune throttling, default service delays) served
 * by this process over HTTPS, and runs its client in a child process of its own (this file again,
 * env PIPELINE_CHILD): the client's CPU and memory are its own, as on a bench where Graph is remote.
 *   - station:  DEVICES through queueDevices → import worker → Graph client, to `registered`, then
 *               (fresh tenant) to `assigned` (group tag matching a seeded profile rule);
 *   - baseline: the same devices the way today's scripts do it (bench/baselineScript.ts);
 *   - scale:    the station to `registered` with SCALE_DEVICES queued at once, beside the DEVICES run;
 *   - realistic: the station to `registered` against a tenant with every real-tenant switch on
 *               (simScenario.ts, REALISTIC: importId rewritten, $select 500s, 429s without Retry-After,
 *               a repeating nextLink, a list that lags until a sync, batches above 100 refused…),
 *               bounded by a deadline (REALISTIC=0 skips it). Targets: ≤ 1.3 import-stage requests
 *               per device, 0 429s from the tenant's own limits, ≤ 1.15× the service's own time.
 * Both start warm, as on a bench in use: the station signed in with its queue open, the script holding
 * its token. Requests and 429s are counted from the tenant's own request log, not from the clients.
 * Prints one JSON object on stdout and a one-line summary on stderr (the last line).
 */
import { fileURLToPath } from 'node:url';
import { startSimulatedTenant, type SimTenant } from '../src-main/sim/startSimulatedTenant.ts';
import { baselineScript, type BaselineResult } from './baselineScript.ts';
import { readChildConfig, runChild, sharedClock, type ChildConfig, type WaitFor } from './pipelineSupport.ts';
import { stationPass, type StationPassResult } from './stationPass.ts';
import { trainingConnectionOf } from '../src-main/tenant/trainingTenant.ts';

const child = readChildConfig();
if (child) {
  const result = child.role === 'station' ? await stationPass(child) : await baselineScript(child);
  // Exit once written: handles the client leaves open (connection pools, timers) must not keep the child alive.
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
  await new Promise(() => {});
}

const FILE = fileURLToPath(import.meta.url);
const devices = Number(process.env.DEVICES ?? 500);
const scaleDevices = Number(process.env.SCALE_DEVICES ?? 5000);
/**
 * Service seconds per real second. Every real millisecond a client spends (SQLite, TLS, JSON) counts
 * `timeScale` times in service time, so a high scale charges clients for CPU time they would never
 * be charged on a real bench (queueing 500 devices takes ~0.25 s real: 5 s of service time at 20).
 * 20 keeps a loopback round trip (~3 ms real) near a real Graph round trip (~60 ms) and the whole
 * run within about three minutes on two cores.
 */
const timeScale = Number(process.env.TIME_SCALE ?? 20);
const GROUP_TAG = 'Bench';
const BATCH_SIZE = 500;
const epochMs = Date.now();
const clock = sharedClock(timeScale, epochMs);
const realStart = performance.now();

let serviceDelaysS: { processingS: number; registrationS: number; assignmentS: number } | undefined;

async function freshTenant(realistic = false): Promise<SimTenant> {
  const sim = await startSimulatedTenant({
    clock,
    timeScale,
    ...(realistic ? { realTenant: 'realistic' as const } : {}),
    scenario: {
      profileRules: [{ groupTag: GROUP_TAG, profileName: 'Bench profile' }],
      // Tokens live one real hour, as they do in production. msal-node renews a token 5 *real*
      // minutes before it expires; the default lifetime (3600 service s) would last 3600/timeScale
      // real seconds, so every client would fetch a token before nearly every request: an
      // artefact of the time scale, not anybody's behaviour.
      tokenLifetimeS: 3600 * timeScale,
    },
  });
  const { processingS, registrationS, assignmentS } = sim.scenario.delays;
  serviceDelaysS = { processingS, registrationS, assignmentS };
  return sim;
}

/**
 * The simulated service's own processing time for the last device: from its upload, the sim's
 * configured processing delay, then registration (+ profile assignment for `assigned`). Taken from
 * the configuration rather than measured, because it is the floor no client can beat, and it does
 * not reward a client for uploading late: a sim-side measure from each upload would excuse the
 * baseline's one-by-one POSTs and the station's queueing before its POST. Both clients'
 * times run from their very start (queueDevices / the script's first line) to the moment they saw
 * the last device done.
 */
function floorSeconds(sim: SimTenant, waitFor: WaitFor): number {
  const d = sim.scenario.delays;
  return d.processingS + d.registrationS + (waitFor === 'assigned' ? d.assignmentS : 0);
}

const r3 = (n: number) => Number(n.toFixed(3));

/**
 * What the tenant saw from the client's start (`startedAt`, service ms) on: Graph requests (all, and
 * the import stage's), 429s, sign-in requests, double imports. Requests before the start (the
 * station's warm-up: sign-in and the group tag picker) are counted apart.
 */
function tenantFigures(sim: SimTenant, n: number, startedAt: number) {
  const isGraph = (e: { path: string }) => /^\/(v1\.0|beta)\//.test(e.path);
  const warmUp = sim.requestLog.entries.filter((e) => Date.parse(e.at) < startedAt);
  const entries = sim.requestLog.entries.filter((e) => Date.parse(e.at) >= startedAt);
  const graph = entries.filter(isGraph);
  // The import stage: everything on the imported-identities collection (upload, status reads and,
  // for the station, deleting its records afterwards), i.e. what it costs to get from capture to `imported`.
  const importStage = graph.filter((e) => e.path.includes('/importedWindowsAutopilotDeviceIdentities'));
  const byRequest: Record<string, number> = {};
  // When each kind of request was made: [first, last] service seconds from the client's start.
  const whenS: Record<string, [number, number]> = {};
  for (const e of graph) {
    const kind = `${e.method} ${e.path.replace(/\/[0-9a-f-]{36}/g, '/{id}')}${e.status >= 400 ? ` ${e.status}` : ''}`;
    byRequest[kind] = (byRequest[kind] ?? 0) + 1;
    const at = Math.round((Date.parse(e.at) - startedAt) / 1000);
    whenS[kind] = [whenS[kind]?.[0] ?? at, at];
  }
  return {
    graphRequests: graph.length,
    graphRequestsPerDevice: r3(graph.length / n),
    // HTTP round trips: a JSON batch is one, however many requests inside (each counted above, as Intune counts them).
    graphRoundTripsPerDevice: r3(graph.filter((e) => !e.batchRequestId).length / n),
    jsonBatches: graph.filter((e) => e.path.endsWith('/$batch')).length,
    importStageRequests: importStage.length,
    importStageRequestsPerDevice: r3(importStage.length / n),
    throttled429: graph.filter((e) => e.status === 429).length,
    // 429s from the tenant's per-app and tenant-wide limits: the sync's 10-minute refusal is its own rule.
    tenantLimit429: graph.filter((e) => e.status === 429 && !e.path.includes('/windowsAutopilotSettings/sync')).length,
    signInRequests: entries.length - graph.length,
    warmUpRequests: { graph: warmUp.filter(isGraph).length, signIn: warmUp.filter((e) => !isGraph(e)).length },
    serviceSecondsToFirstUpload:
      Math.round(
        (Date.parse(
          graph.find((e) => e.method === 'POST' && e.path.includes('/importedWindowsAutopilotDeviceIdentities'))?.at ??
            '',
        ) -
          startedAt) /
          1000,
      ) || null,
    importedTwice: Object.values(sim.requestLog.importCounts()).filter((c) => c > 1).length,
    leftoverImportedRecords: sim.model.listImported().length,
    csdlIssues: graph.filter((e) => e.csdlIssues?.length).length,
    byRequest,
    whenS,
  };
}

/**
 * For information (not a target): the same ratio counted from the client's first upload, i.e. without
 * the time the client spent before it (at this time scale, its real CPU time ×timeScale).
 */
function fromFirstUpload(sim: SimTenant, startedAt: number, doneAt: number, floorS: number) {
  const first = sim.requestLog.entries.find(
    (e) =>
      Date.parse(e.at) >= startedAt &&
      e.method === 'POST' &&
      e.path.includes('/importedWindowsAutopilotDeviceIdentities'),
  );
  if (!first) return { ratioFromFirstUpload: null };
  return { ratioFromFirstUpload: r3((doneAt - Date.parse(first.at)) / 1000 / floorS) };
}

function childConfig(
  sim: SimTenant,
  role: ChildConfig['role'],
  n: number,
  waitFor: WaitFor,
  deadlineServiceS?: number,
): ChildConfig {
  return {
    ...(deadlineServiceS !== undefined ? { deadlineServiceS } : {}),
    role,
    devices: n,
    waitFor,
    groupTag: GROUP_TAG,
    batchSize: BATCH_SIZE,
    timeScale,
    epochMs,
    sim: trainingConnectionOf(sim),
    ...(role === 'baseline'
      ? { accessToken: sim.issueAccessToken('app', ['DeviceManagementServiceConfig.ReadWrite.All']) }
      : {}),
  };
}

/** The figures every pass reports, station or script: states, requests, and time against the service's own. */
function passFigures<S>(
  sim: SimTenant,
  n: number,
  waitFor: WaitFor,
  r: { states: S; startedAt: number; doneAt: number },
) {
  const floorS = floorSeconds(sim, waitFor);
  const serviceSecondsToDone = (r.doneAt - r.startedAt) / 1000;
  return {
    devices: n,
    waitFor,
    states: r.states,
    ...tenantFigures(sim, n, r.startedAt),
    serviceSecondsToDone: Math.round(serviceSecondsToDone),
    serviceOwnProcessingSeconds: floorS,
    ratioToServiceTime: r3(serviceSecondsToDone / floorS),
    ...fromFirstUpload(sim, r.startedAt, r.doneAt, floorS),
  };
}

async function stationRun(n: number, waitFor: WaitFor, realistic = false) {
  const sim = await freshTenant(realistic);
  try {
    // Realistic: at most 6× the service's own time (the worker may not finish on such a tenant).
    const r = await runChild<StationPassResult>(
      FILE,
      childConfig(sim, 'station', n, waitFor, realistic ? 6 * floorSeconds(sim, waitFor) : undefined),
    );
    const serviceSecondsWithCleanup = (r.cleanupDoneAt - r.startedAt) / 1000;
    return {
      ...passFigures(sim, n, waitFor, r),
      serviceSecondsWithCleanup: Math.round(serviceSecondsWithCleanup),
      realSeconds: r.realSeconds,
      realSecondsWithCleanup: r.realSecondsWithCleanup,
      queueDevicesMs: r.queueDevicesMs,
      memory: r.memory,
      retainedAtDone: r.retainedAtDone ?? null,
      workerStats: r.workerStats,
      timedOut: r.timedOut ?? false,
      // Records the tenant still holds that the station created (should be 0: it deletes its own).
      leftoverAfterCleanup: sim.model.listImported().length,
      // For the scale comparison.
      serviceMsPerDevice: r3((r.cleanupDoneAt - r.startedAt) / n),
      realMsPerDevice: r3((r.realSecondsWithCleanup * 1000) / n),
    };
  } finally {
    await sim.stop();
  }
}

async function baselineRun(n: number, waitFor: WaitFor) {
  const sim = await freshTenant();
  try {
    const r = await runChild<BaselineResult>(FILE, childConfig(sim, 'baseline', n, waitFor));
    return {
      ...passFigures(sim, n, waitFor, r),
      serviceSecondsToUploaded: Math.round((r.uploadedAt - r.startedAt) / 1000),
      serviceSecondsToImported: Math.round((r.importedAt - r.startedAt) / 1000),
      realSeconds: r.realSeconds,
      throttledSeenByScript: r.throttledSeen,
      statusRounds: r.statusRounds,
      listRounds: r.listRounds,
      memory: r.memory,
    };
  } finally {
    await sim.stop();
  }
}

const stationRegistered = await stationRun(devices, 'registered');
const stationAssigned = await stationRun(devices, 'assigned');
const withBaseline = process.env.BASELINE !== '0';
const baselineRegistered = withBaseline ? await baselineRun(devices, 'registered') : undefined;
const baselineAssigned = withBaseline ? await baselineRun(devices, 'assigned') : undefined;
const stationLarge = scaleDevices > 0 ? await stationRun(scaleDevices, 'registered') : undefined;
const stationRealistic = process.env.REALISTIC !== '0' ? await stationRun(devices, 'registered', true) : undefined;

const ratioOf = (b: number, s: number) => (s > 0 ? r3(b / s) : null);
const ratios = Object.fromEntries(
  (['registered', 'assigned'] as const).map((w) => {
    const s = w === 'registered' ? stationRegistered : stationAssigned;
    const b = w === 'registered' ? baselineRegistered : baselineAssigned;
    if (!b) return [w, { stationToServiceTime: s.ratioToServiceTime }];
    return [
      w,
      {
        // baseline ÷ station: how many times more the baseline costs.
        graphRequests: ratioOf(b.graphRequests, s.graphRequests),
        importStageRequests: ratioOf(b.importStageRequests, s.importStageRequests),
        serviceTimeToDone: ratioOf(b.serviceSecondsToDone, s.serviceSecondsToDone),
        throttled429: { baseline: b.throttled429, station: s.throttled429 },
        stationToServiceTime: s.ratioToServiceTime,
        baselineToServiceTime: b.ratioToServiceTime,
      },
    ];
  }),
);

const scalePoint = (r: typeof stationRegistered) => ({
  devices: r.devices,
  rssPeakMiB: r.memory.rssPeakMiB,
  heapUsedPeakMiB: r.memory.heapUsedPeakMiB,
  rssStartMiB: r.memory.rssStartMiB,
  // From queueDevices' return on: the pipeline itself, without the call that handed over every device at once.
  rssPeakPipelineMiB: r.memory.rssPeakAfterMarkMiB ?? null,
  heapUsedPeakPipelineMiB: r.memory.heapUsedPeakAfterMarkMiB ?? null,
  // After a full GC once every device was final, the whole queue still in SQLite.
  heapUsedRetainedAtDoneMiB: r.retainedAtDone?.heapUsedMiB ?? null,
  rssAtDoneAfterGcMiB: r.retainedAtDone?.rssMiB ?? null,
  realSecondsToDone: r.realSeconds,
  realSecondsWithCleanup: r.realSecondsWithCleanup,
  realMsPerDevice: r.realMsPerDevice,
  serviceSecondsToDone: r.serviceSecondsToDone,
  serviceSecondsWithCleanup: r.serviceSecondsWithCleanup,
  serviceMsPerDevice: r.serviceMsPerDevice,
  graphRequestsPerDevice: r.graphRequestsPerDevice,
  throttled429: r.throttled429,
  states: r.states,
});
// The DEVICES point of the scale comparison is the station's `registered` pass above (its own child process too).
const scale = stationLarge ? { small: scalePoint(stationRegistered), large: scalePoint(stationLarge) } : undefined;

// The pipeline's targets. "Does not grow" for a queue ten times longer: peak memory within 1.5×, time per device
// within 1.1× (per device to the end of cleanup, which includes the one DELETE per device that the write limit paces).
const passes = [stationRegistered, stationAssigned];
const met = {
  importStageRequestsPerDeviceAtMost1_2: passes.every((p) => p.importStageRequestsPerDevice <= 1.2),
  zero429: passes.every((p) => p.throttled429 === 0) && (!stationLarge || stationLarge.throttled429 === 0),
  serviceTimeWithin1_1xOwnProcessing: passes.every((p) => p.ratioToServiceTime <= 1.1),
  everyDeviceDone:
    passes.every((p) => (p.states[p.waitFor] ?? 0) === p.devices) &&
    (!stationLarge || (stationLarge.states.registered ?? 0) === stationLarge.devices),
  noDoubleImports: [...passes, ...(stationLarge ? [stationLarge] : [])].every((p) => p.importedTwice === 0),
  ...(scale
    ? {
        memoryFlatWithQueueSize:
          scale.large.rssPeakMiB <= 1.5 * scale.small.rssPeakMiB &&
          scale.large.heapUsedPeakMiB <= 1.5 * scale.small.heapUsedPeakMiB,
        // The same bound on what is retained (heap after a full GC with every device final and still queued): peaks
        // also hold garbage awaiting collection.
        retainedHeapFlatWithQueueSize:
          scale.large.heapUsedRetainedAtDoneMiB !== null &&
          scale.small.heapUsedRetainedAtDoneMiB !== null &&
          scale.large.heapUsedRetainedAtDoneMiB <= 1.5 * scale.small.heapUsedRetainedAtDoneMiB,
        timePerDeviceFlatWithQueueSize:
          scale.large.realMsPerDevice <= 1.1 * scale.small.realMsPerDevice &&
          scale.large.serviceMsPerDevice <= 1.1 * scale.small.serviceMsPerDevice,
      }
    : {}),
  // Targets against a tenant that behaves like real ones.
  ...(stationRealistic
    ? {
        realisticEveryDeviceDone:
          !stationRealistic.timedOut &&
          (stationRealistic.states.registered ?? 0) + (stationRealistic.states['already-registered'] ?? 0) ===
            stationRealistic.devices,
        realisticImportStageRequestsPerDeviceAtMost1_3: stationRealistic.importStageRequestsPerDevice <= 1.3,
        realisticZeroTenantLimit429: stationRealistic.tenantLimit429 === 0,
        realisticServiceTimeWithin1_15xOwnProcessing:
          !stationRealistic.timedOut && stationRealistic.ratioToServiceTime <= 1.15,
        realisticNoDoubleImports: stationRealistic.importedTwice === 0,
        realisticNoLeftoverRecords: stationRealistic.leftoverAfterCleanup === 0,
      }
    : {}),
};

const result = {
  timeScale,
  devices,
  scaleDevices: stationLarge ? scaleDevices : 0,
  serviceDelaysS,
  station: { registered: stationRegistered, assigned: stationAssigned },
  baseline: { registered: baselineRegistered, assigned: baselineAssigned },
  ratios,
  scale,
  realistic: stationRealistic,
  targets: { met, allMet: Object.values(met).every(Boolean) },
  realSecondsTotal: Number(((performance.now() - realStart) / 1000).toFixed(1)),
};

process.stdout.write(`${JSON.stringify(result)}\n`);
const s = stationRegistered;
const a = stationAssigned;
const b = baselineRegistered;
process.stderr.write(
  `pipeline: ${devices} devices to registered: station ${s.importStageRequestsPerDevice} import req/device, ${s.throttled429}×429, ${s.serviceSecondsToDone} s (${s.ratioToServiceTime}× own)` +
    (b
      ? ` vs baseline ${b.importStageRequestsPerDevice} req/device, ${b.throttled429}×429, ${b.serviceSecondsToDone} s`
      : '') +
    `; to assigned ${a.serviceSecondsToDone} s (${a.ratioToServiceTime}×)` +
    (baselineAssigned ? ` vs ${baselineAssigned.serviceSecondsToDone} s` : '') +
    (stationRealistic
      ? `; realistic tenant: ${stationRealistic.importStageRequestsPerDevice} import req/device, ${stationRealistic.tenantLimit429}×429 (limits), ${stationRealistic.timedOut ? `timed out after ${stationRealistic.serviceSecondsToDone} s with ${JSON.stringify(stationRealistic.states)}` : `${stationRealistic.serviceSecondsToDone} s (${stationRealistic.ratioToServiceTime}× own)`}`
      : '') +
    (scale
      ? `; ${scale.large.devices} devices: ${scale.large.rssPeakMiB} MiB rss (${scale.small.rssPeakMiB} at ${scale.small.devices}), ${scale.large.realMsPerDevice} ms/device real (${scale.small.realMsPerDevice})`
      : '') +
    `; targets ${
      result.targets.allMet
        ? 'all met'
        : `missed: ${Object.entries(met)
            .filter(([, v]) => !v)
            .map(([k]) => k)
            .join(', ')}`
    }\n`,
);

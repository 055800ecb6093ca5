/**
 * Requests per device when each capture is registered both ways (Autopilot device + corporate
 * identifier), beside an Autopilot-only pass measured in the same run: the real station (queue,
 * worker, Graph client, msal-node sign-in) and the corporate stage, against a fresh simulated tenant
 * per pass over HTTPS; the tenant's request log does the counting.
 * Run: npx tsx bench/corporate.bench.ts   (env DEVICES, default 300; BATCH, default 100)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scaledClock } from '../src-main/kernel/clock.ts';
import { createStation } from '../src-main/app/createStation.ts';
import { silentLogger } from '../src-main/kernel/logger.ts';
import { trainingConnectionOf } from '../src-main/tenant/trainingTenant.ts';
import { encodeHardwareHash } from '../src-main/capture/encodeHardwareHash.ts';
import type { RegistrationTargets } from '../src-main/contract/types.ts';
import { CORPORATE_FINAL } from '../src-main/queue/corporateStore.ts';
import { isSettled } from '../src-main/queue/queueStore.ts';
import { startSimulatedTenant } from '../src-main/sim/startSimulatedTenant.ts';

const DEVICES = Number(process.env.DEVICES ?? 300);
const BATCH = Number(process.env.BATCH ?? 100);
const TIME_SCALE = 500;

async function pass(targets: RegistrationTargets) {
  const clock = scaledClock(TIME_SCALE);
  const sim = await startSimulatedTenant({
    clock,
    timeScale: TIME_SCALE,
    scenario: { profileRules: [{ groupTag: 'Bench', profileName: 'Bench' }] },
  });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'corporate-bench-'));
  const station = createStation({
    host: 'browser',
    dataDir,
    logger: silentLogger,
    clock,
    serialPort: { readSerials: async () => ({ system: 'BENCH0001' }) },
    startTraining: async () => ({ ...trainingConnectionOf(sim), close: async () => {} }),
  });
  await station.handlers.updateSettings({
    patch: { batchSize: BATCH, waitFor: 'registered', registrationTargets: targets },
  });
  await station.handlers.signIn({});
  const queue = station.queue();
  // The station's own corporate stage (queueRuntime) follows the setting written above.
  const corporateStore = targets.includes('corporate') ? queue.corporate!.store : undefined;
  const before = sim.requestLog.entries.length;
  const started = performance.now();
  const devices = Array.from({ length: DEVICES }, (_, i) => {
    const serialNumber = `CB${String(i).padStart(6, '0')}`;
    return {
      serialNumber,
      hardwareHash: encodeHardwareHash({ serialNumber, manufacturer: 'Contoso', model: 'Bench 1' }),
      source: { kind: 'file' as const, path: 'bench.csv' },
    };
  });
  await station.handlers.queueDevices({ devices, groupTag: 'Bench' });
  let autopilotSeconds: number | undefined;
  let corporateSeconds: number | undefined;
  for (;;) {
    const all = queue.service.allDevices();
    const apDone = all.every((d) => isSettled(d)) && queue.store.openBatches().length === 0;
    const corpDone =
      !corporateStore || all.every((d) => CORPORATE_FINAL.includes(corporateStore.get(d.id)?.state ?? 'queued'));
    if (apDone) autopilotSeconds ??= (performance.now() - started) / 1000;
    if (corpDone && corporateStore) corporateSeconds ??= (performance.now() - started) / 1000;
    if (apDone && corpDone) break;
    if (performance.now() - started > 10 * 60_000) throw new Error('bench did not finish in 10 minutes');
    await new Promise((r) => setTimeout(r, 50));
  }
  const realSeconds = (performance.now() - started) / 1000;
  const entries = sim.requestLog.entries.slice(before).filter((e) => /^\/(v1\.0|beta)\//.test(e.path));
  const corporate = entries.filter((e) => e.path.includes('importedDeviceIdentities'));
  const states = corporateStore
    ? Object.fromEntries(Object.entries(corporateStore.counts()).filter(([, n]) => n > 0))
    : undefined;
  await station.close();
  await sim.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  return {
    targets,
    graphRequests: entries.length,
    corporateRequests: corporate.length,
    requestsPerDevice: +(entries.length / DEVICES).toFixed(3),
    corporateRequestsPerDevice: +(corporate.length / DEVICES).toFixed(3),
    corporateStates: states,
    realSeconds: +realSeconds.toFixed(1),
    autopilotFinalSeconds: +(autopilotSeconds ?? 0).toFixed(1),
    ...(corporateSeconds !== undefined ? { corporateFinalSeconds: +corporateSeconds.toFixed(1) } : {}),
  };
}

// Order alternates with ORDER=both-first to show that neither pass profits from running second.
const AUTOPILOT: RegistrationTargets = ['autopilot'];
const BOTH: RegistrationTargets = ['autopilot', 'corporate'];
const first = process.env.ORDER === 'both-first' ? await pass(BOTH) : await pass(AUTOPILOT);
const second = process.env.ORDER === 'both-first' ? await pass(AUTOPILOT) : await pass(BOTH);
const [autopilot, both] = first.targets.includes('corporate') ? [second, first] : [first, second];
const result = {
  bench: 'corporate',
  devices: DEVICES,
  batchSize: BATCH,
  timeScale: TIME_SCALE,
  autopilot,
  both,
  addedRequestsPerDevice: +(both.requestsPerDevice - autopilot.requestsPerDevice).toFixed(3),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.stderr.write(
  `corporate: ${DEVICES} devices, both = ${both.requestsPerDevice} Graph requests per device (${both.corporateRequestsPerDevice} for corporate identifiers), autopilot only = ${autopilot.requestsPerDevice}\n`,
);

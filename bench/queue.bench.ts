/**
 * Queue benchmark: N devices (default 500) from queueDevices to `registered` against the simulated
 * tenant over HTTPS (real Graph client, real msal-node sign-in), with the sim's default Intune
 * throttling limits. Counts what the sim answered: Graph requests per device, and 429s.
 *
 *   npx tsx bench/queue.bench.ts            (env: DEVICES=500 BATCH=500 TIME_SCALE=200 WAIT=registered
 *                                            REAL_TENANT=realistic|off|'{"importIdRewritten":true}')
 *
 * Prints one JSON object on stdout and a one-line summary on stderr.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createStation } from '../src-main/app/createStation.ts';
import { silentLogger } from '../src-main/kernel/logger.ts';
import { encodeHardwareHash } from '../src-main/capture/encodeHardwareHash.ts';
import { isSettled } from '../src-main/queue/queueStore.ts';
import { startSimulatedTenant } from '../src-main/sim/startSimulatedTenant.ts';
import { trainingConnectionOf } from '../src-main/tenant/trainingTenant.ts';

const devices = Number(process.env.DEVICES ?? 500);
const batchSize = Number(process.env.BATCH ?? 500);
const timeScale = Number(process.env.TIME_SCALE ?? 200);
const waitFor = (process.env.WAIT ?? 'registered') as 'imported' | 'registered' | 'assigned';
/** Real-tenant switches of the simulated tenant (simScenario.ts): a preset name or a JSON object. */
const realTenant = process.env.REAL_TENANT
  ? process.env.REAL_TENANT.startsWith('{')
    ? JSON.parse(process.env.REAL_TENANT)
    : process.env.REAL_TENANT
  : 'off';

const sim = await startSimulatedTenant({
  timeScale,
  realTenant,
  scenario: { profileRules: [{ groupTag: 'Bench', profileName: 'Bench profile' }] },
});
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-bench-'));
const station = createStation({
  host: 'browser',
  dataDir,
  logger: silentLogger,
  clock: sim.clock,
  serialPort: { readSerials: async () => ({ system: 'BENCH0001' }) },
  startTraining: async () => ({ ...trainingConnectionOf(sim), close: async () => {} }),
});
await station.handlers.updateSettings({ patch: { batchSize, waitFor } });
const inputs = Array.from({ length: devices }, (_, i) => {
  const serialNumber = `BN${String(i).padStart(6, '0')}`;
  return {
    serialNumber,
    hardwareHash: encodeHardwareHash({ serialNumber, manufacturer: 'Contoso', model: 'Bench 1' }),
    source: { kind: 'file' as const, path: 'bench.csv' },
  };
});

const realStart = performance.now();
const serviceStart = sim.clock.now();
const queueStart = performance.now();
await station.handlers.queueDevices({ devices: inputs, groupTag: 'Bench' });
const queueMs = performance.now() - queueStart;
const queue = station.queue();
for (;;) {
  const all = queue.service.allDevices();
  if (all.every((d) => isSettled(d)) && queue.store.openBatches().length === 0) break;
  await new Promise((r) => setTimeout(r, 50));
}
const realMs = performance.now() - realStart;
const serviceS = (sim.clock.now() - serviceStart) / 1000;

const graph = sim.requestLog.entries.filter((e) => /^\/(v1\.0|beta)\//.test(e.path));
const byKind: Record<string, number> = {};
for (const e of graph) {
  const kind = `${e.method} ${e.path.replace(/\/[0-9a-f-]{36}/g, '/{id}').replace(/^\/(v1\.0|beta)/, '/$1')}`;
  byKind[kind] = (byKind[kind] ?? 0) + 1;
}
const identityByPath: Record<string, number> = {};
for (const e of sim.requestLog.entries)
  if (!/^\/(v1\.0|beta)\//.test(e.path))
    identityByPath[`${e.method} ${e.path.replace(/[0-9a-f-]{36}/g, '{tenant}')}`] =
      (identityByPath[`${e.method} ${e.path.replace(/[0-9a-f-]{36}/g, '{tenant}')}`] ?? 0) + 1;
const states: Record<string, number> = {};
for (const d of queue.service.allDevices()) states[d.state] = (states[d.state] ?? 0) + 1;
const importCounts = Object.values(sim.requestLog.importCounts());
const result = {
  devices,
  batchSize,
  waitFor,
  timeScale,
  states,
  graphRequests: graph.length,
  graphRequestsPerDevice: Number((graph.length / devices).toFixed(3)),
  realTenant,
  /**
   * Upload, status reads and deletes of imported records: what it costs to get a device to `imported` (target ≤ 1.2).
   */
  importedRequestsPerDevice: Number(
    (graph.filter((e) => e.path.includes('/importedWindowsAutopilotDeviceIdentities')).length / devices).toFixed(3),
  ),
  throttled429: graph.filter((e) => e.status === 429).length,
  identityRequests: sim.requestLog.entries.length - graph.length,
  identityByPath,
  importedTwice: importCounts.filter((n) => n > 1).length,
  leftoverImportedRecords: sim.model.listImported().length,
  byRequest: byKind,
  workerStats: queue.worker?.stats,
  queueDevicesMs: Math.round(queueMs),
  realSeconds: Number((realMs / 1000).toFixed(2)),
  serviceSeconds: Math.round(serviceS),
};
await station.close();
await sim.stop();
fs.rmSync(dataDir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(result)}\n`);
process.stderr.write(
  `queue bench: ${devices} devices to ${waitFor} in ${result.serviceSeconds} s of service time: ${result.graphRequests} Graph requests (${result.graphRequestsPerDevice}/device, ${result.importedRequestsPerDevice}/device to imported), ${result.throttled429} × 429, ${result.importedTwice} imported twice\n`,
);

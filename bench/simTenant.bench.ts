/**
 * The simulated tenant under a bench-sized workload: 5,000 devices imported in batches of 500 over
 * HTTPS, then read back (imported records by importId, registered devices, beta profile status) with
 * paging. States are computed from the clock on read, so this measures the HTTP and JSON cost only.
 * Run: npx tsx bench/simTenant.bench.ts   (prints one JSON object; a summary line on stderr)
 */
import { Agent, fetch } from 'undici';
import type { Clock } from '../src-main/kernel/clock.ts';
import { encodeHardwareHash } from '../src-main/capture/encodeHardwareHash.ts';
import { startSimulatedTenant } from '../src-main/sim/startSimulatedTenant.ts';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 5000);
const BATCH = 500;
let t = Date.UTC(2026, 0, 1);
const clock: Clock = { now: () => t, sleep: async (ms) => void (t += ms) };

const sim = await startSimulatedTenant({
  clock,
  scenario: { profileRules: [{ groupTag: 'Bench', profileName: 'Bench' }] },
});
const dispatcher = new Agent({ connect: { ca: sim.caCertPem } });
const token = sim.issueAccessToken('app', ['DeviceManagementServiceConfig.ReadWrite.All']);
const call = async (method: string, url: string, body?: unknown) => {
  const res = await fetch(url.startsWith('http') ? url : `${sim.graphUrl}${url}`, {
    method,
    dispatcher,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as { value: unknown[]; '@odata.nextLink'?: string };
  if (res.status !== 200) throw new Error(`${method} ${url}: ${res.status}`);
  return json;
};
const readAll = async (url: string) => {
  let n = 0;
  let pages = 0;
  for (let next: string | undefined = url; next; pages++) {
    const page = await call('GET', next);
    n += page.value.length;
    next = page['@odata.nextLink'];
  }
  return { n, pages };
};

const hashes = Array.from({ length: DEVICES }, (_, i) =>
  encodeHardwareHash({ serialNumber: `BENCH${String(i).padStart(6, '0')}`, manufacturer: 'LENOVO', model: 'M' }),
);
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
for (let b = 0; b < DEVICES; b += BATCH) {
  t += 1000; // stay inside the write budget (100 per 20 s) the way a real client paces itself
  const devices = hashes.slice(b, b + BATCH).map((h, i) => ({
    serialNumber: `BENCH${String(b + i).padStart(6, '0')}`,
    hardwareIdentifier: h,
    groupTag: 'Bench',
    importId: 'bench',
  }));
  await call('POST', '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import', {
    importedWindowsAutopilotDeviceIdentities: devices,
  });
}
const importMs = performance.now() - t0;
t += (sim.scenario.delays.processingS + sim.scenario.delays.registrationS + sim.scenario.delays.assignmentS) * 1000;
const t1 = performance.now();
const imported = await readAll(
  "/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities?$filter=importId eq 'bench'",
);
const readImportedMs = performance.now() - t1;
const t2 = performance.now();
const registered = await readAll('/beta/deviceManagement/windowsAutopilotDeviceIdentities');
const readRegisteredMs = performance.now() - t2;
const rssMb = (process.memoryUsage().rss - rss0) / 1024 / 1024;
await dispatcher.close();
await sim.stop();

const result = {
  bench: 'simTenant',
  devices: DEVICES,
  batchSize: BATCH,
  importMs: Math.round(importMs),
  readImported: { ...imported, ms: Math.round(readImportedMs) },
  readRegistered: { ...registered, ms: Math.round(readRegisteredMs) },
  rssGrowthMb: Math.round(rssMb),
  requests: sim.requestLog.entries.length,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.stderr.write(
  `simTenant: ${DEVICES} devices imported in ${result.importMs} ms, read back in ${result.readImported.ms} + ${result.readRegistered.ms} ms over ${result.requests} requests\n`,
);

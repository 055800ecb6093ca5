/**
 * How many Graph requests one 100-device batch costs from import to "registered", measured on the
 * simulated tenant over HTTPS with the station's real client (certificate sign-in, rate budget,
 * retries). Two ways of following registration are measured: one list of the tenant's devices per
 * poll (listRegisteredDevices) and one GET per device still waiting (getRegisteredDevice).
 *   npx tsx bench/graph.bench.ts [--devices 100] [--poll-s 30] [--time-scale 100]
 * Prints one JSON object on stdout and a one-line summary on stderr.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { scaledClock } from '../src-main/kernel/clock.ts';
import { silentLogger } from '../src-main/kernel/logger.ts';
import { AuthService } from '../src-main/auth/authService.ts';
import { loadCertificateCredential } from '../src-main/auth/certificateCredential.ts';
import { EncryptedCachePlugin } from '../src-main/auth/encryptedCachePlugin.ts';
import { KeyFileProtector } from '../src-main/auth/keyFileProtector.ts';
import { MsalNetworkClient } from '../src-main/auth/msalNetworkClient.ts';
import { encodeHardwareHash } from '../src-main/capture/encodeHardwareHash.ts';
import { AutopilotGraph } from '../src-main/graph/autopilotGraph.ts';
import type { ImportedIdentity } from '../src-main/graph/autopilotPort.ts';
import { customCloud } from '../src-main/graph/clouds.ts';
import { GraphClient } from '../src-main/graph/graphClient.ts';
import { createNodeNetwork } from '../src-main/net/nodeNetwork.ts';
import { startSimulatedTenant, type SimTenant } from '../src-main/sim/startSimulatedTenant.ts';

const { values } = parseArgs({
  options: { devices: { type: 'string' }, 'poll-s': { type: 'string' }, 'time-scale': { type: 'string' } },
});
const DEVICES = Number(values.devices ?? 100);
const POLL_MS = Number(values['poll-s'] ?? 30) * 1000;
const TIME_SCALE = Number(values['time-scale'] ?? 100);

type Strategy = 'list-per-poll' | 'get-per-device';

async function runBatch(
  sim: SimTenant,
  ap: AutopilotGraph,
  clock: ReturnType<typeof scaledClock>,
  strategy: Strategy,
  prefix: string,
) {
  const isGraph = (p: string) => p.startsWith('/v1.0/') || p.startsWith('/beta/');
  const startSeq = sim.requestLog.entries.length;
  const t0 = clock.now();
  const importId = `${prefix}-${Date.now()}`;
  const batch = Array.from({ length: DEVICES }, (_, i) => {
    const serialNumber = `${prefix.toUpperCase()}${String(i).padStart(5, '0')}`;
    return {
      serialNumber,
      importId,
      groupTag: 'Bench',
      hardwareIdentifier: encodeHardwareHash({ serialNumber, manufacturer: 'Contoso', model: 'Bench 9' }),
    };
  });
  const phases: Record<string, number> = {};
  const mark = (name: string, from: number) => {
    phases[name] = sim.requestLog.entries.slice(from).filter((e) => isGraph(e.path)).length;
    return sim.requestLog.entries.length;
  };

  let at = sim.requestLog.entries.length;
  const posted = await ap.importBatch(batch);
  const ids = new Set(posted.value.map((r) => r.id));
  at = mark('import', at);

  let done: ImportedIdentity[] = [];
  let importPolls = 0;
  for (;;) {
    await clock.sleep(POLL_MS);
    importPolls++;
    // As the worker does: one listing of the tenant's imported records, matched by the ids the POST gave back.
    done = (await ap.listImported()).value.filter((r) => ids.has(r.id));
    if (
      done.length === DEVICES &&
      done.every((r) => r.state.deviceImportStatus === 'complete' || r.state.deviceImportStatus === 'error')
    )
      break;
  }
  at = mark('pollImport', at);

  await ap.deleteImported(done.map((r) => r.id));
  at = mark('deleteImported', at);

  const waiting = new Set(
    done.filter((r) => r.state.deviceImportStatus === 'complete').map((r) => r.state.deviceRegistrationId!),
  );
  let registrationPolls = 0;
  while (waiting.size) {
    await clock.sleep(POLL_MS);
    registrationPolls++;
    if (strategy === 'list-per-poll') {
      for (const d of (await ap.listRegisteredDevices({ profileStatus: false })).value) waiting.delete(d.id);
    } else {
      for (const id of [...waiting])
        if ((await ap.getRegisteredDevice(id, { profileStatus: false })).value) waiting.delete(id);
    }
  }
  mark('pollRegistration', at);
  const entries = sim.requestLog.entries.slice(startSeq);
  const graphRequests = entries.filter((e) => isGraph(e.path)).length;
  return {
    strategy,
    devices: DEVICES,
    graphRequests,
    perDevice: Number((graphRequests / DEVICES).toFixed(2)),
    phases,
    importPolls,
    registrationPolls,
    tokenRequests: entries.filter((e) => e.path.includes('/oauth2/')).length,
    throttled429: entries.filter((e) => isGraph(e.path) && e.status === 429).length,
    serviceSeconds: Math.round((clock.now() - t0) / 1000),
    registered: done.filter((r) => r.state.deviceImportStatus === 'complete').length,
  };
}

const clock = scaledClock(TIME_SCALE);
// Token lifetime in service seconds: an hour of real time, so msal refreshes as it would on a bench.
const sim = await startSimulatedTenant({
  clock,
  timeScale: TIME_SCALE,
  scenario: { tokenLifetimeS: 3600 * TIME_SCALE },
});
const dir = await mkdtemp(path.join(tmpdir(), 'graph-bench-'));
try {
  const cloud = customCloud(sim.graphUrl, sim.authorityHost);
  const network = createNodeNetwork({ extraCa: [sim.caCertPem], direct: true });
  const auth = new AuthService(
    { mode: 'certificate', clientId: sim.clientId, tenantId: sim.tenantId, cloud },
    {
      cache: new EncryptedCachePlugin(
        path.join(dir, 'cache.bin'),
        new KeyFileProtector(path.join(dir, 'cache.key'), silentLogger),
        silentLogger,
      ),
      logger: silentLogger,
      openBrowser: async () => {},
      onDeviceCode: () => {},
      loadCertificate: async () => loadCertificateCredential(Buffer.from(sim.clientCertificatePem)),
      networkClient: new MsalNetworkClient(network.fetch),
    },
  );
  const status = await auth.signIn();
  if (status.state !== 'signed-in') throw new Error(`sign-in failed: ${JSON.stringify(status.error)}`);
  const graph = new GraphClient({
    cloud,
    apiVersion: 'v1.0',
    tokens: auth,
    clock,
    logger: silentLogger,
    fetch: network.fetch,
  });
  const ap = new AutopilotGraph({ graph, logger: silentLogger });

  const list = await runBatch(sim, ap, clock, 'list-per-poll', 'bl');
  const perDevice = await runBatch(sim, ap, clock, 'get-per-device', 'bg');
  const result = {
    bench: 'graph',
    pollIntervalS: POLL_MS / 1000,
    timeScale: TIME_SCALE,
    simDelaysS: { processing: sim.scenario.delays.processingS, registration: sim.scenario.delays.registrationS },
    batches: [list, perDevice],
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.stderr.write(
    `graph bench: ${DEVICES} devices import→registered = ${list.graphRequests} Graph requests (list per poll; ${list.phases.deleteImported} of them deletes), ${perDevice.graphRequests} with a GET per device; 429s: ${list.throttled429 + perDevice.throttled429}\n`,
  );
} finally {
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
}

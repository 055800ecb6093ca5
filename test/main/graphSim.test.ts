import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { AuthService } from '../../src-main/auth/authService.ts';
import { loadCertificateCredential } from '../../src-main/auth/certificateCredential.ts';
import { EncryptedCachePlugin } from '../../src-main/auth/encryptedCachePlugin.ts';
import { KeyFileProtector } from '../../src-main/auth/keyFileProtector.ts';
import { MsalNetworkClient } from '../../src-main/auth/msalNetworkClient.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { AutopilotGraph, importRequestBody } from '../../src-main/graph/autopilotGraph.ts';
import type { ImportedIdentity, ImportedIdentityInput } from '../../src-main/graph/autopilotPort.ts';
import { customCloud } from '../../src-main/graph/clouds.ts';
import { GraphClient } from '../../src-main/graph/graphClient.ts';
import { createNodeNetwork } from '../../src-main/net/nodeNetwork.ts';
import { validateAgainstCsdl } from '../../src-main/sim/csdlModel.ts';
import { startSimForTests, type SimHandle } from './graphTestSupport.ts';

const TIME_SCALE = 500;
const clock = scaledClock(TIME_SCALE);
let sim: SimHandle;
let dir: string;

beforeAll(async () => {
  sim = await startSimForTests({
    clock,
    timeScale: TIME_SCALE,
    scenario: {
      delays: { processingS: 30, registrationS: 60, assignmentS: 120, syncRunS: 60, syncCooldownS: 600 },
      devices: {
        registered: [{ serialNumber: 'ALREADY-1', groupTag: 'Old' }],
        otherTenant: [{ serialNumber: 'OTHER1' }],
      },
      pageSize: 50,
    },
  });
  dir = await mkdtemp(path.join(tmpdir(), 'graph-sim-'));
});
afterAll(async () => {
  await sim?.close();
});

function station(tag = 'a', maxAttempts?: number) {
  const cloud = customCloud(sim.graphUrl, sim.authorityHost);
  const network = createNodeNetwork({ extraCa: [sim.caCertPem], direct: true });
  const auth = new AuthService(
    { mode: 'certificate', clientId: sim.clientId, tenantId: sim.tenantId, cloud },
    {
      cache: new EncryptedCachePlugin(
        path.join(dir, `${tag}.bin`),
        new KeyFileProtector(path.join(dir, `${tag}.key`), silentLogger),
        silentLogger,
      ),
      logger: silentLogger,
      openBrowser: async () => {},
      onDeviceCode: () => {},
      loadCertificate: async () => loadCertificateCredential(Buffer.from(sim.clientCertificatePem)),
      networkClient: new MsalNetworkClient(network.fetch),
    },
  );
  const graph = new GraphClient({
    cloud,
    apiVersion: 'v1.0',
    tokens: auth,
    clock,
    logger: silentLogger,
    fetch: network.fetch,
    ...(maxAttempts ? { retry: { maxAttempts } } : {}),
  });
  const ap = new AutopilotGraph({ graph, logger: silentLogger });
  return { auth, graph, ap };
}

let serialSeq = 0;
function devices(n: number, importId: string, groupTag = 'Lab-A'): ImportedIdentityInput[] {
  return Array.from({ length: n }, () => {
    const serialNumber = `SIM${String(++serialSeq).padStart(6, '0')}`;
    return {
      serialNumber,
      importId,
      groupTag,
      hardwareIdentifier: encodeHardwareHash({ serialNumber, manufacturer: 'Contoso', model: 'Bench 1' }),
    };
  });
}

/** The tenant's imported records that carry one of these serials (matched on our side, as the worker does). */
async function recordsOf(ap: AutopilotGraph, serials: string[]): Promise<ImportedIdentity[]> {
  const wanted = new Set(serials);
  return (await ap.listImported()).value.filter((r) => wanted.has(r.serialNumber));
}

async function untilTerminal(
  ap: AutopilotGraph,
  batch: ImportedIdentityInput[],
  count: number,
): Promise<ImportedIdentity[]> {
  for (let i = 0; i < 200; i++) {
    const value = await recordsOf(
      ap,
      batch.map((d) => d.serialNumber),
    );
    if (
      value.length >= count &&
      value.every((r) => r.state.deviceImportStatus === 'complete' || r.state.deviceImportStatus === 'error')
    )
      return value;
    await clock.sleep(10_000);
  }
  throw new Error('batch never finished');
}

/** Largest number of log entries in any window of `windowMs` service time. */
function maxPerWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('Autopilot operations against the simulated tenant over HTTPS', () => {
  it('the import body agrees with the CSDL', () => {
    const body = importRequestBody(devices(3, 'csdl-check'));
    for (const item of body.importedWindowsAutopilotDeviceIdentities) {
      expect(validateAgainstCsdl('importedWindowsAutopilotDeviceIdentity', item, { mode: 'request' })).toEqual([]);
    }
  });

  it('import → listImported → registered → delete only our records', async () => {
    const { auth, ap } = station('flow');
    await auth.signIn();
    const importId = `it-${Date.now()}`;
    const batch = devices(20, importId);
    const posted = await ap.importBatch(batch);
    expect(posted.value).toHaveLength(20);
    expect(posted.requestId).toBeTruthy();
    const done = await untilTerminal(ap, batch, 20);
    expect(done.every((r) => r.state.deviceImportStatus === 'complete')).toBe(true);
    const others = devices(1, 'someone-else');
    const someoneElses = await ap.importBatch(others);
    await ap.deleteImported(done.map((r) => r.id));
    expect(
      await recordsOf(
        ap,
        batch.map((d) => d.serialNumber),
      ),
    ).toHaveLength(0);
    expect(
      (
        await recordsOf(
          ap,
          others.map((d) => d.serialNumber),
        )
      ).map((r) => r.id),
    ).toEqual(someoneElses.value.map((r) => r.id));
    // registration follows; the device is found by serial and by id
    const regId = done[0]!.state.deviceRegistrationId!;
    let found;
    for (let i = 0; i < 100 && !found; i++) {
      found = (await ap.getRegisteredDevice(regId)).value;
      if (!found) await clock.sleep(10_000);
    }
    expect(found).toMatchObject({ serialNumber: batch[0]!.serialNumber, groupTag: 'Lab-A' });
    expect((await ap.findRegisteredBySerial(batch[0]!.serialNumber)).value.map((d) => d.id)).toEqual([regId]);
    await ap.updateDeviceProperties(regId, { groupTag: 'Lab-B' });
    expect((await ap.getRegisteredDevice(regId, { profileStatus: false })).value?.groupTag).toBe('Lab-B');
    expect(await ap.listGroupTags()).toEqual(expect.arrayContaining(['Lab-A', 'Lab-B', 'Old']));
  });

  it('polls a batch without bringing every hardware hash back', async () => {
    const { auth, ap } = station('select');
    await auth.signIn();
    const importId = `sel-${Date.now()}`;
    const batch = devices(3, importId, 'Lab-S');
    await ap.importBatch(batch);
    const read = await recordsOf(
      ap,
      batch.map((d) => d.serialNumber),
    );
    expect(read).toHaveLength(3);
    expect(
      read.every((r) => r.groupTag === 'Lab-S' && r.importId === importId && r.id && r.state.deviceImportStatus),
    ).toBe(true);
    const poll = sim.log.entries
      .filter((e) => e.method === 'GET' && e.path.endsWith('/importedWindowsAutopilotDeviceIdentities'))
      .at(-1)!;
    const select = new URLSearchParams(poll.query).get('$select')!.split(',');
    expect(select).toEqual(expect.arrayContaining(['id', 'serialNumber', 'importId', 'state']));
    expect(select).not.toContain('hardwareIdentifier');
    expect(poll.status).toBe(200);
  });

  it("errors follow the data: 806 for a device already here, 808 for another tenant's", async () => {
    const { auth, ap } = station('errors');
    await auth.signIn();
    const importId = `err-${Date.now()}`;
    const mk = (serialNumber: string) => ({
      serialNumber,
      importId,
      hardwareIdentifier: encodeHardwareHash({ serialNumber, manufacturer: 'Contoso', model: 'M' }),
    });
    const pair = [mk('ALREADY-1'), mk('OTHER1')];
    await ap.importBatch(pair);
    const done = await untilTerminal(ap, pair, 2);
    const bySerial = Object.fromEntries(done.map((r) => [r.serialNumber, r.state.deviceErrorCode]));
    expect(bySerial).toEqual({ 'ALREADY-1': 806, OTHER1: 808 });
  });

  it('finds a serial with "-" through the paging fallback', async () => {
    const { auth, ap } = station('dash');
    await auth.signIn();
    const found = await ap.findRegisteredBySerial('ALREADY-1');
    expect(found.value.map((d) => d.serialNumber)).toEqual(['ALREADY-1']);
  });

  it("sync: a second call at once is refused by the service (409 running / 429 too soon) and not retried (the station's rule lives in the worker)", async () => {
    const { auth, ap } = station('sync');
    await auth.signIn();
    expect(await ap.requestSync()).toBe('requested');
    const before = sim.log.count({ pathContains: 'windowsAutopilotSettings/sync' });
    expect(['too-soon', 'in-progress']).toContain(await ap.requestSync());
    expect(sim.log.count({ pathContains: 'windowsAutopilotSettings/sync' })).toBe(before + 1);
  });

  // A lost answer to the import POST is the worker's to reconcile (queueSim, queueFaults, queueCrash): here the reads.
  it('a storm of 429s, 5xx and resets on reads ends with every device imported exactly once', async () => {
    const { auth, ap, graph } = station('storm');
    await auth.signIn();
    const importId = `storm-${Date.now()}`;
    const batch = devices(30, importId);
    const graphPaths = '/deviceManagement/';
    sim.inject({ kind: '429', count: 3, retryAfterS: 5, pathContains: graphPaths });
    sim.inject({ kind: '503', count: 2, pathContains: graphPaths });
    sim.inject({ kind: '500', count: 2, method: 'GET', pathContains: graphPaths });
    sim.inject({ kind: 'reset', count: 2, method: 'GET', pathContains: graphPaths });
    await ap.importBatch(batch);
    const done = await untilTerminal(ap, batch, 30);
    sim.clearFaults();
    // every injected fault fired (several may fire on one request: the first decides the answer)
    expect(sim.log.entries.reduce((n, e) => n + (e.faults?.length ?? 0), 0)).toBe(9);
    expect(graph.stats().retries).toBeGreaterThanOrEqual(2);
    expect(done).toHaveLength(30);
    for (const d of batch) expect(sim.log.importCountFor(d.serialNumber)).toBe(1);
  });

  it('a random storm (about 40% of Graph reads and deletes fail) still ends with every device imported once and deleted', async () => {
    const { auth, ap, graph } = station('random-storm', 14);
    await auth.signIn();
    const importId = `rstorm-${Date.now()}`;
    const batch = devices(25, importId);
    const graphPaths = '/deviceManagement/';
    void [
      sim.inject({ kind: '429', probability: 0.15, retryAfterS: 3, pathContains: graphPaths }),
      sim.inject({ kind: '503', probability: 0.1, pathContains: graphPaths }),
      ...(['GET', 'DELETE'] as const).flatMap((method) => [
        sim.inject({ kind: '500', probability: 0.1, method, pathContains: graphPaths }),
        sim.inject({ kind: 'reset', probability: 0.1, method, pathContains: graphPaths }),
      ]),
    ];
    try {
      const posted = await ap.importBatch(batch);
      const done = await untilTerminal(ap, batch, 25);
      await ap.deleteImported(done.map((r) => r.id));
      expect(new Set(posted.value.map((r) => r.serialNumber)).size).toBe(25);
    } finally {
      sim.clearFaults();
    }
    for (const d of batch) expect(sim.log.importCountFor(d.serialNumber)).toBe(1);
    expect(
      await recordsOf(
        ap,
        batch.map((d) => d.serialNumber),
      ),
    ).toHaveLength(0);
    expect(graph.stats().retries).toBeGreaterThan(0);
  });

  it("the client-side budget keeps a burst of writes under the service limits (counted in the sim's log)", async () => {
    const { auth, ap, graph } = station('budget');
    await auth.signIn();
    const importId = `burst-${Date.now()}`;
    const burst = devices(150, importId);
    const posted = await ap.importBatch(burst);
    await untilTerminal(ap, burst, 150);
    const since = sim.log.entries.length;
    await ap.deleteImported(posted.value.map((r) => r.id)); // 150 writes: more than one window's worth
    const entries = sim.log.entries.slice(since).filter((e) => !e.path.includes('oauth2'));
    expect(entries.filter((e) => e.status === 429)).toHaveLength(0);
    const writes = entries.filter((e) => e.method !== 'GET').map((e) => Date.parse(e.at));
    expect(writes.length).toBe(150);
    expect(maxPerWindow(writes, 20_000)).toBeLessThanOrEqual(100);
    expect(
      maxPerWindow(
        entries.map((e) => Date.parse(e.at)),
        20_000,
      ),
    ).toBeLessThanOrEqual(1000);
    expect(graph.stats().throttled).toBe(0);
  });
});

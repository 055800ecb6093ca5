import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, silentLogger, type LogRecord } from '../../src-main/kernel/logger.ts';
import { AutopilotGraph } from '../../src-main/graph/autopilotGraph.ts';
import { customCloud } from '../../src-main/graph/clouds.ts';
import { GraphClient } from '../../src-main/graph/graphClient.ts';
import { createNodeNetwork } from '../../src-main/net/nodeNetwork.ts';
import { RateBudget } from '../../src-main/graph/rateBudget.ts';
import { startSimulatedTenant, type SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';
import { ManualClock } from './simSupport.ts';

/**
 * Many reads by id in JSON batches (`POST /$batch`, 20 inside), against the simulated tenant over
 * HTTPS: the answers keep their order and their own status, every inner request counts against the
 * budget and in the tenant's log, and a tenant that refuses batches gets single requests for the session.
 */
const RW = 'DeviceManagementServiceConfig.ReadWrite.All';
const clock = new ManualClock();
let sim: SimTenant;
let network: ReturnType<typeof createNodeNetwork>;
const logs: LogRecord[] = [];
const ids: string[] = [];

function autopilot(budget?: RateBudget) {
  const token = sim.issueAccessToken('app', [RW]);
  const logger = createLogger((_l, r) => logs.push(r), {}, 'debug');
  const graph = new GraphClient({
    cloud: customCloud(sim.graphUrl, sim.authorityHost),
    apiVersion: 'v1.0',
    tokens: { getAccessToken: async () => token },
    clock,
    logger: silentLogger,
    fetch: network.fetch,
    random: () => 0.5,
    ...(budget ? { budget } : {}),
  });
  return { graph, port: new AutopilotGraph({ graph, logger }) };
}
const since = (n: number) => sim.requestLog.entries.slice(n);

beforeAll(async () => {
  sim = await startSimulatedTenant({ clock });
  network = createNodeNetwork({ extraCa: [sim.caCertPem], direct: true });
  for (let i = 0; i < 45; i++)
    ids.push(
      sim.seedRegisteredDevice({
        serialNumber: `JB${String(i).padStart(3, '0')}`,
        manufacturer: 'HP',
        model: 'EliteBook',
      }),
    );
});
afterEach(() => {
  sim.clearFaults();
  logs.length = 0;
});
afterAll(async () => {
  await network?.close();
  await sim?.stop();
});

describe('JSON batching of reads by id', () => {
  it('45 reads are 3 batches; answers in order, a missing device is undefined, each inner request logged and budgeted', async () => {
    const budget = new RateBudget(clock);
    const { port } = autopilot(budget);
    const start = sim.requestLog.entries.length;
    const wanted = [...ids.slice(0, 44), '00000000-0000-0000-0000-00000000dead'];
    const reads = await port.getRegisteredDevices(wanted, { profileStatus: false });
    expect(reads.map((r) => r.id)).toEqual(wanted);
    expect(reads.slice(0, 44).map((r) => r.value?.serialNumber)).toEqual(
      Array.from({ length: 44 }, (_, i) => `JB${String(i).padStart(3, '0')}`),
    );
    expect(reads[44]).toMatchObject({ id: wanted[44] });
    expect(reads[44]!.value).toBeUndefined();
    expect(reads.every((r) => !r.error && r.requestId)).toBe(true);

    const seen = since(start);
    const outer = seen.filter((e) => e.path === '/v1.0/$batch');
    const inner = seen.filter((e) => e.batchRequestId);
    expect(outer).toHaveLength(3);
    expect(inner).toHaveLength(45);
    expect(new Set(inner.map((e) => e.batchRequestId))).toEqual(new Set(outer.map((e) => e.requestId)));
    expect(inner.filter((e) => e.status === 404)).toHaveLength(1);
    expect(seen.filter((e) => e.csdlIssues?.length)).toEqual([]);
    // Intune counts every request inside a batch: so does the station's budget.
    expect(budget.usage().requests).toBe(45);
  });

  it('a throttled or failing request inside a batch fails alone, and a 429 inside slows the whole station', async () => {
    const budget = new RateBudget(clock);
    const { port } = autopilot(budget);
    sim.injectFault({ kind: '429', pathContains: ids[3]!, method: 'GET', retryAfterS: 7 });
    sim.injectFault({ kind: '500', pathContains: ids[5]!, method: 'GET' });
    const reads = await port.getRegisteredDevices(ids.slice(0, 10), { profileStatus: false });
    expect(reads[3]!.error).toMatchObject({ kind: 'throttled', status: 429, retryAfterMs: 7000 });
    expect(reads[5]!.error).toMatchObject({ kind: 'unavailable', status: 500 });
    expect(reads.filter((r) => r.value).length).toBe(8);
    expect(budget.rate().throttled).toBe(1);
    expect(budget.usage().pausedForMs).toBeGreaterThan(0);
  });

  it('a tenant that refuses the batch endpoint gets the same answers one by one, and no batch again this session', async () => {
    const { port } = autopilot();
    sim.injectFault({ kind: '500', pathContains: '$batch', method: 'POST' });
    const start = sim.requestLog.entries.length;
    const first = await port.getRegisteredDevices(ids.slice(0, 25), { profileStatus: false });
    expect(first.map((r) => r.value?.id)).toEqual(ids.slice(0, 25));
    expect(port.batch.available).toBe(false);
    expect(logs.filter((l) => /refused a JSON batch/.test(l.message))).toHaveLength(1);
    const mid = sim.requestLog.entries.length;
    const second = await port.getRegisteredDevices(ids.slice(25, 45), { profileStatus: false });
    expect(second.every((r) => r.value)).toBe(true);
    expect(since(mid).filter((e) => e.path.endsWith('$batch'))).toHaveLength(0);
    expect(since(mid).filter((e) => e.method === 'GET' && !e.batchRequestId)).toHaveLength(20);
    // The first call's two chunks (20 + 5) left together: the refused one was read singly, the other went through.
    expect(
      since(start)
        .filter((e) => e.path.endsWith('$batch'))
        .map((e) => e.status)
        .sort(),
    ).toEqual([200, 500]);
  });

  it('a batch endpoint answering 503 (realTenant.batchUnavailable): each chunk is read one by one at once, never re-sent as a batch; two 503s in a row stop batching', async () => {
    const { port } = autopilot();
    sim.setRealTenant({ batchUnavailable: true });
    try {
      const start = sim.requestLog.entries.length;
      const reads = await port.getRegisteredDevices(ids.slice(0, 45), { profileStatus: false });
      expect(reads.map((r) => r.value?.id)).toEqual(ids.slice(0, 45));
      const batches = since(start).filter((e) => e.path.endsWith('$batch'));
      // Three chunks left together: each 503 answered once, none retried as a batch.
      expect(batches.map((e) => e.status)).toEqual([503, 503, 503]);
      expect(port.batch.available).toBe(false);
      expect(logs.filter((l) => /keeps answering 503/.test(l.message))).toHaveLength(1);
      const mid = sim.requestLog.entries.length;
      await port.getRegisteredDevices(ids.slice(0, 5), { profileStatus: false });
      expect(since(mid).filter((e) => e.path.endsWith('$batch'))).toHaveLength(0);
    } finally {
      sim.setRealTenant('off');
    }
  });

  it('the simulated tenant refuses what Graph refuses: more than 20 inside, duplicate ids, versioned urls, a bad body', async () => {
    const token = sim.issueAccessToken('app', [RW]);
    const post = async (body: unknown) => {
      const res = await network.fetch(`${sim.graphUrl}/v1.0/$batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return {
        status: res.status,
        body: (await res.json()) as { error?: { message: string }; responses?: { id: string; status: number }[] },
      };
    };
    const req = (id: string, url = `/deviceManagement/windowsAutopilotDeviceIdentities/${ids[0]}`) => ({
      id,
      method: 'GET',
      url,
    });
    expect((await post({ requests: Array.from({ length: 21 }, (_, i) => req(String(i))) })).status).toBe(400);
    expect((await post({ requests: [req('1'), req('1')] })).status).toBe(400);
    expect(
      (await post({ requests: [req('1', `/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/${ids[0]}`)] }))
        .status,
    ).toBe(400);
    expect((await post('{not json')).status).toBe(400);
    const ok = await post({
      requests: [req('a'), req('b', '/deviceManagement/windowsAutopilotDeviceIdentities/nope')],
    });
    expect(ok.status).toBe(200);
    expect(ok.body.responses!.map((r) => [r.id, r.status])).toEqual([
      ['a', 200],
      ['b', 404],
    ]);
    // Without a valid token, each inner request is refused as it would be alone.
    const res = await network.fetch(`${sim.graphUrl}/v1.0/$batch`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope', 'content-type': 'application/json' },
      body: JSON.stringify({ requests: [req('1')] }),
    });
    expect(((await res.json()) as { responses: { status: number }[] }).responses[0]!.status).toBe(401);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, silentLogger, type LogRecord } from '../../src-main/kernel/logger.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { GraphFailure } from '../../src-main/graph/autopilotPort.ts';
import { customCloud } from '../../src-main/graph/clouds.ts';
import { GraphClient } from '../../src-main/graph/graphClient.ts';
import { queryPartKey } from '../../src-main/graph/optionalQueryParts.ts';
import { retryAfterInMessage } from '../../src-main/graph/retryTiming.ts';
import { createNodeNetwork } from '../../src-main/net/nodeNetwork.ts';
import type { FetchLike } from '../../src-main/net/networkPort.ts';
import { INTUNE_APP_LIMITS, RateBudget } from '../../src-main/graph/rateBudget.ts';
import { startSimulatedTenant, type SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';
import { FakeClock, scriptedServer } from './graphTestSupport.ts';
import { ManualClock } from './simSupport.ts';

/**
 * The Graph client against a tenant that behaves the way real ones do (the simulated tenant's
 * real-tenant switches): optional query parts degrade and are remembered, paging stops, and the
 * request budget adapts to 429s that say nothing about when to come back.
 */
const RW = 'DeviceManagementServiceConfig.ReadWrite.All';
const IMPORTED = '/deviceManagement/importedWindowsAutopilotDeviceIdentities';
const REGISTERED = '/deviceManagement/windowsAutopilotDeviceIdentities';

const clock = new ManualClock();
let sim: SimTenant;
let network: ReturnType<typeof createNodeNetwork>;
const logs: LogRecord[] = [];

function client(options: { budget?: RateBudget; logger?: boolean } = {}) {
  const token = sim.issueAccessToken('app', [RW]);
  return new GraphClient({
    cloud: customCloud(sim.graphUrl, sim.authorityHost),
    apiVersion: 'v1.0',
    tokens: { getAccessToken: async () => token },
    clock,
    logger: options.logger ? createLogger((_l, r) => logs.push(r), {}, 'debug') : silentLogger,
    fetch: network.fetch,
    random: () => 0.5,
    ...(options.budget ? { budget: options.budget } : {}),
  });
}
const requestsSince = (n: number) => sim.requestLog.entries.slice(n);

beforeAll(async () => {
  sim = await startSimulatedTenant({ clock });
  network = createNodeNetwork({ extraCa: [sim.caCertPem], direct: true });
  const records = Array.from({ length: 5 }, (_, i) => ({
    serialNumber: `PG${i}`,
    hardwareIdentifier: encodeHardwareHash({ serialNumber: `PG${i}`, manufacturer: 'HP', model: 'M' }),
    importId: 'pg',
  }));
  sim.model.importBatch(records);
  sim.seedRegisteredDevice({ serialNumber: 'ABC-123', manufacturer: 'HP' });
  sim.seedRegisteredDevice({ serialNumber: 'PLAIN9', manufacturer: 'HP' });
});
afterEach(() => {
  sim.setRealTenant('off');
  sim.clearFaults();
  logs.length = 0;
});
afterAll(async () => {
  await network?.close();
  await sim?.stop();
});

describe('optional query parts degrade', () => {
  it('$select answered 500: sent again without it at once, remembered for the tenant and logged once; the collection without $select still works', async () => {
    sim.setRealTenant({ selectFails: true });
    const graph = client({ logger: true });
    const n = sim.requestLog.entries.length;
    const first = await graph.getAll<{ id: string }>({
      path: IMPORTED,
      query: { $select: 'id,state' },
      optional: ['$select'],
    });
    expect(first.value).toHaveLength(5);
    expect(first.dropped).toEqual(['$select']);
    expect(requestsSince(n).map((e) => e.status)).toEqual([500, 200]);
    // No backoff wait for a degrade: it is the part, not the service, that failed.
    expect(graph.stats()).toMatchObject({ degraded: 1, retries: 0 });
    const m = sim.requestLog.entries.length;
    const again = await graph.request({
      method: 'GET',
      path: IMPORTED,
      query: { $select: 'id' },
      optional: ['$select'],
    });
    expect(again.dropped).toEqual(['$select']);
    expect(requestsSince(m)).toHaveLength(1);
    expect(requestsSince(m)[0]!.query).toBe('');
    expect(graph.refusedQueryParts()).toEqual([`${IMPORTED}|$select`]);
    expect(logs.filter((l) => l.level === 'warn' && /optional query part/.test(l.message))).toHaveLength(1);
    // Another client (another tenant session) has its own memory; $select is optional even when not listed.
    const other = client();
    expect(other.refusedQueryParts()).toEqual([]);
    const unlisted = await other.getAll({ path: REGISTERED, query: { $select: 'id,groupTag' } });
    expect(unlisted.dropped).toEqual(['$select']);
    expect(other.refusedQueryParts()).toEqual([`${REGISTERED}|$select`]);
  });

  it("contains() with a '-' answered 400: that filter shape is dropped and the caller told so; plain serials keep their filter", async () => {
    sim.setRealTenant({ containsDashFails: true });
    const graph = client();
    const dashed = await graph.getAll<{ serialNumber: string }>({
      path: REGISTERED,
      query: { $filter: "contains(serialNumber,'ABC-123')" },
      optional: ['$filter'],
    });
    expect(dashed.dropped).toEqual(['$filter']);
    // Unfiltered: the caller filters on its side.
    expect(dashed.value.map((d) => d.serialNumber)).toEqual(expect.arrayContaining(['ABC-123', 'PLAIN9']));
    const n = sim.requestLog.entries.length;
    const plain = await graph.getAll<{ serialNumber: string }>({
      path: REGISTERED,
      query: { $filter: "contains(serialNumber,'PLAIN9')" },
      optional: ['$filter'],
    });
    expect(plain.dropped).toEqual([]);
    expect(plain.value.map((d) => d.serialNumber)).toEqual(['PLAIN9']);
    const other = await graph.getAll({
      path: REGISTERED,
      query: { $filter: "contains(serialNumber,'XY-9')" },
      optional: ['$filter'],
    });
    expect(other.dropped).toEqual(['$filter']);
    expect(requestsSince(n).map((e) => e.status)).toEqual([200, 200]);
    expect(queryPartKey(`${REGISTERED}/abc`, '$filter', "contains(serialNumber,'A B')")).toBe(
      `${REGISTERED}|$filter:contains(serialNumber,'special')`,
    );
  });

  it('several optional parts, a 400: dropped one by one, least useful first; only the one whose removal changed the answer is remembered', async () => {
    const graph = client();
    // The imported collection refuses a filter on serialNumber (400); $select and $top are fine.
    const n = sim.requestLog.entries.length;
    const r = await graph.getAll({
      path: IMPORTED,
      query: { $filter: "serialNumber eq 'PG1'", $select: 'id,serialNumber', $top: '2' },
      optional: ['$filter', '$select', '$top'],
    });
    expect(r.dropped).toEqual(['$select', '$top', '$filter']);
    expect(r.value).toHaveLength(5);
    expect(
      requestsSince(n)
        .slice(0, 4)
        .map((e) => e.status),
    ).toEqual([400, 400, 400, 200]);
    expect(graph.refusedQueryParts()).toEqual([`${IMPORTED}|$filter:serialNumber eq 'plain'`]);
    // Next time: the filter is left out at once, $select and $top are sent and work.
    const m = sim.requestLog.entries.length;
    const again = await graph.getAll({
      path: IMPORTED,
      query: { $filter: "serialNumber eq 'PG2'", $select: 'id,serialNumber', $top: '10' },
      optional: ['$filter', '$select', '$top'],
    });
    expect(again.dropped).toEqual(['$filter']);
    expect(requestsSince(m).map((e) => [e.status, decodeURIComponent(e.query)])).toEqual([
      [200, '?$select=id,serialNumber&$top=10'],
    ]);
    // A part the caller did not mark optional is never dropped: the 400 comes back.
    await expect(
      graph.request({ method: 'GET', path: IMPORTED, query: { $filter: "serialNumber eq 'PG1'" } }),
    ).rejects.toMatchObject({ code: 'GRAPH_BAD_REQUEST' });
  });

  it('a passing 5xx is not blamed on the optional part: it goes back in and the request is retried as usual', async () => {
    const graph = client();
    sim.injectFault({ kind: '500', count: 2, pathContains: 'importedWindowsAutopilotDeviceIdentities', method: 'GET' });
    const n = sim.requestLog.entries.length;
    const r = await graph.getAll({ path: IMPORTED, query: { $select: 'id' }, optional: ['$select'] });
    expect(r.dropped).toEqual([]);
    expect(requestsSince(n).map((e) => [e.status, e.query.includes('select')])).toEqual([
      [500, true],
      [500, false],
      [200, true],
    ]);
    expect(graph.refusedQueryParts()).toEqual([]);
  });
});

describe('paging that stops', () => {
  it('a last page that links to itself ends the listing with every item once, one request per page', async () => {
    sim.setRealTenant({ nextLinkRepeats: true });
    const graph = client();
    const n = sim.requestLog.entries.length;
    const r = await graph.getAll<{ id: string }>({ path: IMPORTED, query: { $top: '2' } });
    expect(r.value).toHaveLength(5);
    expect(new Set(r.value.map((v) => v.id)).size).toBe(5);
    expect(r.endedBy).toBe('repeated-page');
    expect(requestsSince(n)).toHaveLength(3);
    // One page that links to a copy of itself: one more read, then the end.
    const m = sim.requestLog.entries.length;
    const single = await graph.getAll<{ id: string }>({ path: IMPORTED });
    expect(single.value).toHaveLength(5);
    expect(single.endedBy).toBe('repeated-page');
    expect(requestsSince(m)).toHaveLength(2);
  });

  it('a link back to an earlier page, or a page of only already-seen items, is GRAPH_PAGING_LOOP, not 10,000 reads', async () => {
    const pageA = { value: [{ id: 'a' }, { id: 'b' }] };
    const pageB = { value: [{ id: 'c' }] };
    const server = await scriptedServer((req) => {
      const u = new URL(req.url, 'http://x');
      const at = u.searchParams.get('page');
      const next = (p: string) =>
        `http://${req.headers.host}/v1.0${IMPORTED}?page=${p}${u.searchParams.get('mix') ? '&mix=1' : ''}`;
      if (u.searchParams.get('mix'))
        return {
          status: 200,
          body:
            at === '2'
              ? { value: [{ id: 'a' }], '@odata.nextLink': next('3') }
              : { ...pageA, '@odata.nextLink': next('2') },
        };
      if (at === '2') return { status: 200, body: { ...pageB, '@odata.nextLink': next('1') } };
      return { status: 200, body: { ...pageA, '@odata.nextLink': next('2') } };
    });
    try {
      const fake = new FakeClock();
      const graph = new GraphClient({
        cloud: customCloud(server.url, server.url),
        apiVersion: 'v1.0',
        tokens: { getAccessToken: async () => 't' },
        clock: fake,
        logger: silentLogger,
      });
      const err = await graph.getAll({ path: IMPORTED, doing: 'reading the import batch' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GraphFailure);
      expect(err).toMatchObject({ code: 'GRAPH_PAGING_LOOP', transient: true, params: { pages: 3 } });
      expect((err as GraphFailure).message).toContain('reading the import batch');
      expect(server.seen.length).toBeLessThanOrEqual(3);
      const before = server.seen.length;
      await expect(graph.getAll({ path: IMPORTED, query: { mix: '1' } })).rejects.toMatchObject({
        code: 'GRAPH_PAGING_LOOP',
      });
      expect(server.seen.length - before).toBe(2);
    } finally {
      await server.close();
    }
  });
});

describe('throttling without Retry-After', () => {
  it('reads "RetryAfter" from Intune\'s JSON message when it is there, and nothing when it is null', () => {
    expect(retryAfterInMessage('{"_version":3,"RetryAfter":null}')).toBeUndefined();
    expect(retryAfterInMessage('{"_version":3,"RetryAfter":"12"}')).toBe(12_000);
    expect(retryAfterInMessage('{"RetryAfter": 3}')).toBe(3_000);
    expect(retryAfterInMessage('Too many requests')).toBeUndefined();
  });

  it("the sync's 10-minute refusal without Retry-After: no made-up wait in the failure, and the app's budget is not cut", async () => {
    sim.setRealTenant({ noRetryAfter: true });
    const graph = client();
    const sync = () =>
      graph.request({
        method: 'POST',
        path: '/deviceManagement/windowsAutopilotSettings/sync',
        beta: true,
        idempotent: false,
        noRetry: true,
      });
    clock.advance(3600_000);
    expect((await sync()).status).toBe(204);
    clock.advance(120_000); // past the sync's run (409 meanwhile), within its 10 minutes
    const err = await sync().catch((e: unknown) => e);
    expect(err, JSON.stringify((err as GraphFailure).details)).toMatchObject({ status: 429, code: 'GRAPH_THROTTLED' });
    expect((err as GraphFailure).retryAfterMs).toBeUndefined();
    expect(graph.budget.rate()).toMatchObject({ fraction: 1, throttled: 0 });
    expect(graph.budget.usage().pausedForMs).toBe(0);
  });

  it('the budget halves on a 429 (once per window), caps itself under the refused rate, then grows back slowly', () => {
    const c = new FakeClock();
    const budget = new RateBudget(c, { windowMs: 20_000, maxWrites: 90, maxRequests: 900 });
    expect(budget.rate()).toMatchObject({ fraction: 1, maxWrites: 90 });
    budget.onThrottled();
    budget.onThrottled(); // the same burst
    expect(budget.rate()).toMatchObject({
      fraction: 0.5,
      ceiling: 0.85,
      maxWrites: 45,
      maxRequests: 450,
      throttled: 2,
    });
    c.advance(20_000 * 4);
    expect(budget.rate().fraction).toBeCloseTo(0.7, 5);
    c.advance(20_000 * 10);
    expect(budget.rate().fraction).toBeCloseTo(budget.rate().ceiling, 5);
    expect(budget.rate().ceiling).toBeLessThan(0.9);
    // One station alone gets its whole budget back within an hour or so.
    c.advance(60 * 60_000);
    expect(budget.rate().fraction).toBe(1);
    expect(new RateBudget(c, { windowMs: 20_000, maxWrites: 90, maxRequests: 900 }, false).rate().fraction).toBe(1);
  });

  /**
   * Two stations sharing one app registration hammer the tenant with writes for `windows` windows of
   * 20 s. The tenant allows 20 writes per window per app (Intune's 100, scaled down so the test is
   * quick); each station's budget is 18 (90%, as for Intune): together 36, so they must learn to share. Virtual time
   * (see VirtualClock) makes the run exact and fast on a loaded machine: time stands still while a request is on the
   * wire.
   */
  async function twoStations(adaptive: boolean, windows: number) {
    const windowMs = 20_000;
    const virtual = new VirtualClock();
    const shared = await startSimulatedTenant({
      clock: virtual,
      realTenant: { noRetryAfter: true },
      scenario: { throttle: { appWrites: 20 } },
    });
    const agent = createNodeNetwork({ extraCa: [shared.caCertPem], direct: true });
    const id = shared.seedRegisteredDevice({ serialNumber: 'HAMMER1', manufacturer: 'HP' });
    const token = shared.issueAccessToken('app', [RW]);
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const station = () =>
      new GraphClient({
        cloud: customCloud(shared.graphUrl, shared.authorityHost),
        apiVersion: 'v1.0',
        tokens: { getAccessToken: async () => token },
        clock: virtual,
        logger: silentLogger,
        fetch: virtual.trackedFetch(agent.fetch),
        random,
        budget: new RateBudget(virtual, { ...INTUNE_APP_LIMITS, maxWrites: 18 }, adaptive ? {} : false),
      });
    const stations = [station(), station()];
    const write = (g: GraphClient) =>
      g.request({
        method: 'POST',
        path: `${REGISTERED}/${id}/updateDeviceProperties`,
        body: { displayName: 'x' },
        idempotent: true,
      });
    try {
      const start = virtual.now();
      const end = start + windows * windowMs;
      const hammer = async (g: GraphClient) => {
        while (virtual.now() < end) await write(g).catch(() => {});
      };
      await Promise.all(stations.flatMap((g) => [hammer(g), hammer(g), hammer(g), hammer(g)]));
      const writes = shared.requestLog.entries.filter((e) => e.method === 'POST');
      const windowOf = (e: { at: string }) => Math.floor((Date.parse(e.at) - start) / windowMs);
      const per = (status: number) =>
        Array.from(
          { length: windows },
          (_, w) => writes.filter((e) => e.status === status && windowOf(e) === w).length,
        );
      return { throttled: per(429), ok: per(204), fractions: stations.map((g) => g.budget.rate().fraction) };
    } finally {
      await agent.close();
      await shared.stop();
    }
  }
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);

  it('two stations sharing one app registration hammer the tenant: 429s (without Retry-After) stop after the first few', async () => {
    const fixed = await twoStations(false, 4);
    const run = await twoStations(true, 30);
    const note = `fixed budgets: 429s per window ${JSON.stringify(fixed.throttled)}; adaptive: 429s ${JSON.stringify(run.throttled)}, 204s ${JSON.stringify(run.ok)}, rates ${run.fractions}`;
    // With fixed budgets (90% each) the tenant refuses writes in every window, for ever.
    expect(
      fixed.throttled.slice(1).every((n) => n > 0),
      note,
    ).toBe(true);
    // Adaptive: some 429s in the first windows, then none for the rest (the slowly rising ceiling
    // probes again only after about half an hour).
    const firstQuiet = run.throttled.findLastIndex((n) => n > 0) + 1;
    expect(sum(run.throttled), note).toBeGreaterThan(0);
    expect(firstQuiet, note).toBeLessThanOrEqual(10);
    // Settled close to the limit, not starved: at least 75% of what the tenant allows.
    expect(sum(run.ok.slice(10)) / 20, note).toBeGreaterThanOrEqual(15);
    for (const f of run.fractions) expect(f, note).toBeLessThan(0.65);
  }, 60_000);
});

/**
 * Virtual time for a test with real HTTP: time stands still while a request is on the wire, and
 * jumps to the next sleeper's wake-up when nothing is in flight. So latency costs no service time and
 * a 20-minute run takes as long as its requests.
 */
class VirtualClock {
  private t = Date.UTC(2026, 10, 23, 9, 0, 0);
  private timers: { at: number; resolve: () => void }[] = [];
  private busy = 0;
  private scheduled = false;
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve) => {
      this.timers.push({ at: this.t + Math.max(0, ms), resolve });
      this.schedule();
    });
  }
  /** fetch that counts as "on the wire" until its whole body is read. */
  trackedFetch(inner: FetchLike) {
    return async (url: string, init?: RequestInit): Promise<Response> => {
      this.busy++;
      try {
        const res = await inner(url, init);
        const text = await res.text();
        return new Response(res.status === 204 || res.status === 304 ? null : text, {
          status: res.status,
          headers: res.headers as unknown as Headers,
        });
      } finally {
        this.busy--;
        this.schedule();
      }
    };
  }
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.busy > 0 || this.timers.length === 0) return;
      this.timers.sort((a, b) => a.at - b.at);
      this.t = Math.max(this.t, this.timers[0]!.at);
      const due = this.timers.filter((x) => x.at <= this.t);
      this.timers = this.timers.filter((x) => x.at > this.t);
      for (const x of due) x.resolve();
    });
  }
}

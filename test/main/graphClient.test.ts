import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { GraphFailure } from '../../src-main/graph/autopilotPort.ts';
import { CLOUDS, apiVersionFor, customCloud } from '../../src-main/graph/clouds.ts';
import { GraphClient, type AccessTokenProvider } from '../../src-main/graph/graphClient.ts';
import { parseRetryAfter } from '../../src-main/graph/retryTiming.ts';
import { classifyHttpFailure } from '../../src-main/graph/graphAnswers.ts';
import { FakeClock, scriptedServer, type ScriptedAnswer, type SeenRequest } from './graphTestSupport.ts';

class CountingTokens implements AccessTokenProvider {
  calls: { scope: string; forceRefresh: boolean }[] = [];
  n = 0;
  async getAccessToken(scope: string, options?: { forceRefresh?: boolean }): Promise<string> {
    this.calls.push({ scope, forceRefresh: !!options?.forceRefresh });
    if (options?.forceRefresh) this.n++;
    return `token-${this.n}`;
  }
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(script: (req: SeenRequest, i: number) => ScriptedAnswer, random = () => 0.5) {
  const server = await scriptedServer(script);
  close = server.close;
  const clock = new FakeClock();
  const tokens = new CountingTokens();
  const client = new GraphClient({
    cloud: customCloud(server.url, server.url),
    apiVersion: 'v1.0',
    tokens,
    clock,
    logger: silentLogger,
    random,
  });
  return { server, clock, tokens, client };
}

describe('clouds', () => {
  it('names the four clouds with their hosts and a scope of the same cloud', () => {
    expect(CLOUDS.global.scope).toBe('https://graph.microsoft.com/.default');
    expect(CLOUDS.usgov).toMatchObject({
      graphHost: 'https://graph.microsoft.us',
      authorityHost: 'https://login.microsoftonline.us',
    });
    expect(CLOUDS.usgovdod).toMatchObject({
      graphHost: 'https://dod-graph.microsoft.us',
      authorityHost: 'https://login.microsoftonline.us',
    });
    expect(CLOUDS.china).toMatchObject({
      graphHost: 'https://microsoftgraph.chinacloudapi.cn',
      authorityHost: 'https://login.partner.microsoftonline.cn',
    });
    for (const c of Object.values(CLOUDS)) expect(c.scope).toBe(`${c.graphHost}/.default`);
    expect(apiVersionFor('v1.0')).toBe('v1.0');
    expect(apiVersionFor('v1.0', true)).toBe('beta');
  });
});

describe('GraphClient', () => {
  it('sends a client-request-id GUID and the token, and keeps the service request-id', async () => {
    const { server, client, tokens } = await setup(() => ({ status: 200, body: { value: [] } }));
    const res = await client.request({
      method: 'GET',
      path: '/deviceManagement/importedWindowsAutopilotDeviceIdentities',
      query: { $filter: "importId eq 'a b'" },
    });
    expect(res.requestId).toBe('srv-1');
    expect(res.clientRequestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const seen = server.seen[0]!;
    expect(seen.headers['client-request-id']).toBe(res.clientRequestId);
    expect(seen.headers.authorization).toBe('Bearer token-0');
    expect(seen.url).toBe(
      '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities?$filter=importId%20eq%20%27a%20b%27',
    );
    expect(tokens.calls[0]!.scope).toBe(`${server.url}/.default`);
  });

  it('uses beta when the call needs it', async () => {
    const { server, client } = await setup(() => ({ status: 204 }));
    await client.request({ method: 'POST', path: '/deviceManagement/windowsAutopilotSettings/sync', beta: true });
    expect(server.seen[0]!.url).toBe('/beta/deviceManagement/windowsAutopilotSettings/sync');
  });

  it('waits exactly Retry-After on 429 and 503, then succeeds', async () => {
    const { client, clock, server } = await setup((_r, i) =>
      i === 0
        ? {
            status: 429,
            headers: { 'retry-after': '7' },
            body: { error: { code: 'TooManyRequests', message: 'slow down' } },
          }
        : i === 1
          ? { status: 503, headers: { 'retry-after': '3' } }
          : { status: 200, body: { ok: 1 } },
    );
    const res = await client.request<{ ok: number }>({ method: 'GET', path: '/x' });
    expect(res.body).toEqual({ ok: 1 });
    expect(res.attempts).toBe(3);
    expect(server.seen).toHaveLength(3);
    // the budget pause and the retry wait are the same Retry-After: no extra sleep on top of it
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(client.stats()).toMatchObject({ requests: 3, throttled: 1, retries: 2 });
  });

  it('backs off exponentially with jitter on 5xx and resets, for idempotent calls', async () => {
    const { client, clock } = await setup(
      (_r, i) =>
        i === 0
          ? { status: 500 }
          : i === 1
            ? { status: 0, reset: true }
            : i === 2
              ? { status: 502 }
              : { status: 200, body: {} },
      () => 1,
    );
    await client.request({ method: 'GET', path: '/x' });
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000]);
  });

  it('jitter keeps half of each step fixed', () => {
    const c = new GraphClient({
      cloud: CLOUDS.global,
      apiVersion: 'v1.0',
      tokens: new CountingTokens(),
      clock: new FakeClock(),
      logger: silentLogger,
      random: () => 0,
    });
    expect([1, 2, 3, 10].map((a) => c.backoff(a))).toEqual([500, 1_000, 2_000, 30_000]);
  });

  it('gives up after the last attempt with a transient "unavailable" failure that keeps the request-id', async () => {
    const { client } = await setup(() => ({
      status: 500,
      body: { error: { code: 'InternalServerError', message: 'boom' } },
    }));
    const err = await client.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphFailure);
    expect(err).toMatchObject({
      kind: 'unavailable',
      transient: true,
      code: 'GRAPH_UNAVAILABLE',
      requestId: 'srv-6',
      status: 500,
    });
    expect((err as GraphFailure).clientRequestId).toBeTruthy();
    expect((err as GraphFailure).action).toBeTruthy();
  });

  it('does not resend a non-idempotent POST after a 5xx or reset: it reports it may have landed', async () => {
    const { client, server } = await setup(() => ({ status: 0, reset: true }));
    const err = (await client
      .request({ method: 'POST', path: '/import', body: { a: 1 }, idempotent: false })
      .catch((e: unknown) => e)) as GraphFailure;
    expect(err.kind).toBe('network');
    expect(err.details?.maybeApplied).toBe(true);
    expect(server.seen).toHaveLength(1);
  });

  it('returns a throttled failure with the wait when Retry-After is too long to wait inline', async () => {
    const { client } = await setup(() => ({ status: 429, headers: { 'retry-after': '900' } }));
    const err = (await client.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e)) as GraphFailure;
    expect(err).toMatchObject({ kind: 'throttled', retryAfterMs: 900_000, code: 'GRAPH_THROTTLED' });
    expect(err.action).toMatch(/15 minutes/);
  });

  it('refreshes the token once on 401 and resends; a second 401 is "sign-in expired"', async () => {
    const first = await setup((r) =>
      r.headers.authorization === 'Bearer token-0'
        ? {
            status: 401,
            body: {
              error: {
                code: 'InvalidAuthenticationToken',
                message: 'Lifetime validation failed, the token is expired.',
              },
            },
          }
        : { status: 200, body: {} },
    );
    await first.client.request({ method: 'GET', path: '/x' });
    expect(first.tokens.calls.filter((c) => c.forceRefresh)).toHaveLength(1);
    expect(first.server.seen.map((s) => s.headers.authorization)).toEqual(['Bearer token-0', 'Bearer token-1']);
    await close?.();
    const second = await setup(() => ({
      status: 401,
      body: { error: { code: 'InvalidAuthenticationToken', message: 'expired' } },
    }));
    const err = (await second.client.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e)) as GraphFailure;
    expect(err).toMatchObject({ kind: 'sign-in-expired', code: 'GRAPH_SIGN_IN_EXPIRED', transient: false });
    expect(second.server.seen).toHaveLength(2);
  });

  it('names the missing permission, the missing licence and the wrong cloud', async () => {
    const { client } = await setup((r) =>
      r.url.includes('perm')
        ? {
            status: 403,
            body: { error: { code: 'Forbidden', message: 'Application is not authorized to perform this operation.' } },
          }
        : r.url.includes('lic')
          ? {
              status: 400,
              body: { error: { code: 'BadRequest', message: 'Request not applicable to target tenant.' } },
            }
          : {
              status: 401,
              body: {
                error: {
                  code: 'InvalidAuthenticationToken',
                  message: 'Access token validation failure. Invalid audience.',
                },
              },
            },
    );
    const perm = (await client.request({ method: 'GET', path: '/perm' }).catch((e: unknown) => e)) as GraphFailure;
    expect(perm.kind).toBe('permission-missing');
    expect(perm.message).toContain('DeviceManagementServiceConfig.ReadWrite.All');
    expect(perm.action).toContain('DeviceManagementServiceConfig.ReadWrite.All');
    const lic = (await client.request({ method: 'GET', path: '/lic' }).catch((e: unknown) => e)) as GraphFailure;
    expect(lic.kind).toBe('no-intune-licence');
    const cloud = (await client.request({ method: 'GET', path: '/aud' }).catch((e: unknown) => e)) as GraphFailure;
    expect(cloud.kind).toBe('wrong-cloud');
  });

  it('follows @odata.nextLink on the same host only', async () => {
    const { client, server } = await setup((r) =>
      r.url.includes('page=2')
        ? { status: 200, body: { value: [3] } }
        : { status: 200, body: { value: [1, 2], '@odata.nextLink': `${serverUrl}/v1.0/items?page=2` } },
    );
    let serverUrl = server.url;
    const all = await client.getAll<number>({ path: '/items' });
    expect(all).toMatchObject({ value: [1, 2, 3], pages: 2, requestIds: ['srv-1', 'srv-2'] });
    serverUrl = 'https://evil.example';
    const err = (await client.getAll<number>({ path: '/items' }).catch((e: unknown) => e)) as GraphFailure;
    expect(err.kind).toBe('wrong-cloud');
  });

  it('network failures that persist end as a "network" failure with advice', async () => {
    const { client } = await setup(() => ({ status: 0, reset: true }));
    const err = (await client.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e)) as GraphFailure;
    expect(err).toMatchObject({ kind: 'network', transient: true, code: 'GRAPH_NETWORK' });
  });
});

describe('helpers', () => {
  it('parses Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('12', 0)).toBe(12_000);
    expect(parseRetryAfter(new Date(60_000).toUTCString(), 0)).toBe(60_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });
  it('classifies service answers', () => {
    expect(classifyHttpFailure(404)).toBe('not-found');
    expect(classifyHttpFailure(400, 'BadRequest', 'Invalid filter clause')).toBe('bad-request');
    expect(classifyHttpFailure(403, 'Forbidden', 'Tenant does not have a valid Intune license')).toBe(
      'no-intune-licence',
    );
  });
});

describe('GraphClient: answers that are not Graph, and the end of a command', () => {
  it('a 2xx in HTML (a captive portal) is GRAPH_NOT_JSON naming host and content type; on a POST it may have landed', async () => {
    const { server, client } = await setup(() => ({
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: '<html>Accept the terms</html>',
    }));
    const get = await client
      .request({ method: 'GET', path: '/deviceManagement/importedWindowsAutopilotDeviceIdentities' })
      .catch((e: unknown) => e);
    expect(get).toBeInstanceOf(GraphFailure);
    expect(get).toMatchObject({
      code: 'GRAPH_NOT_JSON',
      kind: 'not-json',
      transient: true,
      params: { host: new URL(server.url).host, contentType: 'text/html' },
    });
    expect((get as GraphFailure).details?.maybeApplied).toBeUndefined();
    const post = await client
      .request({
        method: 'POST',
        path: '/deviceManagement/importedWindowsAutopilotDeviceIdentities/import',
        body: {},
        idempotent: false,
      })
      .catch((e: unknown) => e);
    expect(post).toMatchObject({ code: 'GRAPH_NOT_JSON' });
    expect((post as GraphFailure).details?.maybeApplied).toBe(true);
    // Not retried: a portal does not go away by asking again at once.
    expect(server.seen).toHaveLength(2);
  });

  it('close(): nothing is sent after it, and later requests fail with GRAPH_CLIENT_CLOSED', async () => {
    const { server, client } = await setup(() => ({ status: 200, body: { value: [] } }));
    await client.request({ method: 'GET', path: '/deviceManagement/windowsAutopilotDeviceIdentities' });
    client.close();
    expect(client.closed).toBe(true);
    await expect(
      client.request({ method: 'GET', path: '/deviceManagement/windowsAutopilotDeviceIdentities' }),
    ).rejects.toMatchObject({ code: 'GRAPH_CLIENT_CLOSED' });
    expect(server.seen).toHaveLength(1);
  });

  it('close() ends a wait in flight (a Retry-After) instead of sending after it', async () => {
    const server = await scriptedServer(() => ({
      status: 503,
      headers: { 'retry-after': '120' },
      body: { error: { code: 'ServiceUnavailable', message: 'busy' } },
    }));
    close = server.close;
    const clock = scaledClock(1); // real time: a 120 s Retry-After really waits
    const client = new GraphClient({
      cloud: customCloud(server.url, server.url),
      apiVersion: 'v1.0',
      tokens: new CountingTokens(),
      clock,
      logger: silentLogger,
    });
    const pending = client
      .request({ method: 'GET', path: '/deviceManagement/windowsAutopilotDeviceIdentities' })
      .catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    client.close();
    expect(await pending).toMatchObject({ code: 'GRAPH_CLIENT_CLOSED' });
    expect(server.seen).toHaveLength(1);
  });
});

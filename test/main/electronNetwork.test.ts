/**
 * The Electron adapter of the network port, as far as it can run without Electron: PAC answers read
 * as routes, Chromium's net errors read as probe results, and the adapter over a session-shaped
 * object whose fetch is a real HTTPS client to the simulated tenant (Electron's session.fetch has the
 * same WHATWG shape). In the app, main.ts passes session.fromPartition('station-network').
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createElectronNetwork,
  probeOfChromiumError,
  routeOfPac,
  type NetworkSession,
} from '../../src-main/net/electronNetwork.ts';
import { createNodeNetwork } from '../../src-main/net/nodeNetwork.ts';
import { startSimulatedTenant, type SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';

describe('PAC answers and Chromium errors', () => {
  it('reads the first PAC entry as the route, proxies by scheme and origin', () => {
    expect(routeOfPac('DIRECT')).toEqual({ kind: 'direct' });
    expect(routeOfPac('PROXY proxy.contoso.com:3128; DIRECT')).toEqual({
      kind: 'proxy',
      proxy: 'http://proxy.contoso.com:3128',
    });
    expect(routeOfPac('HTTPS secure.contoso.com:443')).toEqual({
      kind: 'proxy',
      proxy: 'https://secure.contoso.com:443',
    });
    expect(routeOfPac('SOCKS5 s:1080')).toEqual({ kind: 'proxy', proxy: 'socks5://s:1080' });
    expect(routeOfPac('')).toEqual({ kind: 'direct' });
  });

  it("maps net::ERR_ names to the check's failures", () => {
    const at = (message: string) =>
      probeOfChromiumError('graph.microsoft.com', 443, 'http://p:3128', new Error(message));
    expect(at('net::ERR_PROXY_CONNECTION_FAILED')).toMatchObject({
      status: 'proxy',
      proxy: 'http://p:3128',
      reason: 'ERR_PROXY_CONNECTION_FAILED',
    });
    expect(at('net::ERR_TUNNEL_CONNECTION_FAILED')).toMatchObject({ status: 'proxy' });
    expect(at('net::ERR_PROXY_AUTH_UNSUPPORTED')).toMatchObject({ status: 'proxy', httpStatus: 407 });
    expect(at('net::ERR_NAME_NOT_RESOLVED')).toMatchObject({ status: 'dns' });
    expect(at('net::ERR_CERT_AUTHORITY_INVALID')).toMatchObject({
      status: 'tls-untrusted',
      reason: 'ERR_CERT_AUTHORITY_INVALID',
    });
    expect(at('net::ERR_SSL_PROTOCOL_ERROR')).toMatchObject({ status: 'tls' });
    expect(at('net::ERR_CONNECTION_REFUSED')).toMatchObject({
      status: 'tcp',
      reason: 'ERR_CONNECTION_REFUSED',
      address: 'graph.microsoft.com via http://p:3128',
    });
  });
});

describe('the adapter over a session', () => {
  let sim: SimTenant;
  const node = () => createNodeNetwork({ extraCa: [sim?.caCertPem ?? ''], direct: true });
  let inner: ReturnType<typeof createNodeNetwork>;
  beforeAll(async () => {
    sim = await startSimulatedTenant({});
    inner = node();
  });
  afterAll(async () => {
    await inner?.close();
    await sim?.stop();
  });

  it('fetches through the session, names the PAC route, and probes with a HEAD that any HTTP answer passes', async () => {
    const asked: string[] = [];
    const session = {
      fetch: (url: string, init?: RequestInit) => (
        asked.push(`${init?.method ?? 'GET'} ${url}`),
        inner.fetch(url, init)
      ),
      resolveProxy: async () => 'PROXY proxy.contoso.com:3128; DIRECT',
    } as unknown as NetworkSession;
    const port = createElectronNetwork(session);
    expect(port.stack).toBe('electron');
    expect(
      (await port.fetch(`${sim.authorityHost}/${sim.tenantId}/v2.0/.well-known/openid-configuration`)).status,
    ).toBe(200);
    expect(await port.route(sim.graphUrl)).toEqual({ kind: 'proxy', proxy: 'http://proxy.contoso.com:3128' });
    expect(await port.probe(sim.graphUrl, 5_000)).toMatchObject({ status: 'ok', via: 'http://proxy.contoso.com:3128' });
    expect(asked.at(-1)).toBe(`HEAD ${new URL(sim.graphUrl).origin}/`);
  });

  it("a failing session.fetch becomes the probe's failure", async () => {
    const session = {
      fetch: async () => {
        throw new Error('net::ERR_PROXY_CONNECTION_FAILED');
      },
      resolveProxy: async () => 'PROXY 127.0.0.1:9',
    } as unknown as NetworkSession;
    expect(await createElectronNetwork(session).probe('https://graph.microsoft.com', 1_000)).toMatchObject({
      status: 'proxy',
      proxy: 'http://127.0.0.1:9',
      host: 'graph.microsoft.com',
      port: 443,
    });
  });
});

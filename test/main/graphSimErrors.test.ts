import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { AuthService } from '../../src-main/auth/authService.ts';
import { loadCertificateCredential } from '../../src-main/auth/certificateCredential.ts';
import { EncryptedCachePlugin } from '../../src-main/auth/encryptedCachePlugin.ts';
import { KeyFileProtector } from '../../src-main/auth/keyFileProtector.ts';
import { MsalNetworkClient } from '../../src-main/auth/msalNetworkClient.ts';
import { AutopilotGraph } from '../../src-main/graph/autopilotGraph.ts';
import { GraphFailure } from '../../src-main/graph/autopilotPort.ts';
import { customCloud } from '../../src-main/graph/clouds.ts';
import { GraphClient, type AccessTokenProvider } from '../../src-main/graph/graphClient.ts';
import { createNodeNetwork } from '../../src-main/net/nodeNetwork.ts';
import { RateBudget } from '../../src-main/graph/rateBudget.ts';
import { startSimulatedTenant, type SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';
import type { SimScenarioInput } from '../../src-main/sim/simScenario.ts';

const defaultClock = scaledClock(200);
let sim: SimTenant | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function connect(
  scenario: SimScenarioInput,
  tokens?: (s: SimTenant) => AccessTokenProvider,
  budget?: RateBudget,
  clock = defaultClock,
  timeScale = 200,
) {
  sim = await startSimulatedTenant({ clock, timeScale, scenario });
  const s = sim;
  const dir = await mkdtemp(path.join(tmpdir(), 'graph-err-'));
  const cloud = customCloud(s.graphUrl, s.authorityHost);
  const network = createNodeNetwork({ extraCa: [s.caCertPem], direct: true });
  const auth = new AuthService(
    { mode: 'certificate', clientId: s.clientId, tenantId: s.tenantId, cloud },
    {
      cache: new EncryptedCachePlugin(
        path.join(dir, 'c.bin'),
        new KeyFileProtector(path.join(dir, 'c.key'), silentLogger),
        silentLogger,
      ),
      logger: silentLogger,
      openBrowser: async () => {},
      onDeviceCode: () => {},
      loadCertificate: async () => loadCertificateCredential(Buffer.from(s.clientCertificatePem)),
      networkClient: new MsalNetworkClient(network.fetch),
    },
  );
  if (!tokens) expect(await auth.signIn()).toMatchObject({ state: 'signed-in' });
  const graph = new GraphClient({
    cloud,
    apiVersion: 'v1.0',
    tokens: tokens ? tokens(s) : auth,
    clock,
    logger: silentLogger,
    fetch: network.fetch,
    ...(budget ? { budget } : {}),
  });
  return { graph, ap: new AutopilotGraph({ graph, logger: silentLogger }) };
}

async function failureOf(p: Promise<unknown>): Promise<GraphFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GraphFailure);
  return err as GraphFailure;
}

describe('Graph failures from the simulated tenant, in words', () => {
  it('missing permission names DeviceManagementServiceConfig.ReadWrite.All and keeps the request-id', async () => {
    const { ap } = await connect({ app: { roles: [], scopes: [] } });
    const f = await failureOf(ap.listGroupTags());
    expect(f).toMatchObject({ kind: 'permission-missing', status: 403, transient: false });
    expect(f.message).toContain('DeviceManagementServiceConfig.ReadWrite.All');
    expect(f.requestId).toMatch(/\S{8,}/);
    expect(f.clientRequestId).toBeTruthy();
  });

  it('a tenant without Intune is "no Intune licence"', async () => {
    const { ap } = await connect({ intuneLicensed: false });
    const f = await failureOf(ap.findRegisteredBySerial('ABC123'));
    expect(f).toMatchObject({ kind: 'no-intune-licence', code: 'GRAPH_NO_INTUNE_LICENCE' });
    expect(f.action).toMatch(/right tenant|licence/);
  });

  it('a token for another cloud\'s Graph is "wrong cloud", not retried as an expired sign-in', async () => {
    const { ap, graph } = await connect({}, (s) => ({
      getAccessToken: async () =>
        s.issueAccessToken('app', ['DeviceManagementServiceConfig.ReadWrite.All'], {
          aud: 'https://graph.microsoft.us',
        }),
    }));
    const f = await failureOf(ap.getImported('x'));
    expect(f).toMatchObject({ kind: 'wrong-cloud', status: 401 });
    expect(graph.stats().tokenRefreshes).toBe(0);
  });

  it("when the service throttles (its limit is lower than the station's budget), the client waits Retry-After and finishes", async () => {
    // A budget that trusts the service too much, and a service whose app limit is 8 requests per 20 s.
    // Time runs 20 times faster here (not 200) so that the sim's 20 s window lasts a real second even on a loaded
    // machine.
    const clock = scaledClock(20);
    const budget = new RateBudget(clock, { windowMs: 20_000, maxWrites: 100, maxRequests: 1000 });
    const { ap, graph } = await connect({ throttle: { appAll: 8, appWrites: 4 } }, undefined, budget, clock, 20);
    await Promise.all(Array.from({ length: 20 }, (_, i) => ap.getImported(`t-${i}`)));
    expect(graph.stats().throttled).toBeGreaterThan(0);
    const throttled = sim!.requestLog.entries.filter((e) => e.status === 429).length;
    expect(throttled).toBe(graph.stats().throttled);
  });

  it('a Retry-After longer than the client waits inline comes back as "throttled" with the wait', async () => {
    const { graph } = await connect({});
    sim!.injectFault({ kind: '429', count: 1, retryAfterS: 3600, pathContains: '/deviceManagement/' });
    const f = await failureOf(graph.getAll({ path: '/deviceManagement/windowsAutopilotDeviceIdentities' }));
    expect(f).toMatchObject({ kind: 'throttled', retryAfterMs: 3_600_000, transient: true });
    expect(f.action).toMatch(/60 minutes/);
  });
});

/**
 * Claims challenges (Continuous Access Evaluation, Conditional Access authentication context): Graph
 * answers 401 with `WWW-Authenticate: ... error="insufficient_claims", claims="<base64>"`. The station
 * declares the CP1 capability and sends the claims with the next token request, as msal-node supports
 * (https://learn.microsoft.com/entra/identity-platform/claims-challenge). Real msal-node against the
 * simulated tenant with realTenant.claimsChallenge, over HTTPS.
 */
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
import { customCloud } from '../../src-main/graph/clouds.ts';
import { GraphClient } from '../../src-main/graph/graphClient.ts';
import { claimsChallengeOf } from '../../src-main/graph/tokenRenewal.ts';
import { createNodeNetwork } from '../../src-main/net/nodeNetwork.ts';
import { startSimulatedTenant, type SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';

const clock = scaledClock(200);
const sims: SimTenant[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.stop();
});

async function stationOn(mode: 'certificate' | 'device-code') {
  const sim = await startSimulatedTenant({
    clock,
    timeScale: 200,
    realTenant: { claimsChallenge: true },
    scenario: { deviceCodeIntervalS: 1 },
  });
  sims.push(sim);
  const dir = await mkdtemp(path.join(tmpdir(), 'auth-claims-'));
  const cloud = customCloud(sim.graphUrl, sim.authorityHost);
  const network = createNodeNetwork({ extraCa: [sim.caCertPem], direct: true });
  const service = new AuthService(
    { mode, clientId: sim.clientId, tenantId: sim.tenantId, cloud },
    {
      cache: new EncryptedCachePlugin(
        path.join(dir, 'token-cache.bin'),
        new KeyFileProtector(path.join(dir, 'token-cache.key'), silentLogger),
        silentLogger,
      ),
      logger: silentLogger,
      openBrowser: async () => {
        throw new Error('no browser in tests');
      },
      onDeviceCode: (p) => {
        sim.approveDeviceCode(p.userCode);
      },
      loadCertificate: async () => loadCertificateCredential(Buffer.from(sim.clientCertificatePem)),
      networkClient: new MsalNetworkClient(network.fetch),
    },
  );
  const graph = new GraphClient({
    cloud,
    apiVersion: 'v1.0',
    tokens: service,
    clock,
    logger: silentLogger,
    fetch: network.fetch,
  });
  return { sim, service, graph };
}

const claimsSent = (sim: SimTenant) =>
  sim.tokenRequestClaims().map((c) => JSON.parse(c) as { access_token?: Record<string, unknown> });

describe('claims challenge (insufficient_claims)', () => {
  it("reads the challenge's claims from WWW-Authenticate, and nothing from other 401s", () => {
    const claims = JSON.stringify({ access_token: { nbf: { essential: true, value: '1700000000' } } });
    const header = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${Buffer.from(claims).toString('base64')}"`;
    expect(claimsChallengeOf(header)).toBe(claims);
    expect(claimsChallengeOf('Bearer realm="", error="invalid_token"')).toBeUndefined();
    expect(claimsChallengeOf(null)).toBeUndefined();
  });

  it('certificate: CP1 declared on every token request, the challenge answered with its claims, the request then works', async () => {
    const { sim, service, graph } = await stationOn('certificate');
    await service.signIn();
    const res = await graph.getAll({ path: '/deviceManagement/windowsAutopilotDeviceIdentities' });
    expect(res.pages).toBe(1);
    expect(sim.requestLog.count({ status: 401 })).toBe(1);
    const sent = claimsSent(sim);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.every((c) => JSON.stringify(c.access_token?.xms_cc) === JSON.stringify({ values: ['CP1'] }))).toBe(
      true,
    );
    expect(sent.at(-1)!.access_token?.nbf).toEqual({ essential: true, value: expect.any(String) });
  }, 30_000);

  it("device code: the signed-in technician's refresh carries the claims; no new sign-in is needed", async () => {
    const { sim, service, graph } = await stationOn('device-code');
    expect(await service.signIn()).toMatchObject({ state: 'signed-in', mode: 'device-code' });
    const res = await graph.getAll({ path: '/deviceManagement/windowsAutopilotDeviceIdentities' });
    expect(res.pages).toBe(1);
    expect(sim.requestLog.count({ status: 401 })).toBe(1);
    expect(claimsSent(sim).at(-1)!.access_token).toMatchObject({
      xms_cc: { values: ['CP1'] },
      nbf: { essential: true },
    });
    expect(service.status()).toMatchObject({ state: 'signed-in' });
  }, 30_000);
});

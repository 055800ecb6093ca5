import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { fromMsalError } from '../../src-main/auth/authErrors.ts';
import { AuthService } from '../../src-main/auth/authService.ts';
import { EncryptedCachePlugin } from '../../src-main/auth/encryptedCachePlugin.ts';
import { KeyFileProtector } from '../../src-main/auth/keyFileProtector.ts';
import { MsalNetworkClient } from '../../src-main/auth/msalNetworkClient.ts';
import { GraphFailure } from '../../src-main/graph/autopilotPort.ts';
import { customCloud } from '../../src-main/graph/clouds.ts';
import { createNodeNetwork } from '../../src-main/net/nodeNetwork.ts';
import { startSimulatedTenant, type SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';
import { scaledClock } from '../../src-main/kernel/clock.ts';

/**
 * Sign-in in real tenants: the tenant is required, the token's tid must be it, and each AADSTS family has its own
 * advice.
 */
function deviceCodeAuth(sim: SimTenant, tenantId: string | undefined) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'auth-tenant-'));
  const cloud = customCloud(sim.graphUrl, sim.authorityHost);
  const auth = new AuthService(
    { mode: 'device-code', clientId: sim.clientId, ...(tenantId !== undefined ? { tenantId } : {}), cloud },
    {
      cache: new EncryptedCachePlugin(
        path.join(dir, 'c.bin'),
        new KeyFileProtector(path.join(dir, 'k'), silentLogger),
        silentLogger,
      ),
      logger: silentLogger,
      openBrowser: async () => {},
      onDeviceCode: (p) => void sim.approveDeviceCode(p.userCode),
      networkClient: new MsalNetworkClient(createNodeNetwork({ extraCa: [sim.caCertPem], direct: true }).fetch),
    },
  );
  return { auth, cloud };
}

describe('the signed-in tenant must be the configured one', () => {
  const otherTenant = randomUUID();
  let good: SimTenant;
  let foreign: SimTenant;
  beforeAll(async () => {
    const clock = scaledClock(200);
    [good, foreign] = await Promise.all([
      startSimulatedTenant({ clock, timeScale: 200, scenario: { deviceCodeIntervalS: 1 } }),
      // The technician's account lives in another tenant: its tokens carry that tid (as `organizations` gives).
      startSimulatedTenant({
        clock,
        timeScale: 200,
        scenario: { deviceCodeIntervalS: 1, signIn: { tokenTenantId: otherTenant } },
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([good?.stop(), foreign?.stop()]);
  });

  it("a token for another tenant: signed out at once, and the message names the account's tenant", async () => {
    const { auth, cloud } = deviceCodeAuth(foreign, foreign.tenantId);
    const status = await auth.signIn();
    expect(status).toMatchObject({
      state: 'error',
      error: { code: 'AUTH_WRONG_TENANT', params: { expected: foreign.tenantId, actual: otherTenant } },
    });
    expect(status.error!.message).toContain(otherTenant);
    const err = await auth.getAccessToken(cloud.scope).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphFailure);
    expect((err as GraphFailure).kind).toBe('sign-in-expired');
  });

  it('a verified domain is resolved to its tenant id through the OpenID metadata; the sign-in is kept', async () => {
    const { auth, cloud } = deviceCodeAuth(good, good.tenantDomain);
    const status = await auth.signIn();
    expect(status).toMatchObject({ state: 'signed-in', account: { tenantId: good.tenantId } });
    expect((await auth.getAccessToken(cloud.scope)).split('.')).toHaveLength(3);
  });

  it('the same domain on the foreign tenant: resolved, compared, refused', async () => {
    const { auth } = deviceCodeAuth(foreign, foreign.tenantDomain);
    const status = await auth.signIn();
    expect(status.error).toMatchObject({ code: 'AUTH_WRONG_TENANT', params: { actual: otherTenant } });
    expect(String(status.error!.params!.expected)).toContain(foreign.tenantId);
  });

  it('delegated sign-in without a tenant is refused before anything is sent', async () => {
    const before = good.requestLog.entries.length;
    const { auth } = deviceCodeAuth(good, undefined);
    const status = await auth.signIn();
    expect(status).toMatchObject({ state: 'error', error: { code: 'AUTH_TENANT_REQUIRED' } });
    expect(good.requestLog.entries.length).toBe(before);
  });
});

describe('AADSTS codes in plain words, with params for both languages', () => {
  const map = (errorCode: string, errorMessage: string) =>
    fromMsalError({ errorCode, errorMessage }, { cloudLabel: 'Global', tenant: 'contoso.com' });
  it('50020 is "not a member of this tenant" (guest invitation), unless the account is a personal one', () => {
    expect(
      map(
        'invalid_grant',
        "AADSTS50020: User account 'tech@msp.example' from identity provider 'https://sts.windows.net/x/' does not exist in tenant 'Contoso'",
      ),
    ).toMatchObject({ code: 'AUTH_NOT_MEMBER', params: { tenant: 'contoso.com' } });
    expect(
      map('invalid_grant', 'AADSTS50020: User account from identity provider live.com does not exist in tenant').code,
    ).toBe('AUTH_PERSONAL_ACCOUNT');
    expect(map('invalid_grant', 'AADSTS50020: x').action).toMatch(/guest/);
  });
  it('Conditional Access (53003 and the other 530xx): use browser or certificate sign-in', () => {
    for (const c of ['53003', '53000', '53001', '53011']) {
      const e = map('invalid_grant', `AADSTS${c}: Access has been blocked by Conditional Access policies.`);
      expect(e).toMatchObject({ code: 'AUTH_CONDITIONAL_ACCESS', params: { aadsts: c } });
      expect(e.action).toMatch(/browser sign-in or certificate/);
    }
  });
  it('redirect URI (50011) and public client (7000218) name the value to register', () => {
    expect(
      map('invalid_request', 'AADSTS50011: The redirect URI specified in the request does not match'),
    ).toMatchObject({ code: 'AUTH_REDIRECT_URI', params: { redirectUri: 'http://localhost', aadsts: '50011' } });
    const pub = map(
      'invalid_client',
      "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
    expect(pub).toMatchObject({ code: 'AUTH_PUBLIC_CLIENT', params: { redirectUri: 'http://localhost' } });
    expect(pub.action).toMatch(/Mobile and desktop applications.*Allow public client flows/);
  });
  it('65001 is admin consent, with the permission named', () => {
    expect(map('invalid_grant', 'AADSTS65001: The user or administrator has not consented')).toMatchObject({
      code: 'AUTH_CONSENT_MISSING',
      params: { permission: 'DeviceManagementServiceConfig.ReadWrite.All' },
    });
  });
});

import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfidentialClientApplication, PublicClientApplication } from '@azure/msal-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from '../../src-main/sim/jwt.ts';
import { startSimulatedTenant, type SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';
import { createClientCertificate } from '../../src-main/sim/testCertificates.ts';
import { caNetworkClient, simClient } from './simSupport.ts';

/** msal-node v7, unmodified, against the simulated Entra ID: the sim must speak the protocol. */
let sim: SimTenant;
let net: ReturnType<typeof caNetworkClient>;

beforeAll(async () => {
  sim = await startSimulatedTenant({ timeScale: 1, scenario: { deviceCodeIntervalS: 1 } });
  net = caNetworkClient(sim.caCertPem);
});
afterAll(async () => {
  await net?.dispatcher.close();
  await sim?.stop();
});

async function graphStatus(
  token: string,
  p = '/v1.0/deviceManagement/windowsAutopilotDeviceIdentities',
): Promise<number> {
  const c = simClient(sim.caCertPem, sim.graphUrl);
  c.setToken(token);
  try {
    return (await c.get(p)).status;
  } finally {
    await c.close();
  }
}

function confidential(
  cert = sim.clientCertificate,
  authority = sim.authority,
  extra: Record<string, unknown> = { knownAuthorities: [sim.authorityHost] },
) {
  return new ConfidentialClientApplication({
    auth: {
      clientId: sim.clientId,
      authority,
      clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.keyPem, x5c: cert.certPem },
      ...extra,
    },
    system: { networkClient: net },
  });
}

describe('simulated Entra ID with msal-node', () => {
  it('client credentials with a certificate assertion (PS256, x5t#S256): an app token Graph accepts', async () => {
    const result = await confidential().acquireTokenByClientCredential({ scopes: [sim.scope] });
    expect(result?.accessToken).toBeTruthy();
    const claims = decodeJwt(result!.accessToken)!.claims;
    expect(claims).toMatchObject({
      aud: sim.graphUrl,
      tid: sim.tenantId,
      appid: sim.clientId,
      roles: ['DeviceManagementServiceConfig.ReadWrite.All'],
    });
    expect(decodeJwt(result!.accessToken)!.header.alg).toBe('RS256');
    expect(await graphStatus(result!.accessToken)).toBe(200);
    expect(
      sim.requestLog.count({ method: 'POST', pathContains: '/oauth2/v2.0/token', status: 200 }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('the SHA-1 thumbprint (x5t, RS256) works too, and without knownAuthorities when msal is given the metadata', async () => {
    const cert = sim.clientCertificate;
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: sim.clientId,
        authority: sim.authority,
        clientCertificate: { thumbprint: cert.thumbprintSha1, privateKey: cert.keyPem },
        cloudDiscoveryMetadata: sim.cloudDiscoveryMetadata,
        authorityMetadata: sim.authorityMetadata,
      },
      system: { networkClient: net },
    });
    const r = await app.acquireTokenByClientCredential({ scopes: [sim.scope] });
    expect(await graphStatus(r!.accessToken)).toBe(200);
  });

  it('serves instance discovery and OpenID metadata the way Entra does', async () => {
    const c = simClient(sim.caCertPem, sim.authorityHost);
    try {
      const disc = await c.get(
        `/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${sim.authority}/oauth2/v2.0/authorize`)}`,
      );
      expect(disc.body.metadata[0].aliases).toEqual([new URL(sim.authorityHost).host]);
      const oidc = await c.get(`/${sim.tenantId}/v2.0/.well-known/openid-configuration`);
      expect(oidc.body).toMatchObject({
        issuer: `${sim.authority}/v2.0`,
        token_endpoint: `${sim.authority}/oauth2/v2.0/token`,
      });
      const keys = await c.get(`/${sim.tenantId}/discovery/v2.0/keys`);
      expect(keys.body.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig' });
      expect((await c.get('/not-a-tenant.example/v2.0/.well-known/openid-configuration')).body.error).toBe(
        'invalid_tenant',
      );
    } finally {
      await c.close();
    }
  });

  it('refuses an assertion signed by a certificate that is not registered (AADSTS700027)', async () => {
    const stranger = createClientCertificate('not registered');
    const err = await confidential(stranger)
      .acquireTokenByClientCredential({ scopes: [sim.scope] })
      .catch((e: unknown) => e as { errorCode?: string; errorMessage?: string });
    expect(err).toMatchObject({ errorCode: 'invalid_client' });
    expect(String((err as { errorMessage?: string }).errorMessage)).toContain('AADSTS700027');
    // Once the admin uploads it, it works.
    sim.registerClientCertificate(stranger.certPem);
    const ok = await confidential(stranger).acquireTokenByClientCredential({ scopes: [sim.scope] });
    expect(ok?.accessToken).toBeTruthy();
  });

  it('a scenario can register the certificate an admin uploaded', async () => {
    const uploaded = createClientCertificate('uploaded by the admin');
    const other = await startSimulatedTenant({ scenario: { app: { certificates: [uploaded.certPem] } } });
    const n = caNetworkClient(other.caCertPem);
    try {
      const app = new ConfidentialClientApplication({
        auth: {
          clientId: other.clientId,
          authority: other.authority,
          knownAuthorities: [other.authorityHost],
          clientCertificate: { thumbprintSha256: uploaded.thumbprintSha256, privateKey: uploaded.keyPem },
        },
        system: { networkClient: n },
      });
      expect((await app.acquireTokenByClientCredential({ scopes: [other.scope] }))?.accessToken).toBeTruthy();
    } finally {
      await n.dispatcher.close();
      await other.stop();
    }
  });

  it('client credentials need {graph}/.default of this cloud (another cloud is AADSTS500011)', async () => {
    const err = await confidential()
      .acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.us/.default'] })
      .catch((e: unknown) => e);
    expect(String((err as { errorMessage?: string }).errorMessage)).toContain('AADSTS500011');
  });

  it('device code: pending until approved, then tokens with id_token and client_info that msal caches; silent renewal by refresh token', async () => {
    const app = new PublicClientApplication({
      auth: { clientId: sim.clientId, authority: sim.authority, knownAuthorities: [sim.authorityHost] },
      system: { networkClient: net },
    });
    let shown = '';
    const result = await app.acquireTokenByDeviceCode({
      scopes: [sim.scope],
      deviceCodeCallback: (r) => {
        shown = r.message;
        // The technician signs in a moment later; msal polls meanwhile and gets authorization_pending.
        setTimeout(() => sim.approveDeviceCode(r.userCode), 1200);
      },
    });
    expect(shown).toContain(`${sim.authorityHost}/devicelogin`);
    expect(sim.requestLog.count({ pathContains: '/oauth2/v2.0/token', status: 400 })).toBeGreaterThanOrEqual(1);
    expect(result?.account?.username).toBe(sim.scenario.user.userPrincipalName);
    expect(result?.account?.tenantId).toBe(sim.tenantId);
    const claims = decodeJwt(result!.accessToken)!.claims;
    expect(String(claims.scp).split(' ')).toContain('DeviceManagementServiceConfig.ReadWrite.All');
    expect(await graphStatus(result!.accessToken)).toBe(200);

    const accounts = await app.getTokenCache().getAllAccounts();
    expect(accounts).toHaveLength(1);
    const before = sim.requestLog.count({ pathContains: '/oauth2/v2.0/token', status: 200 });
    const silent = await app.acquireTokenSilent({ account: accounts[0]!, scopes: [sim.scope], forceRefresh: true });
    expect(silent.accessToken).not.toBe(result!.accessToken);
    expect(sim.requestLog.count({ pathContains: '/oauth2/v2.0/token', status: 200 })).toBe(before + 1);
    expect(await graphStatus(silent.accessToken)).toBe(200);
  });

  it('browser sign-in: authorize with PKCE redirects to the loopback with a code msal redeems', async () => {
    const app = new PublicClientApplication({
      auth: { clientId: sim.clientId, authority: sim.authority, knownAuthorities: [sim.authorityHost] },
      system: { networkClient: net },
    });
    let opened = '';
    const result = await app.acquireTokenInteractive({
      scopes: [sim.scope],
      openBrowser: async (url) => {
        opened = url;
        // The "browser": load Entra's form_post page and submit its form to msal's loopback listener.
        const { fetch } = await import('undici');
        const page = await (await fetch(url, { dispatcher: net.dispatcher })).text();
        const action = /action="([^"]+)"/.exec(page)![1]!.replace(/&amp;/g, '&');
        const fields = new URLSearchParams(
          [...page.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [
            m[1]!,
            m[2]!.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))),
          ]),
        );
        expect(fields.get('code')).toBeTruthy();
        void fetch(action, { method: 'POST', body: fields })
          .then((x) => x.text())
          .catch(() => {});
      },
    });
    expect(new URL(opened).searchParams.get('code_challenge_method')).toBe('S256');
    expect(result.account?.username).toBe(sim.scenario.user.userPrincipalName);
    expect(await graphStatus(result.accessToken)).toBe(200);
    // A code is good once, and only with its verifier.
    const c = simClient(sim.caCertPem, sim.authorityHost);
    try {
      const raw = await c.call(
        'POST',
        `/${sim.tenantId}/oauth2/v2.0/token`,
        `client_id=${sim.clientId}&grant_type=authorization_code&code=0.sim.code.x&code_verifier=y&redirect_uri=http://localhost`,
        { 'content-type': 'application/x-www-form-urlencoded' },
      );
      expect(raw.body.error).toBe('invalid_grant');
    } finally {
      await c.close();
    }
  });

  it('a user who did not consent to the Autopilot permission gets a token Graph answers with 403', async () => {
    const app = new PublicClientApplication({
      auth: { clientId: sim.clientId, authority: sim.authority, knownAuthorities: [sim.authorityHost] },
      system: { networkClient: net },
    });
    const r = await app.acquireTokenByDeviceCode({
      scopes: [sim.scope],
      deviceCodeCallback: (d) => void sim.approveDeviceCode(d.userCode, { grantedScopes: ['User.Read'] }),
    });
    expect(await graphStatus(r!.accessToken)).toBe(403);
  });

  it('a declined sign-in ends the device code flow with authorization_declined', async () => {
    const app = new PublicClientApplication({
      auth: { clientId: sim.clientId, authority: sim.authority, knownAuthorities: [sim.authorityHost] },
      system: { networkClient: net },
    });
    const err = await app
      .acquireTokenByDeviceCode({
        scopes: [sim.scope],
        deviceCodeCallback: (d) => void sim.declineDeviceCode(d.userCode),
      })
      .catch((e: unknown) => e);
    // msal reports polling errors as post_request_failed with the server's error as the message.
    expect(err).toMatchObject({ errorCode: 'post_request_failed', errorMessage: 'authorization_declined' });
  });

  it('work or school only: the common and consumers authorities fail as Entra fails them for this app', async () => {
    const c = simClient(sim.caCertPem, sim.authorityHost);
    try {
      for (const [tenant, error, code] of [
        ['common', 'invalid_request', 'AADSTS50194'],
        ['consumers', 'unauthorized_client', 'AADSTS700016'],
      ] as const) {
        // The endpoint's answer carries the AADSTS code in error_description...
        const raw = await c.call(
          'POST',
          `/${tenant}/oauth2/v2.0/devicecode`,
          `client_id=${sim.clientId}&scope=${encodeURIComponent(sim.scope)}`,
          { 'content-type': 'application/x-www-form-urlencoded' },
        );
        expect(raw.status).toBe(400);
        expect(raw.body).toMatchObject({ error, error_codes: [Number(code.slice(6))] });
        expect(raw.body.error_description).toContain(code);
        // ...and msal's device code flow surfaces the error code (msal keeps the description to itself).
        const pca = new PublicClientApplication({
          auth: {
            clientId: sim.clientId,
            authority: `${sim.authorityHost}/${tenant}`,
            knownAuthorities: [sim.authorityHost],
          },
          system: { networkClient: net },
        });
        const dcErr = await pca
          .acquireTokenByDeviceCode({ scopes: [sim.scope], deviceCodeCallback: () => {} })
          .catch((e: unknown) => e);
        expect(dcErr).toMatchObject({ errorMessage: error });
      }
    } finally {
      await c.close();
    }
  });

  it('msal-node with its own default HTTP client, trusting the CA through NODE_EXTRA_CA_CERTS in a fresh process', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sim-ca-'));
    const caPath = path.join(dir, 'ca.pem');
    const keyPath = path.join(dir, 'key.pem');
    await writeFile(caPath, sim.caCertPem);
    await writeFile(keyPath, sim.clientCertificate.keyPem);
    const script = `
      import { ConfidentialClientApplication } from '@azure/msal-node';
      import { readFileSync } from 'node:fs';
      const e = process.env;
      const app = new ConfidentialClientApplication({ auth: { clientId: e.SIM_CLIENT_ID, authority: e.SIM_AUTHORITY, knownAuthorities: [e.SIM_HOST],
        clientCertificate: { thumbprintSha256: e.SIM_THUMB, privateKey: readFileSync(e.SIM_KEY, 'utf8') } } });
      const r = await app.acquireTokenByClientCredential({ scopes: [e.SIM_SCOPE] });
      const g = await fetch(e.SIM_GRAPH + '/v1.0/deviceManagement/windowsAutopilotDeviceIdentities', { headers: { authorization: 'Bearer ' + r.accessToken } });
      process.stdout.write(JSON.stringify({ graph: g.status }));
    `;
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        cwd: process.cwd(),
        env: {
          ...process.env,
          NODE_EXTRA_CA_CERTS: caPath,
          SIM_CLIENT_ID: sim.clientId,
          SIM_AUTHORITY: sim.authority,
          SIM_HOST: sim.authorityHost,
          SIM_THUMB: sim.clientCertificate.thumbprintSha256,
          SIM_KEY: keyPath,
          SIM_SCOPE: sim.scope,
          SIM_GRAPH: sim.graphUrl,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ graph: 200 });
  });
});

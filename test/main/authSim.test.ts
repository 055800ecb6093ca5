import { mkdtemp, readFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { AuthService } from '../../src-main/auth/authService.ts';
import { loadCertificateCredential } from '../../src-main/auth/certificateCredential.ts';
import { EncryptedCachePlugin } from '../../src-main/auth/encryptedCachePlugin.ts';
import { KeyFileProtector } from '../../src-main/auth/keyFileProtector.ts';
import { MsalNetworkClient } from '../../src-main/auth/msalNetworkClient.ts';
import type { DeviceCodePrompt } from '../../src-main/contract/types.ts';
import { GraphFailure } from '../../src-main/graph/autopilotPort.ts';
import { customCloud } from '../../src-main/graph/clouds.ts';
import { GraphClient } from '../../src-main/graph/graphClient.ts';
import { createNodeNetwork } from '../../src-main/net/nodeNetwork.ts';
import { startSimForTests, type SimHandle } from './graphTestSupport.ts';

const clock = scaledClock(200);
let sim: SimHandle;
beforeAll(async () => {
  // Device codes: poll every service second, live an hour (18 real seconds at this scale).
  sim = await startSimForTests({
    clock,
    timeScale: 200,
    scenario: { deviceCodeIntervalS: 1, deviceCodeLifetimeS: 3600 },
  });
});
afterAll(async () => {
  await sim?.close();
});

async function cacheFiles(dir: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const f of await readdir(dir)) out.push(await readFile(path.join(dir, f)));
  return out;
}

function auth(
  dir: string,
  mode: 'certificate' | 'device-code' | 'browser',
  prompts: DeviceCodePrompt[] = [],
  openBrowser?: (url: string) => Promise<void>,
  certificate?: () => ReturnType<typeof loadCertificateCredential>,
) {
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
      openBrowser:
        openBrowser ??
        (async () => {
          throw new Error('no browser in tests');
        }),
      onDeviceCode: (p) => {
        prompts.push(p);
        sim.approveDeviceCode(p.userCode);
      },
      loadCertificate: async () =>
        certificate ? certificate() : loadCertificateCredential(Buffer.from(sim.clientCertificatePem)),
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
  return { service, graph, cloud };
}

describe('sign-in against the simulated tenant (msal-node unmodified, real HTTPS with the test CA)', () => {
  it('certificate (client credentials): signs in, calls Graph, and keeps no token in clear on disk', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'auth-sim-'));
    const { service, graph } = auth(dir, 'certificate');
    const status = await service.signIn();
    expect(status).toMatchObject({ state: 'signed-in', mode: 'certificate', account: { tenantId: sim.tenantId } });
    const token = await service.getAccessToken(customCloud(sim.graphUrl, sim.authorityHost).scope);
    expect(token.split('.')).toHaveLength(3);
    const res = await graph.getAll({ path: '/deviceManagement/windowsAutopilotDeviceIdentities' });
    expect(res.pages).toBeGreaterThanOrEqual(1);
    for (const file of await cacheFiles(dir)) {
      const text = file.toString('latin1');
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.slice(0, 40));
      expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    }
  });

  it('certificate from a password-protected PFX file (node-forge) signs in the same way', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'auth-sim-'));
    const cert = forge.pki.certificateFromPem(sim.clientCertificatePem);
    const key = forge.pki.privateKeyFromPem(
      /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(sim.clientCertificatePem)![0],
    );
    const pfx = Buffer.from(
      forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(key, [cert], 'bench-pw', { algorithm: 'aes256' })).getBytes(),
      'binary',
    );
    const { service } = auth(dir, 'certificate', [], undefined, () => loadCertificateCredential(pfx, 'bench-pw'));
    expect(await service.signIn()).toMatchObject({ state: 'signed-in', mode: 'certificate' });
  });

  it('device code: shows the code, signs in after approval, restores silently after a restart, signs out', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'auth-sim-'));
    const prompts: DeviceCodePrompt[] = [];
    const first = auth(dir, 'device-code', prompts);
    const status = await first.service.signIn();
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.userCode).toMatch(/\S{6,}/);
    expect(prompts[0]!.verificationUri).toMatch(/^https:\/\//);
    expect(status).toMatchObject({ state: 'signed-in', mode: 'device-code' });
    expect(status.account?.username).toContain('@');
    const token = await first.service.getAccessToken(first.cloud.scope);

    const onDisk = await cacheFiles(dir);
    expect(onDisk.length).toBeGreaterThan(0);
    for (const f of onDisk) {
      expect(f.toString('latin1')).not.toContain(token.slice(0, 40));
      expect(f.toString('latin1')).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}|"secret"|RefreshToken/);
    }
    if (process.platform !== 'win32') expect((await stat(path.join(dir, 'token-cache.bin'))).mode & 0o777).toBe(0o600);

    // a new process: the encrypted cache restores the account and a forced refresh works without a prompt
    const second = auth(dir, 'device-code', prompts);
    expect(await second.service.restore()).toMatchObject({ state: 'signed-in' });
    const refreshed = await second.service.getAccessToken(second.cloud.scope, { forceRefresh: true });
    expect(refreshed).not.toBe(token);
    expect(prompts).toHaveLength(1);

    expect(await second.service.signOut()).toMatchObject({ state: 'signed-out' });
    await expect(stat(path.join(dir, 'token-cache.bin'))).rejects.toThrow();
    const err = await second.service.getAccessToken(second.cloud.scope).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphFailure);
    expect((err as GraphFailure).kind).toBe('sign-in-expired');
  });

  it('browser sign-in: msal opens the authorize page with PKCE and a loopback redirect; a refusal comes back in words', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'auth-sim-'));
    let opened = '';
    const { service } = auth(dir, 'browser', [], async (url) => {
      opened = url;
      // The technician refuses in the browser: Entra redirects to the loopback with an error.
      // msal asks for response_mode=form_post, so the answer is a form POST to the loopback.
      const u = new URL(url);
      const form = new URLSearchParams({
        error: 'access_denied',
        error_description: 'AADSTS65004: User declined to consent to access the app.',
        state: u.searchParams.get('state')!,
      });
      void fetch(u.searchParams.get('redirect_uri')!, { method: 'POST', body: form }).catch(() => {});
    });
    const status = await service.signIn();
    const u = new URL(opened);
    expect(u.origin + u.pathname).toBe(`${sim.authorityHost}/${sim.tenantId}/oauth2/v2.0/authorize`);
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
    expect(u.searchParams.get('response_mode')).toBe('form_post');
    expect(u.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(u.searchParams.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+\/?$/);
    expect(u.searchParams.get('scope')).toContain(`${sim.graphUrl}/.default`);
    expect(status).toMatchObject({ state: 'error', error: { code: 'AUTH_DECLINED' } });
  });

  it('a passing failure of the sign-in service is temporary: the status stays signed in and the next token works', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'auth-503-'));
    const { service, cloud } = auth(dir, 'certificate');
    expect((await service.signIn()).state).toBe('signed-in');
    // Retry-After: 1 makes msal-node hold its next token request back for one real second (60 without it).
    sim.inject({ kind: '503', count: 1, retryAfterS: 1, pathContains: '/oauth2/v2.0/token' });
    const first = await service.getAccessToken(cloud.scope, { forceRefresh: true }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(GraphFailure);
    expect(first).toMatchObject({ code: 'AUTH_SERVICE_UNAVAILABLE', transient: true });
    // While msal holds requests back it answers with the same failure, still temporary.
    const held = await service.getAccessToken(cloud.scope, { forceRefresh: true }).catch((e: unknown) => e);
    expect(held).toMatchObject({ code: 'AUTH_SERVICE_UNAVAILABLE', transient: true });
    expect(service.status().state).toBe('signed-in');
    await new Promise((r) => setTimeout(r, 1300));
    expect((await service.getAccessToken(cloud.scope, { forceRefresh: true })).split('.')).toHaveLength(3);
    expect(service.status().state).toBe('signed-in');
  });

  it('token expiry mid-run: the client refreshes and the call succeeds', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'auth-sim-'));
    const { service, graph } = auth(dir, 'device-code');
    await service.signIn();
    await graph.getAll({ path: '/deviceManagement/windowsAutopilotDeviceIdentities' });
    // The service revokes every token it issued, on the next Graph call (401 on that call).
    sim.inject({ kind: 'expire-tokens', count: 1, pathContains: '/deviceManagement/' });
    const res = await graph.getAll({ path: '/deviceManagement/windowsAutopilotDeviceIdentities' });
    expect(res.pages).toBeGreaterThanOrEqual(1);
    expect(graph.stats().tokenRefreshes).toBe(1);
    expect(sim.log.count({ pathContains: '/deviceManagement/', status: 401 })).toBe(1);
  });
});

/**
 * Sign-in never hangs: every wait has a deadline and a Cancel, against the simulated tenant (msal-node
 * unmodified, HTTPS with the test CA) and against an authority that accepts connections and never answers.
 */
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { createLogger } from '../../src-main/kernel/logger.ts';
import { AuthService, type SignInDeadlines } from '../../src-main/auth/authService.ts';
import { EncryptedCachePlugin } from '../../src-main/auth/encryptedCachePlugin.ts';
import { KeyFileProtector } from '../../src-main/auth/keyFileProtector.ts';
import { MsalNetworkClient } from '../../src-main/auth/msalNetworkClient.ts';
import type { FetchLike } from '../../src-main/graph/graphClient.ts';
import type { AuthStatus } from '../../src-main/contract/types.ts';
import { CLOUDS, customCloud } from '../../src-main/graph/clouds.ts';
import { createNodeNetwork } from '../../src-main/net/nodeNetwork.ts';
import { startSimForTests, type SimHandle } from './graphTestSupport.ts';

let sim: SimHandle;
let silent: net.Server;
let silentPort = 0;
beforeAll(async () => {
  sim = await startSimForTests({ clock: scaledClock(50), timeScale: 50 });
  // An authority that takes the connection and never says a word (a proxy black hole).
  silent = net.createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  silentPort = (silent.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await sim?.close();
  silent?.close();
});

async function service(o: {
  mode: 'browser' | 'device-code';
  authorityHost?: string;
  deadlines: Partial<SignInDeadlines>;
  openBrowser?: (url: string) => Promise<void>;
}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'auth-deadline-'));
  const lines: string[] = [];
  const logger = createLogger((l) => lines.push(l), {}, 'info');
  const statuses: AuthStatus[] = [];
  let codes = 0;
  const s = new AuthService(
    {
      mode: o.mode,
      clientId: sim.clientId,
      tenantId: sim.tenantId,
      cloud: customCloud(sim.graphUrl, o.authorityHost ?? sim.authorityHost),
    },
    {
      cache: new EncryptedCachePlugin(
        path.join(dir, 'c.bin'),
        new KeyFileProtector(path.join(dir, 'c.key'), logger),
        logger,
      ),
      logger,
      openBrowser: o.openBrowser ?? (async () => {}),
      onDeviceCode: () => void codes++,
      onStatus: (st) => statuses.push(st),
      networkClient: new MsalNetworkClient(createNodeNetwork({ extraCa: [sim.caCertPem], direct: true }).fetch),
      signInDeadlines: o.deadlines,
    },
  );
  return { s, lines, statuses, codes: () => codes };
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });

describe('sign-in deadlines and cancel', () => {
  it('browser sign-in: the loopback wait ends at its deadline with a clear error, and the loopback server closes', async () => {
    let redirect = '';
    const { s, lines } = await service({
      mode: 'browser',
      deadlines: { browserMs: 400 },
      openBrowser: async (url) => void (redirect = new URL(url).searchParams.get('redirect_uri')!),
    });
    const started = Date.now();
    const status = await s.signIn();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(status).toMatchObject({ state: 'error', error: { code: 'AUTH_SIGN_IN_TIMEOUT' } });
    const port = Number(new URL(redirect).port);
    await expect.poll(() => listening(port)).toBe(false);
    expect(lines.join('\n')).toMatch(/Sign-in timed out/);
  });

  it('browser sign-in: Cancel stops the wait at once, closes the loopback server and leaves the station signed out', async () => {
    let redirect = '';
    const { s, lines, statuses } = await service({
      mode: 'browser',
      deadlines: { browserMs: 60_000 },
      openBrowser: async (url) => void (redirect = new URL(url).searchParams.get('redirect_uri')!),
    });
    const done = s.signIn();
    await expect.poll(() => redirect).not.toBe('');
    expect(s.status().state).toBe('signing-in');
    s.cancelSignIn();
    expect(await done).toEqual({ state: 'signed-out', mode: 'browser' });
    expect(statuses.map((x) => x.state)).toEqual(['signing-in', 'signed-out']);
    await expect.poll(() => listening(Number(new URL(redirect).port))).toBe(false);
    expect(lines.join('\n')).toMatch(/Sign-in cancelled by the technician/);
  });

  it('an authority that never answers: the sign-in gives up at the contact deadline, naming the host, and never opens a page', async () => {
    let opened = 0;
    for (const mode of ['browser', 'device-code'] as const) {
      const { s } = await service({
        mode,
        authorityHost: `https://127.0.0.1:${silentPort}`,
        deadlines: { contactMs: 500 },
        openBrowser: async () => void opened++,
      });
      const started = Date.now();
      const status = await s.signIn();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(status).toMatchObject({ state: 'error', error: { code: 'AUTH_NETWORK' } });
      expect(status.error!.message).toContain(`127.0.0.1:${silentPort}`);
    }
    expect(opened).toBe(0);
  });

  it('browser sign-in with no network to Microsoft: named at once (AUTH_NETWORK, the host), no page opened for nothing', async () => {
    // msal knows login.microsoftonline.com's endpoints without asking, so it would open a sign-in page
    // that cannot load and wait minutes; the station asks the service first. The bench's DNS fails here
    // the way an offline bench's does (fetch rejects with ENOTFOUND).
    const dir = await mkdtemp(path.join(tmpdir(), 'auth-offline-'));
    const logger = createLogger(() => {}, {}, 'info');
    const offline: FetchLike = async () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('getaddrinfo ENOTFOUND login.microsoftonline.com'), { code: 'ENOTFOUND' }),
      });
    };
    let opened = 0;
    const s = new AuthService(
      {
        mode: 'browser',
        clientId: '0c1a6b9e-6f4e-4b7a-9c4d-2f1e3a5b7c9d',
        tenantId: '3f6b2c1a-9d4e-4b8f-a7c2-5e1d0b9a8c74',
        cloud: CLOUDS.global,
      },
      {
        cache: new EncryptedCachePlugin(
          path.join(dir, 'c.bin'),
          new KeyFileProtector(path.join(dir, 'c.key'), logger),
          logger,
        ),
        logger,
        openBrowser: async () => void opened++,
        onDeviceCode: () => {},
        networkClient: new MsalNetworkClient(offline),
        signInDeadlines: { browserMs: 60_000 },
      },
    );
    const started = Date.now();
    const status = await s.signIn();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(status).toMatchObject({
      state: 'error',
      error: { code: 'AUTH_NETWORK', params: { authorityHost: 'login.microsoftonline.com' } },
    });
    expect(opened).toBe(0);
  });

  it('device code: Cancel stops the polling and the station is signed out', async () => {
    const { s, codes } = await service({ mode: 'device-code', deadlines: { deviceCodeMs: 60_000 } });
    const done = s.signIn();
    await expect.poll(codes).toBe(1);
    s.cancelSignIn();
    expect(await done).toMatchObject({ state: 'signed-out' });
  });
});

/**
 * Corporate networks: the Node stack of the network port (command line, browser mode)
 * goes through the proxy HTTPS_PROXY names (HTTP CONNECT, Basic credentials from the URL, never
 * logged), leaves NO_PROXY hosts direct, and trusts the admin's CA file, so a TLS-inspecting proxy
 * works once its root is given. Real loopback proxies (test/main/proxySupport.ts), the simulated
 * tenant over HTTPS, msal-node unmodified, and the CLI as a separate process.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthService } from '../../src-main/auth/authService.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { loadCertificateCredential } from '../../src-main/auth/certificateCredential.ts';
import { EncryptedCachePlugin } from '../../src-main/auth/encryptedCachePlugin.ts';
import { KeyFileProtector } from '../../src-main/auth/keyFileProtector.ts';
import { MsalNetworkClient } from '../../src-main/auth/msalNetworkClient.ts';
import { authAttempt } from '../../src-main/check/connectionCheckService.ts';
import { runConnectionCheck } from '../../src-main/check/connectionCheck.ts';
import { customCloud } from '../../src-main/graph/clouds.ts';
import { createLogger, silentLogger } from '../../src-main/kernel/logger.ts';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import type { NetworkPort } from '../../src-main/net/networkPort.ts';
import { createNodeNetwork, nodeNetworkFactory } from '../../src-main/net/nodeNetwork.ts';
import { createStation } from '../../src-main/app/createStation.ts';
import { proxyFor, proxyLabel, readProxyEnv } from '../../src-main/net/proxyEnv.ts';
import { splitPem, trustedRoots } from '../../src-main/net/trustedRoots.ts';
import { createTestCa } from '../../src-main/sim/testCertificates.ts';
import tls from 'node:tls';
import { startSimulatedTenant, type SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';
import { startTestProxy, type TestProxy } from './proxySupport.ts';

const PASSWORD = 'p@ss:w0rd/Секрет';
const withCredentials = (proxy: TestProxy, user = 'bench7', password = PASSWORD) =>
  proxy.url.replace('http://', `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@`);

describe('the proxy variables (curl and undici semantics)', () => {
  it('https URLs use HTTPS_PROXY (else HTTP_PROXY); NO_PROXY names hosts, domains with their subdomains, host:port, or *; lower case wins', () => {
    const env = readProxyEnv({
      HTTPS_PROXY: 'http://upper:3128',
      https_proxy: 'http://lower:3128',
      NO_PROXY: 'localhost, .contoso.com,*.fabrikam.net intranet:8443 [::1]',
    });
    const via = (u: string) => proxyFor(new URL(u), env)?.host ?? 'direct';
    expect(via('https://graph.microsoft.com/v1.0')).toBe('lower:3128');
    expect(via('https://contoso.com/')).toBe('direct');
    expect(via('https://login.contoso.com/')).toBe('direct');
    expect(via('https://notcontoso.com/')).toBe('lower:3128');
    expect(via('https://a.b.fabrikam.net/')).toBe('direct');
    expect(via('https://intranet:8443/')).toBe('direct');
    expect(via('https://intranet/')).toBe('lower:3128');
    expect(via('https://localhost:9/')).toBe('direct');
    expect(via('https://[::1]:9/')).toBe('direct');
    // http URLs only use HTTP_PROXY: none here.
    expect(via('http://graph.microsoft.com/')).toBe('direct');
    expect(proxyFor(new URL('https://graph.microsoft.com'), readProxyEnv({ HTTP_PROXY: 'proxy:8080' }))?.href).toBe(
      'http://proxy:8080/',
    );
    expect(
      proxyFor(new URL('https://graph.microsoft.com'), readProxyEnv({ HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' })),
    ).toBeUndefined();
    expect(proxyFor(new URL('https://graph.microsoft.com'), readProxyEnv({}))).toBeUndefined();
  });

  it('shows a proxy without its credentials, and refuses a value that is not a proxy URL without echoing it', () => {
    expect(proxyLabel(new URL('http://bench:secret@proxy.contoso.com:3128'))).toBe('http://proxy.contoso.com:3128');
    expect(() => readProxyEnv({ HTTPS_PROXY: 'ftp://bench:secret@proxy' })).toThrow(/^HTTPS_PROXY is not a proxy URL/);
    expect(() => readProxyEnv({ HTTPS_PROXY: 'ftp://bench:secret@proxy' })).not.toThrow(/secret/);
  });
});

describe('the roots the Node stack trusts', () => {
  it("the system store where this Node reads it (22.15+), always the bundled roots, and every certificate of the admin's CA file", () => {
    const a = createTestCa('Contoso Root');
    const b = createTestCa('Contoso Issuing');
    const bundle = `${a.certPem}\n${b.certPem}`;
    const roots = trustedRoots([bundle]);
    const canRead = typeof (tls as unknown as { getCACertificates?: unknown }).getCACertificates === 'function';
    expect(roots.system).toBe(canRead);
    if (canRead)
      expect(roots.ca.length).toBeGreaterThanOrEqual(
        new Set([
          ...tls.rootCertificates,
          ...(tls as unknown as { getCACertificates(t: string): string[] }).getCACertificates('system'),
        ]).size,
      );
    for (const root of tls.rootCertificates) expect(roots.ca).toContain(root);
    expect(splitPem(bundle)).toHaveLength(2);
    for (const cert of splitPem(bundle)) expect(roots.ca).toContain(cert);
    expect(trustedRoots([bundle, a.certPem]).ca.length).toBe(roots.ca.length);
  });
});

describe('Node stack through a loopback proxy to the simulated tenant', () => {
  let sim: SimTenant;
  let open: TestProxy;
  let guarded: TestProxy;
  let inspecting: TestProxy;
  const ports: NetworkPort[] = [];
  const port = (o: Parameters<typeof createNodeNetwork>[0]) => {
    const p = createNodeNetwork(o);
    ports.push(p);
    return p;
  };
  const metadata = () => `${sim.authorityHost}/${sim.tenantId}/v2.0/.well-known/openid-configuration`;
  const authority = () => new URL(sim.graphUrl).host;

  beforeAll(async () => {
    sim = await startSimulatedTenant({
      clock: scaledClock(20),
      timeScale: 20,
      scenario: 'training',
      shareConnection: true,
    });
    open = await startTestProxy();
    guarded = await startTestProxy({ credentials: { user: 'bench7', password: PASSWORD } });
    inspecting = await startTestProxy({ intercept: { upstreamCa: sim.caCertPem } });
  });
  afterAll(async () => {
    await Promise.all(ports.map((p) => p.close()));
    await Promise.all([open, guarded, inspecting].map((p) => p?.close()));
    await sim?.stop();
  });

  it('HTTPS_PROXY: the request goes through the proxy (CONNECT seen) and the route names it; NO_PROXY leaves the host direct', async () => {
    const before = open.log.connects.length;
    const via = port({ env: { HTTPS_PROXY: open.url }, extraCa: [sim.caCertPem] });
    expect((await via.fetch(metadata())).status).toBe(200);
    expect(open.log.connects.slice(before).map((c) => c.authority)).toEqual([authority()]);
    expect(await via.route(sim.graphUrl)).toEqual({ kind: 'proxy', proxy: open.url });

    const bypass = port({ env: { HTTPS_PROXY: open.url, NO_PROXY: '127.0.0.1' }, extraCa: [sim.caCertPem] });
    const seen = open.log.connects.length;
    expect((await bypass.fetch(metadata())).status).toBe(200);
    expect(open.log.connects.length).toBe(seen);
    expect(await bypass.route(sim.graphUrl)).toEqual({ kind: 'direct' });
  });

  it('a proxy that wants Basic credentials: 407 without them (the probe says so), through with them; the password is never logged', async () => {
    const lines: string[] = [];
    const logger = createLogger((line) => lines.push(JSON.stringify(line)), {}, 'debug');
    const without = port({ env: { HTTPS_PROXY: guarded.url }, extraCa: [sim.caCertPem], logger });
    await expect(without.fetch(metadata())).rejects.toThrow();
    expect(guarded.log.connects.at(-1)).toMatchObject({ authority: authority(), credentials: undefined, status: 407 });
    expect(await without.probe(sim.graphUrl, 5_000)).toMatchObject({
      status: 'proxy',
      httpStatus: 407,
      proxy: guarded.url,
      via: guarded.url,
    });

    const withCreds = port({ env: { HTTPS_PROXY: withCredentials(guarded) }, extraCa: [sim.caCertPem], logger });
    expect((await withCreds.fetch(metadata())).status).toBe(200);
    expect(guarded.log.connects.at(-1)).toMatchObject({ credentials: `bench7:${PASSWORD}`, status: 200 });
    expect(await withCreds.probe(sim.graphUrl, 5_000)).toMatchObject({ status: 'ok', via: guarded.url });
    expect(await withCreds.route(sim.graphUrl)).toEqual({ kind: 'proxy', proxy: guarded.url });
    // Wrong credentials: refused, and the error (message, cause, any field) never carries them.
    const wrong = port({
      env: { HTTPS_PROXY: withCredentials(guarded, 'bench7', 'not-the-password') },
      extraCa: [sim.caCertPem],
      logger,
    });
    const failure = await wrong.fetch(metadata()).then(
      () => undefined,
      (err: unknown) => err as Error & { cause?: unknown },
    );
    expect(failure?.message).toContain(`the proxy wants credentials (HTTP 407) (proxy ${guarded.url})`);
    const dump = `${failure?.message} ${failure?.stack} ${String(failure?.cause)} ${JSON.stringify(failure, Object.getOwnPropertyNames(failure ?? {}))}`;
    expect(dump).not.toContain('not-the-password');
    expect(guarded.log.connects.at(-1)).toMatchObject({ credentials: 'bench7:not-the-password', status: 407 });
    const logged = lines.join('\n');
    expect(logged).toContain(guarded.url);
    expect(logged).not.toContain('bench7');
    expect(logged).not.toContain(encodeURIComponent(PASSWORD));
    expect(logged).not.toContain(PASSWORD);
    expect(logged).not.toContain('not-the-password');
  });

  it('the connection check goes through the proxy: sign-in (msal-node) and Graph work, and the report names the proxy per host', async () => {
    const network = port({ env: { HTTPS_PROXY: withCredentials(guarded) }, extraCa: [sim.caCertPem] });
    const before = guarded.log.connects.length;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proxy-check-'));
    const cloud = customCloud(sim.graphUrl, sim.authorityHost);
    const auth = new AuthService(
      { mode: 'certificate', clientId: sim.clientId, tenantId: sim.tenantId, cloud },
      {
        cache: new EncryptedCachePlugin(
          path.join(dir, 'c.bin'),
          new KeyFileProtector(path.join(dir, 'k'), silentLogger),
          silentLogger,
        ),
        logger: silentLogger,
        openBrowser: async () => {},
        onDeviceCode: () => {},
        loadCertificate: async () => loadCertificateCredential(Buffer.from(sim.clientCertificatePem)),
        networkClient: new MsalNetworkClient(network.fetch),
      },
    );
    const report = await runConnectionCheck(
      {
        mode: 'tenant',
        cloud,
        cloudLabel: cloud.label,
        tenant: sim.tenantId,
        clientId: sim.clientId,
        method: 'certificate',
        apiVersion: 'v1.0',
        network,
        auth: authAttempt(auth, true),
      },
      { clock: scaledClock(20), logger: silentLogger },
    );
    fs.rmSync(dir, { recursive: true, force: true });
    expect(report.checks.filter((c) => c.status === 'failed')).toEqual([]);
    expect(report.network).toEqual({ stack: 'node', authority: guarded.url, graph: guarded.url });
    expect(report.checks.find((c) => c.id === 'authority')).toMatchObject({
      status: 'ok',
      params: { via: guarded.url },
    });
    expect(report.checks.find((c) => c.id === 'authority')!.message).toContain(`through the proxy ${guarded.url}`);
    // The probe, the metadata, msal's token request and the Graph reads all asked the proxy for a tunnel.
    expect(guarded.log.connects.length - before).toBeGreaterThanOrEqual(2);
    expect(guarded.log.connects.slice(before).every((c) => c.status === 200 && c.authority === authority())).toBe(true);
  });

  it('the connection check behind a proxy without its credentials: the reachability checks fail with CHECK_PROXY_AUTH naming the proxy', async () => {
    const network = port({ env: { HTTPS_PROXY: guarded.url }, extraCa: [sim.caCertPem] });
    const cloud = customCloud(sim.graphUrl, sim.authorityHost);
    const report = await runConnectionCheck(
      {
        mode: 'tenant',
        cloud,
        cloudLabel: cloud.label,
        tenant: sim.tenantId,
        clientId: sim.clientId,
        method: 'certificate',
        apiVersion: 'v1.0',
        network,
        auth: { acquireToken: async () => 'never' },
      },
      { clock: scaledClock(20), logger: silentLogger },
    );
    expect(report.checks.find((c) => c.id === 'authority')).toMatchObject({
      status: 'failed',
      code: 'CHECK_PROXY_AUTH',
      params: { proxy: guarded.url },
    });
    expect(report.network).toEqual({ stack: 'node', authority: guarded.url, graph: guarded.url });
  });

  it('a TLS-inspecting proxy: refused as untrusted naming its CA without the CA file; trusted with it, the proxy re-originating to the simulated tenant', async () => {
    const bare = port({ env: { HTTPS_PROXY: inspecting.url } });
    const probe = await bare.probe(sim.graphUrl, 5_000);
    expect(probe).toMatchObject({ status: 'tls-untrusted', issuer: 'Contoso TLS Inspection CA', via: inspecting.url });
    await expect(bare.fetch(metadata())).rejects.toMatchObject({
      cause: { code: expect.stringMatching(/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/) },
    });
    // The simulated tenant's own CA does not help: the certificate the station sees is the proxy's.
    await expect(
      port({ env: { HTTPS_PROXY: inspecting.url }, extraCa: [sim.caCertPem] }).fetch(metadata()),
    ).rejects.toThrow();

    const trusted = port({ env: { HTTPS_PROXY: inspecting.url }, extraCa: [inspecting.caCertPem!] });
    const ok = await trusted.probe(sim.graphUrl, 5_000);
    expect(ok, JSON.stringify(ok)).toMatchObject({ status: 'ok', via: inspecting.url });
    const res = await trusted.fetch(metadata());
    expect(res.status).toBe(200);
    expect(((await res.json()) as { issuer: string }).issuer).toContain(sim.tenantId);
    expect(inspecting.log.connects.every((c) => c.authority === authority() && c.status === 200)).toBe(true);
  });
});

describe('a tenant configured in settings, behind a TLS-inspecting proxy (the Node stack of browser mode)', () => {
  let sim: SimTenant;
  let inspecting: TestProxy;
  const dirs: string[] = [];
  beforeAll(async () => {
    sim = await startSimulatedTenant({ clock: scaledClock(20), timeScale: 20, scenario: 'training' });
    inspecting = await startTestProxy({ intercept: { upstreamCa: sim.caCertPem } });
  });
  afterAll(async () => {
    await inspecting?.close();
    await sim?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  /** A station whose Global cloud is the simulated tenant, signed in with a certificate file, through the proxy. */
  async function check(caFile: string | undefined) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'proxy-tenant-'));
    dirs.push(dataDir);
    const certificatePath = path.join(dataDir, 'bench.pem');
    fs.writeFileSync(certificatePath, sim.clientCertificatePem);
    const station = createStation({
      host: 'browser',
      dataDir,
      logger: silentLogger,
      clock: scaledClock(20),
      queue: { worker: false },
      serialPort: { readSerials: async () => ({ system: 'X' }) },
      clouds: { global: customCloud(sim.graphUrl, sim.authorityHost, 'Global') },
      network: nodeNetworkFactory({ env: { HTTPS_PROXY: inspecting.url } }),
    });
    try {
      const saved = await station.handlers.updateSettings({
        patch: {
          tenantId: sim.tenantId,
          clientId: sim.clientId,
          authMode: 'certificate',
          certificatePath,
          ...(caFile ? { caFile } : {}),
        },
      });
      expect(saved).toMatchObject({ tenantId: sim.tenantId, ...(caFile ? { caFile } : {}) });
      return await station.handlers.checkConnection({});
    } finally {
      await station.close();
    }
  }

  it("without the CA file: reachability fails as TLS interception naming the proxy's CA and the proxy; with the admin's CA file every check passes through it", async () => {
    const refused = await check(undefined);
    expect(refused.checks.find((c) => c.id === 'authority')).toMatchObject({
      status: 'failed',
      code: 'CHECK_TLS_INTERCEPTED',
      params: { issuer: 'Contoso TLS Inspection CA' },
    });
    expect(refused.network).toEqual({ stack: 'node', authority: inspecting.url, graph: inspecting.url });

    const caFile = path.join(dirs[0]!, 'contoso-inspection-ca.pem');
    fs.writeFileSync(caFile, inspecting.caCertPem!);
    const before = inspecting.log.connects.length;
    const ok = await check(caFile);
    expect(ok.checks.filter((c) => c.status === 'failed')).toEqual([]);
    expect(ok.checks.find((c) => c.id === 'sign-in')).toMatchObject({ status: 'ok' });
    expect(ok.network).toEqual({ stack: 'node', authority: inspecting.url, graph: inspecting.url });
    expect(inspecting.log.connects.length).toBeGreaterThan(before);
  }, 60_000);

  it('a CA file that is not a certificate: the check says so with its own code', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'proxy-tenant-'));
    dirs.push(dataDir);
    const bad = path.join(dataDir, 'not-a-cert.txt');
    fs.writeFileSync(bad, 'hello');
    const station = createStation({
      host: 'browser',
      dataDir,
      logger: silentLogger,
      queue: { worker: false },
      serialPort: { readSerials: async () => ({ system: 'X' }) },
      clouds: { global: customCloud(sim.graphUrl, sim.authorityHost, 'Global') },
      network: nodeNetworkFactory({ env: {} }),
    });
    try {
      await station.handlers.updateSettings({
        patch: { tenantId: sim.tenantId, clientId: sim.clientId, authMode: 'certificate', caFile: bad },
      });
      expect(await station.handlers.getAuthStatus({})).toMatchObject({
        state: 'error',
        error: { code: 'NETWORK_CA_FILE_UNREADABLE', params: { path: bad } },
      });
    } finally {
      await station.close();
    }
  });
});

/**
 * `node bin/autopilot-station.js ...` as an admin runs it, with its own environment; never blocks this process (the sim
 * and proxies answer here).
 */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(https?|no)_proxy$/i.test(k)),
  ) as Record<string, string>;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/autopilot-station.js', ...args],
      { env: { ...base, ...env }, encoding: 'utf8', timeout: 120_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('the command line behind a corporate proxy (import --tenant-url: a simulated tenant reached like Microsoft)', () => {
  let sim: SimTenant;
  let guarded: TestProxy;
  let inspecting: TestProxy;
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'proxy-cli-'));
    dirs.push(d);
    return d;
  };
  let simCa: string;
  let proxyCa: string;
  /** A Get-WindowsAutopilotInfo CSV of one new device per call: each test imports a device of its own. */
  let serials = 0;
  const deviceFile = () => {
    const serial = `PROXY${++serials}${Date.now() % 100000}`;
    const file = path.join(tmp(), `${serial}.csv`);
    fs.writeFileSync(
      file,
      `Device Serial Number,Windows Product ID,Hardware Hash\r\n${serial},,${encodeHardwareHash({ serialNumber: serial, manufacturer: 'HP', model: 'EliteBook' })}\r\n`,
    );
    return file;
  };
  const importArgs = (ca: string) => [
    'import',
    deviceFile(),
    '--group-tag',
    'Training',
    '--wait',
    'imported',
    '--timeout-s',
    '90',
    '--json',
    '--tenant-url',
    sim.graphUrl,
    '--ca',
    ca,
  ];
  const logsOf = (dataDir: string) => {
    const dir = path.join(dataDir, 'logs');
    return fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
          .join('\n')
      : '';
  };

  beforeAll(async () => {
    sim = await startSimulatedTenant({
      timeScale: 60,
      shareConnection: true,
      scenario: {
        name: 'proxied',
        delays: {
          processingS: 20,
          registrationS: 30,
          assignmentS: 45,
          syncRunS: 30,
          syncCooldownS: 600,
          tagUpdateS: 60,
        },
        devices: { registered: [], otherTenant: [] },
      },
    });
    guarded = await startTestProxy({ credentials: { user: 'bench7', password: PASSWORD } });
    inspecting = await startTestProxy({ intercept: { upstreamCa: sim.caCertPem } });
    const d = tmp();
    simCa = path.join(d, 'sim-ca.pem');
    proxyCa = path.join(d, 'contoso-inspection-ca.pem');
    fs.writeFileSync(simCa, sim.caCertPem);
    fs.writeFileSync(proxyCa, inspecting.caCertPem!);
  });
  afterAll(async () => {
    await Promise.all([guarded, inspecting].map((p) => p?.close()));
    await sim?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('HTTPS_PROXY with Basic credentials: every request of the CLI goes through the proxy and the device is imported; the password is in no output or log', async () => {
    const dataDir = tmp();
    const before = guarded.log.connects.length;
    const r = await cli(importArgs(simCa), { STATION_DATA_DIR: dataDir, HTTPS_PROXY: withCredentials(guarded) });
    expect(r.code, r.stderr).toBe(0);
    const [device] = JSON.parse(r.stdout).devices as { serialNumber: string; state: string }[];
    expect(device).toMatchObject({ state: 'imported' });
    const seen = guarded.log.connects.slice(before);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(
      seen.every(
        (c) => c.authority === new URL(sim.graphUrl).host && c.status === 200 && c.credentials === `bench7:${PASSWORD}`,
      ),
    ).toBe(true);
    expect(sim.requestLog.importCountFor(device!.serialNumber)).toBe(1);
    const everything = `${r.stdout}${r.stderr}${logsOf(dataDir)}`;
    expect(logsOf(dataDir)).toContain(guarded.url);
    for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), 'bench7']) expect(everything).not.toContain(secret);
  }, 120_000);

  it('the same proxy without credentials: the CLI fails in one line saying the proxy wants credentials, naming it', async () => {
    const before = guarded.log.connects.length;
    const r = await cli(importArgs(simCa), { STATION_DATA_DIR: tmp(), HTTPS_PROXY: guarded.url });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(
        `could not reach the simulated tenant at ${sim.graphUrl}: .*the proxy wants credentials \\(HTTP 407\\) \\(proxy ${guarded.url}\\)`,
      ),
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(guarded.log.connects.slice(before).map((c) => c.status)).toContain(407);
  }, 120_000);

  it('a TLS-inspecting proxy: with its root as the CA file the CLI imports through it; with another CA it fails with a certificate error', async () => {
    const before = inspecting.log.connects.length;
    const ok = await cli(importArgs(proxyCa), { STATION_DATA_DIR: tmp(), HTTPS_PROXY: inspecting.url });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).devices).toEqual([expect.objectContaining({ state: 'imported' })]);
    expect(inspecting.log.connects.length).toBeGreaterThan(before);

    const refused = await cli(importArgs(simCa), { STATION_DATA_DIR: tmp(), HTTPS_PROXY: inspecting.url });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(
      /certificate that the given CA file does not vouch for \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
    );
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
  }, 120_000);
});

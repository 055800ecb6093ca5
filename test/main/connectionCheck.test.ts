import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { AuthService } from '../../src-main/auth/authService.ts';
import { loadCertificateCredential } from '../../src-main/auth/certificateCredential.ts';
import { EncryptedCachePlugin } from '../../src-main/auth/encryptedCachePlugin.ts';
import { KeyFileProtector } from '../../src-main/auth/keyFileProtector.ts';
import { MsalNetworkClient } from '../../src-main/auth/msalNetworkClient.ts';
import { CheckRecords } from '../../src-main/check/checkRecords.ts';
import { runConnectionCheck, type ConnectionCheckTarget } from '../../src-main/check/connectionCheck.ts';
import { authAttempt, checkedAutopilot, ConnectionCheckService } from '../../src-main/check/connectionCheckService.ts';
import type { StationSettings } from '../../src-main/contract/types.ts';
import { GraphFailure, type AutopilotPort } from '../../src-main/graph/autopilotPort.ts';
import { customCloud } from '../../src-main/graph/clouds.ts';
import { createNodeNetwork } from '../../src-main/net/nodeNetwork.ts';
import { RateBudget } from '../../src-main/graph/rateBudget.ts';
import { startSimulatedTenant, type SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';
import { createClientCertificate } from '../../src-main/sim/testCertificates.ts';
import type { SimScenarioInput } from '../../src-main/sim/simScenario.ts';

const clock = scaledClock(20);
const SETTINGS: StationSettings = {
  cloud: 'global',
  apiVersion: 'v1.0',
  authMode: 'certificate',
  batchSize: 100,
  waitFor: 'registered',
  locked: [],
};

function certificateAuth(sim: SimTenant, pem = sim.clientCertificatePem): AuthService {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'check-auth-'));
  return new AuthService(
    {
      mode: 'certificate',
      clientId: sim.clientId,
      tenantId: sim.tenantId,
      cloud: customCloud(sim.graphUrl, sim.authorityHost),
    },
    {
      cache: new EncryptedCachePlugin(
        path.join(dir, 'c.bin'),
        new KeyFileProtector(path.join(dir, 'k'), silentLogger),
        silentLogger,
      ),
      logger: silentLogger,
      openBrowser: async () => {},
      onDeviceCode: () => {},
      loadCertificate: async () => loadCertificateCredential(Buffer.from(pem)),
      networkClient: new MsalNetworkClient(createNodeNetwork({ extraCa: [sim.caCertPem], direct: true }).fetch),
    },
  );
}

function targetOf(sim: SimTenant, over: Partial<ConnectionCheckTarget> = {}): ConnectionCheckTarget {
  const cloud = customCloud(sim.graphUrl, sim.authorityHost);
  return {
    mode: 'tenant',
    cloud,
    cloudLabel: cloud.label,
    tenant: sim.tenantId,
    clientId: sim.clientId,
    method: 'certificate',
    apiVersion: 'v1.0',
    network: createNodeNetwork({ extraCa: [sim.caCertPem], direct: true }),
    auth: authAttempt(certificateAuth(sim), true),
    ...over,
  };
}

describe('the connection check against a good simulated tenant', () => {
  let sim: SimTenant;
  beforeAll(async () => {
    sim = await startSimulatedTenant({ clock, timeScale: 20, scenario: 'training' });
  });
  afterAll(async () => sim?.stop());

  it("sends no write request to Graph (the tenant's own request log), counts every Graph request, stays in the rate budget", async () => {
    const before = sim.requestLog.entries.length;
    const budget = new RateBudget(clock);
    const report = await runConnectionCheck(targetOf(sim, { budget }), { clock, logger: silentLogger });
    expect(report.status).toBe('ok');
    const seen = sim.requestLog.entries.slice(before);
    const graph = seen.filter((e) => /^\/(v1\.0|beta)(\/|$)/.test(e.path));
    expect(graph.length).toBeGreaterThan(0);
    expect(graph.filter((e) => e.method !== 'GET')).toEqual([]);
    expect(sim.requestLog.importCounts()).toEqual({});
    expect(sim.requestLog.totalImportedRecords()).toBe(0);
    expect(sim.model.listImported().length).toBe(0);
    // The check's own count of Graph requests is the tenant's; no 429 was needed.
    expect(report.requests.graph).toBe(graph.length);
    expect(report.requests.graphWrites).toBe(0);
    // Every request to the sign-in service is counted too: the check's own and msal-node's.
    expect(report.requests.signIn).toBe(seen.length - graph.length);
    expect(graph.filter((e) => e.status === 429)).toEqual([]);
    // Identity: only the check's metadata read plus msal's own token request (POSTs to the token endpoint, not the
    // tenant's data).
    const identityWrites = seen.filter((e) => !graph.includes(e) && e.method !== 'GET');
    expect(identityWrites.every((e) => e.path.endsWith('/oauth2/v2.0/token'))).toBe(true);
  });

  it('a certificate nobody trusts (a TLS-inspecting proxy): both hosts fail naming the issuer, nothing is sent over it', async () => {
    const before = sim.requestLog.entries.length;
    // Node's stack without the tenant's CA: what a bench behind an inspecting proxy sees.
    const report = await runConnectionCheck(targetOf(sim, { network: createNodeNetwork({ direct: true }) }), {
      clock,
      logger: silentLogger,
    });
    const authority = report.checks.find((c) => c.id === 'authority')!;
    expect(authority).toMatchObject({
      status: 'failed',
      code: 'CHECK_TLS_INTERCEPTED',
      params: { issuer: 'Autopilot Station Simulated Tenant Test CA' },
    });
    expect(authority.action).toMatch(/TLS inspection.*Windows certificate store.*CA file/);
    expect(authority.action).not.toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(report.checks.find((c) => c.id === 'tenant')).toMatchObject({
      status: 'not-checked',
      params: { after: 'authority' },
    });
    expect(sim.requestLog.entries.length).toBe(before);
  });

  it('a certificate the app registration does not know: the sign-in check says AADSTS700027 and to upload it', async () => {
    const stranger = createClientCertificate('Bench with a certificate nobody uploaded');
    const report = await runConnectionCheck(
      targetOf(sim, { auth: authAttempt(certificateAuth(sim, `${stranger.certPem}${stranger.keyPem}`), true) }),
      { clock, logger: silentLogger },
    );
    const signIn = report.checks.find((c) => c.id === 'sign-in')!;
    expect(signIn).toMatchObject({ status: 'failed', code: 'AUTH_CERTIFICATE_REJECTED' });
    expect(signIn.seen).toContain('AADSTS700027');
    expect(signIn.action).toMatch(/uploaded to the app registration/);
  });

  it('a host that refuses connections: the TCP step fails with the reason, the rest is not checked', async () => {
    const closed = customCloud('https://127.0.0.1:1', 'https://127.0.0.1:1');
    const report = await runConnectionCheck(targetOf(sim, { cloud: closed }), { clock, logger: silentLogger });
    expect(report.checks.find((c) => c.id === 'authority')).toMatchObject({
      status: 'failed',
      code: 'CHECK_TCP_FAILED',
      params: { host: '127.0.0.1', port: 1, reason: 'ECONNREFUSED' },
    });
    expect(report.checks.find((c) => c.id === 'clock')).toMatchObject({ status: 'not-checked' });
    expect(report.status).toBe('failed');
  });
});

describe('the first import runs the check by itself', () => {
  async function gate(scenario: SimScenarioInput | 'training') {
    const sim = await startSimulatedTenant({ clock, timeScale: 20, scenario });
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'check-records-'));
    const records = CheckRecords.inDataDir(dataDir);
    const auth = certificateAuth(sim);
    const service = new ConnectionCheckService({
      target: async () => ({
        training: false,
        settings: SETTINGS,
        cloud: customCloud(sim.graphUrl, sim.authorityHost),
        auth,
        network: createNodeNetwork({ extraCa: [sim.caCertPem], direct: true }),
      }),
      records,
      clock,
      logger: silentLogger,
    });
    const posted: number[] = [];
    const port = {
      importBatch: async (devices: unknown[]) => (posted.push(devices.length), { value: [], requestId: 'r' }),
    } as unknown as AutopilotPort;
    return { sim, dataDir, records, service, posted, autopilot: checkedAutopilot(port, service) };
  }

  it("a tenant without a licence: the batch waits with the check's words; nothing is posted", async () => {
    const g = await gate({ intuneLicensed: false });
    try {
      const err = await g.autopilot
        .importBatch([{ serialNumber: 'A', hardwareIdentifier: 'AA==', importId: 'i' }])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GraphFailure);
      expect(err).toMatchObject({
        code: 'CHECK_FAILED',
        transient: false,
        params: { check: 'intune', code: 'GRAPH_NO_INTUNE_LICENCE' },
      });
      expect((err as GraphFailure).message).toContain('no active Microsoft Intune licence');
      expect(g.posted).toEqual([]);
      expect(await g.service.needsCheck(await g.service.tenantKey())).toBe(true);
      expect(await g.records.last(await g.service.tenantKey())).toMatchObject({
        status: 'failed',
        failed: [{ id: 'intune', code: 'GRAPH_NO_INTUNE_LICENCE' }],
      });
      // Settings shows the check the import ran, read back from the data folder.
      const again = new ConnectionCheckService({
        target: async () => ({
          training: false,
          settings: SETTINGS,
          cloud: customCloud(g.sim.graphUrl, g.sim.authorityHost),
          auth: certificateAuth(g.sim),
        }),
        records: CheckRecords.inDataDir(g.dataDir),
        clock,
        logger: silentLogger,
      });
      expect((await again.lastReport())?.checks.find((c) => c.id === 'intune')).toMatchObject({
        status: 'failed',
        code: 'GRAPH_NO_INTUNE_LICENCE',
      });
    } finally {
      await g.sim.stop();
    }
  });

  it('a good tenant: checked once before the first batch, never again', async () => {
    const g = await gate('training');
    try {
      const metadataReads = () =>
        g.sim.requestLog.entries.filter((e) => e.path.endsWith('/openid-configuration')).length;
      await g.autopilot.importBatch([{ serialNumber: 'A', hardwareIdentifier: 'AA==', importId: 'i' }]);
      const afterFirst = metadataReads();
      expect(afterFirst).toBeGreaterThanOrEqual(1);
      await g.autopilot.importBatch([{ serialNumber: 'B', hardwareIdentifier: 'AA==', importId: 'j' }]);
      expect(metadataReads()).toBe(afterFirst);
      expect(g.posted).toEqual([1, 1]);
      expect(await g.service.needsCheck(await g.service.tenantKey())).toBe(false);
    } finally {
      await g.sim.stop();
    }
  });
});

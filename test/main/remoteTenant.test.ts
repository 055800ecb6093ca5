import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStation } from '../../src-main/app/createStation.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { inProcessSimulatedTenant, makeImportCommand } from '../../src-main/cli/importCommand.ts';
import { settingsPatch } from '../../src-main/contract/schemas.ts';
import { connectRemoteTenant, readCaFile, SHARED_CONNECTION_PATH } from '../../src-main/graph/remoteTenant.ts';
import { startSimulatedTenant, TRAINING_SAMPLES_DIR, type SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';
import { createTestCa } from '../../src-main/sim/testCertificates.ts';

/**
 * A station using a simulated tenant that runs elsewhere (a classroom's shared training tenant):
 * only its URL and CA file are given; Graph and the authority come from that URL, the CA is trusted
 * for that connection only, and the station signs in with msal-node as training mode does.
 */
const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'remote-tenant-'));
  dirs.push(d);
  return d;
};
let sim: SimTenant;
let caFile: string;

beforeAll(async () => {
  sim = await startSimulatedTenant({
    timeScale: 60,
    shareConnection: true,
    scenario: {
      name: 'classroom',
      delays: { processingS: 20, registrationS: 30, assignmentS: 45, syncRunS: 30, syncCooldownS: 600, tagUpdateS: 60 },
      devices: { registered: [], otherTenant: [{ serialNumber: 'MXL9808TRN', manufacturer: 'HP' }] },
    },
  });
  caFile = path.join(tmp(), 'sim-ca.pem');
  fs.writeFileSync(caFile, sim.caCertPem);
});
afterAll(async () => {
  await sim?.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('a simulated tenant elsewhere', () => {
  it('import --tenant-url URL --ca FILE: signs in over HTTPS with only that CA trusted and follows the devices to registered', async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const dataDir = tmp();
    const cmd = makeImportCommand({
      io: { stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t) },
      dataDir: () => dataDir,
      clock: sim.clock,
      station: (o) =>
        createStation({
          ...o,
          logger: silentLogger,
          serialPort: { readSerials: async () => ({ system: 'PF0REMOTE' }) },
        }),
    });
    const code = await cmd([
      path.join(TRAINING_SAMPLES_DIR, 'OA3-PF3TRN01.xml'),
      '--group-tag',
      'Training',
      '--wait',
      'registered',
      '--timeout-s',
      '900',
      '--json',
      '--tenant-url',
      sim.graphUrl,
      '--ca',
      caFile,
    ]);
    expect(stderr.join('')).toBe('');
    expect(JSON.parse(stdout.join('')).devices).toEqual([
      expect.objectContaining({ serialNumber: 'PF3TRN01', state: 'registered' }),
    ]);
    expect(code).toBe(0);
    // The remote tenant did the work, with a token from its own authority; the queue is the remote tenant's own.
    expect(sim.requestLog.importCountFor('PF3TRN01')).toBe(1);
    expect(
      sim.requestLog.count({ method: 'POST', pathContains: '/oauth2/v2.0/token', status: 200 }),
    ).toBeGreaterThanOrEqual(1);
    // One queue per tenant: a remote simulated tenant's folder of its own under tenants/.
    expect(fs.readdirSync(path.join(dataDir, 'tenants'))).toEqual([`remote-${sim.tenantId.toLowerCase()}`]);
  }, 60_000);

  it('says what is wrong: flags that go together, a CA that does not vouch for it, a simulator that does not share, another name for it', async () => {
    const cmd = makeImportCommand({
      io: { stdout: () => {}, stderr: () => {} },
      dataDir: () => tmp(),
      clock: sim.clock,
      station: createStation,
    });
    await expect(cmd(['x.csv', '--group-tag', 'T', '--tenant-url', sim.graphUrl])).rejects.toThrow(
      /--tenant-url and --ca go together/,
    );
    await expect(
      cmd(['x.csv', '--group-tag', 'T', '--tenant-url', sim.graphUrl, '--ca', caFile, '--tenant', 'sim']),
    ).rejects.toThrow(/leave out --tenant/);
    await expect(cmd(['x.csv', '--group-tag', 'T', '--scenario', 'f.json'])).rejects.toThrow(
      /--scenario goes with --tenant sim/,
    );

    const otherCa = createTestCa().certPem;
    await expect(connectRemoteTenant({ url: sim.graphUrl, caPem: otherCa })).rejects.toMatchObject({
      code: 'REMOTE_TENANT_CA_UNTRUSTED',
    });
    // Trusted for that connection only: the process-wide fetch still refuses the simulator.
    await expect(fetch(`${sim.graphUrl}${SHARED_CONNECTION_PATH}`)).rejects.toThrow();
    await expect(connectRemoteTenant({ url: 'http://127.0.0.1:1', caPem: sim.caCertPem })).rejects.toMatchObject({
      code: 'REMOTE_TENANT_URL_INVALID',
    });
    const localhost = sim.graphUrl.replace('127.0.0.1', 'localhost');
    await expect(connectRemoteTenant({ url: localhost, caPem: sim.caCertPem })).rejects.toMatchObject({
      code: 'REMOTE_TENANT_ADDRESS_MISMATCH',
      params: { expected: sim.graphUrl },
    });
    await expect(readCaFile(path.join(tmp(), 'missing.pem'))).rejects.toMatchObject({
      code: 'REMOTE_TENANT_CA_UNREADABLE',
    });

    const closed = await startSimulatedTenant({ https: true });
    try {
      await expect(connectRemoteTenant({ url: closed.graphUrl, caPem: closed.caCertPem })).rejects.toMatchObject({
        code: 'REMOTE_TENANT_NOT_SHARED',
      });
    } finally {
      await closed.stop();
    }
    const ok = await connectRemoteTenant({ url: `${sim.graphUrl}/`, caPem: sim.caCertPem });
    expect(ok).toMatchObject({
      graphUrl: sim.graphUrl,
      authorityHost: sim.authorityHost,
      tenantId: sim.tenantId,
      clientId: sim.clientId,
      timeScale: 60,
      scenario: 'classroom',
    });
  }, 30_000);

  it('import --tenant sim --scenario F: the in-process simulated tenant plays that scenario, with a queue of its own', async () => {
    const dir = tmp();
    const scenario = path.join(dir, 'already.json');
    fs.writeFileSync(
      scenario,
      JSON.stringify({
        name: 'already',
        realTenant: { tagUpdateLags: true },
        delays: { processingS: 10, registrationS: 10, assignmentS: 10 },
        devices: { registered: [{ serialNumber: 'PF3TRN01', manufacturer: 'LENOVO', groupTag: 'Training' }] },
      }),
    );
    const stdout: string[] = [];
    const dataDir = tmp();
    const cmd = makeImportCommand({
      io: { stdout: (t) => stdout.push(t), stderr: () => {} },
      dataDir: () => dataDir,
      clock: sim.clock,
      station: (o) =>
        createStation({ ...o, logger: silentLogger, serialPort: { readSerials: async () => ({ system: 'PF0SCEN' }) } }),
      simulatedTenant: inProcessSimulatedTenant,
    });
    const code = await cmd([
      path.join(TRAINING_SAMPLES_DIR, 'OA3-PF3TRN01.xml'),
      '--group-tag',
      'Training',
      '--tenant',
      'sim',
      '--scenario',
      scenario,
      '--json',
      '--timeout-s',
      '900',
    ]);
    // In the training scenario this device registers; in this one it is already registered (806).
    expect(JSON.parse(stdout.join('')).devices).toEqual([
      expect.objectContaining({ serialNumber: 'PF3TRN01', state: 'already-registered', errorCode: 806 }),
    ]);
    expect(code).toBe(0);
    expect(fs.readdirSync(path.join(dataDir, 'tenants'))).toEqual([expect.stringMatching(/^sim-[0-9a-f-]{36}$/)]);
  }, 60_000);

  it('a simulator serving a classroom: its public name is in its certificate and its URLs; the bundled realistic scenario loads', async () => {
    const named = await startSimulatedTenant({
      host: '127.0.0.1',
      publicHost: 'localhost',
      shareConnection: true,
      scenario: path.join(path.dirname(TRAINING_SAMPLES_DIR), 'realistic.json'),
    });
    try {
      expect(named.graphUrl).toMatch(/^https:\/\/localhost:\d+$/);
      expect(named.scenario.realTenant.importIdRewritten).toBe(true);
      const c = await connectRemoteTenant({ url: named.graphUrl, caPem: named.caCertPem });
      expect(c).toMatchObject({ graphUrl: named.graphUrl, authorityHost: named.graphUrl, scenario: 'realistic' });
    } finally {
      await named.stop();
    }
  });

  it('settings take tenantUrl (https, no path) and caFile', () => {
    expect(settingsPatch.parse({ tenantUrl: 'https://trainer-pc:8443', caFile: 'C:\\Training\\sim-ca.pem' })).toEqual({
      tenantUrl: 'https://trainer-pc:8443',
      caFile: 'C:\\Training\\sim-ca.pem',
    });
    expect(settingsPatch.parse({ tenantUrl: '', caFile: '' })).toEqual({ tenantUrl: '', caFile: '' });
    expect(settingsPatch.safeParse({ tenantUrl: 'http://trainer-pc:8443' }).success).toBe(false);
    expect(settingsPatch.safeParse({ tenantUrl: 'https://trainer-pc:8443/v1.0' }).success).toBe(false);
  });
});

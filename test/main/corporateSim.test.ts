import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_BETA_CORPORATE_CSDL_XML } from '../../src-main/sim/csdl/graphBetaCorporateCsdlXml.ts';
import { betaCorporateCsdl, validateActionBody, validateAgainstCsdl } from '../../src-main/sim/csdlModel.ts';
import { corporateModelOf } from '../../src-main/sim/CorporateIdentityModel.ts';
import { startSimulatedTenant, type SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';
import { ManualClock, simClient } from './simSupport.ts';

const RW = 'DeviceManagementServiceConfig.ReadWrite.All';
const BASE = '/beta/deviceManagement/importedDeviceIdentities';
const clock = new ManualClock();
let sim: SimTenant;
let api: ReturnType<typeof simClient>;

const item = (identifier: string, extra: Record<string, unknown> = {}) => ({
  '@odata.type': '#microsoft.graph.importedDeviceIdentity',
  importedDeviceIdentityType: 'manufacturerModelSerial',
  importedDeviceIdentifier: identifier,
  platform: 'windows',
  description: 'Autopilot Station BENCH-1 · group tag Sales',
  ...extra,
});

beforeAll(async () => {
  sim = await startSimulatedTenant({ clock, scenario: {} });
  api = simClient(sim.caCertPem, sim.graphUrl);
  api.setToken(sim.issueAccessToken('app', [RW]));
});
afterAll(async () => {
  // Every answer the sim gave passed its own check against the beta extract.
  expect(sim.requestLog.entries.filter((e) => e.csdlIssues)).toEqual([]);
  await api?.close();
  await sim?.stop();
});

describe('beta corporate identifier extract', () => {
  it('is the file beside the sim, byte for byte, and holds the types and actions', () => {
    expect(GRAPH_BETA_CORPORATE_CSDL_XML).toBe(
      readFileSync(path.resolve('src-main/sim/csdl/graph-beta-corporate.csdl.xml'), 'utf8'),
    );
    const m = betaCorporateCsdl();
    expect(m.enums.get('importedDeviceIdentityType')).toEqual([
      'unknown',
      'imei',
      'serialNumber',
      'manufacturerModelSerial',
    ]);
    expect(m.enums.get('platform')).toContain('windows');
    expect(m.types.get('importedDeviceIdentityResult')!.baseType).toBe('importedDeviceIdentity');
    expect(m.actions.get('importDeviceIdentityList')!.parameters.map((p) => p.name)).toEqual([
      'bindingParameter',
      'importedDeviceIdentities',
      'overwriteImportedDeviceIdentities',
    ]);
    expect(m.actions.get('searchExistingIdentities')!.returnType).toBe('Collection(graph.importedDeviceIdentity)');
  });

  it('checks bodies only on beta, and names what is wrong', () => {
    const body = { importedDeviceIdentities: [item('LENOVO,20XW,PF1')], overwriteImportedDeviceIdentities: false };
    expect(validateActionBody('importDeviceIdentityList', body, { api: 'beta' })).toEqual([]);
    expect(validateActionBody('importDeviceIdentityList', body, { api: 'v1.0' }).map((i) => i.code)).toEqual([
      'UNKNOWN_TYPE',
    ]);
    const bad = {
      importedDeviceIdentities: [
        item('x', { platform: 'windows11', importedDeviceIdentityType: 'tuple', serial: 'S' }),
      ],
      overwriteImportedDeviceIdentities: 'no',
    };
    expect(
      validateActionBody('importDeviceIdentityList', bad, { api: 'beta' })
        .map((i) => `${i.code}@${i.path}`)
        .sort(),
    ).toEqual([
      'BAD_ENUM_VALUE@importedDeviceIdentities[0].importedDeviceIdentityType',
      'BAD_ENUM_VALUE@importedDeviceIdentities[0].platform',
      'UNKNOWN_PROPERTY@importedDeviceIdentities[0].serial',
      'WRONG_TYPE@overwriteImportedDeviceIdentities',
    ]);
    // Beta's enrollmentState has 'blocked'; a result without status' siblings misses its non-nullable properties.
    expect(
      validateAgainstCsdl(
        'importedDeviceIdentity',
        { id: 'a', enrollmentState: 'blocked' },
        { api: 'beta', mode: 'request' },
      ),
    ).toEqual([]);
    expect(
      validateAgainstCsdl('importedDeviceIdentityResult', { id: 'a', status: true }, { api: 'beta' }).map(
        (i) => i.code,
      ),
    ).toContain('MISSING_PROPERTY');
  });
});

describe('simulated tenant: corporate identifiers', () => {
  it('imports, refuses duplicates and malformed identifiers from the data, searches, lists, gets and deletes', async () => {
    corporateModelOf(sim.model, sim.clock).seed('HP,EliteBook 840,ADMIN01');
    const res = await api.post(`${BASE}/importDeviceIdentityList`, {
      importedDeviceIdentities: [
        item('LENOVO,20XW,PF1'),
        item('LENOVO,20XW,PF1'),
        item('hp,EliteBook 840,admin01'),
        item('LENOVO,,PF2'),
        item('PF3', { importedDeviceIdentityType: 'serialNumber' }),
      ],
      overwriteImportedDeviceIdentities: false,
    });
    expect(res.status).toBe(200);
    expect(res.body.value.map((r: { status: boolean }) => r.status)).toEqual([true, false, false, false, false]);
    for (const r of res.body.value)
      expect(validateAgainstCsdl('importedDeviceIdentityResult', r, { api: 'beta' })).toEqual([]);

    const search = await api.post(`${BASE}/searchExistingIdentities`, {
      importedDeviceIdentities: [item('LENOVO,20XW,PF1'), item('HP,EliteBook 840,ADMIN01'), item('DELL,X,NOPE')],
    });
    expect(search.status).toBe(200);
    expect(
      search.body.value.map((r: { importedDeviceIdentifier: string }) => r.importedDeviceIdentifier).sort(),
    ).toEqual(['HP,EliteBook 840,ADMIN01', 'LENOVO,20XW,PF1']);

    const list = await api.get(`${BASE}?$top=1`);
    expect(list.body.value).toHaveLength(1);
    expect(list.body['@odata.nextLink']).toContain('skiptoken');
    const mine = search.body.value.find(
      (r: { importedDeviceIdentifier: string }) => r.importedDeviceIdentifier === 'LENOVO,20XW,PF1',
    );
    expect((await api.get(`${BASE}/${mine.id}`)).body.description).toBe('Autopilot Station BENCH-1 · group tag Sales');
    expect((await api.del(`${BASE}/${mine.id}`)).status).toBe(204);
    expect((await api.get(`${BASE}/${mine.id}`)).status).toBe(404);

    // The training tenant keeps its identifiers across restarts through snapshot/restore.
    const model = corporateModelOf(sim.model, sim.clock);
    const saved = JSON.parse(JSON.stringify(model.snapshot()));
    model.restore([]);
    expect(model.list()).toEqual([]);
    model.restore(saved);
    expect(model.find('manufacturerModelSerial', 'hp,elitebook 840,admin01')?.importedDeviceIdentifier).toBe(
      'HP,EliteBook 840,ADMIN01',
    );
    // overwrite true replaces the description of one already present
    const again = await api.post(`${BASE}/importDeviceIdentityList`, {
      importedDeviceIdentities: [item('HP,EliteBook 840,ADMIN01')],
      overwriteImportedDeviceIdentities: true,
    });
    expect(again.body.value[0].status).toBe(true);
  });

  it('answers 400 for bodies outside the schema, 404 under v1.0, 403 without the Intune permission, 429 at the limit', async () => {
    expect(
      (
        await api.post(`${BASE}/importDeviceIdentityList`, {
          importedDeviceIdentities: [item('A,B,C', { platform: 'win' })],
          overwriteImportedDeviceIdentities: false,
        })
      ).status,
    ).toBe(400);
    expect(
      (await api.post(`${BASE}/importDeviceIdentityList`, { overwriteImportedDeviceIdentities: false })).status,
    ).toBe(400);
    expect(
      (
        await api.post('/v1.0/deviceManagement/importedDeviceIdentities/importDeviceIdentityList', {
          importedDeviceIdentities: [],
        })
      ).status,
    ).toBe(400);
    const other = simClient(sim.caCertPem, sim.graphUrl);
    other.setToken(sim.issueAccessToken('app', ['DeviceManagementConfiguration.ReadWrite.All']));
    expect(
      (
        await other.post(`${BASE}/importDeviceIdentityList`, {
          importedDeviceIdentities: [],
          overwriteImportedDeviceIdentities: false,
        })
      ).status,
    ).toBe(403);
    await other.close();
    sim.setThrottleLimits({ appWrites: 1 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await api.post(`${BASE}/searchExistingIdentities`, { importedDeviceIdentities: [] })).status);
    expect(statuses).toContain(429);
    sim.setThrottleLimits({ appWrites: 100 });
    clock.advance(60_000);
  });
});

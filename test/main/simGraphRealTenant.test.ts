import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { MISBEHAVIOUR_DRILLS, parseScenario, REALISTIC } from '../../src-main/sim/simScenario.ts';
import { startSimulatedTenant, type SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';
import { ManualClock, simClient } from './simSupport.ts';

/**
 * The simulated tenant's real-tenant switches (docs/domain.md#what-real-tenants-do): each one off by
 * default, each one breaking one assumption the training tenant confirms, and the `realistic` preset.
 */
const RW = 'DeviceManagementServiceConfig.ReadWrite.All';
const S = 1000;
const IMPORTED = '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities';
const REGISTERED = '/v1.0/deviceManagement/windowsAutopilotDeviceIdentities';
const clock = new ManualClock();
let sim: SimTenant;
let api: ReturnType<typeof simClient>;

const record = (serialNumber: string, importId: string, manufacturer = 'LENOVO') => ({
  serialNumber,
  hardwareIdentifier: encodeHardwareHash({ serialNumber, manufacturer, model: 'M1' }),
  groupTag: 'Training',
  productKey: '3372846291745',
  importId,
});
const importDevices = async (...records: ReturnType<typeof record>[]) => {
  const r = await api.post(`${IMPORTED}/import`, { importedWindowsAutopilotDeviceIdentities: records });
  expect(r.status).toBe(200);
  return r.body.value as any[];
};

beforeAll(async () => {
  sim = await startSimulatedTenant({
    clock,
    scenario: {
      delays: {
        processingS: 60,
        registrationS: 120,
        assignmentS: 300,
        syncRunS: 60,
        syncCooldownS: 600,
        tagUpdateS: 90,
      },
      devices: {
        registered: [{ serialNumber: 'SEEN806', manufacturer: 'LENOVO', groupTag: 'Training' }],
        otherTenant: [{ serialNumber: 'OTHER808' }],
      },
      profileRules: [{ groupTag: 'Training', profileName: 'Training profile' }],
      throttle: { appWrites: 3 },
    },
  });
  api = simClient(sim.caCertPem, sim.graphUrl);
  api.setToken(sim.issueAccessToken('app', [RW]));
});
afterEach(() => {
  sim.setRealTenant('off');
  clock.advance(3600 * S);
});
afterAll(async () => {
  // Every Graph object answered under every switch still fits the metadata.
  expect(sim.requestLog.entries.filter((e) => e.csdlIssues)).toEqual([]);
  await api?.close();
  await sim?.stop();
});

describe('real-tenant switches in the scenario', () => {
  it('are all off by default (training keeps its behaviour), "realistic" turns all on, an object starts from the preset when asked', () => {
    expect(Object.values(parseScenario({}).realTenant).filter(Boolean)).toEqual([]);
    expect(parseScenario({ realTenant: 'realistic' }).realTenant).toEqual(REALISTIC);
    expect(
      Object.entries(REALISTIC).filter(
        ([k, v]) => (v === false || v === undefined) && !MISBEHAVIOUR_DRILLS.includes(k as keyof typeof REALISTIC),
      ),
    ).toEqual([]);
    expect(MISBEHAVIOUR_DRILLS.map((k) => REALISTIC[k])).toEqual([false, 0, false, false]);
    expect(
      parseScenario({ realTenant: { realistic: true, importBatchLimit: 20, tagUpdateLags: false } }).realTenant,
    ).toEqual({ ...REALISTIC, importBatchLimit: 20, tagUpdateLags: false });
    expect(parseScenario({ realTenant: { selectFails: true } }).realTenant).toMatchObject({
      selectFails: true,
      importIdRewritten: false,
    });
    expect(() => parseScenario({ realTenant: { selectFail: true } })).toThrow(/realTenant/);
  });

  it('load from a scenario file and from the startSimulatedTenant option', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sim-real-'));
    try {
      const file = path.join(dir, 'real.json');
      await writeFile(file, JSON.stringify({ name: 'real', realTenant: { selectFails: true, importBatchLimit: 2 } }));
      const fromFile = await startSimulatedTenant({ scenario: file, https: false });
      expect(fromFile.scenario.realTenant).toMatchObject({
        selectFails: true,
        importBatchLimit: 2,
        noRetryAfter: false,
      });
      await fromFile.stop();
      const fromOption = await startSimulatedTenant({ scenario: file, realTenant: 'realistic', https: false });
      expect(fromOption.scenario.realTenant).toEqual(REALISTIC);
      await fromOption.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('each switch', () => {
  it('importIdRewritten: answers and reads carry the record id as importId and productKey; $filter=importId finds nothing', async () => {
    const [plain] = await importDevices(record('IDOFF1', 'batch-off'));
    expect(plain).toMatchObject({ importId: 'batch-off', productKey: '3372846291745' });
    sim.setRealTenant({ importIdRewritten: true });
    const [rec] = await importDevices(record('IDREW1', 'batch-rew'));
    expect(rec.importId).toBe(rec.id);
    expect(rec.productKey).toBe(rec.id);
    expect((await api.get(`${IMPORTED}/${rec.id}`)).body.importId).toBe(rec.id);
    expect((await api.get(`${IMPORTED}?$filter=importId eq 'batch-rew'`)).body.value).toEqual([]);
    // The keys that do work: the record id, and the serial in the whole (small) list.
    expect((await api.get(IMPORTED)).body.value.some((v: any) => v.id === rec.id && v.serialNumber === 'IDREW1')).toBe(
      true,
    );
  });

  it('selectFails: any $select is a 500 on both collections, v1.0 and beta; without it the same reads work', async () => {
    const [rec] = await importDevices(record('SEL1', 'sel'));
    sim.setRealTenant({ selectFails: true });
    for (const p of [
      `${IMPORTED}?$select=id,state`,
      `${IMPORTED}/${rec.id}?$select=state`,
      `${REGISTERED}?$select=groupTag`,
      `/beta/deviceManagement/windowsAutopilotDeviceIdentities?$select=id`,
    ]) {
      const r = await api.get(p);
      expect(r.status, p).toBe(500);
      expect(r.body.error.code).toBe('InternalServerError');
    }
    expect((await api.get(`${IMPORTED}/${rec.id}`)).status).toBe(200);
    expect((await api.get(REGISTERED)).status).toBe(200);
    sim.setRealTenant('off');
    expect((await api.get(`${IMPORTED}/${rec.id}?$select=state`)).status).toBe(200);
  });

  it('noRetryAfter: throttling and the sync 10-minute refusal come without Retry-After and with "RetryAfter": null', async () => {
    const id = sim.seedRegisteredDevice({ serialNumber: 'THR1', manufacturer: 'HP' });
    const write = () => api.post(`${REGISTERED}/${id}/updateDeviceProperties`, { displayName: 'x' });
    for (let i = 0; i < 3; i++) expect((await write()).status).toBe(204);
    const withHeader = await write();
    expect(withHeader.status).toBe(429);
    expect(Number(withHeader.headers.get('retry-after'))).toBeGreaterThan(0);
    clock.advance(30 * S);
    sim.setRealTenant({ noRetryAfter: true });
    for (let i = 0; i < 3; i++) expect((await write()).status).toBe(204);
    const bare = await write();
    expect(bare.status).toBe(429);
    expect(bare.headers.get('retry-after')).toBeNull();
    expect(JSON.parse(bare.body.error.message)).toMatchObject({ RetryAfter: null, _version: 3 });
    // The sync rule's refusal too.
    clock.advance(30 * S);
    expect((await api.post('/beta/deviceManagement/windowsAutopilotSettings/sync')).status).toBe(204);
    clock.advance(120 * S);
    const again = await api.post('/beta/deviceManagement/windowsAutopilotSettings/sync');
    expect(again.status).toBe(429);
    expect(again.headers.get('retry-after')).toBeNull();
    expect(JSON.parse(again.body.error.message).RetryAfter).toBeNull();
    // Injected 429 faults follow the switch as well.
    sim.injectFault({ kind: '429', pathContains: '/windowsAutopilotDeviceIdentities', method: 'GET', retryAfterS: 7 });
    const fault = await api.get(REGISTERED);
    expect(fault.status).toBe(429);
    expect(fault.headers.get('retry-after')).toBeNull();
  });

  it('nextLinkRepeats: the last page links to itself forever; earlier pages still advance', async () => {
    await importDevices(...Array.from({ length: 5 }, (_, i) => record(`LOOP${i}`, 'loop')));
    const first = await api.get(`${IMPORTED}?$filter=importId eq 'loop'&$top=3`);
    expect(first.body.value).toHaveLength(3);
    const offNext = (await api.get(first.body['@odata.nextLink'])).body;
    expect(offNext['@odata.nextLink']).toBeUndefined();
    sim.setRealTenant({ nextLinkRepeats: true });
    const second = await api.get(first.body['@odata.nextLink']);
    expect(second.body.value.map((v: any) => v.serialNumber)).toEqual(['LOOP3', 'LOOP4']);
    const link = second.body['@odata.nextLink'];
    expect(link).toBe(first.body['@odata.nextLink']);
    const third = await api.get(link);
    expect(third.body.value).toEqual(second.body.value);
    expect(third.body['@odata.nextLink']).toBe(link);
    // A one-page answer links to a copy of itself.
    const single = await api.get(`${IMPORTED}?$filter=importId eq 'loop'`);
    expect(single.body.value).toHaveLength(5);
    expect((await api.get(single.body['@odata.nextLink'])).body.value).toEqual(single.body.value);
  });

  it("containsDashFails: contains() with '-' or a space is a 400; plain serials still filter", async () => {
    sim.seedRegisteredDevice({ serialNumber: 'DASH-01', manufacturer: 'HP' });
    sim.seedRegisteredDevice({ serialNumber: 'VMware-56 4d', manufacturer: 'VMware, Inc.' });
    sim.seedRegisteredDevice({ serialNumber: 'PLAINC1', manufacturer: 'HP' });
    expect((await api.get(`${REGISTERED}?$filter=contains(serialNumber,'DASH-01')`)).status).toBe(200);
    sim.setRealTenant({ containsDashFails: true });
    expect((await api.get(`${REGISTERED}?$filter=contains(serialNumber,'DASH-01')`)).status).toBe(400);
    expect((await api.get(`${REGISTERED}?$filter=contains(serialNumber,'VMware-56 4d')`)).status).toBe(400);
    expect((await api.get(`${REGISTERED}?$filter=contains(serialNumber,'56 4d')`)).status).toBe(400);
    const plain = await api.get(`${REGISTERED}?$filter=contains(serialNumber,'PLAINC1')`);
    expect(plain.body.value.map((d: any) => d.serialNumber)).toEqual(['PLAINC1']);
  });

  it('listLagsUntilSync: GET-by-id finds the device once its import completes; the list shows it only after a sync has run', async () => {
    sim.setRealTenant({ listLagsUntilSync: true });
    const [rec] = await importDevices(record('LAG1', 'lag'));
    clock.advance(60 * S);
    const done = (await api.get(`${IMPORTED}/${rec.id}`)).body.state;
    expect(done.deviceImportStatus).toBe('complete');
    expect((await api.get(`${REGISTERED}/${done.deviceRegistrationId}`)).status).toBe(200);
    clock.advance(600 * S);
    const listed = async () =>
      (await api.get(REGISTERED)).body.value.some((d: any) => d.id === done.deviceRegistrationId);
    expect(await listed()).toBe(false);
    expect((await api.get(`${REGISTERED}?$filter=contains(serialNumber,'LAG1')`)).body.value).toEqual([]);
    expect((await api.post('/beta/deviceManagement/windowsAutopilotSettings/sync')).status).toBe(204);
    expect(await listed()).toBe(false);
    clock.advance(60 * S);
    expect(await listed()).toBe(true);
    // An 806 for a device the list does not show yet (registered elsewhere, no sync since).
    sim.model.seedRegistered({ serialNumber: 'UNLISTED806', manufacturer: 'LENOVO', listed: false });
    const [again] = await importDevices(record('UNLISTED806', 'lag2'));
    clock.advance(60 * S);
    expect((await api.get(`${IMPORTED}/${again.id}`)).body.state.deviceErrorCode).toBe(806);
    expect((await api.get(`${REGISTERED}?$filter=contains(serialNumber,'UNLISTED806')`)).body.value).toEqual([]);
    // Off: the list follows the registration delay (today's training behaviour).
    sim.setRealTenant('off');
    expect((await api.get(`${REGISTERED}?$filter=contains(serialNumber,'UNLISTED806')`)).body.value).toHaveLength(1);
  });

  it('otherTenantSpelling: 808 comes as ZtdDeviceAssignedToAnotherTenant with code 0', async () => {
    const [off] = await importDevices(record('OTHER808', 'o1'));
    sim.setRealTenant({ otherTenantSpelling: true });
    const [on] = await importDevices(record('OTHER808', 'o2'));
    clock.advance(60 * S);
    expect((await api.get(`${IMPORTED}/${off.id}`)).body.state).toMatchObject({
      deviceErrorCode: 808,
      deviceErrorName: 'ZtdDeviceAssignedToOtherTenant',
    });
    expect((await api.get(`${IMPORTED}/${on.id}`)).body.state).toMatchObject({
      deviceImportStatus: 'error',
      deviceErrorCode: 0,
      deviceErrorName: 'ZtdDeviceAssignedToAnotherTenant',
    });
  });

  it('tagUpdateLags: updateDeviceProperties answers 204 and the new tag shows only delays.tagUpdateS later; the profile follows from then', async () => {
    sim.setRealTenant({ tagUpdateLags: true });
    const id = sim.seedRegisteredDevice({ serialNumber: 'RETAGLAG', manufacturer: 'HP', groupTag: 'Wrong' });
    expect((await api.post(`${REGISTERED}/${id}/updateDeviceProperties`, { groupTag: 'Training' })).status).toBe(204);
    const beta = `/beta/deviceManagement/windowsAutopilotDeviceIdentities/${id}`;
    expect((await api.get(beta)).body).toMatchObject({
      groupTag: 'Wrong',
      deploymentProfileAssignmentStatus: 'notAssigned',
    });
    clock.advance(89 * S);
    expect((await api.get(`${REGISTERED}/${id}`)).body.groupTag).toBe('Wrong');
    clock.advance(1 * S);
    expect((await api.get(beta)).body).toMatchObject({
      groupTag: 'Training',
      deploymentProfileAssignmentStatus: 'pending',
    });
    clock.advance(300 * S);
    expect((await api.get(beta)).body.deploymentProfileAssignmentStatus).toBe('assignedInSync');
  });

  it('importBatchLimit: a larger batch is refused whole with a 400 (nothing imported); one at the limit goes through', async () => {
    sim.setRealTenant({ importBatchLimit: 2 });
    const big = await api.post(`${IMPORTED}/import`, {
      importedWindowsAutopilotDeviceIdentities: [record('BL1', 'bl'), record('BL2', 'bl'), record('BL3', 'bl')],
    });
    expect(big.status).toBe(400);
    expect(big.body.error.code).toBe('BadRequest');
    expect(sim.requestLog.importCountFor('BL1')).toBe(0);
    expect(await importDevices(record('BL1', 'bl'), record('BL2', 'bl'))).toHaveLength(2);
  });

  it('realistic: all of them at once', async () => {
    expect(sim.setRealTenant('realistic')).toEqual(REALISTIC);
    const [rec] = await importDevices(record('REAL1', 'real'));
    expect(rec.importId).toBe(rec.id);
    expect((await api.get(`${IMPORTED}?$select=id`)).status).toBe(500);
    const tooMany = Array.from({ length: 101 }, (_, i) => record(`REALB${i}`, 'real'));
    expect((await api.post(`${IMPORTED}/import`, { importedWindowsAutopilotDeviceIdentities: tooMany })).status).toBe(
      400,
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { validateAgainstCsdl } from '../../src-main/sim/csdlModel.ts';
import { startSimulatedTenant, type SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';
import { ManualClock, simClient } from './simSupport.ts';

const RW = 'DeviceManagementServiceConfig.ReadWrite.All';
const clock = new ManualClock();
let sim: SimTenant;
let api: ReturnType<typeof simClient>;
const S = 1000;

const hash = (serialNumber: string, manufacturer: string | null = 'LENOVO') =>
  encodeHardwareHash({ serialNumber, ...(manufacturer ? { manufacturer } : {}), model: 'M1' });
const record = (serialNumber: string, importId: string, extra: Record<string, unknown> = {}) => ({
  '@odata.type': '#microsoft.graph.importedWindowsAutopilotDeviceIdentity',
  serialNumber,
  hardwareIdentifier: hash(serialNumber),
  groupTag: 'Training',
  importId,
  ...extra,
});

/** Every object the sim answers must fit the metadata, beta-only properties only under /beta. */
function expectCsdl(type: string, obj: unknown, flavor: 'v1.0' | 'beta' = 'v1.0') {
  expect(validateAgainstCsdl(type, obj, { api: flavor })).toEqual([]);
}

beforeAll(async () => {
  sim = await startSimulatedTenant({
    clock,
    scenario: {
      delays: { processingS: 60, registrationS: 120, assignmentS: 300, syncRunS: 60, syncCooldownS: 600 },
      devices: {
        registered: [{ serialNumber: 'REG806', manufacturer: 'LENOVO', groupTag: 'Old' }],
        otherTenant: [{ serialNumber: 'OTHER808' }],
      },
      profileRules: [{ groupTag: 'Training', profileName: 'Training profile' }],
    },
  });
  api = simClient(sim.caCertPem, sim.graphUrl);
  api.setToken(sim.issueAccessToken('app', [RW]));
});
afterAll(async () => {
  // Every Graph object the sim answered during this file passed its own check against the metadata.
  expect(sim.requestLog.entries.filter((e) => e.csdlIssues)).toEqual([]);
  expect(sim.requestLog.entries.filter((e) => e.status === 200).length).toBeGreaterThan(30);
  await api?.close();
  await sim?.stop();
});

describe('simulated tenant: Graph import and processing', () => {
  it("accepts Microsoft's documentation example (hash = base64 of 'hardwareIdentifier') and later ends it in 802", async () => {
    const docs = {
      importedWindowsAutopilotDeviceIdentities: [
        {
          '@odata.type': '#microsoft.graph.importedWindowsAutopilotDeviceIdentity',
          groupTag: 'Group Tag value',
          serialNumber: 'Serial Number value',
          productKey: 'Product Key value',
          importId: 'Import Id value',
          hardwareIdentifier: 'aGFyZHdhcmVJZGVudGlmaWVy',
          assignedUserPrincipalName: 'Assigned User Principal Name value',
          state: {
            '@odata.type': 'microsoft.graph.importedWindowsAutopilotDeviceIdentityState',
            deviceImportStatus: 'pending',
            deviceRegistrationId: 'Device Registration Id value',
            deviceErrorCode: 15,
            deviceErrorName: 'Device Error Name value',
          },
        },
      ],
    };
    // As in the docs, the state's @odata.type has no '#': Graph takes both spellings.
    const r = await api.post('/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import', docs);
    expect(r.status).toBe(200);
    expect(r.body.value).toHaveLength(1);
    const created = r.body.value[0];
    expectCsdl('importedWindowsAutopilotDeviceIdentity', created);
    expect(created.state).toMatchObject({ deviceImportStatus: 'unknown', deviceErrorCode: 0 });
    expect(created.hardwareIdentifier).toBe('aGFyZHdhcmVJZGVudGlmaWVy');
    clock.advance(59 * S);
    expect(
      (await api.get(`/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/${created.id}`)).body.state
        .deviceImportStatus,
    ).toBe('unknown');
    clock.advance(1 * S);
    const after = await api.get(`/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/${created.id}`);
    expect(after.body.state).toMatchObject({
      deviceImportStatus: 'error',
      deviceErrorCode: 802,
      deviceErrorName: 'InvalidZtdHardwareHash',
    });
    expectCsdl('importedWindowsAutopilotDeviceIdentity', after.body);
  });

  it('decides each record from its data: complete, 802, 806, 808, ZtdDeviceDuplicated; then registers and assigns profiles', async () => {
    const importId = 'batch-1';
    const dup = record('DUP1', importId);
    const body = {
      importedWindowsAutopilotDeviceIdentities: [
        record('GOOD1', importId),
        record('GOOD2', importId, { groupTag: 'NoRule' }),
        { ...record('NOMFR', importId), hardwareIdentifier: hash('NOMFR', null) },
        record('REG806', importId),
        {
          ...record('OTHER808', importId),
          hardwareIdentifier: encodeHardwareHash({ serialNumber: 'OTHER808', manufacturer: 'HP' }),
        },
        dup,
        { ...dup },
      ],
    };
    const r = await api.post('/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import', body);
    expect(r.status).toBe(200);
    expect(r.body.value.map((v: any) => v.state.deviceImportStatus)).toEqual(Array(7).fill('unknown'));
    r.body.value.forEach((v: unknown) => expectCsdl('importedWindowsAutopilotDeviceIdentity', v));
    expect(sim.requestLog.entries.at(-1)).toMatchObject({ method: 'POST', status: 200, importCount: 7 });

    clock.advance(60 * S);
    const list = await api.get(
      `/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities?$filter=importId eq '${importId}'`,
    );
    expect(list.status).toBe(200);
    const bySerial = Object.fromEntries(list.body.value.map((v: any) => [v.serialNumber, v.state]));
    expect(list.body.value).toHaveLength(7);
    expect(bySerial.GOOD1).toMatchObject({ deviceImportStatus: 'complete', deviceErrorCode: 0 });
    expect(bySerial.GOOD1.deviceRegistrationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(bySerial.NOMFR).toMatchObject({ deviceImportStatus: 'error', deviceErrorCode: 802 });
    expect(bySerial.REG806).toMatchObject({
      deviceImportStatus: 'error',
      deviceErrorCode: 806,
      deviceErrorName: 'ZtdDeviceAlreadyAssigned',
    });
    expect(bySerial.OTHER808).toMatchObject({
      deviceImportStatus: 'error',
      deviceErrorCode: 808,
      deviceErrorName: 'ZtdDeviceAssignedToOtherTenant',
    });
    const dups = list.body.value.filter((v: any) => v.serialNumber === 'DUP1').map((v: any) => v.state);
    expect(dups.map((d: any) => d.deviceImportStatus).sort()).toEqual(['complete', 'error']);
    expect(dups.find((d: any) => d.deviceImportStatus === 'error').deviceErrorName).toBe('ZtdDeviceDuplicated');

    // The registered device appears only after the registration delay, with id = deviceRegistrationId.
    const regId = bySerial.GOOD1.deviceRegistrationId;
    expect((await api.get(`/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/${regId}`)).status).toBe(404);
    clock.advance(120 * S);
    const reg = await api.get(`/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/${regId}`);
    expect(reg.status).toBe(200);
    expect(reg.body).toMatchObject({
      id: regId,
      serialNumber: 'GOOD1',
      manufacturer: 'LENOVO',
      model: 'M1',
      groupTag: 'Training',
      enrollmentState: 'notContacted',
    });
    expectCsdl('windowsAutopilotDeviceIdentity', reg.body);
    expect(reg.body.deploymentProfileAssignmentStatus).toBeUndefined();
    // beta: the profile follows the group tag rule; devices without a matching rule stay notAssigned.
    const beta = await api.get(`/beta/deviceManagement/windowsAutopilotDeviceIdentities/${regId}`);
    expectCsdl('windowsAutopilotDeviceIdentity', beta.body, 'beta');
    expect(
      validateAgainstCsdl('windowsAutopilotDeviceIdentity', beta.body, { api: 'v1.0' }).map((i) => i.code),
    ).toContain('BETA_ONLY_PROPERTY');
    expect(beta.body.deploymentProfileAssignmentStatus).toBe('pending');
    clock.advance(300 * S);
    const assigned = await api.get(`/beta/deviceManagement/windowsAutopilotDeviceIdentities/${regId}`);
    expect(assigned.body.deploymentProfileAssignmentStatus).toBe('assignedInSync');
    expect(Date.parse(assigned.body.deploymentProfileAssignedDateTime)).toBe(clock.now() - 0);
    const other = await api.get(
      `/beta/deviceManagement/windowsAutopilotDeviceIdentities/${bySerial.GOOD2.deviceRegistrationId}`,
    );
    expect(other.body.deploymentProfileAssignmentStatus).toBe('notAssigned');

    // A second import of a now-registered device is 806; deleting the imported record leaves the registration.
    const again = await api.post('/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import', {
      importedWindowsAutopilotDeviceIdentities: [record('GOOD1', 'batch-2')],
    });
    clock.advance(60 * S);
    expect(
      (await api.get(`/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/${again.body.value[0].id}`)).body
        .state.deviceErrorCode,
    ).toBe(806);
    const firstId = list.body.value.find((v: any) => v.serialNumber === 'GOOD1').id;
    expect((await api.del(`/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/${firstId}`)).status).toBe(
      204,
    );
    expect((await api.get(`/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/${firstId}`)).status).toBe(
      404,
    );
    expect((await api.get(`/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/${regId}`)).status).toBe(200);
    expect(sim.requestLog.importCountFor('good1')).toBe(2);
    expect(sim.requestLog.importCountFor('DUP1')).toBe(2);
  });

  it('pages with $top and @odata.nextLink, and filters by importId only', async () => {
    const importId = 'paging';
    const devices = Array.from({ length: 7 }, (_, i) => record(`PAGE${i}`, importId));
    expect(
      (
        await api.post('/beta/deviceManagement/importedWindowsAutopilotDeviceIdentities/import', {
          importedWindowsAutopilotDeviceIdentities: devices,
        })
      ).status,
    ).toBe(200);
    const seen: string[] = [];
    let next: string | undefined =
      `/beta/deviceManagement/importedWindowsAutopilotDeviceIdentities?$filter=importId%20eq%20'${importId}'&$top=3`;
    let pages = 0;
    while (next) {
      const page = await api.get(next);
      expect(page.status).toBe(200);
      seen.push(...page.body.value.map((v: any) => v.serialNumber));
      next = page.body['@odata.nextLink'];
      if (next)
        expect(next.startsWith(`${sim.graphUrl}/beta/deviceManagement/importedWindowsAutopilotDeviceIdentities?`)).toBe(
          true,
        );
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(devices.map((d) => d.serialNumber));
    const bad = await api.get(
      `/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities?$filter=serialNumber eq 'PAGE1'`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('BadRequest');
  });

  it("finds registered devices with contains(serialNumber,...), mishandles serials with '-' as reported, refuses eq", async () => {
    sim.seedRegisteredDevice({ serialNumber: 'ABC-123-X', manufacturer: 'Dell Inc.', groupTag: 'Training' });
    sim.seedRegisteredDevice({ serialNumber: 'PLAIN77', manufacturer: 'HP' });
    const plain = await api.get(
      `/v1.0/deviceManagement/windowsAutopilotDeviceIdentities?$filter=contains(serialNumber,'plain77')`,
    );
    expect(plain.body.value.map((d: any) => d.serialNumber)).toEqual(['PLAIN77']);
    plain.body.value.forEach((d: unknown) => expectCsdl('windowsAutopilotDeviceIdentity', d));
    const dashed = await api.get(
      `/v1.0/deviceManagement/windowsAutopilotDeviceIdentities?$filter=contains(serialNumber,'ABC-123-X')`,
    );
    expect(dashed.status).toBe(200);
    expect(dashed.body.value).toEqual([]);
    // The fallback a client must use: page the list and filter itself.
    const all = await api.get(`/v1.0/deviceManagement/windowsAutopilotDeviceIdentities?$top=100`);
    expect(all.body.value.some((d: any) => d.serialNumber === 'ABC-123-X')).toBe(true);
    const eq = await api.get(
      `/v1.0/deviceManagement/windowsAutopilotDeviceIdentities?$filter=serialNumber eq 'PLAIN77'`,
    );
    expect(eq.status).toBe(400);
  });

  it('updateDeviceProperties answers 204, changes the tag and re-evaluates the profile; unknown parameters are 400', async () => {
    const id = sim.seedRegisteredDevice({ serialNumber: 'RETAG1', manufacturer: 'HP', groupTag: 'Wrong' });
    expect(
      (await api.get(`/beta/deviceManagement/windowsAutopilotDeviceIdentities/${id}`)).body
        .deploymentProfileAssignmentStatus,
    ).toBe('notAssigned');
    const r = await api.post(`/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/${id}/updateDeviceProperties`, {
      groupTag: 'Training',
      displayName: 'BENCH-01',
    });
    expect(r.status).toBe(204);
    const after = await api.get(`/beta/deviceManagement/windowsAutopilotDeviceIdentities/${id}`);
    expect(after.body).toMatchObject({
      groupTag: 'Training',
      displayName: 'BENCH-01',
      deploymentProfileAssignmentStatus: 'pending',
    });
    clock.advance(300 * S);
    expect(
      (await api.get(`/beta/deviceManagement/windowsAutopilotDeviceIdentities/${id}`)).body
        .deploymentProfileAssignmentStatus,
    ).toBe('assignedInSync');
    const bad = await api.post(`/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/${id}/updateDeviceProperties`, {
      orderIdentifier: 'x',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("'orderIdentifier'");
    expect((await api.del(`/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/${id}`)).status).toBe(204);
    expect((await api.get(`/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/${id}`)).status).toBe(404);
  });

  it('rejects request bodies that break the metadata: unknown property, unpadded Edm.Binary, bad JSON', async () => {
    const unknown = await api.post('/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import', {
      importedWindowsAutopilotDeviceIdentities: [{ ...record('X1', 'bad'), serial: 'X1' }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/property 'serial' does not exist/);
    const unpadded = await api.post('/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import', {
      importedWindowsAutopilotDeviceIdentities: [
        {
          ...record('X2', 'bad'),
          hardwareIdentifier: encodeHardwareHash(
            { serialNumber: 'X2', manufacturer: 'M', totalBytes: 2999 },
            { unpadded: true },
          ),
        },
      ],
    });
    expect(unpadded.status).toBe(400);
    expect(unpadded.body.error.message).toMatch(/Edm\.Binary/);
    expect(
      (await api.post('/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import', '{not json')).status,
    ).toBe(400);
    expect(
      (
        await api.post('/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import', {
          importedWindowsAutopilotDeviceIdentities: [null, 5],
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await api.post('/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import', {
          importedWindowsAutopilotDeviceIdentities: 'all',
        })
      ).status,
    ).toBe(400);
    expect((await api.get('/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/%E0%A4%A')).status).toBe(400);
    expect(sim.requestLog.importCountFor('X1')).toBe(0);
  });
});

describe('simulated tenant: beta sync rule', () => {
  it('204, then 409 while it runs, 429 within 10 minutes of the last one, 204 after', async () => {
    const path = '/beta/deviceManagement/windowsAutopilotSettings/sync';
    expect((await api.post(path)).status).toBe(204);
    const running = await api.post(path);
    expect(running.status).toBe(409);
    expect((await api.get('/beta/deviceManagement/windowsAutopilotSettings')).body.syncStatus).toBe('inProgress');
    clock.advance(61 * S);
    const settings = await api.get('/beta/deviceManagement/windowsAutopilotSettings');
    expect(settings.body.syncStatus).toBe('completed');
    expect(validateAgainstCsdl('windowsAutopilotSettings', settings.body, { api: 'beta' })).toEqual([]);
    const tooSoon = await api.post(path);
    expect(tooSoon.status).toBe(429);
    expect(Number(tooSoon.headers.get('retry-after'))).toBe(539);
    clock.advance(539 * S);
    expect((await api.post(path)).status).toBe(204);
    expect((await api.post('/v1.0/deviceManagement/windowsAutopilotSettings/sync')).status).toBe(400);
  });
});

describe('simulated tenant: errors as Graph shapes them', () => {
  it('unknown segments, methods and ids, with request-id and the client-request-id echoed', async () => {
    const crid = '3f7c2a1e-0000-4000-8000-000000000001';
    const r = await api.get('/v1.0/deviceManagement/notAThing', { 'client-request-id': crid });
    expect(r.status).toBe(400);
    expect(r.headers.get('client-request-id')).toBe(crid);
    expect(r.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.error).toMatchObject({
      code: 'BadRequest',
      innerError: { 'request-id': r.headers.get('request-id'), 'client-request-id': crid },
    });
    expect(r.body.error.innerError.date).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(sim.requestLog.entries.at(-1)).toMatchObject({
      clientRequestId: crid,
      status: 400,
      path: '/v1.0/deviceManagement/notAThing',
    });
    expect(
      (await api.call('PATCH', '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import', {})).status,
    ).toBe(405);
    const missing = await api.get(
      '/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/00000000-0000-0000-0000-000000000000',
    );
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('ResourceNotFound');
    expect((await api.get('/v2.5/deviceManagement')).status).toBe(400);
  });

  it('401 for missing, expired, revoked, foreign-cloud and forged tokens; 403 without the permission', async () => {
    const path = '/v1.0/deviceManagement/windowsAutopilotDeviceIdentities';
    const c = simClient(sim.caCertPem, sim.graphUrl);
    try {
      const codes = async (token: string | undefined) => {
        c.setToken(token);
        const r = await c.get(path);
        return [r.status, r.body.error?.code];
      };
      expect(await codes(undefined)).toEqual([401, 'InvalidAuthenticationToken']);
      expect(await codes(sim.issueAccessToken('app', [RW], { exp: Math.floor(Date.now() / 1000) - 10 }))).toEqual([
        401,
        'InvalidAuthenticationToken',
      ]);
      expect(await codes(sim.issueAccessToken('app', [RW], { aud: 'https://graph.microsoft.us' }))).toEqual([
        401,
        'InvalidAuthenticationToken',
      ]);
      const other = await startSimulatedTenant({ clock });
      try {
        expect(await codes(other.issueAccessToken('app', [RW], { aud: sim.graphUrl, tid: sim.tenantId }))).toEqual([
          401,
          'InvalidAuthenticationToken',
        ]);
      } finally {
        await other.stop();
      }
      expect(await codes(sim.issueAccessToken('app', ['User.Read.All']))).toEqual([403, 'Forbidden']);
      expect(await codes(sim.issueAccessToken('user', ['DeviceManagementServiceConfig.Read.All']))).toEqual([
        200,
        undefined,
      ]);
      c.setToken(sim.issueAccessToken('user', ['DeviceManagementServiceConfig.Read.All']));
      expect((await c.post(`${path}/x/updateDeviceProperties`, { groupTag: 'A' })).status).toBe(403);
      // beta also accepts DeviceManagementConfiguration.ReadWrite.All; v1.0 does not.
      expect(await codes(sim.issueAccessToken('app', ['DeviceManagementConfiguration.ReadWrite.All']))).toEqual([
        403,
        'Forbidden',
      ]);
      c.setToken(sim.issueAccessToken('app', ['DeviceManagementConfiguration.ReadWrite.All']));
      expect((await c.get('/beta/deviceManagement/windowsAutopilotDeviceIdentities')).status).toBe(200);
      const live = sim.issueAccessToken('app', [RW]);
      expect(await codes(live)).toEqual([200, undefined]);
      sim.expireTokens();
      const expired = await (c.setToken(live), c.get(path));
      expect(expired.status).toBe(401);
      expect(expired.body.error.message).toMatch(/expired/);
      expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer /);
    } finally {
      await c.close();
      api.setToken(sim.issueAccessToken('app', [RW]));
    }
  });
});

describe('simulated tenant: throttling and faults', () => {
  it('enforces 100 writes per app and 200 per tenant per 20 s with Retry-After, then recovers', async () => {
    clock.advance(21 * S);
    const path = '/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/none/updateDeviceProperties';
    const a = simClient(sim.caCertPem, sim.graphUrl);
    const b = simClient(sim.caCertPem, sim.graphUrl);
    const c = simClient(sim.caCertPem, sim.graphUrl);
    a.setToken(sim.issueAccessToken('app', [RW], { appid: 'app-a', azp: 'app-a' }));
    b.setToken(sim.issueAccessToken('app', [RW], { appid: 'app-b', azp: 'app-b' }));
    c.setToken(sim.issueAccessToken('app', [RW], { appid: 'app-c', azp: 'app-c' }));
    try {
      for (let i = 0; i < 100; i++) expect((await a.post(path, { groupTag: 'T' })).status).toBe(404);
      clock.advance(5 * S);
      const refused = await a.post(path, { groupTag: 'T' });
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('TooManyRequests');
      expect(Number(refused.headers.get('retry-after'))).toBe(15);
      // Reads are a separate, larger budget; another app still has its own write budget...
      expect((await a.get('/v1.0/deviceManagement/windowsAutopilotDeviceIdentities?$top=1')).status).toBe(200);
      for (let i = 0; i < 100; i++) expect((await b.post(path, { groupTag: 'T' })).status).toBe(404);
      // ...until the tenant-wide 200 is used up.
      expect((await c.post(path, { groupTag: 'T' })).status).toBe(429);
      clock.advance(15 * S);
      expect((await a.post(path, { groupTag: 'T' })).status).toBe(404);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('injects 503 with Retry-After, 500/502, resets, slow answers, record errors, for N requests or a path', async () => {
    clock.advance(21 * S);
    const list = '/v1.0/deviceManagement/windowsAutopilotDeviceIdentities?$top=1';
    sim.injectFault({ kind: '503', count: 2, pathContains: 'windowsAutopilotDeviceIdentities', retryAfterS: 7 });
    const first = await api.get(list);
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(first.body.error.code).toBe('ServiceUnavailable');
    expect((await api.get(list)).status).toBe(503);
    expect((await api.get(list)).status).toBe(200);
    sim.injectFault({ kind: '502', count: 1, method: 'GET' });
    expect((await api.get(list)).status).toBe(502);
    sim.injectFault({ kind: 'reset', count: 1, pathContains: '/import' });
    await expect(
      api.post('/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import', {
        importedWindowsAutopilotDeviceIdentities: [record('RESET1', 'r')],
      }),
    ).rejects.toThrow();
    expect(sim.requestLog.entries.at(-1)).toMatchObject({ outcome: 'reset', faults: ['reset'] });
    expect(sim.requestLog.importCountFor('RESET1')).toBe(0);
    // A lost answer: the import happens, the client only sees the connection drop.
    sim.injectFault({ kind: 'drop-answer', count: 1, pathContains: '/import' });
    await expect(
      api.post('/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import', {
        importedWindowsAutopilotDeviceIdentities: [record('LOST1', 'lost')],
      }),
    ).rejects.toThrow();
    expect(sim.requestLog.entries.at(-1)).toMatchObject({ outcome: 'answer-dropped', status: 200, importCount: 1 });
    expect(sim.requestLog.importCountFor('LOST1')).toBe(1);
    expect(
      (await api.get(`/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities?$filter=importId eq 'lost'`)).body
        .value,
    ).toHaveLength(1);
    const before = clock.now();
    sim.injectFault({ kind: 'slow', count: 1, delayMs: 30_000 });
    expect((await api.get(list)).status).toBe(200);
    expect(clock.now() - before).toBeGreaterThanOrEqual(30_000);
    sim.injectFault({ kind: 'record-error', count: 1, errorName: 'StorageError' });
    const imp = await api.post('/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import', {
      importedWindowsAutopilotDeviceIdentities: [record('STORE1', 's'), record('STORE2', 's')],
    });
    clock.advance(60 * S);
    const states = (
      await api.get(`/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities?$filter=importId eq 's'`)
    ).body.value.map((v: any) => [v.serialNumber, v.state.deviceImportStatus, v.state.deviceErrorName]);
    expect(states).toEqual([
      ['STORE1', 'error', 'StorageError'],
      ['STORE2', 'complete', ''],
    ]);
    expect(imp.status).toBe(200);
    // Scoped to a serial: only that record ends in error, wherever it sits in the batch.
    sim.injectFault({
      kind: 'record-error',
      serialNumber: 'scoped2',
      errorCode: 802,
      errorName: 'InvalidZtdHardwareHash',
    });
    await api.post('/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import', {
      importedWindowsAutopilotDeviceIdentities: [
        record('SCOPED1', 'sc'),
        record('SCOPED2', 'sc'),
        record('SCOPED3', 'sc'),
      ],
    });
    clock.advance(60 * S);
    const scoped = (
      await api.get(`/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities?$filter=importId eq 'sc'`)
    ).body.value.map((v: any) => [v.serialNumber, v.state.deviceErrorCode]);
    expect(scoped).toEqual([
      ['SCOPED1', 0],
      ['SCOPED2', 802],
      ['SCOPED3', 0],
    ]);
    sim.injectFault({ kind: '500', probability: 1, pathContains: 'nowhere-else' });
    expect((await api.get(list)).status).toBe(200);
    sim.clearFaults();
  });
});

describe('simulated tenant: faults from the scenario', () => {
  it('a probabilistic fault fires when the random draw is under its probability, only on its path', async () => {
    const draws = [0.1, 0.9, 0.2, 0.8];
    const s = await startSimulatedTenant({
      clock: new ManualClock(),
      random: () => draws.shift() ?? 1,
      scenario: {
        faults: [{ kind: '503', probability: 0.5, pathContains: '/windowsAutopilotDeviceIdentities', retryAfterS: 3 }],
      },
    });
    const c = simClient(s.caCertPem, s.graphUrl);
    c.setToken(s.issueAccessToken('app', [RW]));
    try {
      expect((await c.get('/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities')).status).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await c.get('/v1.0/deviceManagement/windowsAutopilotDeviceIdentities')).status);
      expect(statuses).toEqual([503, 200, 503, 200]);
      expect(s.requestLog.count({ status: 503 })).toBe(2);
    } finally {
      await c.close();
      await s.stop();
    }
  });
});

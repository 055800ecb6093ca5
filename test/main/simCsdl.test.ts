import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHardwareHash } from '../../src-main/capture/decodeHardwareHash.ts';
import { GRAPH_CSDL_XML } from '../../src-main/sim/csdl/graphCsdlXml.ts';
import { parseCsdl, validateActionBody, validateAgainstCsdl } from '../../src-main/sim/csdlModel.ts';
import { loadScenarioFile, parseScenario } from '../../src-main/sim/simScenario.ts';
import {
  startSimulatedTenant,
  TRAINING_SAMPLES_DIR,
  TRAINING_SCENARIO_PATH,
  type SimTenant,
} from '../../src-main/sim/startSimulatedTenant.ts';
import { sampleHash, TRAINING_SAMPLES, trainingSampleFiles } from '../../src-main/sim/trainingSamples.ts';
import { ManualClock, simClient } from './simSupport.ts';

const FIXTURE = path.resolve('test/fixtures/graph-v1.0-autopilot.csdl.xml');
// SHA-256 of the extract of Microsoft's published Graph v1.0 metadata as it was vendored: a change
// to the fixture is a deliberate update of this line, whatever folders sit beside the checkout.
const EXTRACT_SHA256 = '61d3e3cda5dcd9631499a981fb721116a1bedc9eaf0f781b214e6e50e3c03113';
const model = parseCsdl(readFileSync(FIXTURE, 'utf8'));

describe('CSDL extract reader', () => {
  it('reads the types, enums and actions the Autopilot endpoints use', () => {
    expect(model.enums.get('importedWindowsAutopilotDeviceIdentityImportStatus')).toEqual([
      'unknown',
      'pending',
      'partial',
      'complete',
      'error',
    ]);
    expect(model.enums.get('enrollmentState')).toEqual([
      'unknown',
      'enrolled',
      'pendingReset',
      'failed',
      'notContacted',
    ]);
    const imported = model.types.get('importedWindowsAutopilotDeviceIdentity')!;
    expect([...imported.properties.keys()].sort()).toEqual([
      'assignedUserPrincipalName',
      'groupTag',
      'hardwareIdentifier',
      'importId',
      'productKey',
      'serialNumber',
      'state',
    ]);
    expect(imported.baseType).toBe('entity');
    expect(model.types.get('importedWindowsAutopilotDeviceIdentityState')!.properties.get('deviceErrorCode')).toEqual({
      name: 'deviceErrorCode',
      type: 'Edm.Int32',
      nullable: false,
    });
    expect(model.actions.get('updateDeviceProperties')!.parameters.map((p) => p.name)).toEqual([
      'bindingParameter',
      'userPrincipalName',
      'addressableUserName',
      'groupTag',
      'displayName',
    ]);
  });

  it('the vendored copies are the extract as vendored, byte for byte', () => {
    expect(GRAPH_CSDL_XML).toBe(readFileSync(FIXTURE, 'utf8'));
    expect(createHash('sha256').update(readFileSync(FIXTURE)).digest('hex')).toBe(EXTRACT_SHA256);
  });
});

describe('validateAgainstCsdl', () => {
  const good = {
    id: 'a',
    serialNumber: 'S1',
    productKey: '',
    hardwareIdentifier: 'QUJD',
    groupTag: 'T',
    importId: 'i',
    assignedUserPrincipalName: '',
    state: { deviceImportStatus: 'complete', deviceRegistrationId: 'r', deviceErrorCode: 0, deviceErrorName: '' },
  };
  const codes = (type: string, obj: unknown, opts = {}) =>
    validateAgainstCsdl(type, obj, opts, model).map((i) => `${i.code}@${i.path}`);

  it('accepts a well-formed object and names every problem of a bad one', () => {
    expect(codes('importedWindowsAutopilotDeviceIdentity', good)).toEqual([]);
    expect(
      codes('importedWindowsAutopilotDeviceIdentity', {
        ...good,
        serial: 'x',
        groupTag: 5,
        hardwareIdentifier: 'QUJ',
        state: { deviceImportStatus: 'done', deviceErrorCode: 1.5, deviceRegistrationId: null },
      }).sort(),
    ).toEqual([
      'BAD_BINARY@hardwareIdentifier',
      'BAD_ENUM_VALUE@state.deviceImportStatus',
      'UNKNOWN_PROPERTY@serial',
      'WRONG_TYPE@groupTag',
      'WRONG_TYPE@state.deviceErrorCode',
    ]);
    expect(codes('importedWindowsAutopilotDeviceIdentity', { ...good, state: { deviceErrorCode: null } })).toEqual([
      'NULL_NOT_ALLOWED@state.deviceErrorCode',
      'MISSING_PROPERTY@state.deviceImportStatus',
    ]);
    expect(
      codes('importedWindowsAutopilotDeviceIdentity', {
        ...good,
        '@odata.type': '#microsoft.graph.windowsAutopilotDeviceIdentity',
      }),
    ).toEqual(['WRONG_ODATA_TYPE@@odata.type']);
    expect(codes('nothing', {})).toEqual(['UNKNOWN_TYPE@']);
  });

  it('request bodies may leave properties out; answers must carry the non-nullable ones', () => {
    expect(codes('windowsAutopilotDeviceIdentity', { serialNumber: 'S' }, { mode: 'request' })).toEqual([]);
    expect(codes('windowsAutopilotDeviceIdentity', { id: 'x', serialNumber: 'S' })).toEqual([
      'MISSING_PROPERTY@enrollmentState',
      'MISSING_PROPERTY@lastContactedDateTime',
    ]);
    expect(
      codes('windowsAutopilotDeviceIdentity', {
        id: 'x',
        enrollmentState: 'enrolled',
        lastContactedDateTime: 'yesterday',
      }),
    ).toEqual(['BAD_DATETIME@lastContactedDateTime']);
  });

  it('beta-only properties pass only under beta', () => {
    const device = {
      id: 'x',
      enrollmentState: 'notContacted',
      lastContactedDateTime: '0001-01-01T00:00:00Z',
      deploymentProfileAssignmentStatus: 'assignedUnkownSyncState',
      deploymentProfileAssignmentDetailedStatus: 'none',
      deploymentProfileAssignedDateTime: '2026-01-01T00:00:00Z',
    };
    expect(codes('windowsAutopilotDeviceIdentity', device, { api: 'beta' })).toEqual([]);
    expect(codes('windowsAutopilotDeviceIdentity', device, { api: 'v1.0' })).toEqual([
      'BETA_ONLY_PROPERTY@deploymentProfileAssignmentStatus',
      'BETA_ONLY_PROPERTY@deploymentProfileAssignmentDetailedStatus',
      'BETA_ONLY_PROPERTY@deploymentProfileAssignedDateTime',
    ]);
    expect(
      codes(
        'windowsAutopilotDeviceIdentity',
        { ...device, deploymentProfileAssignmentStatus: 'ready' },
        { api: 'beta' },
      ),
    ).toEqual(['BAD_ENUM_VALUE@deploymentProfileAssignmentStatus']);
  });

  it('checks action bodies against the action parameters', () => {
    expect(validateActionBody('updateDeviceProperties', { groupTag: 'A', displayName: 'B' }, {}, model)).toEqual([]);
    expect(
      validateActionBody('updateDeviceProperties', { groupTag: 1, purchaseOrderIdentifier: 'x' }, {}, model).map(
        (i) => i.code,
      ),
    ).toEqual(['WRONG_TYPE', 'UNKNOWN_PROPERTY']);
    expect(
      validateActionBody(
        'import',
        { importedWindowsAutopilotDeviceIdentities: [{ serialNumber: 'S', hardwareIdentifier: 'QUJD' }] },
        {},
        model,
      ),
    ).toEqual([]);
    expect(
      validateActionBody('import', { importedWindowsAutopilotDeviceIdentities: {} }, {}, model).map((i) => i.code),
    ).toEqual(['WRONG_TYPE']);
  });
});

describe('training scenario and samples', () => {
  let sim: SimTenant;
  const clock = new ManualClock();
  beforeAll(async () => {
    sim = await startSimulatedTenant({ clock, scenario: 'training' });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('the committed sample files are what the encoder makes now, and they decode', () => {
    for (const [name, content] of Object.entries(trainingSampleFiles()))
      expect(readFileSync(path.join(TRAINING_SAMPLES_DIR, name), 'utf8')).toBe(content);
    for (const s of TRAINING_SAMPLES) {
      const r = decodeHardwareHash(sampleHash(s), { expectedSerial: s.serialNumber });
      expect(r.checksumOk).toBe(true);
      expect(r.valid).toBe(s.outcome !== '802');
    }
  });

  it('scenario files are validated: a wrong field is a one-line reason naming it', async () => {
    expect((await loadScenarioFile(TRAINING_SCENARIO_PATH)).profileRules).toEqual([
      { groupTag: 'Training', profileName: 'Training - user-driven' },
    ]);
    expect(() => parseScenario({ delays: { processingS: -1 } })).toThrow(/delays\.processingS/);
    expect(() => parseScenario({ unknownThing: 1 })).toThrow(/not valid/);
    await expect(loadScenarioFile('/nonexistent/scenario.json')).rejects.toMatchObject({
      code: 'SIM_SCENARIO_UNREADABLE',
    });
  });

  it('importing every training sample gives each its intended outcome, and every answer fits the metadata', async () => {
    const api = simClient(sim.caCertPem, sim.graphUrl);
    api.setToken(sim.issueAccessToken('user', ['DeviceManagementServiceConfig.ReadWrite.All']));
    try {
      const body = {
        importedWindowsAutopilotDeviceIdentities: TRAINING_SAMPLES.map((s) => ({
          serialNumber: s.serialNumber,
          hardwareIdentifier: sampleHash(s),
          groupTag: 'Training',
          importId: 'training-1',
        })),
      };
      expect(validateActionBody('import', body, {}, model)).toEqual([]);
      expect(
        (await api.post('/beta/deviceManagement/importedWindowsAutopilotDeviceIdentities/import', body)).status,
      ).toBe(200);
      clock.advance(sim.scenario.delays.processingS * 1000);
      const list = await api.get(
        "/beta/deviceManagement/importedWindowsAutopilotDeviceIdentities?$filter=importId eq 'training-1'",
      );
      for (const v of list.body.value)
        expect(validateAgainstCsdl('importedWindowsAutopilotDeviceIdentity', v, { api: 'beta' }, model)).toEqual([]);
      const outcome = Object.fromEntries(
        list.body.value.map((v: any) => [
          v.serialNumber,
          v.state.deviceErrorCode === 0 ? 'registers' : String(v.state.deviceErrorCode),
        ]),
      );
      expect(outcome).toEqual(Object.fromEntries(TRAINING_SAMPLES.map((s) => [s.serialNumber, s.outcome])));
      clock.advance((sim.scenario.delays.registrationS + sim.scenario.delays.assignmentS) * 1000);
      const devices = await api.get('/beta/deviceManagement/windowsAutopilotDeviceIdentities');
      for (const d of devices.body.value)
        expect(validateAgainstCsdl('windowsAutopilotDeviceIdentity', d, { api: 'beta' }, model)).toEqual([]);
      const status = Object.fromEntries(
        devices.body.value.map((d: any) => [d.serialNumber, d.deploymentProfileAssignmentStatus]),
      );
      expect(status).toMatchObject({
        PF3TRN01: 'assignedInSync',
        'TRN-2024-17': 'assignedInSync',
        PF3REG01: 'assignedInSync',
        DLREG0042: 'notAssigned',
      });
    } finally {
      await api.close();
    }
  });
});

/**
 * The training tenant's file in the data folder: what the simulated tenant knows survives a restart
 * (records, registrations, the sync stamp, import counts), an import is on disk before its answer
 * leaves, an unreadable file is kept aside, and a scaled clock resumes from the saved service time.
 * Real simulated tenant over HTTPS, real files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { createStation } from '../../src-main/app/createStation.ts';
import { createLogger, silentLogger } from '../../src-main/kernel/logger.ts';
import { simulatedTrainingTenant } from '../../src-main/tenant/trainingTenant.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { startSimulatedTenant, TRAINING_TENANT_ID } from '../../src-main/sim/startSimulatedTenant.ts';
import { corporateModelOf } from '../../src-main/sim/CorporateIdentityModel.ts';
import { savedServiceTime, SERVICE_CLOCK_FILE, TrainingTenantState } from '../../src-main/sim/trainingTenantState.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'training-state-'));
  dirs.push(d);
  return d;
};

describe('training tenant state on disk', () => {
  it('an import write is saved at once (not debounced), and a restarted tenant has its records, registrations and counts', async () => {
    const dir = tmp();
    const file = path.join(dir, 'simulated-tenant.json');
    const clock = scaledClock(100);
    const state = new TrainingTenantState(file, TRAINING_TENANT_ID, clock, silentLogger);
    const sim = await startSimulatedTenant({ scenario: 'training', clock, onGraphWrite: (w) => state.written(w) });
    state.attach(sim.model);
    const hash = encodeHardwareHash({ serialNumber: 'ST1', manufacturer: 'LENOVO', model: 'M' });
    // The model's import, then the hook the tenant calls after a write and before answering:
    const [record] = sim.model.importBatch([
      { serialNumber: 'ST1', hardwareIdentifier: hash, importId: 'imp-1', groupTag: 'Training' },
    ]);
    state.written({
      method: 'POST',
      path: '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import',
      status: 200,
    });
    expect(
      (JSON.parse(fs.readFileSync(file, 'utf8')) as { model: { imported: unknown[] } }).model.imported,
    ).toHaveLength(1);
    sim.model.requestSync();
    state.close();
    await sim.stop();

    const again = new TrainingTenantState(file, TRAINING_TENANT_ID, clock, silentLogger);
    const restored = again.load()!;
    const sim2 = await startSimulatedTenant({ scenario: 'training', clock, restore: restored });
    expect(sim2.model.getImported(record!.id)?.serialNumber).toBe('ST1');
    expect(sim2.model.listImported('imp-1')).toHaveLength(1);
    expect(sim2.model.importsPerSerial.get('ST1')).toBe(1);
    expect(sim2.model.syncState().lastSyncAt).toBeDefined();
    // Seeded devices keep their ids (a station following PF3REG01's registration finds it again).
    expect(
      sim2.model
        .listRegistrations()
        .map((r) => r.id)
        .sort(),
    ).toEqual(
      sim.model
        .listRegistrations()
        .map((r) => r.id)
        .sort(),
    );
    await sim2.stop();
  });

  it('corporate identifiers are saved with the tenant and come back after a restart in training mode', async () => {
    const dir = tmp();
    const file = path.join(dir, 'simulated-tenant.json');
    const clock = scaledClock(100);
    const state = new TrainingTenantState(file, TRAINING_TENANT_ID, clock, silentLogger);
    const sim = await startSimulatedTenant({ scenario: 'training', clock, onGraphWrite: (w) => state.written(w) });
    state.attach(sim.model);
    corporateModelOf(sim.model, clock).importList(
      [
        {
          importedDeviceIdentityType: 'manufacturerModelSerial',
          importedDeviceIdentifier: 'LENOVO,21CB004LUS,PF3CORP1',
          platform: 'windows',
        },
      ],
      false,
    );
    state.written({
      method: 'POST',
      path: '/beta/deviceManagement/importedDeviceIdentities/importDeviceIdentityList',
      status: 200,
    });
    await sim.stop();

    const restored = new TrainingTenantState(file, TRAINING_TENANT_ID, clock, silentLogger).load()!;
    const sim2 = await startSimulatedTenant({ scenario: 'training', clock, restore: restored });
    // Found again by the station's search after a restart, so it is never posted twice.
    expect(
      corporateModelOf(sim2.model, clock).find('manufacturerModelSerial', 'LENOVO,21CB004LUS,PF3CORP1'),
    ).toBeDefined();
    await sim2.stop();
  });

  it('a delete the tenant answered is on disk before its answer: a station killed right after its cleanup finds no record back', async () => {
    const dir = tmp();
    const file = path.join(dir, 'simulated-tenant.json');
    const clock = scaledClock(100);
    const state = new TrainingTenantState(file, TRAINING_TENANT_ID, clock, silentLogger);
    const sim = await startSimulatedTenant({ scenario: 'training', clock });
    state.attach(sim.model);
    const hash = encodeHardwareHash({ serialNumber: 'ST2', manufacturer: 'LENOVO', model: 'M' });
    const [record] = sim.model.importBatch([{ serialNumber: 'ST2', hardwareIdentifier: hash, importId: 'imp-2' }]);
    state.written({
      method: 'POST',
      path: '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import',
      status: 200,
    });
    sim.model.deleteImported(record!.id);
    state.written({
      method: 'DELETE',
      path: `/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/${record!.id}`,
      status: 204,
    });
    // No close(): the process is killed here.
    expect((JSON.parse(fs.readFileSync(file, 'utf8')) as { model: { imported: unknown[] } }).model.imported).toEqual(
      [],
    );
    await sim.stop();
  });

  it('keeps an unreadable file aside and starts afresh, saying so', () => {
    const dir = tmp();
    const file = path.join(dir, 'simulated-tenant.json');
    fs.writeFileSync(file, '{"version":1,"tenantId":"x"');
    const lines: string[] = [];
    const state = new TrainingTenantState(
      file,
      TRAINING_TENANT_ID,
      scaledClock(1),
      createLogger((l) => lines.push(l)),
    );
    expect(state.load()).toBeUndefined();
    expect(fs.readdirSync(dir).some((f) => f.startsWith('simulated-tenant.json.unreadable-'))).toBe(true);
    expect(lines.join('\n')).toMatch(/kept aside/);
  });

  it("the station's training tenant is kept in tenants/training, and a scaled clock resumes from the saved service time", async () => {
    const dataDir = tmp();
    const first = createStation({
      host: 'browser',
      dataDir,
      logger: silentLogger,
      timeScale: 1000,
      queue: { worker: false },
      serialPort: { readSerials: async () => ({ system: 'X' }) },
    });
    await first.handlers.getAuthStatus({}); // starts the training tenant
    await new Promise((r) => setTimeout(r, 200));
    await first.close();
    const saved = savedServiceTime(dataDir)!;
    expect(fs.existsSync(path.join(dataDir, SERVICE_CLOCK_FILE))).toBe(true);
    // 200 ms real at 1000× is more than 3 service minutes ahead of the wall clock.
    expect(saved).toBeGreaterThan(Date.now() + 60_000);
    expect(fs.existsSync(path.join(dataDir, 'tenants', 'training', 'simulated-tenant.json'))).toBe(true);
    const second = createStation({
      host: 'browser',
      dataDir,
      logger: silentLogger,
      timeScale: 1000,
      queue: { worker: false },
      serialPort: { readSerials: async () => ({ system: 'X' }) },
    });
    const r = await second.handlers.queueDevices({
      devices: [
        {
          serialNumber: 'CLK1',
          hardwareHash: encodeHardwareHash({ serialNumber: 'CLK1', manufacturer: 'LENOVO', model: 'M' }),
          source: { kind: 'typed' },
        },
      ],
    });
    expect(
      new Date((await second.handlers.getDevice({ id: r.queued[0]! })).row.capturedAt).getTime(),
    ).toBeGreaterThanOrEqual(saved);
    await second.close();
  });

  it('the built-in training tenant restores what it saved', async () => {
    const dir = tmp();
    const file = path.join(dir, 'simulated-tenant.json');
    const clock = scaledClock(100);
    const start = simulatedTrainingTenant(clock, silentLogger, { stateFile: file });
    const t1 = await start();
    await t1.close();
    const snapshot = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      tenantId: string;
      model: { registrations: { serialNumber: string }[] };
    };
    expect(snapshot.tenantId).toBe(TRAINING_TENANT_ID);
    expect(snapshot.model.registrations.map((r) => r.serialNumber)).toContain('PF3REG01');
  });
});

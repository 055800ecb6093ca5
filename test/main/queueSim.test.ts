import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Station } from '../../src-main/app/createStation.ts';
import type { SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';
import { hashFor } from './queueFakes.ts';
import { settled, startSim, stationOn, tmpDir } from './queueSimSupport.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function bench(simOptions: Parameters<typeof startSim>[0] = {}): Promise<{ sim: SimTenant; station: Station }> {
  const sim = await startSim(simOptions);
  cleanups.push(() => sim.stop());
  const dir = tmpDir();
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const station = stationOn(sim, dir);
  cleanups.push(() => station.close());
  return { sim, station };
}

const dev = (serialNumber: string, manufacturer = 'Contoso') => ({
  serialNumber,
  hardwareHash: hashFor(serialNumber, manufacturer),
  source: { kind: 'file' as const, path: 'sim.csv' },
});
const byState = (station: Station) =>
  Object.fromEntries(
    station
      .queue()
      .service.allDevices()
      .map((d) => [d.serialNumber, d.state]),
  );

describe('queue against the simulated tenant over HTTPS', () => {
  it('imports to registered, deletes its own imported records and leaves a clean tenant', async () => {
    const { sim, station } = await bench();
    await station.handlers.queueDevices({ devices: ['S1', 'S2', 'S3'].map((s) => dev(s)), groupTag: 'Lab' });
    await settled(station, 3);
    expect(byState(station)).toEqual({ S1: 'registered', S2: 'registered', S3: 'registered' });
    expect(sim.requestLog.count({ method: 'POST', pathContains: '/import' })).toBe(1);
    expect(sim.model.listImported().map((r) => r.serialNumber)).toEqual([]);
    const regs = sim.model
      .listRegistrations()
      .map((r) => [r.serialNumber, r.groupTag])
      .sort();
    expect(regs).toEqual([
      ['S1', 'Lab'],
      ['S2', 'Lab'],
      ['S3', 'Lab'],
    ]);
    // Every Graph answer's request-id is kept in the device's history.
    const d = station.queue().service.allDevices()[0]!;
    const ids = station
      .queue()
      .service.getDevice(d.id)
      .events.flatMap((e) => e.requestIds);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    for (const id of ids) expect(sim.requestLog.entries.some((e) => e.requestId === id)).toBe(true);
  });

  it('never touches imported records it did not create', async () => {
    const { sim, station } = await bench();
    // Another admin's import, in flight and finished, in the same tenant.
    sim.model.importBatch([
      { serialNumber: 'THEIRS1', hardwareIdentifier: hashFor('THEIRS1'), importId: 'someone-else' },
    ]);
    sim.model.importBatch([{ serialNumber: 'MINE1', hardwareIdentifier: hashFor('MINE1'), importId: '' }]);
    await station.handlers.queueDevices({ devices: [dev('MINE2')], groupTag: 'Lab' });
    await settled(station, 1);
    expect(
      sim.model
        .listImported()
        .map((r) => r.serialNumber)
        .sort(),
    ).toEqual(['MINE1', 'THEIRS1']);
    const deletes = sim.requestLog.entries.filter((e) => e.method === 'DELETE');
    expect(deletes).toHaveLength(1);
  });

  it('802 from the service: failed with the code, the name and the re-capture advice', async () => {
    const { sim, station } = await bench();
    sim.injectFault({ kind: 'record-error', errorCode: 802, errorName: 'InvalidZtdHardwareHash', count: 1 });
    await station.handlers.queueDevices({ devices: [dev('H802')], groupTag: 'Lab' });
    await settled(station, 1);
    const d = station.queue().service.allDevices()[0]!;
    expect(d).toMatchObject({ state: 'failed', errorCode: 802, errorName: 'InvalidZtdHardwareHash' });
    expect(d.advice).toMatch(/Capture the hash again/);
    expect(sim.model.listImported().map((r) => r.serialNumber)).toEqual([]);
  });

  it('806: already registered here, group tag fixed through updateDeviceProperties', async () => {
    const { sim, station } = await bench();
    const regId = sim.seedRegisteredDevice({ serialNumber: 'R806', manufacturer: 'Contoso', groupTag: 'Old' });
    await station.handlers.queueDevices({ devices: [dev('R806')], groupTag: 'New', overrideGroupTag: true });
    await settled(station, 1);
    expect(station.queue().service.allDevices()[0]).toMatchObject({
      state: 'already-registered',
      errorCode: 806,
      deviceRegistrationId: regId,
    });
    expect(sim.model.getRegistration(regId)!.groupTag).toBe('New');
    expect(sim.requestLog.count({ method: 'POST', pathContains: 'updateDeviceProperties' })).toBe(1);
  });

  it('808: owned by another tenant is a hard stop, the rest of the batch goes on', async () => {
    const { sim, station } = await bench();
    sim.seedOtherTenantDevice('O808', 'Contoso');
    await station.handlers.queueDevices({ devices: [dev('O808'), dev('OK1')], groupTag: 'Lab' });
    await settled(station, 2);
    const all = station.queue().service.allDevices();
    expect(all[0]).toMatchObject({
      serialNumber: 'O808',
      state: 'failed',
      errorCode: 808,
      errorName: 'ZtdDeviceAssignedToOtherTenant',
    });
    expect(all[1]).toMatchObject({ serialNumber: 'OK1', state: 'registered' });
  });

  it('duplicates in one call are one device, imported once (no ZtdDeviceDuplicated)', async () => {
    const { sim, station } = await bench();
    const r = await station.handlers.queueDevices({
      devices: [dev('D1'), dev('D2'), dev('D1'), dev('D2')],
      groupTag: 'Lab',
    });
    expect(r.queued).toHaveLength(2);
    expect(r.duplicates).toHaveLength(2);
    await settled(station, 2);
    expect(byState(station)).toEqual({ D1: 'registered', D2: 'registered' });
    expect(sim.requestLog.importCounts()).toEqual({ D1: 1, D2: 1 });
  });

  it('waits for profile assignment and reports ready to deploy', async () => {
    const { sim, station } = await bench({
      scenario: { profileRules: [{ groupTag: 'Kiosk', profileName: 'Kiosk profile' }] },
    });
    await station.handlers.updateSettings({ patch: { waitFor: 'assigned' } });
    await station.handlers.queueDevices({ devices: [dev('P1')], groupTag: 'Kiosk' });
    await settled(station, 1);
    const d = station.queue().service.allDevices()[0]!;
    expect(d.state).toBe('assigned');
    expect(d.profileStatus).toMatch(/^assigned/);
    expect(sim.model.listImported().map((r) => r.serialNumber)).toEqual([]);
  });

  it('rides out a throttling storm: every device registered, each imported exactly once', async () => {
    const { sim, station } = await bench({
      scenario: { throttle: { windowS: 20, appWrites: 3, appAll: 12, tenantWrites: 6, tenantAll: 24 } },
    });
    await station.handlers.updateSettings({ patch: { batchSize: 5 } });
    sim.injectFault({ kind: '429', count: 5, retryAfterS: 3 });
    const serials = Array.from({ length: 30 }, (_, i) => `TH${i}`);
    await station.handlers.queueDevices({ devices: serials.map((s) => dev(s)), groupTag: 'Lab' });
    await settled(station, 30, 120_000);
    expect(Object.values(byState(station)).every((s) => s === 'registered')).toBe(true);
    expect(sim.requestLog.count({ status: 429 })).toBeGreaterThan(5);
    expect(Object.values(sim.requestLog.importCounts()).every((n) => n === 1)).toBe(true);
    expect(Object.keys(sim.requestLog.importCounts())).toHaveLength(30);
    expect(sim.model.listImported().map((r) => r.serialNumber)).toEqual([]);
  });

  it('asks for one sync when registration lags, never within the 10-minute rule', async () => {
    const { sim, station } = await bench({
      scenario: { delays: { processingS: 30, registrationS: 1500, assignmentS: 60, syncRunS: 30, syncCooldownS: 600 } },
    });
    await station.handlers.queueDevices({ devices: [dev('SY1'), dev('SY2')], groupTag: 'Lab' });
    await settled(station, 2);
    expect(byState(station)).toEqual({ SY1: 'registered', SY2: 'registered' });
    const syncs = sim.requestLog.entries.filter((e) => e.path.endsWith('/windowsAutopilotSettings/sync'));
    // 25 minutes of lag: at most three syncs, at least ten minutes apart, none refused.
    expect(syncs.length).toBeGreaterThanOrEqual(1);
    expect(syncs.length).toBeLessThanOrEqual(3);
    expect(syncs.filter((e) => e.status === 429)).toEqual([]);
    const at = syncs.map((e) => Date.parse(e.at));
    expect(at.slice(1).every((t, i) => t - at[i]! >= 600_000)).toBe(true);
  });

  it('a dropped connection on the import POST does not import twice', async () => {
    const { sim, station } = await bench();
    sim.injectFault({ kind: 'reset', count: 1, pathContains: '/import', method: 'POST' });
    await station.handlers.queueDevices({ devices: [dev('N1'), dev('N2')], groupTag: 'Lab' });
    await settled(station, 2);
    expect(byState(station)).toEqual({ N1: 'registered', N2: 'registered' });
    expect(sim.requestLog.importCounts()).toEqual({ N1: 1, N2: 1 });
  });
});

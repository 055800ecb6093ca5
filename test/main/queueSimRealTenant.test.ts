import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Station } from '../../src-main/app/createStation.ts';
import type { RealTenantInput } from '../../src-main/sim/simScenario.ts';
import type { SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';
import { hashFor } from './queueFakes.ts';
import { settled, startSim, stationOn, tmpDir } from './queueSimSupport.ts';

/**
 * The whole pipeline against the simulated tenant under each real-tenant switch alone and under the
 * `realistic` preset: queue → imported → registered; a hash refused before upload, 806 with a wrong
 * group tag fixed, 808 (either spelling); every device in its right final state, none imported twice,
 * none of the station's imported records left behind.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function bench(realTenant: RealTenantInput): Promise<{ sim: SimTenant; station: Station }> {
  const sim = await startSim({
    timeScale: 400,
    realTenant,
    scenario: {
      devices: {
        registered: [{ serialNumber: 'RT-806', groupTag: 'OldTag', listed: false }],
        otherTenant: [{ serialNumber: 'RT808' }],
      },
    },
  });
  cleanups.push(() => sim.stop());
  const dir = tmpDir('queue-real-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const station = stationOn(sim, dir);
  cleanups.push(() => station.close());
  await station.handlers.updateSettings({ patch: { waitFor: 'registered', batchSize: 500 } });
  return { sim, station };
}

const dev = (serialNumber: string, manufacturer = 'Contoso') => ({
  serialNumber,
  hardwareHash: hashFor(serialNumber, manufacturer),
  source: { kind: 'file' as const, path: 'real.csv' },
});

const SWITCHES: RealTenantInput[] = [
  'off',
  { importIdRewritten: true },
  { selectFails: true },
  { noRetryAfter: true },
  { nextLinkRepeats: true },
  { containsDashFails: true },
  { listLagsUntilSync: true },
  { otherTenantSpelling: true },
  { tagUpdateLags: true },
  { importBatchLimit: 2 },
  'realistic',
  { realistic: true, importBatchLimit: 4 },
];

describe('the pipeline against a tenant that behaves like real ones', () => {
  for (const realTenant of SWITCHES) {
    it(`reaches every right final state under ${JSON.stringify(realTenant)}`, async () => {
      const { sim, station } = await bench(realTenant);
      const serials = ['RT-1', 'RT 2', 'RT3', 'RT4', 'RT5', 'RT-806', 'RT808'];
      const res = await station.handlers.queueDevices({
        devices: [...serials.map((s) => dev(s)), dev('RT802', '')],
        groupTag: 'NewTag',
        overrideGroupTag: true,
      });
      expect(res).toBeTruthy();
      await settled(station, serials.length + 1, 90_000);
      const all = station.queue().service.allDevices();
      const by = Object.fromEntries(all.map((d) => [d.serialNumber, d]));
      for (const s of ['RT-1', 'RT 2', 'RT3', 'RT4', 'RT5']) expect(by[s]!.state, s).toBe('registered');
      expect(by['RT-806']).toMatchObject({ state: 'already-registered', errorCode: 806 });
      expect(by['RT-806']!.flags).not.toContain('group-tag-unchecked');
      // Reported done only once the tenant showed the tag (tagUpdateLags), not when the change was sent.
      expect(station.queue().service.getDevice(by['RT-806']!.id).events.at(-1)!.message).toMatch(
        /group tag changed from "OldTag" to "NewTag"|group tag already correct/,
      );
      expect(by.RT808).toMatchObject({ state: 'failed', errorCode: 808 });
      expect(by.RT802!.state).toBe('invalid');
      // The wrong tag was fixed in the tenant, and the station's registrations carry the new one.
      const tags = Object.fromEntries(sim.model.listRegistrations().map((r) => [r.serialNumber, r.groupTag]));
      expect(tags['RT-806']).toBe('NewTag');
      expect(tags.RT3).toBe('NewTag');
      // None imported twice; none of our imported records left.
      expect(Object.entries(sim.requestLog.importCounts()).filter(([, n]) => n > 1)).toEqual([]);
      expect(sim.model.listImported().map((r) => r.serialNumber)).toEqual([]);
    }, 120_000);
  }
});

describe('a registered-device list that lags behind reads by id', () => {
  it('one probe finds the lag, and every device the listing missed is read by id in the same round, in JSON batches', async () => {
    const { sim, station } = await bench({ listLagsUntilSync: true });
    const serials = Array.from({ length: 24 }, (_, i) => `LAG${String(i).padStart(2, '0')}`);
    await station.handlers.queueDevices({ devices: serials.map((s) => dev(s)), groupTag: 'NewTag' });
    await settled(station, serials.length, 90_000);
    expect(
      station
        .queue()
        .service.allDevices()
        .filter((d) => d.state !== 'registered')
        .map((d) => d.serialNumber),
    ).toEqual([]);
    const reg = '/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/';
    const singles = sim.requestLog.entries.filter(
      (e) => e.method === 'GET' && e.path.startsWith(reg) && !e.batchRequestId && e.status === 200,
    );
    const batched = sim.requestLog.entries.filter(
      (e) => e.method === 'GET' && e.path.startsWith(reg) && e.batchRequestId,
    );
    // The probe alone is read singly; the 23 others in two batches (20 + 3), each device once.
    expect(singles).toHaveLength(1);
    expect(batched.filter((e) => e.status === 200)).toHaveLength(23);
    expect(sim.requestLog.entries.filter((e) => e.path === '/v1.0/$batch')).toHaveLength(2);
    // Right after the probe, in the same round: no listing between them (before, they waited for
    // their next checks and another listing).
    const between = sim.requestLog.entries.filter(
      (e) => e.seq > singles[0]!.seq && e.seq < Math.max(...batched.map((b) => b.seq)),
    );
    expect(
      between.filter((e) => e.method === 'GET' && e.path === '/v1.0/deviceManagement/windowsAutopilotDeviceIdentities'),
    ).toEqual([]);
  }, 120_000);
});

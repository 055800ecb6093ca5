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
    scenario: { devices: { registered: [{ serialNumber: 'RT-806', groupTag: 'OldTag', listed: false }], otherTenant: [{ serialNumber: 'RT808' }] } },
  });
  cleanups.push(() => sim.stop());
  const dir = tmpDir('queue-real-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const station = stationOn(sim, dir);
  cleanups.push(() => station.close());
  await station.handlers.updateSettings({ patch: { waitFor: 'registered', batchSize: 500 } });
  return { sim, station };
}

const dev = (serialNumber: string, manufacturer = 'Contoso') => ({ serialNumber, hardwareHash: hashFor(serialNumber, manufacturer), source: { kind: 'file' as const, path: 'real.csv' } });

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
      const res = await station.handlers.queueDevices({ devices: [...serials.map((s) => dev(s)), dev('RT802', '')], groupTag: 'NewTag' });
      expect(res).toBeTruthy();
      await settled(station, serials.length + 1, 90_000);
      const all = station.queue().service.allDevices();
      const by = Object.fromEntries(all.map((d) => [d.serialNumber, d]));
      for (const s of ['RT-1', 'RT 2', 'RT3', 'RT4', 'RT5']) expect(by[s]!.state, s).toBe('registered');
      expect(by['RT-806']).toMatchObject({ state: 'already-registered', errorCode: 806 });
      expect(by['RT-806']!.flags).not.toContain('group-tag-unchecked');
      // Reported done only once the tenant showed the tag (tagUpdateLags), not when the change was sent.
      expect(station.queue().service.getDevice(by['RT-806']!.id).events.at(-1)!.message).toMatch(/now shows the group tag "NewTag"|group tag already correct/);
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

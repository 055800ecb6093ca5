import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readMachineSettings } from '../../src-main/app/machineSettings.ts';
import { SettingsStore } from '../../src-main/auth/settingsStore.ts';
import { registrationTargets, settingsPatch } from '../../src-main/contract/schemas.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { parseRegisterFlag } from '../../src-main/cli/importCommand.ts';
import { bench, cleanupBenches } from './queueWorkerSupport.ts';
import { deviceInput } from './queueFakes.ts';

const dirs: string[] = [];
afterEach(() => {
  cleanupBenches();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'targets-'));
  dirs.push(dir);
  return dir;
}

/** Registration targets are a set of single targets (REGISTRATION_TARGETS), not an enum of combinations. */
describe('registration targets', () => {
  it('are read as a set: each target once, in the contract order; never empty, never an unknown target', () => {
    expect(registrationTargets.parse(['corporate', 'autopilot', 'corporate'])).toEqual(['autopilot', 'corporate']);
    expect(registrationTargets.parse(['corporate'])).toEqual(['corporate']);
    expect(registrationTargets.safeParse([]).success).toBe(false);
    expect(registrationTargets.safeParse(['autopilot', 'intune']).success).toBe(false);
    expect(registrationTargets.safeParse('autopilot').success).toBe(false);
    expect(settingsPatch.safeParse({ registrationTargets: 'corporate' }).success).toBe(false);
  });

  it("a settings file saved with 'both' still loads, as the two targets, and is saved back as a set", async () => {
    const dir = tmp();
    const file = path.join(dir, 'settings.json');
    fs.writeFileSync(file, JSON.stringify({ batchSize: 50, registrationTargets: 'both' }));
    const store = new SettingsStore({ file, logger: silentLogger });
    const settings = await store.load();
    expect(settings.registrationTargets).toEqual(['autopilot', 'corporate']);
    expect(settings.batchSize).toBe(50);
    await store.update({ batchSize: 60 });
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).registrationTargets).toEqual(['autopilot', 'corporate']);
  });

  it("an admin's machine-wide file with 'both' still loads and locks the two targets", async () => {
    const dir = tmp();
    const machineFile = path.join(dir, 'machine.json');
    fs.writeFileSync(machineFile, JSON.stringify({ registrationTargets: 'both', locked: ['registrationTargets'] }));
    const machine = readMachineSettings(machineFile);
    expect(machine.problem).toBeUndefined();
    const settings = await new SettingsStore({
      file: path.join(dir, 'settings.json'),
      machine,
      logger: silentLogger,
    }).load();
    expect(settings.registrationTargets).toEqual(['autopilot', 'corporate']);
    expect(settings.locked).toContain('registrationTargets');
  });

  it('without a setting a station registers Autopilot devices only', async () => {
    const settings = await new SettingsStore({ file: path.join(tmp(), 'settings.json'), logger: silentLogger }).load();
    expect(settings.registrationTargets).toEqual(['autopilot']);
  });
});

describe('import --register', () => {
  it('takes one target or several separated by commas, and still reads both as autopilot and corporate', () => {
    expect(parseRegisterFlag('corporate')).toEqual(['corporate']);
    expect(parseRegisterFlag('corporate,autopilot')).toEqual(['autopilot', 'corporate']);
    expect(parseRegisterFlag('both')).toEqual(['autopilot', 'corporate']);
    expect(() => parseRegisterFlag('intune')).toThrow(/--register takes autopilot, corporate/);
    expect(() => parseRegisterFlag('')).toThrow(/--register/);
  });
});

describe("corporate only: decided by the queue service from the station's targets (one place for the screens and the CLI)", () => {
  it.each([
    [undefined, []],
    [['autopilot'], []],
    [['autopilot', 'corporate'], []],
    [['corporate'], ['corporate-only']],
  ] as const)('targets %j → flags %j', (targets, flags) => {
    const b = bench();
    const r = b.queue.queueDevices([deviceInput('PFCORP01')], targets ? { registrationTargets: [...targets] } : {});
    const d = b.store.getDevice(r.queued[0]!)!;
    expect(d.flags).toEqual(flags);
    // A corporate-only device has no check time: the import worker never sends it.
    expect(d.nextCheckAt === undefined).toBe(flags.length > 0);
  });
});

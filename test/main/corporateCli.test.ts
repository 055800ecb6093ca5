import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { createStation } from '../../src-main/app/createStation.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { trainingConnectionOf } from '../../src-main/tenant/trainingTenant.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { makeImportCommand } from '../../src-main/cli/importCommand.ts';
import { corporateModelOf } from '../../src-main/sim/CorporateIdentityModel.ts';
import { startSimulatedTenant, type SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'corp-cli-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** `import --tenant sim` against a simulated tenant this test can look into (same as the CLI's, faster clock). */
function command(dataDir: string, onSim: (sim: SimTenant) => void) {
  const clock = scaledClock(200);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const cmd = makeImportCommand({
    io: { stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t) },
    dataDir: () => dataDir,
    clock,
    station: (o) =>
      createStation({ ...o, logger: silentLogger, serialPort: { readSerials: async () => ({ system: 'PF0TEST' }) } }),
    simulatedTenant: async () => {
      const sim = await startSimulatedTenant({ clock, timeScale: 200, scenario: 'training' });
      onSim(sim);
      return {
        options: { clock, startTraining: async () => ({ ...trainingConnectionOf(sim), close: async () => {} }) },
        close: () => sim.stop(),
      };
    },
  });
  return { cmd, stdout, stderr };
}

function csv(serials: string[], extra: string[] = []): string {
  const file = path.join(tmp(), 'devices.csv');
  const rows = serials.map(
    (s) => `${s},,${encodeHardwareHash({ serialNumber: s, manufacturer: 'Contoso', model: 'Bench 1' })}`,
  );
  fs.writeFileSync(file, ['Device Serial Number,Windows Product ID,Hardware Hash', ...rows, ...extra].join('\r\n'));
  return file;
}

describe('import --register', () => {
  it('both: each device ends imported in Autopilot and added as a corporate identifier; the JSON says both', async () => {
    let sim!: SimTenant;
    const { cmd, stdout, stderr } = command(tmp(), (s) => (sim = s));
    const code = await cmd([
      csv(['CLI1', 'CLI2']),
      '--group-tag',
      'Lab',
      '--tenant',
      'sim',
      '--wait',
      'imported',
      '--register',
      'autopilot,corporate',
      '--json',
    ]);
    expect(stderr.join('')).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout.join('')) as {
      devices: { serialNumber: string; state: string; corporate: { state: string; identifier: string } }[];
    };
    expect(out.devices.map((d) => [d.serialNumber, d.state, d.corporate.state, d.corporate.identifier])).toEqual([
      ['CLI1', 'imported', 'done', 'Contoso;Bench 1;CLI1'],
      ['CLI2', 'imported', 'done', 'Contoso;Bench 1;CLI2'],
    ]);
    expect(
      sim.requestLog.count({ method: 'POST', pathContains: '/importedWindowsAutopilotDeviceIdentities/import' }),
    ).toBe(1);
    expect(
      corporateModelOf(sim.model, sim.clock)
        .list()
        .map((r) => r.importedDeviceIdentifier)
        .sort(),
    ).toEqual(['Contoso;Bench 1;CLI1', 'Contoso;Bench 1;CLI2']);
  }, 60_000);

  it('corporate: no Autopilot import at all; a hash without a model makes the command fail and says why', async () => {
    let sim!: SimTenant;
    const { cmd, stdout, stderr } = command(tmp(), (s) => (sim = s));
    const noModel = `NOMODEL9,,${encodeHardwareHash({ serialNumber: 'NOMODEL9', manufacturer: 'Contoso' })}`;
    const code = await cmd([
      csv(['CORPONLY1'], [noModel]),
      '--group-tag',
      'Lab',
      '--tenant',
      'sim',
      '--register',
      'corporate',
      '--json',
    ]);
    const out = JSON.parse(stdout.join('')) as {
      devices: { serialNumber: string; corporate: { state: string; errorCode: string | null } }[];
    };
    expect(out.devices.map((d) => [d.serialNumber, d.corporate.state, d.corporate.errorCode])).toEqual([
      ['CORPONLY1', 'done', null],
      ['NOMODEL9', 'unavailable', 'CORP_MISSING_VALUES'],
    ]);
    expect(code).toBe(1);
    expect(stderr.join('')).toMatch(/1 of 2 corporate identifiers not added \(NOMODEL9: CORP_MISSING_VALUES/);
    expect(stderr.join('')).not.toMatch(/did not reach/);
    expect(sim.requestLog.count({ pathContains: 'importedWindowsAutopilotDeviceIdentities' })).toBe(0);
  }, 60_000);

  it('refuses an unknown target', async () => {
    const { cmd } = command(tmp(), () => {});
    await expect(cmd([csv(['X1']), '--group-tag', 'Lab', '--register', 'tuple'])).rejects.toThrow(
      /--register takes autopilot, corporate or several of them/,
    );
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStation } from '../../src-main/app/createStation.ts';
import { jsonErrorPosition } from '../../src-main/app/jsonErrorPosition.ts';
import { readMachineSettings } from '../../src-main/app/machineSettings.ts';
import { SETTING_KEYS } from '../../src-main/contract/schemas.ts';
import { SettingsStore } from '../../src-main/auth/settingsStore.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'broken-machine-'));
  dirs.push(d);
  return d;
}

const TENANT = '8b1c5f0e-2d3a-4c1b-9e7f-0a1b2c3d4e5f';

/** A broken admin settings file is told on screen (which file, which line); the bench does not become editable. */
describe('a broken machine settings file', () => {
  it('names the line and column of a JSON mistake (a trailing comma, a bare word), with the file', () => {
    const dir = tmp();
    const file = path.join(dir, 'settings.json');
    fs.writeFileSync(file, `{\n  "tenantId": "${TENANT}",\n  "locked": true,\n}\n`);
    const r = readMachineSettings(file);
    expect(r.problem).toMatchObject({ code: 'MACHINE_SETTINGS_INVALID', params: { path: file, line: 4, column: 1 } });
    expect(r.problem!.message).toContain('at line 4, column 1');
    expect(jsonErrorPosition('{\n"cloud": usgov}')).toEqual({ line: 2, column: 10, offset: 11 });
    expect(jsonErrorPosition('{"cloud": "usgov"}')).toBeUndefined();
  });

  it('names the setting a valid JSON file gets wrong, and its line', () => {
    const file = path.join(tmp(), 'settings.json');
    fs.writeFileSync(file, JSON.stringify({ cloud: 'usgov', tenantId: 'not a tenant', locked: true }, null, 2));
    const r = readMachineSettings(file);
    expect(r.problem).toMatchObject({
      code: 'MACHINE_SETTINGS_INVALID',
      params: { path: file, setting: 'tenantId', line: 3 },
    });
  });

  it("locks every setting and ignores the technician's own file: no silent fall-back to an editable training bench", async () => {
    const dataDir = tmp();
    // What a technician saved earlier on this bench: it must not take over while the admin's file is broken.
    fs.writeFileSync(
      path.join(dataDir, 'settings.json'),
      JSON.stringify({ tenantId: TENANT, defaultGroupTag: 'Mine' }),
    );
    const machineFile = path.join(tmp(), 'settings.json');
    fs.writeFileSync(machineFile, '{ "tenantId": "x" "locked": true }');
    const machineSettings = readMachineSettings(machineFile);
    const station = createStation({
      host: 'browser',
      dataDir,
      logger: silentLogger,
      machineSettings,
      queue: { worker: false },
    });
    try {
      const settings = await station.handlers.getSettings({});
      expect(settings.tenantId).toBeUndefined();
      expect(settings.defaultGroupTag).toBeUndefined();
      expect(settings.locked).toEqual([...SETTING_KEYS].sort());
      expect(settings.machineSettingsProblem).toEqual({
        code: 'MACHINE_SETTINGS_INVALID',
        params: { path: machineFile, line: 1, column: 19 },
      });
      await expect(station.handlers.updateSettings({ patch: { tenantId: TENANT } })).rejects.toMatchObject({
        code: 'SETTINGS_LOCKED',
      });
      await expect(station.handlers.updateSettings({ patch: { defaultGroupTag: 'Other' } })).rejects.toMatchObject({
        code: 'SETTINGS_LOCKED',
      });
    } finally {
      await station.close();
    }
  });

  it('a good file changes nothing of this: no problem, only its own keys locked', async () => {
    const dir = tmp();
    const machineFile = path.join(dir, 'machine.json');
    fs.writeFileSync(machineFile, JSON.stringify({ cloud: 'usgov', locked: ['cloud'] }));
    const settings = await new SettingsStore({
      file: path.join(dir, 'settings.json'),
      machine: readMachineSettings(machineFile),
      logger: silentLogger,
    }).load();
    expect(settings.machineSettingsProblem).toBeUndefined();
    expect(settings.locked).toEqual(['cloud']);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readMachineSettings } from '../../src-main/app/machineSettings.ts';
import { SettingsStore } from '../../src-main/auth/settingsStore.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** "no group tag: continue?" is asked unless the admin allows devices without a tag. */
describe('allowEmptyGroupTag', () => {
  it('an admin turns it on in the machine settings file; the settings the screens get carry it, locked', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'empty-tag-'));
    dirs.push(dir);
    const machineFile = path.join(dir, 'machine.json');
    fs.writeFileSync(machineFile, JSON.stringify({ allowEmptyGroupTag: true, locked: true }));
    const machine = readMachineSettings(machineFile);
    expect(machine.problem).toBeUndefined();
    expect(machine.values.allowEmptyGroupTag).toBe(true);
    const settings = await new SettingsStore({
      file: path.join(dir, 'settings.json'),
      machine,
      logger: silentLogger,
    }).load();
    expect(settings.allowEmptyGroupTag).toBe(true);
    expect(settings.locked).toContain('allowEmptyGroupTag');
  });

  it('is off unless set, and must be a boolean', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'empty-tag-'));
    dirs.push(dir);
    const settings = await new SettingsStore({ file: path.join(dir, 'settings.json'), logger: silentLogger }).load();
    expect(settings.allowEmptyGroupTag).toBeUndefined();
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ allowEmptyGroupTag: 'yes' }));
    expect(readMachineSettings(bad).problem?.code).toBe('MACHINE_SETTINGS_INVALID');
  });
});

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { readMachineSettings } from '../../src-main/app/machineSettings.ts';
import { SETTING_KEYS } from '../../src-main/contract/schemas.ts';
import { DEFAULT_SETTINGS, SettingsStore, isTrainingMode } from '../../src-main/auth/settingsStore.ts';
import { StationError } from '../../src-main/contract/errors.ts';

async function dir() {
  return mkdtemp(path.join(tmpdir(), 'settings-'));
}

describe('SettingsStore', () => {
  it('starts in training mode with defaults and persists a patch', async () => {
    const d = await dir();
    const store = new SettingsStore({ file: path.join(d, 'settings.json'), logger: silentLogger });
    const s = await store.load();
    expect(s).toEqual({ ...DEFAULT_SETTINGS, locked: [] });
    expect(isTrainingMode(s)).toBe(true);
    const tenantId = '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';
    const updated = await store.update({ tenantId, cloud: 'usgov', batchSize: 250 });
    expect(updated).toMatchObject({ tenantId, cloud: 'usgov', batchSize: 250 });
    expect(isTrainingMode(updated)).toBe(false);
    const again = await new SettingsStore({ file: path.join(d, 'settings.json'), logger: silentLogger }).load();
    expect(again).toMatchObject({ tenantId, cloud: 'usgov', batchSize: 250 });
    // '' clears: back to training mode
    expect(isTrainingMode(await store.update({ tenantId: '' }))).toBe(true);
  });

  it("applies the administrator's machine-wide values and refuses changes to locked ones", async () => {
    const d = await dir();
    const machineFile = path.join(d, 'machine.json');
    await writeFile(
      machineFile,
      `\uFEFF${JSON.stringify({ tenantId: 'contoso.onmicrosoft.com', cloud: 'usgovdod', defaultGroupTag: 'Bench-A', locked: ['tenantId', 'cloud'] })}`,
    );
    const file = path.join(d, 'settings.json');
    await writeFile(file, JSON.stringify({ cloud: 'global', defaultGroupTag: 'Mine', batchSize: 'lots' }));
    const store = new SettingsStore({ file, machine: readMachineSettings(machineFile), logger: silentLogger });
    const s = await store.load();
    expect(s).toMatchObject({
      tenantId: 'contoso.onmicrosoft.com',
      cloud: 'usgovdod',
      defaultGroupTag: 'Mine',
      batchSize: 100,
      locked: ['cloud', 'tenantId'],
    });
    const err = await store.update({ cloud: 'global' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StationError);
    expect((err as StationError).code).toBe('SETTINGS_LOCKED');
    // the same value is not a change
    await expect(store.update({ cloud: 'usgovdod', waitFor: 'assigned' })).resolves.toMatchObject({
      waitFor: 'assigned',
      cloud: 'usgovdod',
    });
    expect(JSON.parse(await readFile(file, 'utf8'))).not.toHaveProperty('cloud', 'usgovdod');
  });

  it('"locked": true locks every key the administrator set; a broken machine file is ignored and locks everything, not fatal', async () => {
    const d = await dir();
    const machineFile = path.join(d, 'machine.json');
    await writeFile(machineFile, JSON.stringify({ apiVersion: 'beta', authMode: 'certificate', locked: true }));
    const store = new SettingsStore({
      file: path.join(d, 's.json'),
      machine: readMachineSettings(machineFile),
      logger: silentLogger,
    });
    expect(await store.load()).toMatchObject({
      apiVersion: 'beta',
      authMode: 'certificate',
      locked: ['apiVersion', 'authMode'],
    });
    await writeFile(machineFile, '{not json');
    const broken = readMachineSettings(machineFile);
    expect(broken.problem?.code).toBe('MACHINE_SETTINGS_INVALID');
    // Not fatal, but not editable either: every setting is locked and the screens are told why.
    const settings = await new SettingsStore({
      file: path.join(d, 's.json'),
      machine: broken,
      logger: silentLogger,
    }).load();
    expect(settings).toMatchObject({
      apiVersion: 'v1.0',
      locked: [...SETTING_KEYS].sort(),
      machineSettingsProblem: { code: 'MACHINE_SETTINGS_INVALID', params: { path: machineFile, line: 1, column: 2 } },
    });
  });
});

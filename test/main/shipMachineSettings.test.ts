import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { machineSettingsPath, readMachineSettings } from '../../src-main/app/machineSettings.ts';
import { settingsPatch } from '../../src-main/contract/schemas.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-machine-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fileWith = (content: string | Buffer) => {
  const p = path.join(dir, `settings-${n++}.json`);
  fs.writeFileSync(p, content);
  return p;
};

const good = {
  tenantId: '8b1c5f0e-2d3a-4c1b-9e7f-0a1b2c3d4e5f',
  clientId: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
  cloud: 'usgov',
  defaultGroupTag: 'Bench-Tokyo',
  authMode: 'certificate',
  certificatePath: 'C:\\ProgramData\\Autopilot Station\\bench.pfx',
  locked: ['tenantId', 'clientId', 'cloud', 'authMode'],
};

describe('machine settings path', () => {
  it('is in ProgramData on Windows, honouring a moved ProgramData', () => {
    expect(machineSettingsPath('win32', { ProgramData: 'D:\\ProgramData' })).toBe(
      'D:\\ProgramData\\Autopilot Station\\settings.json',
    );
    expect(machineSettingsPath('win32', {})).toBe('C:\\ProgramData\\Autopilot Station\\settings.json');
    expect(machineSettingsPath('darwin', {})).toBe('/Library/Application Support/Autopilot Station/settings.json');
    expect(machineSettingsPath('linux', {})).toBe('/etc/autopilot-station/settings.json');
  });
});

describe('readMachineSettings', () => {
  it('reads values and the locked list; the values are a valid settings patch', () => {
    const r = readMachineSettings(fileWith(JSON.stringify(good)));
    expect(r.problem).toBeUndefined();
    expect(r.found).toBe(true);
    expect(r.locked).toEqual(['tenantId', 'clientId', 'cloud', 'authMode']);
    const { locked: _l, ...values } = good;
    expect(r.values).toEqual(values);
    expect(settingsPatch.safeParse(r.values).success).toBe(true);
  });

  it('treats a missing file as nothing pre-seeded, without a problem', () => {
    const r = readMachineSettings(path.join(dir, 'absent', 'settings.json'));
    expect(r).toMatchObject({ found: false, values: {}, locked: [] });
    expect(r.problem).toBeUndefined();
  });

  it('reads the encodings Notepad saves: UTF-8 with BOM, UTF-16 LE and BE', () => {
    const text = JSON.stringify({ cloud: 'china', locked: ['cloud'] });
    const utf16be = Buffer.from(`\ufeff${text}`, 'utf16le').swap16();
    for (const bytes of [
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
      Buffer.from(`\ufeff${text}`, 'utf16le'),
      utf16be,
    ]) {
      const r = readMachineSettings(fileWith(bytes));
      expect(r.problem).toBeUndefined();
      expect(r.values).toEqual({ cloud: 'china' });
    }
  });

  it('ignores an invalid file as a whole and says why, in terms an admin can act on', () => {
    const cases: [string | Buffer, RegExp][] = [
      ['{ "tenantId": "8b1c5f0e-2d3a-4c1b-9e7f-0a1b2c3d4e5f", ', /not valid JSON/],
      [JSON.stringify({ ...good, cloud: 'germany' }), /cloud/],
      [JSON.stringify({ ...good, clientId: 'not-a-guid' }), /clientId/],
      [JSON.stringify({ ...good, defaultGroupTag: '=cmd|calc' }), /defaultGroupTag/],
      [JSON.stringify({ ...good, locked: ['tenantId', 'everything'] }), /locked/],
      [JSON.stringify({ ...good, clientSecret: 'abc' }), /clientSecret|unrecognized/i],
      [JSON.stringify([good]), /\(file\)/],
      ['null', /\(file\)/],
      [Buffer.alloc(70_000, 0x20), /64 KB/],
      [Buffer.from([0xfe, 0xff, 0x00]), /not valid JSON/],
    ];
    for (const [content, reason] of cases) {
      const p = fileWith(content);
      const r = readMachineSettings(p);
      expect(r.values, String(content).slice(0, 40)).toEqual({});
      expect(r.locked).toEqual([]);
      expect(r.found).toBe(true);
      expect(r.problem?.code).toBe('MACHINE_SETTINGS_INVALID');
      expect(r.problem?.message).toMatch(reason);
      expect(r.problem?.message).toContain(p);
      expect(r.problem?.action).toBeTruthy();
    }
  });

  it('reports an unreadable file (a folder in its place) instead of throwing', () => {
    const folder = path.join(dir, 'folder.json');
    fs.mkdirSync(folder);
    const r = readMachineSettings(folder);
    expect(r.problem?.code).toBe('MACHINE_SETTINGS_UNREADABLE');
    expect(r.values).toEqual({});
  });

  it('accepts a $schema key and de-duplicates locked', () => {
    const r = readMachineSettings(
      fileWith(
        JSON.stringify({ $schema: './settings.schema.json', batchSize: 100, locked: ['batchSize', 'batchSize'] }),
      ),
    );
    expect(r.values).toEqual({ batchSize: 100 });
    expect(r.locked).toEqual(['batchSize']);
  });

  it('accepts the example in the admin guide', () => {
    const guide = fs.readFileSync(path.resolve(import.meta.dirname, '../../docs/admin-guide.md'), 'utf8');
    const example = /<!-- settings-example -->\s*```json\n([\s\S]*?)```/.exec(guide);
    expect(example, 'docs/admin-guide.md has a settings example').not.toBeNull();
    const r = readMachineSettings(fileWith(example![1]!));
    expect(r.problem).toBeUndefined();
    expect(r.locked.length).toBeGreaterThan(0);
  });
});

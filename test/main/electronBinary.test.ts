import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { electronBinary } from '../../scripts/electronBinary.ts';

const saved = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
afterEach(() => {
  if (saved === undefined) delete process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  else process.env['ELECTRON_OVERRIDE_DIST_PATH'] = saved;
});

describe('npm start finds the Electron runtime without downloading it', () => {
  it('answers "not installed" on an offline bench without trying to download (no "Downloading Electron binary")', () => {
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "import('./scripts/electronBinary.ts').then((m) => console.log(String(m.electronBinary())))",
      ],
      { encoding: 'utf8', env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: '' } },
    );
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('undefined');
    expect(run.stdout + run.stderr).not.toMatch(/Downloading Electron|failed to install/i);
  });

  it('finds a runtime where ELECTRON_OVERRIDE_DIST_PATH points', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'electron-dist-'));
    process.env['ELECTRON_OVERRIDE_DIST_PATH'] = dir;
    expect(electronBinary()).toBeUndefined();
    const binary = path.join(dir, 'electron');
    fs.writeFileSync(binary, '');
    expect(electronBinary()).toBe(binary);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

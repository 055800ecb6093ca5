import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// js-yaml, minimatch and app-builder-lib come with electron-builder; loaded the way electron-builder loads them.
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const { minimatch } = require('minimatch') as { minimatch(p: string, pattern: string, o?: object): boolean };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

const root = path.resolve(import.meta.dirname, '../..');
type Config = Record<string, any>;
const load = (): Config => yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Config;
const config = load();

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema validation, which rejects unknown or misplaced options", async () => {
    await expect(validateConfiguration(load(), new DebugLogger(false))).resolves.toBeUndefined();
    const broken = load();
    broken.msi.upgradeCod = broken.msi.upgradeCode;
    await expect(validateConfiguration(broken, new DebugLogger(false))).rejects.toThrow(/configuration/);
  });

  it('builds NSIS, MSI and portable for Windows x64', () => {
    expect(config.win.target.map((t: Config) => t.target)).toEqual(['nsis', 'msi', 'portable']);
    for (const t of config.win.target) expect(t.arch).toEqual(['x64']);
  });

  it('gives each target its own artifact name (no spaces: they go into Intune install commands)', () => {
    const names = ['nsis', 'msi', 'portable'].map((k) => config[k].artifactName as string);
    expect(new Set(names).size).toBe(3);
    for (const n of names) {
      expect(n).toContain('${version}');
      expect(n).not.toMatch(/\s/);
    }
    expect(config.msi.artifactName).toMatch(/\.\$\{ext\}$/);
    expect(config.portable.artifactName).toContain('portable');
  });

  it('installs per machine, never one-click, with a fixed MSI upgrade code', () => {
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: true });
    expect(config.msi).toMatchObject({ oneClick: false, perMachine: true });
    expect(config.msi.upgradeCode).toBe('7D4B6B0E-3C1F-4B8E-9F5A-2A61C3E0D9A1');
  });

  it('sets every Electron fuse the hardening asks for', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
      loadBrowserProcessSpecificV8Snapshot: false,
    });
  });

  it('packs into an asar, unpacks the better-sqlite3 native module, and rebuilds it for Electron', () => {
    expect(config.asar).toBe(true);
    expect(config.npmRebuild).toBe(true);
    const unpacked = (p: string) =>
      (config.asarUnpack as string[]).some((pattern) => minimatch(p, pattern, { dot: true }));
    expect(unpacked('node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(true);
    expect(unpacked('node_modules/better-sqlite3/lib/database.js')).toBe(true);
    expect(unpacked('dist/main/main.js')).toBe(false);
  });

  it('ships the built main, preload and renderer, and no source maps', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    const included = (p: string) => {
      let inc = false;
      for (const pattern of config.files as string[]) {
        if (pattern.startsWith('!')) {
          if (minimatch(p, pattern.slice(1))) inc = false;
        } else if (minimatch(p, pattern)) inc = true;
      }
      return inc;
    };
    for (const p of [
      pkg.main,
      'dist/main/preload.cjs',
      'dist/renderer/index.html',
      'dist/renderer/assets/index-abc.js',
      'package.json',
    ]) {
      expect(included(p), p).toBe(true);
    }
    for (const p of ['dist/main/main.js.map', 'src-main/main.ts', 'test/main/x.test.ts', '.env'])
      expect(included(p), p).toBe(false);
  });

  it('publishes nowhere (benches update through Intune)', () => {
    expect(config.publish).toBeNull();
  });
});

describe('icons in assets/', () => {
  it('has a 512 px PNG', () => {
    const png = readFileSync(path.join(root, 'assets/icon.png'));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
  });

  it('has a multi-size ICO whose entries point at real images, 16 to 256 px', () => {
    const ico = readFileSync(path.join(root, config.win.icon));
    expect(ico.readUInt16LE(0)).toBe(0);
    expect(ico.readUInt16LE(2)).toBe(1);
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const e = 6 + 16 * i;
      const size = ico.readUInt8(e) || 256;
      const bytes = ico.readUInt32LE(e + 8);
      const offset = ico.readUInt32LE(e + 12);
      expect(offset + bytes).toBeLessThanOrEqual(ico.length);
      const data = ico.subarray(offset, offset + bytes);
      if (data.readUInt32BE(0) === 0x89504e47) {
        expect(data.readUInt32BE(16)).toBe(size);
      } else {
        // BITMAPINFOHEADER: 40 bytes, width, doubled height (image + AND mask), 32 bits per pixel.
        expect([data.readUInt32LE(0), data.readInt32LE(4), data.readInt32LE(8), data.readUInt16LE(14)]).toEqual([
          40,
          size,
          size * 2,
          32,
        ]);
      }
      sizes.push(size);
    }
    expect(sizes).toEqual(expect.arrayContaining([16, 24, 32, 48, 64, 128, 256]));
  });
});

import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyNativeModules } from '../../src-main/app/nativeModuleIntegrity.ts';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const { minimatch } = require('minimatch') as { minimatch(p: string, pattern: string, o?: object): boolean };
const root = path.resolve(import.meta.dirname, '../..');
const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<string, any>;
const sign = require('../../scripts/windows-sign.cjs') as ((
  c: { path: string; hash?: string },
  env: Record<string, string>,
  run: (...a: unknown[]) => void,
) => Promise<void>) & {
  signtoolCommand(env: Record<string, string>, file: string): { signtool: string; args: string[]; way: string } | null;
};
const digests = require('../../scripts/native-digests.cjs') as {
  recordNativeDigests(appDir: string): Record<string, string>;
  NATIVE_MODULES: string[];
  DIGESTS_FILE: string;
};

/** electron-builder's `files` filter as it applies to one packaged path (last matching pattern wins). */
const shipped = (p: string): boolean => {
  let inc = p.startsWith('node_modules/');
  for (const pattern of config.files as string[]) {
    if (pattern.startsWith('!')) {
      if (minimatch(p, pattern.slice(1), { dot: true })) inc = false;
    } else if (minimatch(p, pattern, { dot: true })) inc = true;
  }
  return inc;
};

const walk = (dir: string, rel = ''): string[] =>
  readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(dir, path.posix.join(rel, e.name)) : [path.posix.join(rel, e.name)],
  );

describe('the installer ships only what runs', () => {
  it("ships better-sqlite3's loader and its one .node, not its C sources or build tree", () => {
    const pkgDir = path.join(root, 'node_modules/better-sqlite3');
    const files = walk(pkgDir).map((f) => `node_modules/better-sqlite3/${f}`);
    const kept = files.filter(shipped);
    const bytes = (list: string[]) => list.reduce((n, f) => n + statSync(path.join(root, f)).size, 0);
    expect(kept).toContain('node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(kept).toContain('node_modules/better-sqlite3/lib/database.js');
    expect(kept).toContain('node_modules/better-sqlite3/package.json');
    for (const f of kept)
      expect(f, f).toMatch(
        /^node_modules\/better-sqlite3\/(lib\/|package\.json$|LICENSE$|README\.md$|build\/Release\/better_sqlite3\.node$)/,
      );
    // Before: every file of the package (sources, amalgamation, object files): about 27 MB.
    expect(bytes(files)).toBeGreaterThan(10_000_000);
    expect(bytes(kept)).toBeLessThan(5_000_000);
  });

  it('records the .node digest inside the asar before packing, and the app refuses a replaced one', () => {
    expect(config.beforePack).toBe('./scripts/native-digests.cjs');
    const app = mkdtempSync(path.join(tmpdir(), 'native-'));
    const rel = digests.NATIVE_MODULES[0]!;
    mkdirSync(path.dirname(path.join(app, rel)), { recursive: true });
    mkdirSync(path.join(app, 'dist/main'), { recursive: true });
    writeFileSync(path.join(app, rel), 'the addon this version shipped');
    const written = digests.recordNativeDigests(app);
    expect(Object.keys(written)).toEqual([rel]);
    const digestsFile = path.join(app, digests.DIGESTS_FILE);
    expect(verifyNativeModules(digestsFile, app)).toEqual({ ok: true, verified: [path.join(app, rel)] });
    // The portable build unpacks into %TEMP%: another process swaps the addon.
    writeFileSync(path.join(app, rel), 'a planted addon');
    const refused = verifyNativeModules(digestsFile, app);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.problem).toMatch(/not the one this version shipped.*reinstall/);
    expect(verifyNativeModules(path.join(app, 'missing.json'), app).ok).toBe(false);
  });
});

describe('Windows signing hook (keys in hardware: Azure Trusted Signing or a token in the store)', () => {
  it('is the custom signtool hook in electron-builder.yml, SHA-256 only', () => {
    expect(config.win.signtoolOptions).toEqual({
      sign: './scripts/windows-sign.cjs',
      signingHashAlgorithms: ['sha256'],
    });
  });

  it('signs through the Azure Trusted Signing dlib when both its paths are set', () => {
    const cmd = sign.signtoolCommand(
      {
        AZURE_TRUSTED_SIGNING_DLIB: 'C:\\ts\\Azure.CodeSigning.Dlib.dll',
        AZURE_TRUSTED_SIGNING_METADATA: 'C:\\ts\\metadata.json',
      },
      'C:\\out\\a.exe',
    );
    expect(cmd?.way).toBe('azure-trusted-signing');
    expect(cmd?.args).toEqual([
      'sign',
      '/v',
      '/fd',
      'SHA256',
      '/tr',
      'http://timestamp.acs.microsoft.com',
      '/td',
      'SHA256',
      '/dlib',
      'C:\\ts\\Azure.CodeSigning.Dlib.dll',
      '/dmdf',
      'C:\\ts\\metadata.json',
      'C:\\out\\a.exe',
    ]);
    expect(() => sign.signtoolCommand({ AZURE_TRUSTED_SIGNING_DLIB: 'x.dll' }, 'a.exe')).toThrow(/both/);
  });

  it('signs with a hardware-token certificate by thumbprint, and refuses a malformed one', () => {
    const thumb = 'A'.repeat(40);
    expect(
      sign.signtoolCommand({ WINDOWS_SIGN_CERT_SHA1: thumb, SIGNTOOL_PATH: 'C:\\sdk\\signtool.exe' }, 'a.exe'),
    ).toMatchObject({ signtool: 'C:\\sdk\\signtool.exe', way: 'certificate-store' });
    expect(() => sign.signtoolCommand({ WINDOWS_SIGN_CERT_SHA1: 'abc' }, 'a.exe')).toThrow(/thumbprint/);
  });

  it('runs signtool once per file, leaves it unsigned with a warning when nothing is set, and fails a release build', async () => {
    const runs: unknown[][] = [];
    const run = (...a: unknown[]) => void runs.push(a);
    await sign({ path: 'a.exe', hash: 'sha256' }, { WINDOWS_SIGN_CERT_SHA1: 'b'.repeat(40) }, run);
    await sign({ path: 'a.exe', hash: 'sha1' }, { WINDOWS_SIGN_CERT_SHA1: 'b'.repeat(40) }, run);
    expect(runs).toHaveLength(1);
    await sign({ path: 'a.exe' }, {}, run);
    expect(runs).toHaveLength(1);
    await expect(sign({ path: 'a.exe' }, { AUTOPILOT_REQUIRE_SIGNING: '1' }, run)).rejects.toThrow(
      /no signing configured/,
    );
  });
});

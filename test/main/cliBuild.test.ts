import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMain } from '../../scripts/build-main.ts';

/**
 * The command line an installed bench runs: dist/main/cli.js, plain JavaScript, with production
 * dependencies only (`npm ci --omit=dev`: no tsx, no TypeScript). The full `npm ci --omit=dev`
 * builds better-sqlite3 from source (minutes), so this test builds the bundles the way
 * `npm run build:main` does and runs them from a folder whose node_modules holds exactly the
 * packages `npm ci --omit=dev` installs (package-lock.json's non-dev packages), linked from this
 * checkout; nothing else is reachable from there (no NODE_PATH, no parent node_modules).
 */
const root = process.cwd();
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
let bench: string;
let imports: Record<'main' | 'cli', string[]>;

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

beforeAll(async () => {
  bench = fs.mkdtempSync(path.join(os.tmpdir(), 'station-installed-'));
  imports = await buildMain(path.join(bench, 'dist', 'main'));
  fs.copyFileSync('package.json', path.join(bench, 'package.json'));
  const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  for (const [key, entry] of Object.entries(lock.packages)) {
    const name = key.slice('node_modules/'.length);
    // Top-level production packages; the nested ones travel inside their parent's folder.
    if (!key.startsWith('node_modules/') || entry.dev || name.includes('/node_modules/')) continue;
    const target = path.join(bench, 'node_modules', name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.symlinkSync(path.join(root, 'node_modules', name), target, 'dir');
  }
}, 60_000);
afterAll(() => fs.rmSync(bench, { recursive: true, force: true }));

function station(args: string[], dataDir: string) {
  const env = { ...process.env, STATION_DATA_DIR: dataDir, STATION_LOG_LEVEL: 'error' } as Record<
    string,
    string | undefined
  >;
  delete env.NODE_PATH;
  delete env.NODE_OPTIONS;
  return spawnSync(process.execPath, [path.join(bench, 'dist', 'main', 'cli.js'), ...args], {
    cwd: bench,
    encoding: 'utf8',
    timeout: 60_000,
    env,
  });
}

describe('the built command line with production dependencies only', () => {
  it('imports only Node built-ins and packages listed in dependencies (never a dev dependency such as tsx)', () => {
    expect(imports.cli.length).toBeGreaterThan(0);
    for (const spec of [...imports.cli, ...imports.main]) {
      if (spec === 'electron') continue; // main.js only: Electron provides it
      expect(Object.keys(pkg.dependencies), spec).toContain(packageOf(spec));
    }
    expect(imports.cli).not.toContain('electron');
    // The worker is self-contained: it resolves nothing from node_modules (inside app.asar too).
    const worker = fs.readFileSync(path.join(bench, 'dist', 'main', 'hashFileWorker.js'), 'utf8');
    expect(worker.match(/^import .* from "(?!node:)[^"]+";$/gm) ?? []).toEqual([]);
    expect(fs.existsSync(path.join(bench, 'node_modules', 'tsx'))).toBe(false);
    expect(fs.existsSync(path.join(bench, 'node_modules', 'zod'))).toBe(true);
  });

  it('node dist/main/cli.js check --tenant sim --json: the pre-flight check passes, JSON on stdout', () => {
    const r = station(['check', '--tenant', 'sim', '--json'], fs.mkdtempSync(path.join(bench, 'data-')));
    expect(r.stderr).not.toMatch(/Cannot find (module|package)/);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { status: string; checks: { id: string; status: string }[] };
    expect(report.status).toBe('ok');
    expect(report.checks.map((c) => c.id)).toContain('intune');
  });

  it('node dist/main/cli.js inspect reads a file through the built worker thread; import --help answers', () => {
    const csv = path.join(root, 'src-main/sim/scenarios/training-samples/training-devices.csv');
    const r = station(['inspect', csv, '--json'], fs.mkdtempSync(path.join(bench, 'data-')));
    expect(r.status).toBe(1); // line 8 has no manufacturer in its hash
    expect(r.stderr).not.toMatch(/reader thread failed/);
    expect(JSON.parse(r.stdout).files[0].devices).toHaveLength(7);
    const help = station(['import', '--help'], fs.mkdtempSync(path.join(bench, 'data-')));
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: autopilot-station import/);
  });
});

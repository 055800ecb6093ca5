import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createStation } from '../../src-main/app/createStation.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { systemClock } from '../../src-main/kernel/clock.ts';
import { runCli } from '../../src-main/cli.ts';
import { CLI_COMMAND_NAMES } from '../../src-main/cli/commandNames.ts';
import { makeCheckCommand } from '../../src-main/cli/checkCommand.ts';
import { makeExportCommand } from '../../src-main/cli/exportCommand.ts';
import { inProcessSimulatedTenant, makeImportCommand } from '../../src-main/cli/importCommand.ts';
import { parseTenantSelection } from '../../src-main/cli/tenantSelection.ts';
import { startSimulatedTenant, TRAINING_SAMPLES_DIR, type SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-help-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** runCli as the binary runs it, with stdout and stderr captured. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const err = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  try {
    return { code: await runCli(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const quiet = (o: { logger?: unknown }) =>
  createStation({
    ...(o as Parameters<typeof createStation>[0]),
    logger: silentLogger,
    serialPort: { readSerials: async () => ({ system: 'PF0CLI' }) },
  });

describe('every command answers --help', () => {
  it.each(CLI_COMMAND_NAMES.map((n) => [n]))(
    '%s --help: its own usage on stdout, exit 0, nothing run',
    async (name) => {
      const r = await run([name, '--help']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`^Usage: autopilot-station ${name}( |\\n)`));
      // -h too, and after other options (the options are not checked first: import --help used to be "Unknown option").
      expect((await run([name, '--json', '-h'])).stdout).toBe(r.stdout);
    },
  );

  it('import, export and check describe the same tenant selection', async () => {
    const texts = await Promise.all(['import', 'export', 'check'].map(async (n) => (await run([n, '--help'])).stdout));
    for (const t of texts)
      for (const flag of ['--tenant sim|<tenant-id>', '--cloud C', '--scenario F', '--tenant-url URL --ca F'])
        expect(t).toContain(flag);
  });

  it('the overall help lists every command and points to the per-command help; a wrong command exits 2', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const n of CLI_COMMAND_NAMES) expect(r.stdout).toMatch(new RegExp(`^ {2}${n}\\b`, 'm'));
    expect(r.stdout).toContain('<command> --help');
    const bad = await run(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    // An unknown option is still refused in one line (help is only help when asked for).
    const unknown = await run(['export', '--format', 'intune', '--bogus']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/--bogus/);
  });
});

describe('one tenant selection for every command that reads a queue', () => {
  it('parses the same way everywhere and refuses contradictions in words', () => {
    expect(parseTenantSelection({})).toEqual({ kind: 'settings', patch: {} });
    expect(parseTenantSelection({ tenant: 'sim' })).toEqual({ kind: 'sim' });
    expect(parseTenantSelection({ tenant: 'sim', scenario: 'x.json' })).toEqual({ kind: 'sim', scenario: 'x.json' });
    expect(parseTenantSelection({ tenant: 'contoso.onmicrosoft.com', cloud: 'usgov' })).toEqual({
      kind: 'settings',
      patch: { tenantId: 'contoso.onmicrosoft.com', cloud: 'usgov' },
    });
    expect(parseTenantSelection({ 'tenant-url': 'https://trainer-pc:8443', ca: 'sim-ca.pem' })).toEqual({
      kind: 'remote',
      url: 'https://trainer-pc:8443',
      caFile: 'sim-ca.pem',
    });
    expect(() => parseTenantSelection({ scenario: 'x.json' })).toThrow(/--scenario goes with --tenant sim/);
    expect(() => parseTenantSelection({ 'tenant-url': 'https://a:1' })).toThrow(/go together/);
    expect(() => parseTenantSelection({ tenant: 'x.onmicrosoft.com', 'tenant-url': 'https://a:1', ca: 'c' })).toThrow(
      /leave out --tenant/,
    );
    expect(() => parseTenantSelection({ tenant: 'sim', cloud: 'china' })).toThrow(/--cloud goes with a tenant id/);
    expect(() => parseTenantSelection({ tenant: 'not a tenant' })).toThrow(/--tenant: /);
    expect(() => parseTenantSelection({ tenant: 'x.onmicrosoft.com', cloud: 'mars' })).toThrow(/--cloud: /);
  });

  it('export --tenant sim reaches the devices import --tenant sim queued (it used to say the queue was empty); import shows progress on stderr, and --json keeps stdout one document', async () => {
    const dataDir = tmp();
    const csv = path.join(TRAINING_SAMPLES_DIR, 'training-devices.csv');
    const importWith = (stdout: string[], stderr: string[]) =>
      makeImportCommand({
        io: { stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t) },
        dataDir: () => dataDir,
        station: quiet,
        clock: systemClock,
        simulatedTenant: inProcessSimulatedTenant,
      });

    const out: string[] = [];
    const err: string[] = [];
    // 806, 808 and 802 are in the training file.
    expect(
      await importWith(
        out,
        err,
      )([csv, '--group-tag', 'Training', '--tenant', 'sim', '--wait', 'imported', '--timeout-s', '120']),
    ).toBe(1);
    const progress = err
      .join('')
      .split('\n')
      .filter((l) => /^\[ *\d+ s\] /.test(l));
    // The first look shows every device; then one line per change, e.g. "queued → importing".
    expect(progress.filter((l) => /PF3TRN01 +queued {2}\(/.test(l))).toHaveLength(1);
    expect(progress.some((l) => /PF3TRN01 +(queued|importing) → imported /.test(l))).toBe(true);
    expect(progress.some((l) => /MXL9808TRN +\S+ → failed /.test(l))).toBe(true);
    expect(progress.every((l) => / \(\d of 7 settled\)$/.test(l))).toBe(true);
    expect(out.join('')).toMatch(/^PF3TRN01 +imported$/m);

    // --json: progress is off, stdout is only the JSON.
    const jsonOut: string[] = [];
    const jsonErr: string[] = [];
    await importWith(
      jsonOut,
      jsonErr,
    )([csv, '--group-tag', 'Training', '--tenant', 'sim', '--wait', 'imported', '--timeout-s', '120', '--json']);
    expect(JSON.parse(jsonOut.join('')).devices).toHaveLength(7);
    expect(jsonErr.join('')).not.toMatch(/settled\)|following/);

    const exportWith = (argv: string[]) => {
      const stdout: string[] = [];
      const stderr: string[] = [];
      return makeExportCommand({
        io: { stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t) },
        dataDir: () => dataDir,
        station: quiet,
        simulatedTenant: inProcessSimulatedTenant,
      })(argv).then((code) => ({ code, stdout: stdout.join(''), stderr: stderr.join('') }));
    };
    const outDir = tmp();
    const report = await exportWith(['--format', 'report', '--out', outDir, '--tenant', 'sim', '--json']);
    expect(report.code).toBe(0);
    const files = JSON.parse(report.stdout).files as { path: string; rows: number }[];
    expect(files).toEqual([expect.objectContaining({ rows: 7 })]);
    expect(fs.readFileSync(files[0]!.path, 'utf8')).toContain('PF3TRN01');
    // Without --tenant the station's own (training) queue, which holds none of them: as before.
    const own = await exportWith(['--format', 'intune', '--out', tmp()]);
    expect(own.code).toBe(1);
    expect(own.stderr).toMatch(/no device to export/);
    // Reading a queue never changes the settings: no settings file was written for a pinned tenant either.
    const pinned = await exportWith([
      '--format',
      'intune',
      '--out',
      tmp(),
      '--tenant',
      '11111111-2222-3333-4444-555555555555',
      '--cloud',
      'usgov',
    ]);
    expect(pinned.code).toBe(1);
    expect(fs.existsSync(path.join(dataDir, 'tenants', 'usgov-11111111-2222-3333-4444-555555555555'))).toBe(true);
    const settingsFile = path.join(dataDir, 'settings.json');
    const settings = fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : '';
    expect(settings).not.toContain('11111111-2222');
  }, 120_000);

  describe('check --tenant-url (it had no way to reach a shared simulated tenant)', () => {
    let sim: SimTenant;
    let caFile: string;
    beforeAll(async () => {
      sim = await startSimulatedTenant({ timeScale: 60, shareConnection: true });
      caFile = path.join(tmp(), 'sim-ca.pem');
      fs.writeFileSync(caFile, sim.caCertPem);
    });
    afterAll(async () => {
      await sim?.stop();
    });

    it('checks the tenant at that URL, signed in with its shared connection, read-only', async () => {
      let stdout = '';
      const dataDir = tmp();
      const check = makeCheckCommand({
        io: { stdout: (t) => void (stdout += t), stderr: () => {} },
        dataDir: () => dataDir,
        station: quiet,
        clock: systemClock,
        logger: () => silentLogger,
      });
      const writesBefore = sim.requestLog.count({
        method: 'POST',
        pathContains: 'importedWindowsAutopilotDeviceIdentities',
      });
      const code = await check(['--tenant-url', sim.graphUrl, '--ca', caFile, '--json']);
      const report = JSON.parse(stdout) as { status: string; tenant: string; requests: { graphWrites: number } };
      expect(report.status).not.toBe('failed');
      expect(code).toBe(0);
      expect(report.requests.graphWrites).toBe(0);
      expect(sim.requestLog.count({ method: 'POST', pathContains: 'importedWindowsAutopilotDeviceIdentities' })).toBe(
        writesBefore,
      );
      expect(
        sim.requestLog.count({ method: 'POST', pathContains: '/oauth2/v2.0/token', status: 200 }),
      ).toBeGreaterThanOrEqual(1);
      // Its queue folder is the remote tenant's own, as for import --tenant-url.
      expect(fs.readdirSync(path.join(dataDir, 'tenants'))).toEqual([`remote-${sim.tenantId.toLowerCase()}`]);
    });
  });
});

/**
 * The station tells the truth about every device, against a simulated tenant that misbehaves
 * (src-main/sim/simScenario.ts: realTenant drills and faults). Each case runs the real `import` command
 * (real msal-node, real SQLite, Graph over HTTPS to the simulated tenant) and checks the device's final
 * state, code and words in `--json`, what the tenant holds afterwards, and what was sent.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src-main/kernel/clock.ts';
import { createStation } from '../../src-main/app/createStation.ts';
import { makeImportCommand } from '../../src-main/cli/importCommand.ts';
import { makeInspectCommand } from '../../src-main/cli/inspectCommand.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { openSqliteQueueStore } from '../../src-main/queue/sqliteQueueStore.ts';
import { tenantQueueDir } from '../../src-main/queue/tenantQueues.ts';
import {
  startSimulatedTenant,
  type SimTenant,
  type SimTenantOptions,
} from '../../src-main/sim/startSimulatedTenant.ts';
import { trainingConnectionOf } from '../../src-main/tenant/trainingTenant.ts';
import { corporateModelOf } from '../../src-main/sim/CorporateIdentityModel.ts';
import type { DeviceEventRecord } from '../../src-main/queue/queueStore.ts';
import { toRow } from '../../src-main/queue/queueService.ts';

/** Service seconds per real second: the tenant's minutes pass in a fraction of a second. */
const SCALE = 200;

const dirs: string[] = [];
const sims: SimTenant[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

interface DeviceJson {
  serialNumber: string;
  state: string;
  groupTag: string;
  errorCode: number | null;
  errorName: string | null;
  advice: string | null;
  corporate?: { state: string; identifier: string | null; errorCode: string | null } | null;
}

interface Run {
  code: number;
  devices: DeviceJson[];
  stderr: string;
  ms: number;
  sim: SimTenant;
  dataDir: string;
  events(serial: string): DeviceEventRecord[];
}

function csvOf(
  devices: { serial: string; manufacturer?: string; model?: string; mac?: string; tag?: string }[],
): string {
  const rows = devices.map(
    (d) =>
      `${d.serial},,${encodeHardwareHash({ serialNumber: d.serial, manufacturer: d.manufacturer ?? 'LENOVO', model: d.model ?? '21CB004LUS', ...(d.mac ? { macAddresses: [d.mac] } : {}) })}${d.tag !== undefined ? `,${d.tag}` : ''}`,
  );
  const header = devices.some((d) => d.tag !== undefined)
    ? 'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag'
    : 'Device Serial Number,Windows Product ID,Hardware Hash';
  return `${header}\r\n${rows.join('\r\n')}\r\n`;
}

/** Starts a simulated tenant (kept running after the command, so that what it received afterwards is seen). */
async function simWith(options: SimTenantOptions): Promise<SimTenant> {
  const sim = await startSimulatedTenant({ timeScale: SCALE, ...options });
  sims.push(sim);
  return sim;
}

/** Runs `import <csv> ...args --json` against `sim`, with a fresh data folder (or `dataDir`). */
async function runImport(sim: SimTenant, csv: string, args: string[], dataDir?: string): Promise<Run> {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'truth-'));
  if (!dataDir) dirs.push(dir);
  const file = path.join(dir, `devices-${Date.now()}.csv`);
  fs.writeFileSync(file, csv);
  const out: string[] = [];
  const err: string[] = [];
  const cmd = makeImportCommand({
    io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t) },
    dataDir: () => dir,
    station: createStation,
    clock: systemClock,
    simulatedTenant: async () => ({
      options: {
        clock: sim.clock,
        startTraining: async () => ({ ...trainingConnectionOf(sim), close: async () => {} }),
      },
      close: async () => {},
    }),
  });
  const started = Date.now();
  const code = await cmd([file, '--tenant', 'sim', '--json', ...args]);
  const ms = Date.now() - started;
  const devices = (JSON.parse(out.join('')) as { devices: DeviceJson[] }).devices;
  return {
    code,
    devices,
    stderr: err.join(''),
    ms,
    sim,
    dataDir: dir,
    events: (serial) => {
      const store = openSqliteQueueStore(tenantQueueDir(dir, 'sim-cli'));
      try {
        const d = store.findBySerial(serial)[0];
        return d ? store.events(d.id) : [];
      } finally {
        store.close();
      }
    },
  };
}

describe('every device ends in a true state', () => {
  it('batch 503: a $batch that keeps failing falls back to single reads, and the command exits at --timeout-s with nothing sent after', async () => {
    const sim = await simWith({ realTenant: { batchUnavailable: true } });
    const serials = ['B503A01', 'B503A02', 'B503A03'];
    const run = await runImport(sim, csvOf(serials.map((serial) => ({ serial }))), [
      '--group-tag',
      'Bench',
      '--wait',
      'registered',
      '--timeout-s',
      '20',
    ]);
    expect(run.devices.map((d) => [d.serialNumber, d.state])).toEqual(serials.map((s) => [s, 'registered']));
    expect(run.code).toBe(0);
    // The batch endpoint was tried, refused, and given up for the session: never retried as a batch.
    expect(sim.requestLog.count({ method: 'POST', pathContains: '/$batch' })).toBeLessThanOrEqual(2);
    expect(
      sim.requestLog.count({ method: 'GET', pathContains: '/windowsAutopilotDeviceIdentities/', status: 200 }),
    ).toBeGreaterThanOrEqual(serials.length);

    // A registration that never comes: the command ends at its deadline, and nothing is sent after it.
    const stuck = await simWith({
      realTenant: { batchUnavailable: true },
      scenario: { delays: { processingS: 5, registrationS: 100_000 } },
    });
    const late = await runImport(stuck, csvOf(['B503B01', 'B503B02'].map((serial) => ({ serial }))), [
      '--group-tag',
      'Bench',
      '--wait',
      'registered',
      '--timeout-s',
      '3',
    ]);
    expect(late.ms).toBeLessThan(3_000 + 6_000);
    expect(late.devices.map((d) => d.state)).toEqual(['timed-out', 'timed-out']);
    const sent = stuck.requestLog.received;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(stuck.requestLog.received).toBe(sent);
  }, 60_000);

  it('captive portal: a 200 with an HTML page is GRAPH_NOT_JSON naming host and type, reconciled at once, imported once', async () => {
    const sim = await simWith({});
    sim.injectFault({
      kind: 'html-200',
      method: 'POST',
      pathContains: '/importedWindowsAutopilotDeviceIdentities/import',
      count: 1,
    });
    const run = await runImport(sim, csvOf([{ serial: 'PORTAL01' }]), [
      '--group-tag',
      'Bench',
      '--wait',
      'imported',
      '--timeout-s',
      '30',
    ]);
    expect(run.devices).toEqual([
      expect.objectContaining({ serialNumber: 'PORTAL01', state: 'imported', errorName: null }),
    ]);
    expect(sim.requestLog.importCountFor('PORTAL01')).toBe(1);
    const portal = run.events('PORTAL01').find((e) => e.errorName === 'GRAPH_NOT_JSON');
    expect(portal?.message).toContain(new URL(sim.graphUrl).host);
    expect(portal?.message).toContain('text/html');
    // Looked at once: the imported list is read right after the HTML answer, not minutes later.
    const entries = sim.requestLog.entries;
    const html = entries.findIndex((e) => e.faults?.includes('html-200'));
    const look = entries
      .slice(html + 1)
      .find((e) => e.method === 'GET' && e.path.endsWith('/importedWindowsAutopilotDeviceIdentities'));
    expect(look).toBeDefined();
    expect(Date.parse(look!.at) - Date.parse(entries[html]!.at)).toBeLessThan(60_000);

    // A portal that stays: at the deadline the row still says why, in its own state, and the command fails.
    const stays = await simWith({});
    stays.injectFault({ kind: 'html-200', pathContains: '/v1.0/', probability: 1 });
    const held = await runImport(stays, csvOf([{ serial: 'PORTAL02' }]), [
      '--group-tag',
      'Bench',
      '--wait',
      'imported',
      '--timeout-s',
      '3',
    ]);
    expect(held.devices).toEqual([
      expect.objectContaining({ serialNumber: 'PORTAL02', state: 'importing', errorName: 'GRAPH_NOT_JSON' }),
    ]);
    expect(held.devices[0]!.advice).toContain(`${new URL(stays.graphUrl).host} answered`);
    expect(held.devices[0]!.advice).toContain('text/html');
    expect(held.code).toBe(1);
    expect(held.ms).toBeLessThan(3_000 + 6_000);
    expect(stays.model.listImported()).toHaveLength(0);
  }, 60_000);

  it("806 while the registered list lags past the sync: searched again on the lag's schedule, settled, and no 806 record left", async () => {
    const sim = await simWith({
      realTenant: { listLagsUntilSync: true, listLagAfterSyncS: 900 },
      scenario: { devices: { registered: [{ serialNumber: 'LAG806A', groupTag: 'Bench', listed: false }] } },
    });
    const run = await runImport(sim, csvOf([{ serial: 'LAG806A' }]), [
      '--group-tag',
      'Bench',
      '--wait',
      'registered',
      '--timeout-s',
      '40',
    ]);
    expect(run.devices).toEqual([
      expect.objectContaining({ serialNumber: 'LAG806A', state: 'already-registered', errorCode: 806 }),
    ]);
    expect(run.devices[0]!.advice).not.toMatch(/could not be found/);
    expect(sim.requestLog.count({ method: 'POST', pathContains: '/windowsAutopilotSettings/sync' })).toBe(1);
    // After the one sync: several looks, further apart as the wait grows (the lag's schedule), not one.
    const entries = sim.requestLog.entries;
    const syncAt = Date.parse(entries.find((e) => e.path.endsWith('/windowsAutopilotSettings/sync'))!.at);
    const looks = entries
      .filter(
        (e) => e.method === 'GET' && e.path.endsWith('/windowsAutopilotDeviceIdentities') && Date.parse(e.at) > syncAt,
      )
      .map((e) => Date.parse(e.at));
    expect(looks.length).toBeGreaterThanOrEqual(3);
    const gaps = looks.slice(1).map((t, i) => t - looks[i]!);
    expect(gaps.at(-1)!).toBeGreaterThan(gaps[0]!);
    // The 806 record went at once, not after the list caught up.
    const deleted = entries.find(
      (e) => e.method === 'DELETE' && e.path.includes('/importedWindowsAutopilotDeviceIdentities/'),
    );
    expect(Date.parse(deleted!.at)).toBeLessThan(syncAt + 60_000);
    expect(sim.model.listImported().length).toBe(0);
  }, 60_000);

  it('806 with another group tag: the tag is kept and the difference reported unless --override-group-tag, which changes it "from A to B"', async () => {
    const sim = await simWith({
      scenario: {
        devices: {
          registered: [
            { serialNumber: 'TAG806A', groupTag: 'Training' },
            { serialNumber: 'TAG806B', groupTag: 'Training' },
          ],
        },
      },
    });
    const kept = await runImport(sim, csvOf([{ serial: 'TAG806A' }]), [
      '--group-tag',
      'Bench',
      '--wait',
      'registered',
      '--timeout-s',
      '30',
    ]);
    // The row shows the tag Intune keeps; the queued one is named in the advice.
    expect(kept.devices).toEqual([
      expect.objectContaining({
        state: 'already-registered',
        groupTag: 'Training',
        errorCode: 806,
        errorName: 'GROUP_TAG_KEPT',
      }),
    ]);
    expect(kept.devices[0]!.advice).toContain('"Bench" was not applied');
    expect(kept.devices[0]!.advice).toContain('"Training"');
    expect(kept.devices[0]!.advice).not.toMatch(/changed from/);
    expect(sim.model.listRegistrations().find((r) => r.serialNumber === 'TAG806A')?.groupTag).toBe('Training');
    expect(sim.requestLog.count({ method: 'POST', pathContains: '/updateDeviceProperties' })).toBe(0);

    const changed = await runImport(sim, csvOf([{ serial: 'TAG806B' }]), [
      '--group-tag',
      'Bench',
      '--override-group-tag',
      '--wait',
      'registered',
      '--timeout-s',
      '30',
    ]);
    expect(changed.devices).toEqual([
      expect.objectContaining({ state: 'already-registered', errorCode: 806, errorName: 'GROUP_TAG_CHANGED' }),
    ]);
    expect(changed.devices[0]!.advice).toContain('group tag changed from "Training" to "Bench"');
    expect(sim.model.listRegistrations().find((r) => r.serialNumber === 'TAG806B')?.groupTag).toBe('Bench');
  }, 60_000);

  it('throttled first import (429, Retry-After one hour): the row is queued with GRAPH_THROTTLED and the time, not "importing"', async () => {
    const sim = await simWith({});
    sim.injectFault({
      kind: '429',
      method: 'POST',
      pathContains: '/importedWindowsAutopilotDeviceIdentities/import',
      retryAfterS: 3600,
      count: 1,
    });
    const run = await runImport(sim, csvOf([{ serial: 'THROTL01' }]), [
      '--group-tag',
      'Bench',
      '--wait',
      'imported',
      '--timeout-s',
      '3',
    ]);
    expect(run.devices).toEqual([
      expect.objectContaining({ serialNumber: 'THROTL01', state: 'queued', errorName: 'GRAPH_THROTTLED' }),
    ]);
    expect(run.devices[0]!.advice).toMatch(/throttled .* after \d{4}-\d\d-\d\dT\d\d:\d\d/);
    // The Queue screen's row: queued, the code (worded in en and ja by the catalogue), and until when in its deadline.
    const store = openSqliteQueueStore(tenantQueueDir(run.dataDir, 'sim-cli'));
    const row = toRow(store.findBySerial('THROTL01')[0]!, sim.clock.now());
    store.close();
    expect(row).toMatchObject({ state: 'queued', errorName: 'GRAPH_THROTTLED' });
    expect(run.devices[0]!.advice).toContain(row.deadline!.slice(0, 16));
    expect(Date.parse(row.deadline!) - sim.clock.now()).toBeGreaterThan(50 * 60_000);
    expect(run.code).toBe(1);
    expect(sim.requestLog.importCountFor('THROTL01')).toBe(0);
  }, 60_000);

  it("corporate identifiers: Graph's semicolon tuple carries MSI's comma; each registration reports on its own", async () => {
    const sim = await simWith({ realTenant: { semicolonTupleOnly: true } });
    const msi = 'Micro-Star International Co., Ltd.';
    const noModel = `NOMODEL24,,${encodeHardwareHash({ serialNumber: 'NOMODEL24', manufacturer: 'Contoso' })}`;
    const csv = `${csvOf([{ serial: 'MSI24A', manufacturer: msi, model: 'MS-7C56' }]).trimEnd()}\r\n${noModel}\r\n`;
    const run = await runImport(sim, csv, [
      '--group-tag',
      'Bench',
      '--wait',
      'imported',
      '--register',
      'both',
      '--timeout-s',
      '30',
    ]);
    expect(
      run.devices.map((d) => [
        d.serialNumber,
        d.state,
        d.corporate?.state,
        d.corporate?.identifier ?? d.corporate?.errorCode,
      ]),
    ).toEqual([
      ['MSI24A', 'imported', 'done', `${msi};MS-7C56;MSI24A`],
      ['NOMODEL24', 'imported', 'unavailable', 'CORP_MISSING_VALUES'],
    ]);
    expect(
      corporateModelOf(sim.model, sim.clock)
        .list()
        .map((r) => r.importedDeviceIdentifier),
    ).toEqual([`${msi};MS-7C56;MSI24A`]);
    // Both reached Autopilot: the one failure is the corporate identifier's, and the result says so.
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/1 of 2 corporate identifiers not added \(NOMODEL24: CORP_MISSING_VALUES/);
    expect(run.stderr).not.toMatch(/did not reach/);
  }, 60_000);

  it('same serial, two hashes (motherboard swap): inspect names the pair, import registers the newest capture and keeps the older aside', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'truth-swap-'));
    dirs.push(dir);
    const before = path.join(dir, 'before-swap.csv');
    const after = path.join(dir, 'after-swap.csv');
    fs.writeFileSync(before, csvOf([{ serial: 'SWAP24', mac: '00:11:22:33:44:55' }]));
    fs.writeFileSync(after, csvOf([{ serial: 'SWAP24', mac: '66:77:88:99:AA:BB' }]));
    fs.utimesSync(before, new Date('2026-11-01T09:00:00Z'), new Date('2026-11-01T09:00:00Z'));
    fs.utimesSync(after, new Date('2026-11-02T09:00:00Z'), new Date('2026-11-02T09:00:00Z'));

    const out: string[] = [];
    expect(await makeInspectCommand({ stdout: (t) => out.push(t), stderr: () => {} })([before, after, '--json'])).toBe(
      0,
    );
    const inspected = JSON.parse(out.join('')) as {
      sameSerial: { serialNumber: string; captures: { path: string; newest: boolean }[] }[];
    };
    expect(inspected.sameSerial).toEqual([
      {
        serialNumber: 'SWAP24',
        captures: [
          expect.objectContaining({ path: before, newest: false }),
          expect.objectContaining({ path: after, newest: true }),
        ],
      },
    ]);

    const sim = await simWith({});
    const err: string[] = [];
    const json: string[] = [];
    const cmd = makeImportCommand({
      io: { stdout: (t) => json.push(t), stderr: (t) => err.push(t) },
      dataDir: () => dir,
      station: createStation,
      clock: systemClock,
      simulatedTenant: async () => ({
        options: {
          clock: sim.clock,
          startTraining: async () => ({ ...trainingConnectionOf(sim), close: async () => {} }),
        },
        close: async () => {},
      }),
    });
    // The older capture is named first: "newest" is by when it was captured, not by the order given.
    expect(
      await cmd([
        before,
        after,
        '--tenant',
        'sim',
        '--group-tag',
        'Bench',
        '--wait',
        'imported',
        '--timeout-s',
        '30',
        '--json',
      ]),
    ).toBe(0);
    const result = JSON.parse(json.join('')) as { devices: DeviceJson[]; sameSerial: unknown[] };
    expect(result.sameSerial).toHaveLength(1);
    const store = openSqliteQueueStore(tenantQueueDir(dir, 'sim-cli'));
    const records = store.findBySerial('SWAP24');
    store.close();
    const newestHash = csvOf([{ serial: 'SWAP24', mac: '66:77:88:99:AA:BB' }])
      .split('\r\n')[1]!
      .split(',')[2];
    expect(records.map((r) => [r.hardwareHash === newestHash ? 'newest' : 'older', r.state]).sort()).toEqual([
      ['newest', 'imported'],
      ['older', 'captured'],
    ]);
    expect(result.devices.find((d) => d.state === 'captured')!.advice).toMatch(
      /older capture .* newest capture was registered/,
    );
    expect(sim.requestLog.importCountFor('SWAP24')).toBe(1);
  }, 60_000);

  it('claims challenge: the station declares CP1, answers insufficient_claims with a token carrying the claims, and imports', async () => {
    const sim = await simWith({ realTenant: { claimsChallenge: true } });
    const run = await runImport(sim, csvOf([{ serial: 'CLAIMS01' }]), [
      '--group-tag',
      'Bench',
      '--wait',
      'imported',
      '--timeout-s',
      '30',
    ]);
    expect(run.devices).toEqual([expect.objectContaining({ serialNumber: 'CLAIMS01', state: 'imported' })]);
    expect(sim.requestLog.count({ status: 401 })).toBeGreaterThanOrEqual(1);
    const claims = sim.tokenRequestClaims().map((c) => JSON.parse(c) as { access_token?: Record<string, unknown> });
    expect(claims.every((c) => JSON.stringify(c.access_token?.xms_cc) === JSON.stringify({ values: ['CP1'] }))).toBe(
      true,
    );
    expect(claims.some((c) => c.access_token?.nbf !== undefined)).toBe(true);
  }, 60_000);
});

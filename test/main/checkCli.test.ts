import { mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src-main/kernel/clock.ts';
import { createStation } from '../../src-main/app/createStation.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { makeCheckCommand } from '../../src-main/cli/checkCommand.ts';
import type { CheckId, ConnectionCheckReport } from '../../src-main/contract/types.ts';
import type { SimScenarioInput } from '../../src-main/sim/simScenario.ts';

/**
 * `autopilot-station check --tenant sim --scenario F --json`: the pre-flight check against a simulated
 * tenant that plays each set-up mistake, with the chosen sign-in method run for real by msal-node.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'check-cli-'));

async function check(
  scenario: SimScenarioInput | undefined,
  method: 'browser' | 'device-code' | 'certificate',
  extra: string[] = [],
): Promise<{ code: number; report: ConnectionCheckReport; stderr: string }> {
  const args = ['--tenant', 'sim', '--method', method, '--json', ...extra];
  if (scenario) {
    const file = path.join(dir, `scenario-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(scenario));
    args.push('--scenario', file);
  }
  let stdout = '';
  let stderr = '';
  const command = makeCheckCommand({
    io: { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) },
    dataDir: () => dir,
    station: createStation,
    clock: systemClock,
    logger: () => silentLogger,
  });
  const code = await command(args);
  return { code, report: JSON.parse(stdout) as ConnectionCheckReport, stderr };
}

const statuses = (r: ConnectionCheckReport) =>
  Object.fromEntries(r.checks.map((c) => [c.id, c.status])) as Record<CheckId, string>;
const result = (r: ConnectionCheckReport, id: CheckId) => r.checks.find((c) => c.id === id)!;

describe('autopilot-station check against a good simulated tenant', () => {
  it.each(['certificate', 'device-code', 'browser'] as const)(
    '%s: every check passes, with what was seen, and nothing is written',
    async (method) => {
      const { code, report } = await check(undefined, method);
      expect(code).toBe(0);
      expect(report.status).toBe('ok');
      expect(Object.values(statuses(report)).every((s) => s === 'ok')).toBe(true);
      expect(report.checks.map((c) => c.id)).toEqual([
        'authority',
        'graph',
        'clock',
        'tenant',
        'sign-in',
        'permission',
        'intune',
        'features',
      ]);
      expect(result(report, 'permission')).toMatchObject({
        code: 'CHECK_PERMISSION_OK',
        params: {
          permission: 'DeviceManagementServiceConfig.ReadWrite.All',
          kind: method === 'certificate' ? 'application' : 'delegated',
        },
      });
      expect(result(report, 'intune').seen.join(' ')).toMatch(/request-id [0-9a-f-]{36}/);
      expect(report.requests).toMatchObject({ graphWrites: 0 });
      expect(report.requests.graph).toBeGreaterThanOrEqual(6);
      expect(report.fallbacks).toEqual([]);
    },
  );
});

describe('autopilot-station check: each broken set-up fails its own check, says what was seen and what to do', () => {
  it('redirect URI not registered (browser): AADSTS50011 with the value to register, before any sign-in', async () => {
    const { code, report, stderr } = await check({ signIn: { redirectPlatform: 'none' } }, 'browser');
    expect(code).toBe(1);
    expect(stderr).toContain('"sign-in"');
    expect(result(report, 'sign-in')).toMatchObject({
      status: 'failed',
      code: 'AUTH_REDIRECT_URI',
      params: { redirectUri: 'http://localhost', aadsts: '50011' },
    });
    expect(result(report, 'sign-in').action).toContain('Mobile and desktop applications');
    expect(statuses(report)).toMatchObject({
      tenant: 'ok',
      permission: 'not-checked',
      intune: 'not-checked',
      features: 'not-checked',
    });
  });

  it('redirect registered as Web (browser): the token request fails AADSTS7000218, told as the public client setting', async () => {
    const { report } = await check({ signIn: { redirectPlatform: 'web' } }, 'browser');
    expect(result(report, 'sign-in')).toMatchObject({
      status: 'failed',
      code: 'AUTH_PUBLIC_CLIENT',
      params: { redirectUri: 'http://localhost', aadsts: '7000218' },
    });
    expect(result(report, 'sign-in').seen).toContain('AADSTS7000218');
  });

  it('public client flows off (device code): found by the probe, no code is shown to anyone', async () => {
    const { report, stderr } = await check({ signIn: { publicClientFlows: false } }, 'device-code');
    expect(result(report, 'sign-in')).toMatchObject({ status: 'failed', code: 'AUTH_PUBLIC_CLIENT' });
    expect(stderr).not.toContain('enter the code');
  });

  it('device code blocked by Conditional Access: AADSTS53003 with the advice to use browser or certificate; browser sign-in still passes', async () => {
    const blocked = await check({ signIn: { deviceCodeBlocked: true } }, 'device-code');
    expect(result(blocked.report, 'sign-in')).toMatchObject({
      status: 'failed',
      code: 'AUTH_CONDITIONAL_ACCESS',
      params: { aadsts: '53003' },
    });
    expect(result(blocked.report, 'sign-in').action).toMatch(/browser sign-in or certificate/);
    const browser = await check({ signIn: { deviceCodeBlocked: true } }, 'browser');
    expect(browser.report.status).toBe('ok');
  });

  it('admin consent missing: delegated sign-in fails AADSTS65001; app-only gets a token without the permission', async () => {
    const delegated = await check({ signIn: { consentGranted: false } }, 'device-code');
    expect(result(delegated.report, 'sign-in')).toMatchObject({
      status: 'failed',
      code: 'AUTH_CONSENT_MISSING',
      params: { permission: 'DeviceManagementServiceConfig.ReadWrite.All' },
    });
    const app = await check({ signIn: { consentGranted: false } }, 'certificate');
    expect(result(app.report, 'sign-in').status).toBe('ok');
    expect(result(app.report, 'permission')).toMatchObject({
      status: 'failed',
      code: 'CHECK_PERMISSION_MISSING',
      params: { kind: 'application', granted: '-' },
    });
    expect(result(app.report, 'permission').action).toMatch(/Grant admin consent/);
  });

  it('permission missing (only User.Read consented): the permission check names it, Intune answers 403', async () => {
    const { report } = await check({ app: { scopes: ['User.Read'] } }, 'device-code');
    expect(result(report, 'permission')).toMatchObject({
      status: 'failed',
      code: 'CHECK_PERMISSION_MISSING',
      params: { kind: 'delegated', granted: 'User.Read' },
    });
    expect(result(report, 'intune')).toMatchObject({ status: 'failed', code: 'GRAPH_PERMISSION_MISSING' });
    expect(result(report, 'intune').seen.join(' ')).toMatch(/HTTP 403.*request-id/);
  });

  it('beta accepts DeviceManagementConfiguration.ReadWrite.All; v1.0 does not', async () => {
    const scenario = { app: { roles: ['DeviceManagementConfiguration.ReadWrite.All'] } };
    const beta = await check(scenario, 'certificate', ['--api', 'beta']);
    expect(result(beta.report, 'permission')).toMatchObject({
      status: 'ok',
      params: { permission: 'DeviceManagementConfiguration.ReadWrite.All' },
    });
    const v1 = await check(scenario, 'certificate');
    expect(result(v1.report, 'permission').status).toBe('failed');
  });

  it('no Intune licence: told apart from a missing permission', async () => {
    const { code, report } = await check({ intuneLicensed: false }, 'certificate');
    expect(code).toBe(1);
    expect(statuses(report)).toMatchObject({
      'sign-in': 'ok',
      permission: 'ok',
      intune: 'failed',
      features: 'not-checked',
    });
    expect(result(report, 'intune')).toMatchObject({ code: 'GRAPH_NO_INTUNE_LICENCE' });
    expect(result(report, 'intune').seen).toContain('HTTP 400');
  });

  it("wrong cloud: the metadata names the tenant's cloud; no sign-in is attempted", async () => {
    const { report } = await check({ homeCloud: 'usgov' }, 'certificate');
    expect(result(report, 'tenant')).toMatchObject({
      status: 'failed',
      code: 'CHECK_TENANT_OTHER_CLOUD',
      params: { otherCloud: 'US Government' },
    });
    expect(result(report, 'tenant').seen).toContain('cloud_instance_name microsoftonline.us');
    expect(statuses(report)).toMatchObject({
      'sign-in': 'not-checked',
      permission: 'not-checked',
      intune: 'not-checked',
    });
    expect(result(report, 'sign-in').params).toEqual({ after: 'tenant' });
  });

  it("clock skew: 15 minutes fails, 2 minutes warns (exit 0), from the services' Date headers", async () => {
    const far = await check({ clockSkewS: 900 }, 'certificate');
    expect(far.code).toBe(1);
    const clock = result(far.report, 'clock');
    expect(clock.status).toBe('failed');
    expect(Math.abs(Number(clock.params!.skewS) - 900)).toBeLessThanOrEqual(2);
    const near = await check({ clockSkewS: -120 }, 'certificate');
    expect(near.code).toBe(0);
    expect(result(near.report, 'clock')).toMatchObject({ status: 'warning', code: 'CHECK_CLOCK_SKEW' });
    expect(near.report.status).toBe('warning');
  });

  it('an optional feature that fails (contains with a dash answers 500): a warning naming the fallback', async () => {
    const { code, report } = await check({ dashInSerialFilter: 'error' }, 'certificate');
    expect(code).toBe(0);
    expect(result(report, 'features')).toMatchObject({
      status: 'warning',
      code: 'CHECK_FEATURES_FALLBACK',
      params: { failed: 'contains(serialNumber)' },
    });
    expect(report.fallbacks).toEqual([
      'contains(serialNumber): pages the registered devices and matches serials itself',
    ]);
  });

  it("a TLS-inspecting proxy: both hosts fail naming the proxy's CA and the setting to give it; nothing else is tried", async () => {
    const { code, report } = await check({ tlsInterceptedBy: 'Contoso Web Proxy CA' }, 'certificate');
    expect(code).toBe(1);
    for (const id of ['authority', 'graph'] as const) {
      expect(result(report, id)).toMatchObject({
        status: 'failed',
        code: 'CHECK_TLS_INTERCEPTED',
        params: { issuer: 'Contoso Web Proxy CA' },
      });
    }
    // What works: the Windows store for the app, the CA file for Node's stack (the app's fuses turn NODE_EXTRA_CA_CERTS
    // off).
    expect(result(report, 'authority').action).toMatch(/Windows certificate store.*CA file in settings \(caFile\)/);
    expect(result(report, 'authority').action).not.toContain('NODE_EXTRA_CA_CERTS');
    expect(statuses(report)).toMatchObject({ clock: 'not-checked', tenant: 'not-checked', 'sign-in': 'not-checked' });
    expect(report.requests).toEqual({ signIn: 0, graph: 0, graphWrites: 0 });
  });

  it("an account of another tenant (MSP technician): the token's tid is not the tenant; signed out, both tenants named", async () => {
    const other = '0f0e0d0c-0000-4000-8000-000000000001';
    const { report } = await check({ signIn: { tokenTenantId: other } }, 'device-code');
    expect(result(report, 'sign-in')).toMatchObject({
      status: 'failed',
      code: 'AUTH_WRONG_TENANT',
      params: { actual: other },
    });
    expect(result(report, 'sign-in').message).toContain(other);
  });

  it('a real tenant without a client id: refused in words before anything is sent', async () => {
    const command = makeCheckCommand({
      io: { stdout: () => {}, stderr: () => {} },
      dataDir: () => mkdtempSync(path.join(os.tmpdir(), 'check-cli-real-')),
      station: createStation,
      clock: systemClock,
      logger: () => silentLogger,
    });
    await expect(command(['--tenant', 'contoso.onmicrosoft.com', '--json'])).rejects.toMatchObject({
      code: 'AUTH_CLIENT_ID_REQUIRED',
    });
    await expect(command(['--scenario', 'x.json'])).rejects.toMatchObject({ code: 'USAGE' });
    await expect(command(['--tenant', 'sim', '--method', 'password'])).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('the real binary prints a readable report and exits 0 for the training tenant', () => {
    const r = spawnSync(process.execPath, ['bin/autopilot-station.js', 'check', '--tenant', 'sim'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Connection check of .*: ok$/m);
    expect(r.stdout).toMatch(/^ {2}ok +intune +The tenant has Intune/m);
    expect(r.stdout).toMatch(/requests: \d+ to the sign-in service, \d+ to Graph \(0 writes\)/);
    // The simulated tenant inside the process is always reached directly, whatever HTTPS_PROXY says.
    expect(r.stdout).toMatch(
      /^ {2}network \(Node, proxy from HTTPS_PROXY\/NO_PROXY\): sign-in direct, Graph the same$/m,
    );
  });
});

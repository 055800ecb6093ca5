import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { scaledClock, systemClock, type Clock } from '../kernel/clock.ts';
import { createStation } from '../app/createStation.ts';
import { silentLogger, stderrLogger, type Logger } from '../kernel/logger.ts';
import { AuthService } from '../auth/authService.ts';
import { loadCertificateCredential } from '../auth/certificateCredential.ts';
import { EncryptedCachePlugin } from '../auth/encryptedCachePlugin.ts';
import { KeyFileProtector } from '../auth/keyFileProtector.ts';
import { MsalNetworkClient } from '../auth/msalNetworkClient.ts';
import { authAttempt } from '../check/connectionCheckService.ts';
import { runConnectionCheck } from '../check/connectionCheck.ts';
import { settingsPatch } from '../contract/schemas.ts';
import type { AuthMode, ConnectionCheckReport } from '../contract/types.ts';
import { customCloud } from '../graph/clouds.ts';
import { createNodeNetwork } from '../net/nodeNetwork.ts';
import type { FetchLike } from '../net/networkPort.ts';
import { startSimulatedTenant } from '../sim/startSimulatedTenant.ts';
import { processIo, usageError, type CliCommand, type CliIo } from './cliSupport.ts';
import { defaultDataDir } from './serveCommand.ts';
import {
  openTenantStation,
  parseTenantSelection,
  SIM_TIME_SCALE,
  TENANT_SELECTION_OPTIONS,
  type TenantStationDeps,
} from './tenantSelection.ts';

export interface CheckCommandDeps extends TenantStationDeps {
  io: CliIo;
  clock: Clock;
  logger?: () => Logger;
}

const METHODS: AuthMode[] = ['browser', 'device-code', 'certificate'];

/**
 * `check [--tenant ID|sim] [--client-id ID] [--cloud C] [--method M] [--api V] [--scenario F] [--json]`: the read-only
 * pre-flight check of this bench, the tenant and its app registration. Exit 0 when nothing failed
 * (warnings allowed), 1 otherwise. `--tenant sim` checks a simulated tenant in this process (the
 * training scenario, or `--scenario F` to play a broken tenant) signed in to like a real one; its
 * simulated technician approves device codes and answers the browser page by itself.
 */
export function makeCheckCommand(deps: CheckCommandDeps): CliCommand {
  return async (argv) => {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...TENANT_SELECTION_OPTIONS,
        'client-id': { type: 'string' },
        method: { type: 'string' },
        api: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    });
    const method = values.method as AuthMode | undefined;
    if (method !== undefined && !METHODS.includes(method))
      throw usageError(`--method must be one of ${METHODS.join(', ')}, not "${values.method}".`);
    const selection = parseTenantSelection(values);
    const logger = deps.logger?.() ?? stderrLogger();
    const { io } = deps;

    let report: ConnectionCheckReport;
    if (selection.kind === 'sim') {
      if (values.api !== undefined && values.api !== 'v1.0' && values.api !== 'beta')
        throw usageError(`--api must be v1.0 or beta, not "${values.api}".`);
      report = await checkSimulatedTenant({
        scenario: selection.scenario ?? 'training',
        method: method ?? 'certificate',
        api: (values.api as 'v1.0' | 'beta' | undefined) ?? 'v1.0',
        io,
        logger,
      });
    } else {
      const patch: Record<string, unknown> = {};
      if (values['client-id'] !== undefined) patch.clientId = values['client-id'];
      if (values.api !== undefined) patch.apiVersion = values.api;
      if (method !== undefined) patch.authMode = method;
      const parsed = settingsPatch.safeParse(patch);
      if (!parsed.success)
        throw usageError(`${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}.`);
      // A real tenant (--tenant/--cloud saved as the Settings screen does) or a shared simulated tenant (--tenant-url).
      const opened = await openTenantStation(selection, deps, { logger, options: { clock: deps.clock } });
      const station = opened.station;
      const off = station.bus.subscribe((name, payload) => {
        if (name === 'deviceCode') io.stderr(`${(payload as { message: string }).message}\n`);
      });
      try {
        if (Object.keys(parsed.data).length) await station.handlers.updateSettings({ patch: parsed.data });
        report = await station.handlers.checkConnection({});
      } finally {
        off();
        await opened.close();
      }
    }
    if (values.json) io.stdout(`${JSON.stringify(report)}\n`);
    else io.stdout(checkText(report));
    if (report.status === 'failed') {
      const first = report.checks.find((c) => c.status === 'failed')!;
      io.stderr(`autopilot-station: the check failed at "${first.id}": ${first.message}\n`);
      return 1;
    }
    return 0;
  };
}

/** The report for a terminal: one line per check, then what was seen and what to do. */
export function checkText(r: ConnectionCheckReport): string {
  const mark = { ok: 'ok     ', warning: 'warning', failed: 'FAILED ', 'not-checked': 'not checked' } as const;
  const lines = [`Connection check of ${r.tenant} (${r.cloud}, ${r.method}, Graph ${r.apiVersion}): ${r.status}`];
  for (const c of r.checks) {
    lines.push(`  ${mark[c.status].padEnd(11)} ${c.id.padEnd(10)} ${c.message}`);
    if (c.seen.length) lines.push(`${' '.repeat(25)}seen: ${c.seen.join('; ')}`);
    if (c.action && c.status !== 'ok') lines.push(`${' '.repeat(25)}do: ${c.action}`);
  }
  if (r.fallbacks.length) lines.push(`  fallbacks: ${r.fallbacks.join('; ')}`);
  if (r.network) {
    const words = (route: string) => (route === 'direct' ? 'direct' : `through the proxy ${route}`);
    const stack = r.network.stack === 'electron' ? 'Windows network settings' : 'Node, proxy from HTTPS_PROXY/NO_PROXY';
    lines.push(
      `  network (${stack}): sign-in ${words(r.network.authority)}${r.network.graph === r.network.authority ? ', Graph the same' : `, Graph ${words(r.network.graph)}`}`,
    );
  }
  lines.push(
    `  requests: ${r.requests.signIn} to the sign-in service, ${r.requests.graph} to Graph (${r.requests.graphWrites} writes); ${r.durationMs} ms`,
  );
  return `${lines.join('\n')}\n`;
}

/** A simulated tenant in this process, checked with the chosen sign-in method exactly as a real tenant is. */
async function checkSimulatedTenant(o: {
  scenario: string;
  method: AuthMode;
  api: 'v1.0' | 'beta';
  io: CliIo;
  logger: Logger;
}): Promise<ConnectionCheckReport> {
  const clock = scaledClock(SIM_TIME_SCALE);
  const sim = await startSimulatedTenant({
    clock,
    timeScale: SIM_TIME_SCALE,
    scenario: o.scenario,
    logger: o.logger.child({ component: 'simulated-tenant' }),
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'station-check-'));
  // The simulated tenant runs in this process on loopback: reached directly, its CA trusted.
  const network = createNodeNetwork({
    extraCa: [sim.caCertPem],
    direct: true,
    logger: o.logger,
    purpose: 'simulated tenant (local)',
  });
  try {
    const cloud = customCloud(sim.graphUrl, sim.authorityHost, 'Simulated tenant');
    const auth = new AuthService(
      { mode: o.method, clientId: sim.clientId, tenantId: sim.tenantId, cloud },
      {
        cache: new EncryptedCachePlugin(
          path.join(dir, 'token-cache.bin'),
          new KeyFileProtector(path.join(dir, 'token-cache.key'), silentLogger),
          o.logger,
        ),
        logger: o.logger,
        openBrowser: (url) => simulatedBrowser(url, network.fetch),
        onDeviceCode: (p) => {
          o.io.stderr(`${p.message}\n(simulated tenant: its technician enters the code)\n`);
          sim.approveDeviceCode(p.userCode);
        },
        loadCertificate: async () => loadCertificateCredential(Buffer.from(sim.clientCertificatePem)),
        networkClient: new MsalNetworkClient(network.fetch),
      },
    );
    return await runConnectionCheck(
      {
        mode: 'tenant',
        cloud,
        cloudLabel: cloud.label,
        tenant: sim.tenantId,
        clientId: sim.clientId,
        method: o.method,
        apiVersion: o.api,
        network,
        auth: authAttempt(auth, true),
      },
      { clock: systemClock, logger: o.logger },
    );
  } finally {
    await network.close();
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The simulated technician's browser: opens the authorize page and sends its answer to the station's
 * loopback (a redirect, or the form Entra posts with response_mode=form_post). An error page stays
 * on screen, as it would for a person.
 */
async function simulatedBrowser(url: string, fetchPage: FetchLike): Promise<void> {
  const res = await fetchPage(url, { redirect: 'manual' });
  const html = await res.text();
  const location = res.headers.get('location');
  if (res.status >= 300 && res.status < 400 && location) {
    void fetch(location).catch(() => {});
    return;
  }
  const action = /<form[^>]*action="([^"]+)"/i.exec(html)?.[1];
  if (!action) return;
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g))
    form.set(unescapeHtml(m[1]!), unescapeHtml(m[2]!));
  void fetch(unescapeHtml(action), { method: 'POST', body: form }).catch(() => {});
}

function unescapeHtml(s: string): string {
  return s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');
}

export const checkCommand = makeCheckCommand({
  io: processIo,
  dataDir: defaultDataDir,
  station: createStation,
  clock: systemClock,
});

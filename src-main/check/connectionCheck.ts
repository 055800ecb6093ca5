import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import { fromMsalError, PUBLIC_CLIENT_REDIRECT_URI } from '../auth/authErrors.ts';
import { tenantIdOfIssuer, tokenClaims, tokenTenantId } from '../auth/tenantIdentity.ts';
import { StationError, type StationErrorData } from '../contract/errors.ts';
import type {
  ApiVersion,
  AuthMode,
  CheckId,
  CheckResult,
  ConnectionCheckReport,
  StationMode,
} from '../contract/types.ts';
import { GraphFailure } from '../graph/autopilotPort.ts';
import { CLOUDS, type CloudEndpoints } from '../graph/clouds.ts';
import { GraphClient, type FetchLike } from '../graph/graphClient.ts';
import { AUTOPILOT_PERMISSION } from '../graph/graphFailures.ts';
import type { RateBudget } from '../graph/rateBudget.ts';
import { routeWords, type HostProbe, type NetworkPort } from '../net/networkPort.ts';
import { createNodeNetwork } from '../net/nodeNetwork.ts';

/**
 * The pre-flight check: is this bench, this tenant and this app registration ready to import, before
 * the first device. Read-only: identity probes that need no user, one real sign-in attempt (silent
 * when already signed in), and a handful of Graph GETs through the station's own client and rate
 * budget. Each check says what it saw (codes, request ids) and what to do.
 */

/** A real sign-in attempt: silent when signed in, else the configured method (device code, browser, certificate). */
export interface CheckAuth {
  acquireToken(): Promise<string>;
  /** Requests the sign-in sent so far (msal's own), so the report counts them too. */
  requests?(): number;
}

export interface ConnectionCheckTarget {
  mode: StationMode;
  cloud: CloudEndpoints;
  /** The cloud's name in words ("Global", "Simulated tenant"). */
  cloudLabel: string;
  /** Configured tenant: GUID or verified domain. */
  tenant: string;
  clientId: string;
  method: AuthMode;
  apiVersion: ApiVersion;
  /**
   * The station's network port for this tenant (its proxy, trusted roots, a simulated tenant's CA):
   * the check goes where the imports go. Default: Node's stack with the environment's proxy.
   */
  network?: NetworkPort;
  auth: CheckAuth;
  /** The station's rate budget for this tenant, so the check's reads count with everything else. */
  budget?: RateBudget;
}

export interface ConnectionCheckOptions {
  clock: Clock;
  logger: Logger;
  /** The bench's wall clock (compared with the services' Date headers). */
  wallClock?: () => number;
  timeoutMs?: number;
}

/**
 * On beta the check passes a token that carries this permission instead of AUTOPILOT_PERMISSION. Some beta Autopilot
 * pages list it (create windowsAutopilotDeviceIdentity); the beta import page lists only
 * DeviceManagementServiceConfig.ReadWrite.All, so that it suffices for the import is not confirmed: the Intune read
 * and the first import tell (docs/domain.md#permission-and-sign-in).
 */
export const BETA_PERMISSION = 'DeviceManagementConfiguration.ReadWrite.All';
const CLOCK_WARN_S = 60;
/** Entra and Graph tolerate about five minutes of skew on token times. */
const CLOCK_FAIL_S = 300;

const INSTANCE_OF_CLOUD: Record<string, string> = {
  'microsoftonline.com': 'Global',
  'microsoftonline.us': 'US Government',
  'partner.microsoftonline.cn': 'China (21Vianet)',
  'chinacloudapi.cn': 'China (21Vianet)',
};

type Item = Omit<CheckResult, 'id'>;

const item = (
  status: CheckResult['status'],
  code: string,
  message: string,
  action: string | undefined,
  params: Record<string, string | number> = {},
  seen: string[] = [],
): Item => ({
  status,
  code,
  message,
  ...(action ? { action } : {}),
  ...(Object.keys(params).length ? { params } : {}),
  seen,
});

const fromError = (status: CheckResult['status'], e: StationErrorData, seen: string[] = []): Item => ({
  status,
  code: e.code,
  message: e.message,
  ...(e.action ? { action: e.action } : {}),
  ...(e.params ? { params: e.params } : {}),
  seen: [...seen, ...seenOf(e)],
});

function seenOf(e: StationErrorData | GraphFailure): string[] {
  const d = (e.details ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  if (typeof d.aadsts === 'number') out.push(`AADSTS${d.aadsts}`);
  if (typeof d.status === 'number') out.push(`HTTP ${d.status}`);
  if (typeof d.serviceCode === 'string') out.push(d.serviceCode);
  if (typeof d.requestId === 'string') out.push(`request-id ${d.requestId}`);
  if (typeof d.clientRequestId === 'string') out.push(`client-request-id ${d.clientRequestId}`);
  return out;
}

export async function runConnectionCheck(
  target: ConnectionCheckTarget,
  options: ConnectionCheckOptions,
): Promise<ConnectionCheckReport> {
  const wall = options.wallClock ?? Date.now;
  const started = Date.now();
  const startedAt = new Date(wall()).toISOString();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const ownNetwork = target.network
    ? undefined
    : createNodeNetwork({ logger: options.logger, purpose: 'connection check' });
  const network = target.network ?? ownNetwork!;
  try {
    return await checkOver(network, target, options, { wall, started, startedAt, timeoutMs });
  } finally {
    await ownNetwork?.close();
  }
}

async function checkOver(
  network: NetworkPort,
  target: ConnectionCheckTarget,
  options: ConnectionCheckOptions,
  t: { wall: () => number; started: number; startedAt: string; timeoutMs: number },
): Promise<ConnectionCheckReport> {
  const { wall, started, startedAt, timeoutMs } = t;
  const baseFetch: FetchLike = network.fetch;
  const requests = { signIn: 0, graph: 0, graphWrites: 0 };
  const raw = (kind: 'signIn' | 'graph', url: string, init: RequestInit = {}) => {
    requests[kind]++;
    return baseFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  };
  const signInBefore = target.auth.requests?.() ?? 0;
  const results = new Map<CheckId, Item>();
  const set = (id: CheckId, r: Item) => results.set(id, r);
  const failed = (id: CheckId) => results.get(id)?.status === 'failed';
  const notChecked = (after: CheckId): Item =>
    item('not-checked', 'CHECK_NOT_CHECKED', `Not checked: the "${after}" check must pass first.`, undefined, {
      after,
    });
  const { cloud } = target;
  const authorityBase = `${cloud.authorityHost}/${encodeURIComponent(target.tenant)}`;
  const dates: { source: string; skewS: number }[] = [];
  const noteDate = (source: string, res: Response) => {
    const d = Date.parse(res.headers.get('date') ?? '');
    if (!Number.isNaN(d)) dates.push({ source, skewS: Math.round((d - wall()) / 1000) });
  };

  // 1–2. reachability, over the same stack and proxy as everything else
  // One probe per host: a simulated tenant serves both from one origin.
  const sameHost = new URL(cloud.authorityHost).host === new URL(cloud.graphHost).host;
  const [authorityProbe, graphProbe] = sameHost
    ? await network.probe(cloud.authorityHost, timeoutMs).then((p) => [p, p] as const)
    : await Promise.all([network.probe(cloud.authorityHost, timeoutMs), network.probe(cloud.graphHost, timeoutMs)]);
  const [authorityRoute, graphRoute] = await Promise.all([
    network.route(cloud.authorityHost),
    network.route(cloud.graphHost),
  ]);
  set('authority', reachItem(authorityProbe));
  set('graph', reachItem(graphProbe));

  // 3. the tenant in this cloud (OpenID metadata; its Date header for the clock)
  let tenantGuid: string | undefined;
  if (failed('authority')) set('tenant', notChecked('authority'));
  else if (!target.tenant.trim())
    set(
      'tenant',
      item(
        'failed',
        'AUTH_TENANT_REQUIRED',
        'No tenant is configured: sign-in needs its id (GUID) or a verified domain.',
        'Enter the tenant id or domain (contoso.onmicrosoft.com) in settings.',
      ),
    );
  else {
    try {
      const res = await raw('signIn', `${authorityBase}/v2.0/.well-known/openid-configuration`);
      noteDate(new URL(cloud.authorityHost).host, res);
      const body = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
      const codes = Array.isArray(body?.error_codes) ? (body.error_codes as unknown[]) : [];
      if (res.status !== 200 || !body) {
        const aadsts = typeof codes[0] === 'number' ? codes[0] : undefined;
        set(
          'tenant',
          item(
            'failed',
            'CHECK_TENANT_NOT_FOUND',
            `The tenant ${target.tenant} does not exist in the ${target.cloudLabel} cloud.`,
            'Check the tenant id or domain in settings, and the cloud: a US Government or China tenant does not exist in Global.',
            { tenant: target.tenant, cloud: target.cloudLabel },
            [`HTTP ${res.status}`, ...(aadsts ? [`AADSTS${aadsts}`] : [])],
          ),
        );
      } else {
        tenantGuid = tenantIdOfIssuer(body.issuer);
        const instance = typeof body.cloud_instance_name === 'string' ? body.cloud_instance_name : '';
        const expected = expectedInstance(cloud);
        if (instance && expected && instance.toLowerCase() !== expected) {
          const other = INSTANCE_OF_CLOUD[instance.toLowerCase()] ?? instance;
          set(
            'tenant',
            item(
              'failed',
              'CHECK_TENANT_OTHER_CLOUD',
              `The tenant ${target.tenant} belongs to the ${other} cloud, not to ${target.cloudLabel}.`,
              `Choose the ${other} cloud in settings (its Graph host is ${String(body.msgraph_host ?? '')}) and sign in again.`,
              { tenant: target.tenant, cloud: target.cloudLabel, otherCloud: other },
              [
                `cloud_instance_name ${instance}`,
                ...(typeof body.tenant_region_scope === 'string'
                  ? [`tenant_region_scope ${body.tenant_region_scope}`]
                  : []),
              ],
            ),
          );
        } else {
          set(
            'tenant',
            item(
              'ok',
              'CHECK_TENANT_OK',
              `The tenant ${target.tenant} exists in the ${target.cloudLabel} cloud (id ${tenantGuid ?? 'unknown'}).`,
              undefined,
              { tenant: target.tenant, tenantId: tenantGuid ?? '' },
              tenantGuid ? [`tenant id ${tenantGuid}`] : [],
            ),
          );
        }
      }
    } catch (err) {
      set(
        'tenant',
        item(
          'failed',
          'CHECK_TENANT_UNREADABLE',
          `The tenant's sign-in metadata could not be read: ${describe(err)}.`,
          'Check the network between this bench and the sign-in service, then check again.',
          { reason: describe(err) },
        ),
      );
    }
  }

  // 4. the bench clock against the services' Date headers
  if (!failed('graph')) {
    try {
      const res = await raw('graph', `${cloud.graphHost}/v1.0/`);
      noteDate(new URL(cloud.graphHost).host, res);
      await res.arrayBuffer().catch(() => undefined);
    } catch {
      /* reachability already says why */
    }
  }
  set('clock', clockItem(dates));

  // 5. the app registration answers the chosen method, then a real attempt
  let token: string | undefined;
  if (failed('tenant') || results.get('tenant')?.status === 'not-checked') set('sign-in', notChecked('tenant'));
  else {
    const probe = await signInProbe(target, authorityBase, raw).catch((err: unknown) =>
      fromError('failed', fromMsalError(err, { cloudLabel: target.cloudLabel, tenant: target.tenant }).toData()),
    );
    if (probe) set('sign-in', probe);
    else {
      try {
        token = await target.auth.acquireToken();
        const actual = tokenTenantId(token);
        if (tenantGuid && actual && actual !== tenantGuid) {
          set(
            'sign-in',
            item(
              'failed',
              'AUTH_WRONG_TENANT',
              `This account signed in to the tenant ${actual}, not to the configured tenant ${tenantGuid}.`,
              `Sign in with an account of ${target.tenant} (or one invited to it as a guest), or correct the tenant in settings.`,
              { expected: tenantGuid, actual },
              [`tid ${actual}`],
            ),
          );
          token = undefined;
        } else {
          set(
            'sign-in',
            item(
              'ok',
              'CHECK_SIGN_IN_OK',
              `The app registration accepts ${methodWords(target.method)} and gave a token for tenant ${actual ?? tenantGuid ?? target.tenant}.`,
              undefined,
              { method: target.method, tenantId: actual ?? tenantGuid ?? target.tenant },
              actual ? [`tid ${actual}`] : [],
            ),
          );
        }
      } catch (err) {
        const data =
          err instanceof StationError
            ? err.toData()
            : err instanceof GraphFailure
              ? err.toData()
              : fromMsalError(err, { cloudLabel: target.cloudLabel, tenant: target.tenant }).toData();
        set(
          'sign-in',
          fromError(
            data.code === 'AUTH_SERVICE_UNAVAILABLE' ||
              data.code === 'AUTH_DECLINED' ||
              data.code === 'AUTH_DEVICE_CODE_EXPIRED'
              ? 'warning'
              : 'failed',
            data,
          ),
        );
      }
    }
  }

  // 6. the permission in the token
  const claims = token ? tokenClaims(token) : undefined;
  if (!token) set('permission', notChecked('sign-in'));
  else set('permission', permissionItem(claims, target.apiVersion));

  // 7–8. Intune licence, read access, optional features: GETs through the station's client
  const graph = new GraphClient({
    cloud,
    apiVersion: target.apiVersion,
    tokens: { getAccessToken: async () => token ?? '' },
    clock: options.clock,
    logger: options.logger.child({ component: 'connection-check' }),
    ...(target.budget ? { budget: target.budget } : {}),
    fetch: network.fetch,
    retry: { maxAttempts: 3, maxRetryAfterMs: 30_000, attemptTimeoutMs: timeoutMs },
  });
  const fallbacks: string[] = [];
  if (!token) {
    set('intune', notChecked('sign-in'));
    set('features', notChecked('sign-in'));
  } else {
    const seen: string[] = [];
    try {
      for (const path of [
        '/deviceManagement/importedWindowsAutopilotDeviceIdentities',
        '/deviceManagement/windowsAutopilotDeviceIdentities',
      ]) {
        const r = await graph.request({
          method: 'GET',
          path,
          query: { $top: '1' },
          doing: 'checking read access to Autopilot devices',
        });
        seen.push(`GET ${path.split('/').pop()} ${r.status}${r.requestId ? ` request-id ${r.requestId}` : ''}`);
      }
      set(
        'intune',
        item(
          'ok',
          'CHECK_INTUNE_OK',
          'The tenant has Intune and this sign-in can read its Autopilot devices.',
          undefined,
          {},
          seen,
        ),
      );
    } catch (err) {
      if (!(err instanceof GraphFailure)) throw err;
      set('intune', fromError(err.transient ? 'warning' : 'failed', err.toData(), seen));
    }
    if (results.get('intune')?.status !== 'ok') set('features', notChecked('intune'));
    else set('features', await featuresItem(graph, fallbacks));
  }
  requests.signIn += (target.auth.requests?.() ?? 0) - signInBefore;
  const stats = graph.stats();
  requests.graph += stats.requests;
  requests.graphWrites += stats.writes;

  const order: CheckId[] = ['authority', 'graph', 'clock', 'tenant', 'sign-in', 'permission', 'intune', 'features'];
  const checks = order.map((id) => ({ id, ...results.get(id)! }));
  const status = checks.some((c) => c.status === 'failed')
    ? 'failed'
    : checks.some((c) => c.status === 'warning' || c.status === 'not-checked')
      ? 'warning'
      : 'ok';
  return {
    mode: target.mode,
    tenant: target.tenant,
    cloud: target.cloudLabel,
    method: target.method,
    apiVersion: target.apiVersion,
    startedAt,
    durationMs: Date.now() - started,
    status,
    checks,
    fallbacks,
    requests,
    network: { stack: network.stack, authority: routeWords(authorityRoute), graph: routeWords(graphRoute) },
  };
}

function reachItem(p: HostProbe): Item {
  const where = `${p.host}:${p.port}`;
  const via = p.via === 'direct' ? 'direct' : `via proxy ${p.via}`;
  switch (p.status) {
    case 'ok':
      return item(
        'ok',
        'CHECK_REACH_OK',
        `${where} answers (DNS, TCP and TLS) in ${p.ms} ms (${p.via === 'direct' ? 'direct connection' : `through the proxy ${p.via}`}).`,
        undefined,
        { host: p.host, ms: p.ms, via: p.via },
        [`${p.address}`, `${p.ms} ms`, via],
      );
    case 'proxy':
      return p.httpStatus === 407
        ? item(
            'failed',
            'CHECK_PROXY_AUTH',
            `The proxy ${p.proxy} wants credentials to reach ${where} (${p.reason}).`,
            "Command line and browser mode: put the proxy account in the proxy address (HTTPS_PROXY=http://user:password@proxy:port; percent-encode special characters). The Windows app signs in to the proxy with the bench user's Windows account: ask the network team to allow it.",
            { host: p.host, proxy: p.proxy, reason: p.reason },
            [p.reason, via],
          )
        : item(
            'failed',
            'CHECK_PROXY_FAILED',
            `The proxy ${p.proxy} did not open a connection to ${where} (${p.reason}).`,
            'Check the proxy address (HTTPS_PROXY, or the Windows proxy settings for the app) and ask the network team whether the proxy allows this host; NO_PROXY lists the hosts to reach without it.',
            { host: p.host, proxy: p.proxy, reason: p.reason },
            [p.reason, via],
          );
    case 'dns':
      return item(
        'failed',
        'CHECK_DNS_FAILED',
        `This bench cannot resolve ${p.host} (${p.reason}).`,
        "Check the bench's DNS server and network connection; ask the network team whether the name is blocked, or whether the bench must use a proxy.",
        { host: p.host, reason: p.reason },
        [p.reason, via],
      );
    case 'tcp':
      return item(
        'failed',
        'CHECK_TCP_FAILED',
        `This bench cannot open a connection to ${where} (${p.reason}).`,
        'A firewall blocks the connection: ask the network team to allow HTTPS (443) from this bench to this host, or to name the proxy the bench must use (HTTPS_PROXY for the command line and browser mode; the Windows proxy settings for the app).',
        { host: p.host, port: p.port, reason: p.reason },
        [p.address, p.reason, via],
      );
    case 'tls-untrusted':
      return item(
        'failed',
        'CHECK_TLS_INTERCEPTED',
        `The certificate presented for ${p.host} is not trusted (${p.reason}); it was issued by "${p.issuer}". A proxy that inspects TLS is the likely cause.`,
        `Ask the network team to exempt ${p.host} from TLS inspection (Microsoft's advice for sign-in and Graph), or make the proxy's root certificate trusted: the Windows app trusts the Windows certificate store (deploy the root with Intune or Group Policy); the command line and browser mode also trust the CA file in settings (caFile).`,
        { host: p.host, issuer: p.issuer, reason: p.reason },
        [p.reason, `issuer ${p.issuer}`, via],
      );
    case 'tls':
      return item(
        'failed',
        'CHECK_TLS_FAILED',
        `The TLS handshake with ${where} failed (${p.reason}).`,
        'A proxy or firewall may be interfering with HTTPS to this host: ask the network team.',
        { host: p.host, reason: p.reason },
        [p.reason, via],
      );
  }
}

function clockItem(dates: { source: string; skewS: number }[]): Item {
  if (!dates.length)
    return item(
      'not-checked',
      'CHECK_CLOCK_UNKNOWN',
      'No service answered with a Date header, so the bench clock was not compared.',
      'Check reachability first.',
    );
  const worst = dates.reduce((a, b) => (Math.abs(b.skewS) > Math.abs(a.skewS) ? b : a));
  const seen = dates.map((d) => `${d.source} ${d.skewS >= 0 ? '+' : ''}${d.skewS} s`);
  const params = { skewS: worst.skewS, source: worst.source };
  const off = Math.abs(worst.skewS);
  const direction = worst.skewS > 0 ? 'behind' : 'ahead of';
  if (off <= CLOCK_WARN_S)
    return item(
      'ok',
      'CHECK_CLOCK_OK',
      `The bench clock agrees with the services (${off} s apart).`,
      undefined,
      params,
      seen,
    );
  const words = `The bench clock is ${off} s ${direction} ${worst.source}.`;
  const action =
    'Set the bench to synchronise its time automatically (Windows: Settings > Time & language > Date & time > Set time automatically, or w32tm /resync) and check the time zone.';
  return off <= CLOCK_FAIL_S
    ? item(
        'warning',
        'CHECK_CLOCK_SKEW',
        `${words} Sign-in still works but tokens may be refused soon.`,
        action,
        params,
        seen,
      )
    : item(
        'failed',
        'CHECK_CLOCK_SKEW',
        `${words} Tokens will be refused as not yet valid or expired.`,
        action,
        params,
        seen,
      );
}

/** Probes that need no user: the authorize page for browser sign-in, the device code endpoint for device code. */
async function signInProbe(
  target: ConnectionCheckTarget,
  authorityBase: string,
  raw: (kind: 'signIn', url: string, init?: RequestInit) => Promise<Response>,
): Promise<Item | undefined> {
  const scope = `${target.cloud.scope} openid profile offline_access`;
  const ctx = { cloudLabel: target.cloudLabel, tenant: target.tenant };
  if (target.method === 'browser') {
    const q = new URLSearchParams({
      client_id: target.clientId,
      response_type: 'code',
      redirect_uri: PUBLIC_CLIENT_REDIRECT_URI,
      scope,
      code_challenge: randomBytes(32).toString('base64url'),
      code_challenge_method: 'S256',
      response_mode: 'query',
      prompt: 'none',
      state: randomUUID(),
    });
    const res = await raw('signIn', `${authorityBase}/oauth2/v2.0/authorize?${q}`, { redirect: 'manual' });
    const text = await res.text().catch(() => '');
    const location = res.headers.get('location') ?? '';
    let words = text;
    if (res.status >= 300 && res.status < 400 && location) {
      // Back to the loopback: the redirect URI is registered. Errors a user would clear (no session yet) are fine.
      words = new URL(location, authorityBase).searchParams.get('error_description') ?? '';
    } else if (/<form[^>]*action="http:\/\/(localhost|127\.0\.0\.1)/i.test(text)) {
      words = /name="error_description" value="([^"]*)"/.exec(text)?.[1] ?? '';
    }
    const aadsts = /AADSTS(\d+)/.exec(words)?.[1];
    if (!aadsts || ['50058', '50076', '50079', '50074', '65004'].includes(aadsts)) return undefined;
    return fromError('failed', fromMsalError({ errorMessage: words.slice(0, 500) }, ctx).toData());
  }
  if (target.method === 'device-code') {
    const form = new URLSearchParams({ client_id: target.clientId, scope });
    const res = await raw('signIn', `${authorityBase}/oauth2/v2.0/devicecode`, {
      method: 'POST',
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const body = (await res.json().catch(() => ({}))) as {
      device_code?: string;
      error?: string;
      error_description?: string;
    };
    if (res.status !== 200 || !body.device_code)
      return fromError(
        'failed',
        fromMsalError(
          { errorCode: body.error, errorMessage: body.error_description ?? `HTTP ${res.status}` },
          ctx,
        ).toData(),
      );
    // One poll right away: "pending" means the app may use device code (public client flows on).
    const poll = await raw('signIn', `${authorityBase}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: target.clientId,
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: body.device_code,
      }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const answer = (await poll.json().catch(() => ({}))) as { error?: string; error_description?: string };
    if (answer.error === 'authorization_pending' || answer.error === 'slow_down') return undefined;
    return fromError(
      'failed',
      fromMsalError(
        { errorCode: answer.error, errorMessage: answer.error_description ?? `HTTP ${poll.status}` },
        ctx,
      ).toData(),
    );
  }
  return undefined;
}

function permissionItem(claims: Record<string, unknown> | undefined, api: ApiVersion): Item {
  if (!claims)
    return item(
      'warning',
      'CHECK_PERMISSION_UNREADABLE',
      'The token could not be read, so its permissions were not checked; the Intune read below still tells.',
      undefined,
    );
  const delegated = typeof claims.scp === 'string';
  const granted = [
    ...(Array.isArray(claims.roles)
      ? (claims.roles as unknown[]).filter((r): r is string => typeof r === 'string')
      : []),
    ...(delegated ? String(claims.scp).split(' ').filter(Boolean) : []),
  ];
  const kind = delegated ? 'delegated' : 'application';
  const seen = [`${delegated ? 'scp' : 'roles'}: ${granted.join(' ') || '(none)'}`];
  const has = (p: string) => granted.includes(p);
  if (has(AUTOPILOT_PERMISSION))
    return item(
      'ok',
      'CHECK_PERMISSION_OK',
      `The token carries ${AUTOPILOT_PERMISSION} (${kind}).`,
      undefined,
      { permission: AUTOPILOT_PERMISSION, kind },
      seen,
    );
  if (api === 'beta' && has(BETA_PERMISSION))
    return item(
      'ok',
      'CHECK_PERMISSION_OK',
      `The token carries ${BETA_PERMISSION} (${kind}), which some beta Autopilot pages list; that it suffices for the import is not confirmed.`,
      undefined,
      { permission: BETA_PERMISSION, kind },
      seen,
    );
  const grantor = delegated
    ? 'An administrator (Global Administrator, Privileged Role Administrator or Cloud Application Administrator) adds it as a delegated permission in Entra admin centre > App registrations > the station\'s app > API permissions and presses "Grant admin consent"; the technician also needs an Intune role that may manage Autopilot devices.'
    : 'A Global Administrator or Privileged Role Administrator adds it as an application permission in Entra admin centre > App registrations > the station\'s app > API permissions and presses "Grant admin consent".';
  const code = has('DeviceManagementServiceConfig.Read.All')
    ? 'CHECK_PERMISSION_READ_ONLY'
    : 'CHECK_PERMISSION_MISSING';
  const words =
    code === 'CHECK_PERMISSION_READ_ONLY'
      ? `The token may read Autopilot devices but not import them: ${AUTOPILOT_PERMISSION} (${kind}) is missing.`
      : `The token does not carry ${AUTOPILOT_PERMISSION} (${kind})${api === 'beta' ? ` nor ${BETA_PERMISSION}` : ''}.`;
  return item(
    'failed',
    code,
    words,
    grantor,
    { permission: AUTOPILOT_PERMISSION, kind, granted: granted.join(' ') || '-' },
    seen,
  );
}

/** Optional query features: each probed once; a 400 or 5xx means the station uses its fallback on this tenant. */
async function featuresItem(graph: GraphClient, fallbacks: string[]): Promise<Item> {
  const probes: { feature: string; fallback: string; path: string; query: Record<string, string> }[] = [
    {
      feature: '$select',
      fallback: 'reads whole records instead of $select',
      path: '/deviceManagement/importedWindowsAutopilotDeviceIdentities',
      query: { $top: '1', $select: 'id,serialNumber,importId,state' },
    },
    {
      feature: '$filter (importId)',
      fallback: 'lists imported records and matches them by id and serial itself',
      path: '/deviceManagement/importedWindowsAutopilotDeviceIdentities',
      query: { $filter: `importId eq '${randomUUID()}'` },
    },
    {
      feature: 'contains(serialNumber)',
      fallback: 'pages the registered devices and matches serials itself',
      path: '/deviceManagement/windowsAutopilotDeviceIdentities',
      query: { $filter: "contains(serialNumber,'PREFLIGHT-CHECK')", $top: '1' },
    },
  ];
  const failedFeatures: string[] = [];
  const seen: string[] = [];
  for (const p of probes) {
    try {
      const r = await graph.request({
        method: 'GET',
        path: p.path,
        query: p.query,
        noRetry: true,
        doing: `checking ${p.feature}`,
      });
      seen.push(`${p.feature} ${r.status}`);
    } catch (err) {
      if (!(err instanceof GraphFailure)) throw err;
      failedFeatures.push(p.feature);
      fallbacks.push(`${p.feature}: ${p.fallback}`);
      seen.push(`${p.feature} ${err.status ?? err.code}${err.requestId ? ` request-id ${err.requestId}` : ''}`);
    }
  }
  if (!failedFeatures.length)
    return item(
      'ok',
      'CHECK_FEATURES_OK',
      'Every optional Graph feature the station uses answers ($select, $filter on imported identities, contains on serials).',
      undefined,
      {},
      seen,
    );
  return item(
    'warning',
    'CHECK_FEATURES_FALLBACK',
    `These optional Graph features did not answer on this tenant: ${failedFeatures.join(', ')}. The station ${fallbacks.map((f) => f.split(': ')[1]).join('; ')}.`,
    'Nothing to do: imports work with the fallbacks, with a few more requests.',
    { failed: failedFeatures.join(', ') },
    seen,
  );
}

/** The cloud instance the metadata should name for the chosen cloud; a simulated tenant names its own host. */
function expectedInstance(cloud: CloudEndpoints): string | undefined {
  const known = Object.values(CLOUDS).find(
    (c) => c.authorityHost === cloud.authorityHost && c.graphHost === cloud.graphHost,
  );
  if (!known) return new URL(cloud.authorityHost).host.toLowerCase();
  return new URL(known.authorityHost).host.replace(/^login\./, '').toLowerCase();
}

function methodWords(method: AuthMode): string {
  return method === 'browser'
    ? 'browser sign-in'
    : method === 'device-code'
      ? 'device code sign-in'
      : 'certificate sign-in';
}

function describe(err: unknown): string {
  const e = err as { cause?: { code?: string }; message?: string };
  return (e?.cause?.code ?? e?.message ?? String(err)).slice(0, 160);
}

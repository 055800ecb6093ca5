/**
 * The simulated tenant: a loopback HTTPS (or HTTP) server that behaves like the parts of Microsoft
 * Graph (Autopilot) and Entra ID the station uses. Training mode, the peer of integration tests, and
 * the workload of benchmarks. API (stable; the Graph/auth and queue work code against it):
 *
 *   const sim = await startSimulatedTenant({ port?, timeScale?, scenario?, https? = true, clock? });
 *   sim.graphUrl        origin of Graph: `${graphUrl}/v1.0/deviceManagement/...`, `${graphUrl}/beta/...`;
 *                       also the token audience; the scope is `${graphUrl}/.default` (sim.scope);
 *                       JSON batches at `${graphUrl}/{v1.0|beta}/$batch` (jsonBatchRoute.ts: ≤ 20 inside,
 *                       each handled, throttled, faulted and logged as if sent alone)
 *   sim.authorityHost   origin of the identity endpoints: authority = `${authorityHost}/${tenantId}` (sim.authority)
 *   sim.caCertPem       the run's test CA: trust it via the client's options or NODE_EXTRA_CA_CERTS
 *   sim.tenantId, sim.tenantDomain, sim.clientId
 *   sim.clientCertificate { certPem, keyPem, thumbprintSha1, thumbprintSha256 }: registered on the app
 *   sim.clientCertificatePem   cert + key in one PEM (as a .pem file an admin would hand out)
 *   sim.registerClientCertificate(certPem)     accept assertions signed by another certificate
 *   sim.approveDeviceCode(userCode, { grantedScopes? }) / declineDeviceCode / pendingUserCodes()
 *   sim.waitForUserCode(timeoutMs?)             resolves with the next pending user code
 *   sim.injectFault({ kind:
 *     '503'|'500'|'502'|'429'|'reset'|'drop-answer'|'slow'|'expire-tokens'|'record-error'|'html-200',
 *                     count?, probability?, pathContains?, method?, delayMs?, retryAfterS?, errorCode?, errorName?,
 *                     serialNumber? (record-error: only that record) }) → id
 *   sim.clearFaults(id?), sim.expireTokens(), sim.setThrottleLimits({ appWrites, ... })
 *   sim.seedRegisteredDevice({ serialNumber, manufacturer?, model?, groupTag? }), sim.seedOtherTenantDevice(serial,
 *     manufacturer?)
 *   sim.issueAccessToken('app'|'user', permissions, claimOverrides?)  tokens for negative tests (foreign aud, no scope)
 *   sim.tokenRequestClaims()  the `claims` parameter of each token request that had one (CP1, claims challenges)
 *   sim.requestLog      entries[], count({method, pathContains, status}), importCountFor(serial), importCounts(),
 *                       received (arrivals so far); an entry inside a JSON batch carries batchRequestId
 *   sim.cloudDiscoveryMetadata / sim.authorityMetadata   JSON strings for msal's options of the same names
 *   sim.setRealTenant('realistic' | 'off' | { importIdRewritten?, selectFails?, ... })  real-tenant switches
 *                       (simScenario.ts realTenantObjectSchema; also the `realTenant` option and scenario key)
 *   sim.clock, sim.timeScale, sim.scenario, sim.model
 *   await sim.stop()
 *
 * Every delay (processing, registration, profile assignment, sync rule, throttle window, token and
 * device-code lifetimes, Retry-After) is in service time; `timeScale` (or the given clock) shrinks it.
 * Retry-After values are service seconds: a client sleeping on the same scaled clock waits correctly.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scaledClock, type Clock } from '../kernel/clock.ts';
import { silentLogger, type Logger } from '../kernel/logger.ts';
import { FaultInjector } from './FaultInjector.ts';
import { graphError } from './graphError.ts';
import { handleGraph, isGraphPath, throttledError, type GraphContext } from './graphRoutes.ts';
import { handleIdentity, oauthError } from './identityRoutes.ts';
import { answerBatch, isBatchPath } from './jsonBatchRoute.ts';
import { RateLimiter, type RateLimits } from './RateLimiter.ts';
import { RequestLog, type RequestLogEntry } from './RequestLog.ts';
import { SimIdentity } from './SimIdentity.ts';
import {
  loadScenarioFile,
  parseScenario,
  resolveRealTenant,
  type FaultSpec,
  type RealTenantInput,
  type RealTenantSwitches,
  type SimScenario,
  type SimScenarioInput,
} from './simScenario.ts';
import { answerObjects, type SimRequest, type SimResponse } from './simHttp.ts';
import { validateAgainstCsdl } from './csdlModel.ts';
import { TenantModel, type TenantModelSnapshot } from './TenantModel.ts';
import { corporateModelOf } from './CorporateIdentityModel.ts';
import { SHARED_CONNECTION_PATH } from '../graph/remoteTenant.ts';
import trainingScenarioJson from './scenarios/training.json' with { type: 'json' };
import {
  createClientCertificate,
  createTestCa,
  issueServerCertificate,
  type ClientCertificate,
} from './testCertificates.ts';

const MODULE_DIR = path.dirname(fileURLToPath(import.meta.url));
/** The training scenario's tenant id (its saved state is only ever restored into the same tenant). */
export const TRAINING_TENANT_ID: string = (trainingScenarioJson as { tenantId: string }).tenantId;
export const TRAINING_SCENARIO_PATH = path.join(MODULE_DIR, 'scenarios', 'training.json');
/**
 * Sample OEM hash files for training mode (made with encodeHardwareHash). In a source checkout; the
 * packaged app makes the same files with trainingSampleFiles() from ./trainingSamples.ts.
 */
export const TRAINING_SAMPLES_DIR = path.join(MODULE_DIR, 'scenarios', 'training-samples');

export interface SimTenantOptions {
  port?: number;
  /**
   * Service seconds per real second (default 1). Ignored for delays when `clock` is given, still used for token
   * lifetimes.
   */
  timeScale?: number;
  /** A parsed scenario, its JSON input, a file path, or 'training'. */
  scenario?: SimScenarioInput | SimScenario | string;
  /** HTTPS with the run's test CA (default true); false serves plain HTTP (msal-node requires HTTPS authorities). */
  https?: boolean;
  clock?: Clock;
  logger?: Logger;
  /** Random source for probabilistic faults (tests pass a seeded one). */
  random?: () => number;
  /** Real-tenant switches, replacing the scenario's (`'realistic'` turns them all on). */
  realTenant?: RealTenantInput;
  /** Address to listen on (default 127.0.0.1; `0.0.0.0` for a classroom sharing one tenant). */
  host?: string;
  /**
   * The name or IP stations use to reach it (default 127.0.0.1): the origin of its URLs and a name in its certificate.
   */
  publicHost?: string;
  /**
   * Serve GET /station/connection: tenant and app ids and the simulated app's certificate, so a
   * station given only the URL and the CA can sign in (`import --tenant-url`, Settings' tenantUrl).
   * A simulated tenant holds no real data, and its certificate opens nothing else. Default false.
   */
  shareConnection?: boolean;
  /** The tenant's state from an earlier run (training mode across restarts); replaces the scenario's seeds. */
  restore?: TenantModelSnapshot;
  /**
   * Called after the tenant handled a Graph write, before the client hears the answer (training mode saves its state
   * here).
   */
  onGraphWrite?: (write: { method: string; path: string; status: number }) => void;
}

/** What GET /station/connection answers: a remote station's training connection. */
export interface SharedConnection {
  graphUrl: string;
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientCertificatePem: string;
  timeScale: number;
  scenario: string;
}
export { SHARED_CONNECTION_PATH };

export interface SimTenant {
  graphUrl: string;
  authorityHost: string;
  authority: string;
  scope: string;
  caCertPem: string;
  tenantId: string;
  tenantDomain: string;
  clientId: string;
  clientCertificate: ClientCertificate;
  clientCertificatePem: string;
  cloudDiscoveryMetadata: string;
  authorityMetadata: string;
  clock: Clock;
  timeScale: number;
  scenario: SimScenario;
  model: TenantModel;
  requestLog: RequestLog;
  registerClientCertificate(certPem: string): { sha1: string; sha256: string };
  approveDeviceCode(userCode: string, options?: { grantedScopes?: string[] }): boolean;
  declineDeviceCode(userCode: string): boolean;
  pendingUserCodes(): string[];
  waitForUserCode(timeoutMs?: number): Promise<string>;
  injectFault(spec: FaultSpec): number;
  clearFaults(id?: number): void;
  expireTokens(): void;
  setThrottleLimits(limits: Partial<RateLimits>): void;
  seedRegisteredDevice(d: {
    serialNumber: string;
    manufacturer?: string;
    model?: string;
    groupTag?: string;
    userPrincipalName?: string;
    id?: string;
  }): string;
  seedOtherTenantDevice(serialNumber: string, manufacturer?: string): void;
  issueAccessToken(kind: 'app' | 'user', permissions: string[], claims?: Record<string, unknown>): string;
  /** The `claims` parameter of every token request that carried one (CP1 declared, challenges answered). */
  tokenRequestClaims(): string[];
  /** Turns real-tenant switches on or off while running; answers the switches now in force. */
  setRealTenant(input: RealTenantInput): RealTenantSwitches;
  stop(): Promise<void>;
}

const MAX_BODY = 20 * 1024 * 1024;
/** What a captive portal answers in Graph's place (fault html-200). */
const CAPTIVE_PORTAL_PAGE =
  '<!doctype html><html><head><title>Guest Wi-Fi</title></head><body><h1>Welcome</h1><p>Accept the terms of use to continue.</p><form method="post"><button>Accept</button></form></body></html>';
const REQUEST_FAULTS = new Set<FaultSpec['kind']>([
  '503',
  '500',
  '502',
  '429',
  'reset',
  'drop-answer',
  'slow',
  'expire-tokens',
  'html-200',
]);
/**
 * Faults a request inside a JSON batch can meet: its own answer fails or comes late (connection faults hit the batch).
 */
const INNER_FAULTS = new Set<FaultSpec['kind']>(['503', '500', '502', '429', 'slow']);

async function resolveScenario(input: SimTenantOptions['scenario']): Promise<SimScenario> {
  // The training scenario is bundled (the packaged app has no source tree to read it from).
  if (input === 'training') return parseScenario(trainingScenarioJson, 'training scenario');
  if (typeof input === 'string') return loadScenarioFile(input);
  return parseScenario(input ?? {});
}

export async function startSimulatedTenant(options: SimTenantOptions = {}): Promise<SimTenant> {
  const timeScale = options.timeScale ?? 1;
  const clock = options.clock ?? scaledClock(timeScale);
  const logger = options.logger ?? silentLogger;
  const scenario = await resolveScenario(options.scenario);
  if (options.realTenant !== undefined) scenario.realTenant = resolveRealTenant(options.realTenant);
  const useHttps = options.https ?? true;
  const tenantId = scenario.tenantId ?? randomUUID();
  const clientId = scenario.clientId ?? randomUUID();

  const model = new TenantModel(clock, scenario);
  if (options.restore) {
    model.restore(options.restore);
    // Corporate identifiers live beside the model; a training tenant restores them too.
    if (options.restore.corporate) corporateModelOf(model, clock).restore(options.restore.corporate);
  }
  const identity = new SimIdentity({
    clock,
    timeScale,
    tenantId,
    tenantDomain: scenario.tenantDomain,
    clientId,
    user: scenario.user,
    roles: scenario.app.roles,
    scopes: scenario.app.scopes,
    tokenLifetimeS: scenario.tokenLifetimeS,
    deviceCodeIntervalS: scenario.deviceCodeIntervalS,
    deviceCodeLifetimeS: scenario.deviceCodeLifetimeS,
    signIn: scenario.signIn,
    homeCloud: scenario.homeCloud,
  });
  const clientCertificate = createClientCertificate('Autopilot Station simulated bench');
  identity.registerClientCertificate(clientCertificate.certPem);
  for (const pem of scenario.app.certificates) identity.registerClientCertificate(pem);
  const limiter = new RateLimiter(clock, scenario.throttle);
  const faults = new FaultInjector(options.random);
  for (const f of scenario.faults) faults.inject(f);
  const requestLog = new RequestLog(model.importsPerSerial);
  const ctx: GraphContext = { model, identity, limiter, faults, scenario, clock, settingsId: randomUUID() };

  const ca = useHttps ? createTestCa() : undefined;
  const publicHost = options.publicHost ?? '127.0.0.1';
  const isIp = /^[\d.]+$|:/.test(publicHost);
  // A TLS-inspecting proxy on the path (scenario tlsInterceptedBy): the server's certificate comes from the
  // proxy's own CA, not from the CA clients were told to trust.
  const serverCert = ca
    ? issueServerCertificate(scenario.tlsInterceptedBy ? createTestCa(scenario.tlsInterceptedBy) : ca, {
        dns: ['localhost', ...(isIp ? [] : [publicHost])],
        ips: ['127.0.0.1', '::1', ...(isIp && publicHost !== '127.0.0.1' ? [publicHost] : [])],
      })
    : undefined;
  let origin = '';

  /** A fault's answer on a Graph path (the request itself never reaches the handlers). */
  const graphFault = (simReq: SimRequest, hard: FaultSpec): SimResponse => {
    const retry = hard.retryAfterS ?? 5;
    return hard.kind === '503'
      ? graphError(simReq, 503, 'ServiceUnavailable', 'The service is temporarily unavailable. Please retry later.', {
          'retry-after': String(retry),
        })
      : hard.kind === '429'
        ? throttledError(simReq, ctx, 'Too many requests. Please retry later.', retry)
        : hard.kind === '502'
          ? graphError(simReq, 502, 'BadGateway', 'The service encountered a bad gateway.')
          : graphError(simReq, 500, 'InternalServerError', 'An internal server error has occurred.');
  };

  /** A handler's answer; one that throws (a bug of the sim, never the client's) is a logged 500. */
  const handled = (simReq: SimRequest, handle: () => SimResponse): SimResponse => {
    try {
      return handle();
    } catch (err) {
      logger.error('simulated tenant: handler failed', { path: simReq.url.pathname, error: (err as Error).message });
      return graphError(simReq, 500, 'InternalServerError', 'An internal server error has occurred.');
    }
  };

  /** After a Graph write, the owner saves the tenant (training keeps its state on disk); a failed save is logged. */
  const wrote = (method: string, pathname: string, status: number): void => {
    if (method === 'GET' || !options.onGraphWrite) return;
    try {
      options.onGraphWrite({ method, path: pathname, status });
    } catch (err) {
      logger.error('simulated tenant: saving after a write failed', { error: (err as Error).message });
    }
  };

  /**
   * One request inside a JSON batch: the same faults, handlers, write hook and self-check as a
   * request of its own, and an entry of its own in the request log (Intune counts each).
   */
  const answerInner = async (inner: SimRequest, batchRequestId: string): Promise<SimResponse> => {
    requestLog.received++;
    const started = Date.now();
    const at = new Date(clock.now()).toISOString();
    const fired = faults.take(inner.method, inner.url.pathname, INNER_FAULTS);
    for (const f of fired) if (f.kind === 'slow') await clock.sleep(f.delayMs ?? 5000);
    const hard = fired.find((f) => f.kind !== 'slow');
    const out = hard ? graphFault(inner, hard) : handled(inner, () => handleGraph(inner, ctx, origin));
    wrote(inner.method, inner.url.pathname, out.status);
    const csdlIssues = selfCheck(inner.url.pathname, out);
    requestLog.add({
      at,
      method: inner.method,
      path: inner.url.pathname,
      query: inner.url.search,
      status: out.status,
      outcome: 'answered',
      requestId: inner.requestId,
      clientRequestId: inner.clientRequestId,
      batchRequestId,
      ...(out.importCount !== undefined ? { importCount: out.importCount } : {}),
      ...(fired.length ? { faults: fired.map((f) => f.kind) } : {}),
      ...(csdlIssues.length ? { csdlIssues } : {}),
      durationMs: Date.now() - started,
    });
    return out;
  };

  const answer = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    requestLog.received++;
    const started = Date.now();
    const at = new Date(clock.now()).toISOString();
    const requestId = randomUUID();
    const clientRequestId =
      typeof req.headers['client-request-id'] === 'string' ? req.headers['client-request-id'] : requestId;
    const url = new URL(req.url ?? '/', origin);
    const method = (req.method ?? 'GET').toUpperCase();
    const logEntry = (
      status: number,
      extra: {
        importCount?: number;
        faults?: string[];
        outcome?: RequestLogEntry['outcome'];
        csdlIssues?: string[];
      } = {},
    ) =>
      requestLog.add({
        at,
        method,
        path: url.pathname,
        query: url.search,
        status,
        outcome: extra.outcome ?? 'answered',
        requestId,
        ...(typeof req.headers['client-request-id'] === 'string' ? { clientRequestId } : {}),
        ...(extra.importCount !== undefined ? { importCount: extra.importCount } : {}),
        ...(extra.faults?.length ? { faults: extra.faults } : {}),
        ...(extra.csdlIssues?.length ? { csdlIssues: extra.csdlIssues } : {}),
        durationMs: Date.now() - started,
      });

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      res.writeHead(413).end();
      logEntry(413);
      return;
    }
    const simReq: SimRequest = { method, url, headers: lowerHeaders(req.headers), body, requestId, clientRequestId };

    const fired = faults.take(method, url.pathname, REQUEST_FAULTS);
    const firedKinds = fired.map((f) => f.kind);
    let response: SimResponse | undefined;
    for (const f of fired) {
      if (f.kind === 'expire-tokens') identity.expireAccessTokens();
      if (f.kind === 'slow') await clock.sleep(f.delayMs ?? 5000);
    }
    const hard = fired.find((f) => f.kind !== 'slow' && f.kind !== 'expire-tokens' && f.kind !== 'drop-answer');
    const dropAnswer = fired.some((f) => f.kind === 'drop-answer');
    if (hard?.kind === 'reset') {
      logEntry(0, { faults: firedKinds, outcome: 'reset' });
      req.socket.destroy();
      return;
    }
    if (hard?.kind === 'html-200') {
      // A captive portal answered: the tenant never saw the request.
      response = { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: CAPTIVE_PORTAL_PAGE };
    } else if (hard && !isGraphPath(url.pathname)) {
      // The identity endpoints fail the OAuth way: temporarily_unavailable (AADSTS90033) or 429 with Retry-After.
      const retry = hard.retryAfterS ?? 5;
      const throttled = hard.kind === '429';
      response = oauthError(
        throttled ? 429 : Number(hard.kind === 'record-error' ? 500 : hard.kind),
        throttled ? 'too_many_requests' : 'temporarily_unavailable',
        throttled ? 50196 : 90033,
        throttled
          ? 'AADSTS50196: The server terminated an operation because it encountered a client request loop.'
          : 'AADSTS90033: A transient error has occurred. Please try again.',
      );
      if (hard.kind === '503' || throttled)
        response.headers = { ...(response.headers ?? {}), 'retry-after': String(retry) };
    } else if (hard) {
      response = graphFault(simReq, hard);
    }

    if (!response && options.shareConnection && method === 'GET' && url.pathname === SHARED_CONNECTION_PATH) {
      const shared: SharedConnection = {
        graphUrl: origin,
        authorityHost: origin,
        tenantId,
        clientId,
        clientCertificatePem: `${clientCertificate.certPem}${clientCertificate.keyPem}`,
        timeScale,
        scenario: scenario.name,
      };
      response = { status: 200, body: shared };
    }
    // realTenant.batchUnavailable: the batch endpoint fails as a whole; single requests still work.
    if (!response && isBatchPath(url.pathname) && scenario.realTenant.batchUnavailable)
      response = graphError(
        simReq,
        503,
        'ServiceUnavailable',
        'The service is temporarily unavailable. Please retry later.',
        { 'retry-after': '5' },
      );
    if (!response && isBatchPath(url.pathname))
      response = await answerBatch(simReq, origin, (inner) => answerInner(inner, requestId));
    response ??= handled(simReq, () =>
      isGraphPath(url.pathname)
        ? handleGraph(simReq, ctx, origin)
        : (handleIdentity(simReq, identity) ??
          graphError(
            simReq,
            400,
            'BadRequest',
            `Invalid version: ${url.pathname.split('/').filter(Boolean)[0] ?? ''}`,
          )),
    );
    // A JSON batch saved after each write inside it: the batch itself writes nothing.
    if (isGraphPath(url.pathname) && !isBatchPath(url.pathname)) wrote(method, url.pathname, response.status);
    if (dropAnswer) {
      // The service did the work; the client never hears about it (a lost answer).
      logEntry(response.status, {
        ...(response.importCount !== undefined ? { importCount: response.importCount } : {}),
        faults: firedKinds,
        outcome: 'answer-dropped',
      });
      req.socket.destroy();
      return;
    }
    send(res, simReq, response, scenario.clockSkewS);
    logEntry(response.status, {
      ...(response.importCount !== undefined ? { importCount: response.importCount } : {}),
      faults: firedKinds,
      csdlIssues: selfCheck(url.pathname, response),
    });
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    answer(req, res).catch((err: unknown) => {
      logger.error('simulated tenant: request failed', { error: (err as Error).message });
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
  const server = useHttps
    ? https.createServer({ key: serverCert!.keyPem, cert: serverCert!.certPem }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = publicHost.includes(':') ? `[${publicHost}]` : publicHost;
  origin = `${useHttps ? 'https' : 'http'}://${hostInUrl}:${port}`;
  identity.graphResource = origin;
  identity.authorityHost = origin;
  const hostAndPort = `${hostInUrl}:${port}`;
  logger.info('simulated tenant started', { origin, tenantId, scenario: scenario.name });

  const authorityBase = `${origin}/${tenantId}`;
  return {
    graphUrl: origin,
    authorityHost: origin,
    authority: authorityBase,
    scope: `${origin}/.default`,
    caCertPem: ca?.certPem ?? '',
    tenantId,
    tenantDomain: scenario.tenantDomain,
    clientId,
    clientCertificate,
    clientCertificatePem: `${clientCertificate.certPem}${clientCertificate.keyPem}`,
    cloudDiscoveryMetadata: JSON.stringify({
      tenant_discovery_endpoint: `${authorityBase}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: hostAndPort, preferred_cache: hostAndPort, aliases: [hostAndPort] }],
    }),
    authorityMetadata: JSON.stringify({
      token_endpoint: `${authorityBase}/oauth2/v2.0/token`,
      authorization_endpoint: `${authorityBase}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${authorityBase}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${authorityBase}/oauth2/v2.0/logout`,
      issuer: `${authorityBase}/v2.0`,
      jwks_uri: `${authorityBase}/discovery/v2.0/keys`,
    }),
    clock,
    timeScale,
    scenario,
    model,
    requestLog,
    registerClientCertificate: (pem) => identity.registerClientCertificate(pem),
    approveDeviceCode: (code, o) => identity.approveDeviceCode(code, o),
    declineDeviceCode: (code) => identity.declineDeviceCode(code),
    pendingUserCodes: () => identity.pendingUserCodes(),
    waitForUserCode: async (timeoutMs = 10_000) => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const [code] = identity.pendingUserCodes();
        if (code) return code;
        if (Date.now() > end) throw new Error('No device code was requested in time.');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    injectFault: (spec) => faults.inject(spec),
    clearFaults: (id) => faults.clear(id),
    expireTokens: () => identity.expireAccessTokens(),
    setThrottleLimits: (limits) => limiter.setLimits(limits),
    seedRegisteredDevice: (d) => model.seedRegistered(d).id,
    seedOtherTenantDevice: (serial, manufacturer) => model.seedOtherTenant(serial, manufacturer),
    issueAccessToken: (kind, permissions, claims) => identity.issueAccessToken(kind, permissions, claims).token,
    tokenRequestClaims: () => [...identity.tokenRequestClaims],
    setRealTenant: (input) => (scenario.realTenant = resolveRealTenant(input)),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Every Graph object the sim answers is checked against the metadata; problems land in the request log. */
function selfCheck(pathname: string, r: SimResponse): string[] {
  if (!isGraphPath(pathname) || r.status >= 300) return [];
  const api = pathname.startsWith('/beta') ? 'beta' : 'v1.0';
  const out: string[] = [];
  for (const o of answerObjects(r.body)) {
    const { '@odata.context': _ctx, ...obj } = o;
    const type = String(o['@odata.type']).replace(/^#?microsoft\.graph\./, '');
    for (const i of validateAgainstCsdl(type, obj, { api })) out.push(`${type}.${i.path}: ${i.code}`);
  }
  return out;
}

function lowerHeaders(h: http.IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, req: SimRequest, r: SimResponse, clockSkewS = 0): void {
  const headers: Record<string, string> = {
    // A skewed service clock (scenario clockSkewS) shows in the Date header, as a wrong bench clock would.
    ...(clockSkewS ? { date: new Date(Date.now() + clockSkewS * 1000).toUTCString() } : {}),
    'request-id': req.requestId,
    'client-request-id': req.clientRequestId,
    'x-ms-request-id': req.requestId,
    'x-ms-ags-diagnostic': JSON.stringify({
      ServerInfo: { DataCenter: 'Simulated', Slice: 'E', Ring: '0', ScaleUnit: '000', RoleInstance: 'SIM' },
    }),
    'cache-control': 'no-store',
    ...r.headers,
  };
  if (r.body === undefined || r.status === 204) {
    res.writeHead(r.status, headers).end();
    return;
  }
  const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  if (!headers['content-type']) {
    headers['content-type'] = isGraphPath(req.url.pathname)
      ? 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8'
      : 'application/json; charset=utf-8';
  }
  res.writeHead(r.status, headers).end(text);
}

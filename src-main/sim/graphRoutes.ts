import type { Clock } from '../kernel/clock.ts';
import { validateActionBody, type ApiFlavor } from './csdlModel.ts';
import { corporateRoutes } from './corporateRoutes.ts';
import type { FaultInjector } from './FaultInjector.ts';
import { graphError } from './graphError.ts';
import { encodeSkipToken, parseFilter, parseSelect, parseSkipToken, parseTop } from './odataQuery.ts';
import type { RateLimiter } from './RateLimiter.ts';
import type { SimIdentity } from './SimIdentity.ts';
import type { SimScenario } from './simScenario.ts';
import type { SimRequest, SimResponse } from './simHttp.ts';
import type { ImportedRecord, ImportInput, RecordErrorOverride, Registration, TenantModel } from './TenantModel.ts';

/**
 * Microsoft Graph's Autopilot endpoints under /v1.0 and /beta, answered as Graph does: the import
 * action, imported identities (list with importId filter and paging, get, delete), registered devices
 * (list with contains(serialNumber), get, delete, updateDeviceProperties), and beta's
 * windowsAutopilotSettings with its sync rules. Tokens, permissions and throttling are checked first.
 */
export interface GraphContext {
  model: TenantModel;
  identity: SimIdentity;
  limiter: RateLimiter;
  faults: FaultInjector;
  scenario: SimScenario;
  clock: Clock;
  settingsId: string;
}

const READ_ONLY = ['DeviceManagementServiceConfig.Read.All', 'DeviceManagementServiceConfig.ReadWrite.All'];
const WRITE = ['DeviceManagementServiceConfig.ReadWrite.All'];
const BETA_READ = ['DeviceManagementConfiguration.Read.All', 'DeviceManagementConfiguration.ReadWrite.All'];
const BETA_WRITE = ['DeviceManagementConfiguration.ReadWrite.All'];
const NEVER = '0001-01-01T00:00:00Z';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Splits the path into segments, turning `coll('id')` key syntax into `coll`, `id`. */
function segmentsOf(pathname: string): string[] {
  const out: string[] = [];
  for (const raw of pathname.split('/').filter(Boolean)) {
    const s = decodeURIComponent(raw);
    const key = /^([A-Za-z.]+)\('([^']*)'\)$/.exec(s);
    if (key) out.push(key[1]!, key[2]!);
    else out.push(s);
  }
  return out;
}

const eqi = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();
const isAction = (s: string | undefined, name: string) => eqi(s, name) || eqi(s, `microsoft.graph.${name}`);

export function isGraphPath(pathname: string): boolean {
  const first = pathname.split('/').filter(Boolean)[0];
  return first === 'v1.0' || first === 'beta';
}

export function handleGraph(req: SimRequest, ctx: GraphContext, graphUrl: string): SimResponse {
  let segs: string[];
  try {
    segs = segmentsOf(req.url.pathname);
  } catch {
    return graphError(req, 400, 'BadRequest', 'The request URI is not valid.');
  }
  const api = segs[0] as ApiFlavor;
  const method = req.method.toUpperCase();

  // 1. the token
  const check = ctx.identity.checkAccessToken(req.headers.authorization);
  if (!check.ok) {
    return graphError(req, 401, 'InvalidAuthenticationToken', check.message, {
      'www-authenticate': `Bearer realm="", authorization_uri="${ctx.identity.authorityHost}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
    });
  }
  const claims = check.claims;
  // realTenant.claimsChallenge: a token that has not answered the challenge gets one (CAE / Conditional Access).
  if (ctx.scenario.realTenant.claimsChallenge && claims.sim_claims_met !== true) {
    const challenge = Buffer.from(
      JSON.stringify({ access_token: { nbf: { essential: true, value: String(claims.iat ?? 0) } } }),
    ).toString('base64');
    return graphError(
      req,
      401,
      'InvalidAuthenticationToken',
      'Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenCreatedWithOutdatedPolicies',
      {
        'www-authenticate': `Bearer realm="", authorization_uri="${ctx.identity.authorityHost}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="${challenge}"`,
      },
    );
  }
  const granted = new Set<string>([
    ...(Array.isArray(claims.roles) ? (claims.roles as string[]) : []),
    ...(typeof claims.scp === 'string' ? claims.scp.split(' ') : []),
  ]);
  const isWrite = method !== 'GET' && method !== 'HEAD';

  // 2. throttling, per app per tenant and tenant-wide
  const decision = ctx.limiter.check(String(claims.appid ?? claims.azp ?? 'unknown'), isWrite);
  if (!decision.ok) {
    return throttledError(
      req,
      ctx,
      `Too many requests from this application (${decision.scope}); the limit applies per 20 seconds. Retry after ${decision.retryAfterS} seconds.`,
      decision.retryAfterS,
    );
  }

  if (!eqi(segs[1], 'deviceManagement')) {
    return graphError(req, 400, 'BadRequest', `Resource not found for the segment '${segs[1] ?? ''}'.`);
  }

  // 3. permissions
  const accepted = [...(isWrite ? WRITE : READ_ONLY), ...(api === 'beta' ? (isWrite ? BETA_WRITE : BETA_READ) : [])];
  if (!accepted.some((p) => granted.has(p))) {
    const kind = claims.idtyp === 'app' ? 'Application' : 'User';
    return graphError(
      req,
      403,
      'Forbidden',
      `${kind} is not authorized to perform this operation. ${kind} must have one of the following scopes: ${accepted.join(', ')} - Operation ID (for customer support): ${req.requestId}`,
    );
  }
  if (!ctx.scenario.intuneLicensed)
    return graphError(req, 400, 'BadRequest', 'Request not applicable to target tenant.');

  // realTenant.selectFails: the backend answers any $select with a 500, on both collections.
  if (ctx.scenario.realTenant.selectFails && method === 'GET' && req.url.searchParams.has('$select')) {
    return graphError(req, 500, 'InternalServerError', 'An internal server error has occurred.');
  }

  const rest = segs.slice(2);
  const base = `${graphUrl}/${api}`;
  const collection = rest[0];
  if (eqi(collection, 'importedWindowsAutopilotDeviceIdentities'))
    return importedRoutes(req, ctx, api, base, rest.slice(1), method);
  if (eqi(collection, 'windowsAutopilotDeviceIdentities'))
    return registeredRoutes(req, ctx, api, base, rest.slice(1), method);
  if (eqi(collection, 'windowsAutopilotSettings') && api === 'beta')
    return settingsRoutes(req, ctx, base, rest.slice(1), method);
  if (eqi(collection, 'importedDeviceIdentities') && api === 'beta')
    return corporateRoutes(req, ctx, base, rest.slice(1), method);
  return graphError(
    req,
    400,
    'BadRequest',
    `Resource not found for the segment '${collection ?? 'deviceManagement'}'.`,
  );
}

/**
 * A 429. With realTenant.noRetryAfter it comes the way Intune's often does: no Retry-After header,
 * and the service's JSON message with `"RetryAfter": null`.
 */
export function throttledError(
  req: SimRequest,
  ctx: Pick<GraphContext, 'scenario'>,
  message: string,
  retryAfterS: number,
): SimResponse {
  if (!ctx.scenario.realTenant.noRetryAfter)
    return graphError(req, 429, 'TooManyRequests', message, { 'retry-after': String(retryAfterS) });
  const intune = JSON.stringify(
    {
      _version: 3,
      Message: `${message.replace(/ Retry after \d+ seconds\.$/, '')} - Operation ID (for customer support): ${req.requestId}`,
      CustomApiErrorPhrase: '',
      RetryAfter: null,
      ErrorSourceService: '',
      HttpHeaders: '{}',
    },
    null,
    2,
  );
  return graphError(req, 429, 'TooManyRequests', intune);
}

const methodNotAllowed = (req: SimRequest) =>
  graphError(req, 405, 'BadRequest', `The HTTP method '${req.method}' is not allowed for this resource.`);

function parseJson(req: SimRequest): { ok: true; value: unknown } | { ok: false; response: SimResponse } {
  try {
    return { ok: true, value: JSON.parse(req.body.toString('utf8') || 'null') };
  } catch {
    return {
      ok: false,
      response: graphError(
        req,
        400,
        'BadRequest',
        'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
      ),
    };
  }
}

// ---------- imported identities ----------

function importedJson(ctx: GraphContext, r: ImportedRecord): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.importedWindowsAutopilotDeviceIdentity',
    id: r.id,
    groupTag: r.groupTag,
    serialNumber: r.serialNumber,
    productKey: r.productKey,
    importId: r.importId,
    // realTenant.importIdRewritten: the record's own id where the client's importId (and productKey) was.
    ...(ctx.scenario.realTenant.importIdRewritten ? { productKey: r.id, importId: r.id } : {}),
    hardwareIdentifier: r.hardwareIdentifier,
    assignedUserPrincipalName: r.assignedUserPrincipalName,
    state: { '@odata.type': '#microsoft.graph.importedWindowsAutopilotDeviceIdentityState', ...ctx.model.statusOf(r) },
  };
}

function importedRoutes(
  req: SimRequest,
  ctx: GraphContext,
  api: ApiFlavor,
  base: string,
  rest: string[],
  method: string,
): SimResponse {
  const context = `${base}/$metadata#deviceManagement/importedWindowsAutopilotDeviceIdentities`;
  if (rest.length === 0) {
    if (method === 'GET') {
      const filter = parseFilter(req.url.searchParams.get('$filter'));
      if (!filter.ok) return graphError(req, 400, 'BadRequest', filter.message);
      let importId: string | undefined;
      if (filter.value.kind === 'eq' && eqi(filter.value.property, 'importId')) importId = filter.value.value;
      else if (filter.value.kind !== 'none')
        return graphError(
          req,
          400,
          'BadRequest',
          `The filter on '${filter.value.property}' is not supported on this collection.`,
        );
      return page(
        req,
        ctx,
        context,
        ctx.model.listImported(importId).map((r) => importedJson(ctx, r)),
      );
    }
    if (method === 'POST') {
      // One record POSTed to the collection, the way Get-WindowsAutopilotInfo does it.
      const body = parseJson(req);
      if (!body.ok) return body.response;
      const issues = validateActionBody('import', { importedWindowsAutopilotDeviceIdentities: [body.value] }, { api });
      if (issues.length) return graphError(req, 400, 'BadRequest', issues[0]!.message);
      const [record] = doImport(req, ctx, [body.value as ImportInput]);
      return {
        status: 201,
        body: { '@odata.context': `${context}/$entity`, ...importedJson(ctx, record!) },
        importCount: 1,
      };
    }
    return methodNotAllowed(req);
  }
  if (rest.length === 1 && isAction(rest[0], 'import')) {
    if (method !== 'POST') return methodNotAllowed(req);
    const body = parseJson(req);
    if (!body.ok) return body.response;
    const list = (body.value as { importedWindowsAutopilotDeviceIdentities?: unknown } | null)
      ?.importedWindowsAutopilotDeviceIdentities;
    if (!Array.isArray(list))
      return graphError(
        req,
        400,
        'BadRequest',
        'Value cannot be null.\r\nParameter name: importedWindowsAutopilotDeviceIdentities',
      );
    const issues = validateActionBody('import', body.value, { api });
    if (issues.length) return graphError(req, 400, 'BadRequest', issues[0]!.message);
    const limit = ctx.scenario.realTenant.importBatchLimit;
    if (limit !== undefined && list.length > limit) {
      // The whole batch is refused; nothing is imported.
      return graphError(
        req,
        400,
        'BadRequest',
        `The request contains too many importedWindowsAutopilotDeviceIdentities (${list.length}). Send fewer devices per request.`,
      );
    }
    const records = doImport(req, ctx, list as ImportInput[]);
    return {
      status: 200,
      body: {
        '@odata.context': `${base}/$metadata#Collection(microsoft.graph.importedWindowsAutopilotDeviceIdentity)`,
        value: records.map((r) => importedJson(ctx, r)),
      },
      importCount: records.length,
    };
  }
  if (rest.length === 1) {
    const record = ctx.model.getImported(rest[0]!);
    if (method === 'GET') {
      if (!record) return notFound(req, 'importedWindowsAutopilotDeviceIdentity', rest[0]!);
      return {
        status: 200,
        body: select(req, { '@odata.context': `${context}/$entity`, ...importedJson(ctx, record) }),
      };
    }
    if (method === 'DELETE')
      return ctx.model.deleteImported(rest[0]!)
        ? { status: 204 }
        : notFound(req, 'importedWindowsAutopilotDeviceIdentity', rest[0]!);
    return methodNotAllowed(req);
  }
  return graphError(req, 400, 'BadRequest', `Resource not found for the segment '${rest[1]}'.`);
}

function doImport(req: SimRequest, ctx: GraphContext, list: ImportInput[]): ImportedRecord[] {
  const overrides: (RecordErrorOverride | undefined)[] = list.map((input) => {
    const [f] = ctx.faults.take(
      req.method,
      req.url.pathname,
      new Set(['record-error']),
      typeof input?.serialNumber === 'string' ? input.serialNumber : undefined,
    );
    return f ? { errorCode: f.errorCode ?? 0, errorName: f.errorName ?? 'StorageError' } : undefined;
  });
  return ctx.model.importBatch(list, overrides);
}

// ---------- registered devices ----------

function registeredJson(ctx: GraphContext, api: ApiFlavor, r: Registration): Record<string, unknown> {
  const out: Record<string, unknown> = {
    '@odata.type': '#microsoft.graph.windowsAutopilotDeviceIdentity',
    id: r.id,
    groupTag: r.groupTag,
    purchaseOrderIdentifier: '',
    serialNumber: r.serialNumber,
    productKey: r.productKey,
    manufacturer: r.manufacturer,
    model: r.model,
    enrollmentState: 'notContacted',
    lastContactedDateTime: NEVER,
    addressableUserName: r.addressableUserName,
    userPrincipalName: r.userPrincipalName,
    resourceName: '',
    skuNumber: '',
    systemFamily: '',
    azureActiveDirectoryDeviceId: r.azureActiveDirectoryDeviceId,
    managedDeviceId: '00000000-0000-0000-0000-000000000000',
    displayName: r.displayName,
  };
  if (api === 'beta') {
    const p = ctx.model.profileStatus(r);
    out.deploymentProfileAssignmentStatus = p.status;
    out.deploymentProfileAssignmentDetailedStatus = 'none';
    out.deploymentProfileAssignedDateTime = p.assignedAt === undefined ? NEVER : iso(p.assignedAt);
  }
  return out;
}

function registeredRoutes(
  req: SimRequest,
  ctx: GraphContext,
  api: ApiFlavor,
  base: string,
  rest: string[],
  method: string,
): SimResponse {
  const context = `${base}/$metadata#deviceManagement/windowsAutopilotDeviceIdentities`;
  if (rest.length === 0) {
    if (method !== 'GET') return methodNotAllowed(req);
    const filter = parseFilter(req.url.searchParams.get('$filter'));
    if (!filter.ok) return graphError(req, 400, 'BadRequest', filter.message);
    let devices = ctx.model.listRegistrations();
    const f = filter.value;
    if (f.kind === 'eq')
      return graphError(
        req,
        400,
        'BadRequest',
        `Filter not supported: the 'eq' operator is not supported on '${f.property}'. Use contains().`,
      );
    if (f.kind === 'contains') {
      if (!eqi(f.property, 'serialNumber'))
        return graphError(req, 400, 'BadRequest', `The filter on '${f.property}' is not supported on this collection.`);
      // Reported behaviour: serials with '-' are mishandled by the service's filter.
      if (ctx.scenario.realTenant.containsDashFails && /[- ]/.test(f.value))
        return graphError(
          req,
          400,
          'BadRequest',
          `Invalid filter clause: syntax error at position ${f.value.search(/[- ]/) + 23} in 'contains(serialNumber,'${f.value}')'.`,
        );
      if (f.value.includes('-') && ctx.scenario.dashInSerialFilter === 'empty') devices = [];
      else if (f.value.includes('-') && ctx.scenario.dashInSerialFilter === 'error')
        return graphError(req, 500, 'InternalServerError', 'An internal server error has occurred.');
      else devices = devices.filter((d) => d.serialNumber.toLowerCase().includes(f.value.toLowerCase()));
    }
    return page(
      req,
      ctx,
      context,
      devices.map((d) => registeredJson(ctx, api, d)),
    );
  }
  const id = rest[0]!;
  if (rest.length === 1) {
    const reg = ctx.model.getRegistration(id);
    if (method === 'GET')
      return reg
        ? {
            status: 200,
            body: select(req, { '@odata.context': `${context}/$entity`, ...registeredJson(ctx, api, reg) }),
          }
        : notFound(req, 'windowsAutopilotDeviceIdentity', id);
    if (method === 'DELETE')
      return ctx.model.deleteRegistration(id) ? { status: 204 } : notFound(req, 'windowsAutopilotDeviceIdentity', id);
    return methodNotAllowed(req);
  }
  if (rest.length === 2 && isAction(rest[1], 'updateDeviceProperties')) {
    if (method !== 'POST') return methodNotAllowed(req);
    const body = parseJson(req);
    if (!body.ok) return body.response;
    const issues = validateActionBody('updateDeviceProperties', body.value, { api });
    if (issues.length) return graphError(req, 400, 'BadRequest', issues[0]!.message);
    const props = body.value as {
      groupTag?: string;
      userPrincipalName?: string;
      addressableUserName?: string;
      displayName?: string;
    };
    return ctx.model.updateDeviceProperties(id, props)
      ? { status: 204 }
      : notFound(req, 'windowsAutopilotDeviceIdentity', id);
  }
  return graphError(req, 400, 'BadRequest', `Resource not found for the segment '${rest[1]}'.`);
}

// ---------- beta settings and sync ----------

function settingsRoutes(req: SimRequest, ctx: GraphContext, base: string, rest: string[], method: string): SimResponse {
  if (rest.length === 0) {
    if (method !== 'GET') return methodNotAllowed(req);
    const s = ctx.model.syncState();
    return {
      status: 200,
      body: {
        '@odata.context': `${base}/$metadata#deviceManagement/windowsAutopilotSettings/$entity`,
        '@odata.type': '#microsoft.graph.windowsAutopilotSettings',
        id: ctx.settingsId,
        lastSyncDateTime:
          s.lastSyncAt !== undefined && s.status === 'completed'
            ? iso(s.lastSyncAt + ctx.model.delaysMs.syncRun)
            : NEVER,
        lastManualSyncTriggerDateTime: s.lastSyncAt !== undefined ? iso(s.lastSyncAt) : NEVER,
        syncStatus: s.status,
      },
    };
  }
  if (rest.length === 1 && isAction(rest[0], 'sync')) {
    if (method !== 'POST') return methodNotAllowed(req);
    const r = ctx.model.requestSync();
    if (r.result === 'started') return { status: 204 };
    if (r.result === 'running')
      return graphError(req, 409, 'Conflict', 'A sync is already in progress for this tenant.', {
        'retry-after': String(r.retryAfterS),
      });
    return throttledError(
      req,
      ctx,
      'Autopilot devices can be synced once every 10 minutes. Try again later.',
      r.retryAfterS,
    );
  }
  return graphError(req, 400, 'BadRequest', `Resource not found for the segment '${rest[0]}'.`);
}

// ---------- shared ----------

function notFound(req: SimRequest, type: string, id: string): SimResponse {
  return graphError(req, 404, 'ResourceNotFound', `The requested ${type} with id '${id}' was not found.`);
}

function select(req: SimRequest, obj: Record<string, unknown>): Record<string, unknown> {
  const fields = parseSelect(req.url.searchParams.get('$select'));
  if (!fields) return obj;
  const wanted = new Set(['id', ...fields.map((f) => f.toLowerCase())]);
  return Object.fromEntries(
    Object.entries(obj).filter(([k]) => k.startsWith('@odata.') || wanted.has(k.toLowerCase())),
  );
}

/** One page of a collection with @odata.nextLink when more remain ($top sets the page size). */
function page(req: SimRequest, ctx: GraphContext, context: string, items: Record<string, unknown>[]): SimResponse {
  const top = parseTop(req.url.searchParams.get('$top'));
  if (!top.ok) return graphError(req, 400, 'BadRequest', top.message);
  const skip = parseSkipToken(req.url.searchParams.get('$skiptoken'));
  if (!skip.ok) return graphError(req, 400, 'BadRequest', skip.message);
  const size = top.value ?? ctx.scenario.pageSize;
  const slice = items.slice(skip.value, skip.value + size).map((o) => select(req, o));
  const body: Record<string, unknown> = { '@odata.context': context, value: slice };
  const more = skip.value + size < items.length && size > 0;
  if (more || ctx.scenario.realTenant.nextLinkRepeats) {
    // Same address as asked, on the sim's public origin, with the position in an opaque skip token.
    // realTenant.nextLinkRepeats: the last page links to itself (the skip token stays on its first item).
    const next = new URL(req.url.pathname + req.url.search, context);
    next.searchParams.set('$skiptoken', encodeSkipToken(more ? skip.value + size : skip.value));
    body['@odata.nextLink'] = next.href;
  }
  return { status: 200, body };
}

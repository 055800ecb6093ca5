import { validateActionBody } from './csdlModel.ts';
import {
  corporateModelOf,
  type CorporateIdentityInput,
  type CorporateIdentityRecord,
} from './CorporateIdentityModel.ts';
import { graphError } from './graphError.ts';
import type { GraphContext } from './graphRoutes.ts';
import { encodeSkipToken, parseSkipToken, parseTop } from './odataQuery.ts';
import type { SimRequest, SimResponse } from './simHttp.ts';

/**
 * Beta `deviceManagement/importedDeviceIdentities` (corporate identifiers): importDeviceIdentityList,
 * searchExistingIdentities, list, get, delete. Reached from handleGraph after the token, throttling
 * (the same limiter as every Graph call) and the common permission check; these endpoints take only
 * DeviceManagementServiceConfig permissions (Microsoft's beta reference), checked here.
 */
const READ = ['DeviceManagementServiceConfig.Read.All', 'DeviceManagementServiceConfig.ReadWrite.All'];
const WRITE = ['DeviceManagementServiceConfig.ReadWrite.All'];
const NEVER = '0001-01-01T00:00:00Z';
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const eqi = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();
const isAction = (s: string | undefined, name: string) => eqi(s, name) || eqi(s, `microsoft.graph.${name}`);

function identityJson(r: CorporateIdentityRecord, type = 'importedDeviceIdentity'): Record<string, unknown> {
  return {
    '@odata.type': `#microsoft.graph.${type}`,
    id: r.id,
    importedDeviceIdentifier: r.importedDeviceIdentifier,
    importedDeviceIdentityType: r.importedDeviceIdentityType,
    lastModifiedDateTime: iso(r.modifiedAt),
    createdDateTime: iso(r.createdAt),
    lastContactedDateTime: NEVER,
    description: r.description,
    enrollmentState: 'notContacted',
    platform: r.platform,
  };
}

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

export function corporateRoutes(
  req: SimRequest,
  ctx: GraphContext,
  base: string,
  rest: string[],
  method: string,
): SimResponse {
  const check = ctx.identity.checkAccessToken(req.headers.authorization);
  const claims = check.ok ? check.claims : {};
  const granted = new Set<string>([
    ...(Array.isArray(claims.roles) ? (claims.roles as string[]) : []),
    ...(typeof claims.scp === 'string' ? claims.scp.split(' ') : []),
  ]);
  const isWrite = method !== 'GET';
  const needed = isWrite && !isAction(rest[0], 'searchExistingIdentities') ? WRITE : READ;
  if (!needed.some((p) => granted.has(p))) {
    return graphError(
      req,
      403,
      'Forbidden',
      `Application is not authorized to perform this operation. Application must have one of the following scopes: ${needed.join(', ')} - Operation ID (for customer support): ${req.requestId}`,
    );
  }
  const model = corporateModelOf(ctx.model, ctx.clock);
  const context = `${base}/$metadata#deviceManagement/importedDeviceIdentities`;

  if (rest.length === 0) {
    if (method !== 'GET')
      return graphError(req, 405, 'BadRequest', `The HTTP method '${req.method}' is not allowed for this resource.`);
    const top = parseTop(req.url.searchParams.get('$top'));
    if (!top.ok) return graphError(req, 400, 'BadRequest', top.message);
    const skip = parseSkipToken(req.url.searchParams.get('$skiptoken'));
    if (!skip.ok) return graphError(req, 400, 'BadRequest', skip.message);
    const all = model.list();
    const size = top.value ?? ctx.scenario.pageSize;
    const body: Record<string, unknown> = {
      '@odata.context': context,
      value: all.slice(skip.value, skip.value + size).map((r) => identityJson(r)),
    };
    if (skip.value + size < all.length && size > 0) {
      const next = new URL(req.url.pathname + req.url.search, context);
      next.searchParams.set('$skiptoken', encodeSkipToken(skip.value + size));
      body['@odata.nextLink'] = next.href;
    }
    return { status: 200, body };
  }

  if (
    rest.length === 1 &&
    (isAction(rest[0], 'importDeviceIdentityList') || isAction(rest[0], 'searchExistingIdentities'))
  ) {
    if (method !== 'POST')
      return graphError(req, 405, 'BadRequest', `The HTTP method '${req.method}' is not allowed for this resource.`);
    const importing = isAction(rest[0], 'importDeviceIdentityList');
    const body = parseJson(req);
    if (!body.ok) return body.response;
    const list = (body.value as { importedDeviceIdentities?: unknown } | null)?.importedDeviceIdentities;
    if (!Array.isArray(list))
      return graphError(req, 400, 'BadRequest', 'Value cannot be null.\r\nParameter name: importedDeviceIdentities');
    const issues = validateActionBody(importing ? 'importDeviceIdentityList' : 'searchExistingIdentities', body.value, {
      api: 'beta',
    });
    if (issues.length) return graphError(req, 400, 'BadRequest', issues[0]!.message);
    if (!importing) {
      const found = new Map<string, CorporateIdentityRecord>();
      for (const item of list as CorporateIdentityInput[]) {
        const r =
          typeof item.importedDeviceIdentifier === 'string'
            ? model.find(
                String(item.importedDeviceIdentityType ?? 'manufacturerModelSerial'),
                item.importedDeviceIdentifier,
              )
            : undefined;
        if (r) found.set(r.id, r);
      }
      return {
        status: 200,
        body: {
          '@odata.context': `${base}/$metadata#Collection(microsoft.graph.importedDeviceIdentity)`,
          value: [...found.values()].map((r) => identityJson(r)),
        },
      };
    }
    const overwrite =
      (body.value as { overwriteImportedDeviceIdentities?: unknown }).overwriteImportedDeviceIdentities === true;
    const results = model.importList(list as CorporateIdentityInput[], overwrite, {
      semicolonOnly: ctx.scenario.realTenant.semicolonTupleOnly,
    });
    return {
      status: 200,
      body: {
        '@odata.context': `${base}/$metadata#Collection(microsoft.graph.importedDeviceIdentityResult)`,
        value: results.map((o) => ({ ...identityJson(o.record, 'importedDeviceIdentityResult'), status: o.status })),
      },
      importCount: results.filter((o) => o.status).length,
    };
  }

  if (rest.length === 1) {
    const r = model.get(rest[0]!);
    const notFound = () =>
      graphError(
        req,
        404,
        'ResourceNotFound',
        `The requested importedDeviceIdentity with id '${rest[0]}' was not found.`,
      );
    if (method === 'GET')
      return r ? { status: 200, body: { '@odata.context': `${context}/$entity`, ...identityJson(r) } } : notFound();
    if (method === 'DELETE') return model.delete(rest[0]!) ? { status: 204 } : notFound();
    return graphError(req, 405, 'BadRequest', `The HTTP method '${req.method}' is not allowed for this resource.`);
  }
  return graphError(req, 400, 'BadRequest', `Resource not found for the segment '${rest[1]}'.`);
}

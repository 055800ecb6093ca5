import { randomUUID } from 'node:crypto';
import { MAX_BATCH_REQUESTS } from '../contract/limits.ts';
import { graphError } from './graphError.ts';
import type { SimRequest, SimResponse } from './simHttp.ts';

const BATCH_PATH = /^\/(v1\.0|beta)\/\$batch$/i;

export function isBatchPath(pathname: string): boolean {
  return BATCH_PATH.test(pathname);
}

interface InnerRequest {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

/**
 * `POST /{version}/$batch`, as Microsoft Graph answers it: up to 20 requests with a unique `id`,
 * a method and a URL relative to the version (`/deviceManagement/...`); the answer is 200 with
 * `responses` (id, status, headers, body), each inner request handled as if sent alone (same token,
 * same throttling, each counted). A malformed batch, more than 20 requests, duplicate ids or an
 * absolute/versioned URL are refused as a whole with 400, as Graph does. `dependsOn` is refused:
 * the station never sends it, and the sim does not order requests.
 */
export async function answerBatch(
  req: SimRequest,
  origin: string,
  handle: (inner: SimRequest) => Promise<SimResponse>,
): Promise<SimResponse> {
  if (req.method.toUpperCase() !== 'POST') return graphError(req, 405, 'BadRequest', 'A JSON batch is sent with POST.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString('utf8'));
  } catch {
    return graphError(req, 400, 'BadRequest', 'Unable to read the JSON batch request body.');
  }
  const requests = (parsed as { requests?: unknown })?.requests;
  if (!Array.isArray(requests) || requests.length === 0)
    return graphError(req, 400, 'BadRequest', 'The JSON batch request must contain a non-empty "requests" array.');
  if (requests.length > MAX_BATCH_REQUESTS)
    return graphError(
      req,
      400,
      'BadRequest',
      `The number of batch requests exceeds the limit of ${MAX_BATCH_REQUESTS}.`,
    );
  const ids = new Set<string>();
  for (const r of requests as InnerRequest[]) {
    if (!r || typeof r.id !== 'string' || !r.id || typeof r.method !== 'string' || typeof r.url !== 'string')
      return graphError(req, 400, 'BadRequest', 'Each batch request needs an id, a method and a url.');
    if (ids.has(r.id)) return graphError(req, 400, 'BadRequest', `Batch request id '${r.id}' is used more than once.`);
    if (!r.url.startsWith('/') || /^\/(v1\.0|beta)\//i.test(r.url))
      return graphError(
        req,
        400,
        'BadRequest',
        'Batch request urls are relative to the version, e.g. /deviceManagement/...',
      );
    if (r.dependsOn?.length)
      return graphError(req, 400, 'BadRequest', 'dependsOn is not supported by this simulated tenant.');
    ids.add(r.id);
  }
  const version = req.url.pathname.split('/')[1]!;
  const responses = [];
  for (const r of requests as InnerRequest[]) {
    const innerId = randomUUID();
    const inner: SimRequest = {
      method: r.method.toUpperCase(),
      url: new URL(`/${version}${r.url}`, origin),
      headers: { ...req.headers, ...lower(r.headers), 'content-type': 'application/json' },
      body: r.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(r.body)),
      requestId: innerId,
      clientRequestId: req.clientRequestId,
    };
    const out = await handle(inner);
    responses.push({
      id: r.id,
      status: out.status,
      headers: { 'request-id': innerId, 'content-type': 'application/json', ...out.headers },
      ...(out.body !== undefined && out.status !== 204 ? { body: out.body } : {}),
    });
  }
  return { status: 200, body: { responses } };
}

function lower(h: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

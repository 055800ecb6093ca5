import type { GraphFailure, GraphFailureKind } from './autopilotPort.ts';
import type { FailureContext } from './graphFailures.ts';
import { parseRetryAfter, retryAfterInMessage } from './retryTiming.ts';
import { claimsChallengeOf } from './tokenRenewal.ts';

/**
 * What an answer of Microsoft Graph means to the station, decided here once: for the client's loop,
 * for the answers inside a JSON batch, and for the callers' questions (is the batch endpoint refused,
 * is a sync already running, was an import refused before anything landed). No other file reads an
 * HTTP status to decide something. docs/architecture.md#the-graph-clients-policies
 */
export type AnswerClass =
  /** 2xx. */
  | 'success'
  /** 429: not processed; wait Retry-After, slow the whole station down. */
  | 'throttled'
  /** 503: not processed; wait Retry-After. */
  | 'busy'
  /** Any other 5xx: it may have been processed. */
  | 'server-error'
  /** Any other status: the service said no; final, apart from a 401 the token step can answer. */
  | 'refused';

/** A status the station treats apart, and what it means to each policy. */
interface StatusRow {
  class: AnswerClass;
  /** The client sends the request again without an optional query part (docs/domain.md#what-real-tenants-do). */
  degrade?: true;
  /** `POST /$batch` answered it: the endpoint is busy (these go one by one now) or refuses batching for the session. */
  batchEndpoint?: 'busy' | 'refused';
  /**
   * The import POST answered it: refused before anything landed (split it), or refused but maybe applied (reconcile
   * first).
   */
  importRefusal?: 'outright' | 'maybe-applied';
  /** The sync action answered it (docs/domain.md#sync-and-its-10-minute-rule). */
  sync?: 'in-progress' | 'too-soon';
}

/** The table. A status not listed takes its family's row (`rowOf`). */
const STATUSES: Readonly<Record<number, StatusRow>> = {
  400: { class: 'refused', degrade: true, batchEndpoint: 'refused', importRefusal: 'outright' },
  404: { class: 'refused', batchEndpoint: 'refused' },
  405: { class: 'refused', batchEndpoint: 'refused' },
  409: { class: 'refused', sync: 'in-progress' },
  413: { class: 'refused', importRefusal: 'outright' },
  429: { class: 'throttled', sync: 'too-soon' },
  500: { class: 'server-error', degrade: true, batchEndpoint: 'refused', importRefusal: 'maybe-applied' },
  501: { class: 'server-error', degrade: true, batchEndpoint: 'refused', importRefusal: 'maybe-applied' },
  // A gateway that failed or timed out: the import treats it as the service being busy, not as a refusal.
  502: { class: 'server-error', degrade: true, batchEndpoint: 'refused' },
  503: { class: 'busy', batchEndpoint: 'busy' },
  504: { class: 'server-error', degrade: true, batchEndpoint: 'refused' },
};

function rowOf(status: number): StatusRow {
  const row = STATUSES[status];
  if (row) return row;
  if (status >= 200 && status < 300) return { class: 'success' };
  if (status >= 500) return { class: 'server-error', importRefusal: 'maybe-applied' };
  return { class: 'refused' };
}

/** The class of an HTTP status (see AnswerClass). */
export function answerClassOf(status: number): AnswerClass {
  return rowOf(status).class;
}

/** 429 or a 5xx: the service is passing through trouble, not saying no (Graph's and Entra's answers alike). */
export function isServiceTrouble(status: number): boolean {
  const c = answerClassOf(status);
  return c === 'throttled' || c === 'busy' || c === 'server-error';
}

/**
 * The failure kind of a status that is not retried, with the service's words. Intune's real answers: 401
 * with an audience/issuer complaint for a token of another cloud, 403 for a missing permission, 400
 * "Request not applicable to target tenant" (or a licence message) for a tenant without Intune
 * (docs/domain.md#401-from-another-cloud, docs/domain.md#a-tenant-without-intune).
 */
export function classifyHttpFailure(status: number, serviceCode = '', serviceMessage = ''): GraphFailureKind {
  const text = `${serviceCode} ${serviceMessage}`;
  if (/not applicable to target tenant|licen[cs]e/i.test(text)) return 'no-intune-licence';
  if (status === 401) return /audience|issuer|cloud/i.test(text) ? 'wrong-cloud' : 'sign-in-expired';
  if (status === 403) return 'permission-missing';
  if (status === 404) return 'not-found';
  if (status === 429) return 'throttled';
  if (status === 503 || status === 502 || status === 504 || status === 500) return 'unavailable';
  if (status === 400 || status === 409 || status === 422) return 'bad-request';
  return 'unknown';
}

/** Graph's error body (https://learn.microsoft.com/graph/errors). */
export interface GraphErrorBody {
  error?: {
    code?: string;
    message?: string;
    innerError?: Record<string, unknown>;
    innererror?: Record<string, unknown>;
  };
}

/** A non-2xx answer, classified once. */
export interface ClassifiedFailure {
  status: number;
  class: Exclude<AnswerClass, 'success'>;
  /** How it is worded if it ends the request (graphFailure). */
  kind: GraphFailureKind;
  /** Sending it again without an optional query part may help. */
  degrade: boolean;
  /** 401 with a claims challenge: the claims (JSON), for the next token request. */
  claims?: string;
  /** 429 or 503: the wait the service asked for, ms (Retry-After header, else Intune's RetryAfter in the message). */
  retryAfterMs?: number;
  /** status, the service's request-id (header, else the error body's), code and message. */
  context: FailureContext;
}

/**
 * Classifies a non-2xx answer: `header` reads a response header by its lower-case name, `body` is the
 * parsed JSON body (or undefined), `nowMs` the service time for an HTTP-date Retry-After.
 */
export function classifyFailure(
  status: number,
  header: (name: string) => string | null | undefined,
  body: unknown,
  nowMs: number,
): ClassifiedFailure {
  const row = rowOf(status);
  const err = (body as GraphErrorBody | undefined)?.error;
  const inner = err?.innerError ?? err?.innererror;
  const requestId =
    header('request-id') ?? (typeof inner?.['request-id'] === 'string' ? inner['request-id'] : undefined);
  const busy = row.class === 'throttled' || row.class === 'busy';
  const retryAfterMs = busy
    ? (parseRetryAfter(header('retry-after'), nowMs) ?? retryAfterInMessage(err?.message))
    : undefined;
  const claims = status === 401 ? claimsChallengeOf(header('www-authenticate') ?? null) : undefined;
  const kind: GraphFailureKind =
    row.class === 'throttled'
      ? 'throttled'
      : row.class === 'busy' || row.class === 'server-error'
        ? 'unavailable'
        : classifyHttpFailure(status, err?.code, err?.message);
  return {
    status,
    class: row.class === 'success' ? 'refused' : row.class,
    kind,
    degrade: row.degrade === true,
    ...(claims !== undefined ? { claims } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    context: {
      status,
      ...(requestId ? { requestId } : {}),
      ...(err?.code ? { serviceCode: err.code } : {}),
      ...(err?.message ? { serviceMessage: err.message } : {}),
    },
  };
}

/** A 2xx body that is not Graph's JSON (a captive portal or proxy page). */
export const NOT_GRAPH_JSON = Symbol('not Graph JSON');

/**
 * The body of a 2xx: parsed JSON, undefined when empty, or NOT_GRAPH_JSON when it has text that is
 * not JSON or a Content-Type that is not JSON (never taken as success).
 */
export function successBodyOf(text: string, contentType: string): unknown {
  const body = text ? safeJson(text) : undefined;
  if (text.trim() && (body === undefined || (contentType !== '' && !/json/i.test(contentType)))) return NOT_GRAPH_JSON;
  return body;
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A fetch that threw (no answer): whether the server's certificate is not trusted, and the reason in short. */
export function droppedConnectionOf(err: unknown): { untrusted: boolean; reason: string } {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const code = e?.cause?.code ?? '';
  const cause = e?.cause?.code ?? e?.cause?.message;
  return {
    untrusted: /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code),
    reason: `${e?.message ?? String(err)}${cause ? ` (${cause})` : ''}`.slice(0, 200),
  };
}

/**
 * `POST /$batch` failed: 'busy' (503: send these one by one now), 'refused' (the tenant or a proxy does
 * not take batches: one by one for the session), 'dropped' (the network: these are safe to send again one
 * by one), or undefined (a failure single requests would meet too).
 */
export function batchEndpointAnswer(f: GraphFailure): 'busy' | 'refused' | 'dropped' | undefined {
  const answer = f.status === undefined ? undefined : rowOf(f.status).batchEndpoint;
  return answer ?? (f.kind === 'network' ? 'dropped' : undefined);
}

/** The sync action failed: 'in-progress' (409), 'too-soon' (429, its 10-minute rule), or undefined. */
export function syncAnswerOf(f: GraphFailure): 'in-progress' | 'too-soon' | undefined {
  return f.status === undefined ? undefined : rowOf(f.status).sync;
}

/**
 * The import POST failed as a whole: 'outright' (refused before anything was applied: a bad request,
 * 400, 413), 'maybe-applied' (a 5xx that is not the service being busy: some records may have
 * landed), or undefined (throttled, busy, network: nothing refused).
 */
export function importRefusalOf(f: GraphFailure): 'outright' | 'maybe-applied' | undefined {
  if (f.kind === 'bad-request') return 'outright';
  return f.status === undefined ? undefined : rowOf(f.status).importRefusal;
}

import { randomUUID } from 'node:crypto';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { ApiVersion } from '../contract/types.ts';
import { StationError } from '../contract/errors.ts';
import { GraphFailure, type GraphFailureKind } from './autopilotPort.ts';
import type { CloudEndpoints } from './clouds.ts';
import { classifyHttpFailure, graphFailure, pagingLoopFailure } from './graphFailures.ts';
import { RateBudget, type RequestKind } from './rateBudget.ts';
import type { FetchLike } from '../net/networkPort.ts';

/** Token provider port: the auth service implements it with msal-node, tests with the simulated tenant. */
export interface AccessTokenProvider {
  /**
   * A valid access token for `scope` (silently refreshed when close to expiry). `forceRefresh`
   * after the service said 401: the cached token was revoked or expired early.
   */
  getAccessToken(scope: string, options?: { forceRefresh?: boolean; signal?: AbortSignal | undefined; claims?: string }): Promise<string>;
}

/** `fetch` as the client uses it: the network port's (net/networkPort.ts). */
export type { FetchLike } from '../net/networkPort.ts';

export interface RetryPolicy {
  /** Attempts per request, first one included. */
  maxAttempts: number;
  /** First backoff step; doubles each attempt (with jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited inline: the failure goes back to the caller to schedule. */
  maxRetryAfterMs: number;
  /** Real-time limit of one attempt (a hung connection). */
  attemptTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 60_000, maxRetryAfterMs: 5 * 60_000, attemptTimeoutMs: 60_000 };

export interface GraphClientOptions {
  cloud: CloudEndpoints;
  apiVersion: ApiVersion;
  tokens: AccessTokenProvider;
  clock: Clock;
  logger: Logger;
  /** Shared by every client of the same app registration and tenant. */
  budget?: RateBudget;
  /** The network port's fetch (proxy, trusted roots, a simulated tenant's CA); default: Node's global fetch. */
  fetch?: FetchLike;
  retry?: Partial<RetryPolicy>;
  random?: () => number;
  newRequestId?: () => string;
}

export type GraphMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** OData query options a caller can do without (it then selects, filters or limits on its own side). */
export type OptionalQueryPart = '$select' | '$top' | '$orderby' | '$expand' | '$count' | '$filter';
/** Which part goes first when a request with several fails: the one that saves the least. */
const DROP_ORDER: readonly OptionalQueryPart[] = ['$select', '$top', '$orderby', '$expand', '$count', '$filter'];
/** Answers that make the client retry without an optional part: 400, and server errors that are not "busy" (503 with Retry-After is). */
const DEGRADE_STATUSES = new Set([400, 500, 501, 502, 504]);

export interface GraphRequest {
  method: GraphMethod;
  /** Path after the version ('/deviceManagement/...') or an absolute @odata.nextLink on the same host. */
  path: string;
  query?: Record<string, string> | undefined;
  body?: unknown;
  /** The call exists only in beta (sync, profile assignment status). */
  beta?: boolean;
  /**
   * Safe to send again after a dropped connection or a 5xx. The import POST is not: the caller
   * checks by importId whether it landed before sending it again.
   */
  idempotent?: boolean;
  /** Words for error messages: "importing 25 devices". */
  doing?: string;
  /** Fail on the first 429/5xx instead of waiting (the sync call: its 429 means "not now"). */
  noRetry?: boolean;
  /**
   * At most this many attempts for this request (default the client's policy). A JSON batch takes 1:
   * a batch endpoint that fails is answered by sending its requests one by one, not the batch again.
   */
  maxAttempts?: number;
  signal?: AbortSignal;
  /**
   * GET only: query options in `query` the caller can do without. On a 400 or a 5xx the client
   * sends the request again without them (least useful first) and, when that works, remembers for
   * this tenant (this client, this session) not to send that part to that collection again; the
   * response's `dropped` says which parts were not applied, so the caller filters on its side.
   * A `$filter` is remembered by its shape (`contains(serialNumber,'<special>')` apart from plain values).
   * `$select` is optional whether listed or not (without it the records only carry more fields).
   */
  optional?: readonly OptionalQueryPart[];
  /**
   * Requests the service counts against its limits when this one is sent; default one of its own
   * kind. A JSON batch counts each request inside it (Intune's limits apply to each, not to the batch).
   */
  slots?: { reads: number; writes: number };
}

export interface GraphResponse<T> {
  status: number;
  body: T | undefined;
  requestId?: string;
  clientRequestId: string;
  attempts: number;
  /** Optional query parts that were not sent (refused now or earlier on this tenant): apply them on the station's side. */
  dropped: OptionalQueryPart[];
}

export interface GraphPages<T> {
  value: T[];
  requestIds: string[];
  clientRequestId: string;
  pages: number;
  /** As GraphResponse.dropped, for the first page's query. */
  dropped: OptionalQueryPart[];
  /**
   * 'repeated-page': the service linked the last page to itself (or to a copy of the page just
   * read), a behaviour seen on real tenants: the listing is complete and ended there.
   */
  endedBy: 'last-page' | 'repeated-page';
}

export interface GraphClientStats {
  requests: number;
  reads: number;
  writes: number;
  retries: number;
  throttled: number;
  tokenRefreshes: number;
  /** Requests sent again without an optional query part. */
  degraded: number;
}

interface GraphErrorBody {
  error?: { code?: string; message?: string; innerError?: Record<string, unknown>; innererror?: Record<string, unknown> };
}

/**
 * A small Graph client on fetch. Why not the Microsoft Graph JS client's middleware: the station
 * needs a client-side rate budget in service time (the injected Clock), non-idempotent handling
 * for the import POST, failures typed for technicians and the station's network port (proxy, CA) underneath;
 * the middleware gives only the retry part, is in maintenance mode and would be wrapped anyway.
 */
export class GraphClient {
  readonly cloud: CloudEndpoints;
  readonly budget: RateBudget;
  private readonly retry: RetryPolicy;
  private readonly fetchImpl: FetchLike;
  private readonly random: () => number;
  private readonly newRequestId: () => string;
  private readonly counters: GraphClientStats = { requests: 0, reads: 0, writes: 0, retries: 0, throttled: 0, tokenRefreshes: 0, degraded: 0 };
  /** `collection|part` keys this tenant refused (for the session): never sent again. */
  private readonly refusedParts = new Set<string>();
  /** Aborted by close(): every wait and request in flight ends, and no request starts after. */
  private readonly lifetime = new AbortController();

  constructor(private readonly options: GraphClientOptions) {
    this.cloud = options.cloud;
    this.budget = options.budget ?? new RateBudget(options.clock);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.fetchImpl = options.fetch ?? (globalThis.fetch as FetchLike);
    this.random = options.random ?? Math.random;
    this.newRequestId = options.newRequestId ?? randomUUID;
  }

  get apiVersion(): ApiVersion {
    return this.options.apiVersion;
  }

  /** Service time, from the injected clock (so the sync rule and caches follow the time scale). */
  now(): number {
    return this.options.clock.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.options.clock.sleep(ms, signal);
  }

  stats(): GraphClientStats {
    return { ...this.counters };
  }

  /** Builds the absolute URL; refuses a nextLink on another host (the token must not leave the cloud). */
  url(req: Pick<GraphRequest, 'path' | 'query' | 'beta'>): string {
    if (/^https?:\/\//i.test(req.path)) {
      const u = new URL(req.path);
      if (u.origin !== new URL(this.cloud.graphHost).origin) {
        throw graphFailure('wrong-cloud', { doing: `following a link to ${u.host}`, serviceMessage: 'link outside the chosen cloud' });
      }
      return u.toString();
    }
    const version = req.beta ? 'beta' : this.options.apiVersion;
    const path = req.path.startsWith('/') ? req.path : `/${req.path}`;
    const q = req.query ? Object.entries(req.query).map(([k, v]) => `${encodeURIComponent(k).replace(/%24/g, '$')}=${encodeURIComponent(v)}`) : [];
    return `${this.cloud.graphHost}/${version}${path}${q.length ? `?${q.join('&')}` : ''}`;
  }

  /** Gets a token for this cloud's Graph now (from the cache when it can): throws the sign-in's failure. */
  async ensureToken(signal?: AbortSignal): Promise<void> {
    await this.options.tokens.getAccessToken(this.cloud.scope, signal ? { signal } : {});
  }

  /** Optional query parts this tenant refused so far, as `collection|part` (diagnostics and tests). */
  refusedQueryParts(): string[] {
    return [...this.refusedParts];
  }

  /**
   * Ends this client: requests in flight (and their waits for the rate budget, a Retry-After or a
   * backoff) are aborted, and any later request fails at once with GRAPH_CLIENT_CLOSED without
   * being sent. A command's deadline (`import --timeout-s`) calls it so that nothing is sent after.
   */
  close(): void {
    if (!this.lifetime.signal.aborted) this.lifetime.abort(clientClosed());
  }

  get closed(): boolean {
    return this.lifetime.signal.aborted;
  }

  async request<T = unknown>(given: GraphRequest): Promise<GraphResponse<T>> {
    if (this.lifetime.signal.aborted) throw this.lifetime.signal.reason;
    const req: GraphRequest = { ...given, signal: given.signal ? AbortSignal.any([given.signal, this.lifetime.signal]) : this.lifetime.signal };
    // Optional parts: leave out what this tenant already refused; drop more as it refuses them.
    // $select is always optional: leaving it out changes only how much of each record comes back.
    const optionalParts = new Set<OptionalQueryPart>([...(req.optional ?? []), '$select']);
    const optional = req.method === 'GET' && req.query && !/^https?:/i.test(req.path) ? DROP_ORDER.filter((p) => optionalParts.has(p) && req.query![p] !== undefined) : [];
    const query = req.query ? { ...req.query } : undefined;
    const dropped: OptionalQueryPart[] = [];
    const keyOf = (p: OptionalQueryPart) => queryPartKey(req.path, p, req.query?.[p]);
    for (const p of optional) {
      if (this.refusedParts.has(keyOf(p))) {
        delete query![p];
        dropped.push(p);
      }
    }
    // Parts dropped by this call, with the status that made the client drop them.
    const droppedNow: { part: OptionalQueryPart; status: number }[] = [];
    /** Blame only parts whose removal changed the answer (400 → 200, 500 → 400…), not bystanders. */
    const blamed = (finalStatus: number) => droppedNow.filter((d, i) => (droppedNow[i + 1]?.status ?? finalStatus) !== d.status).map((d) => d.part);
    let probing5xx: OptionalQueryPart | undefined;
    let probed5xx = false;
    let url = this.url({ ...req, ...(query ? { query } : {}) });
    const kind: RequestKind = req.method === 'GET' ? 'read' : 'write';
    const idempotent = req.idempotent ?? req.method !== 'POST';
    const clientRequestId = this.newRequestId();
    const log = this.options.logger.child({ clientRequestId, method: req.method });
    let refreshedAfter401 = false;
    let answeredChallenge = false;
    /** The claims of a challenge, for the next token request only. */
    let challengeClaims: string | undefined;

    for (let attempt = 1; ; attempt++) {
      if (req.slots) {
        for (let i = 0; i < req.slots.writes; i++) await this.budget.acquire('write', req.signal);
        for (let i = 0; i < req.slots.reads; i++) await this.budget.acquire('read', req.signal);
      } else await this.budget.acquire(kind, req.signal);
      if (req.signal?.aborted) throw req.signal.reason;
      const token = await this.options.tokens.getAccessToken(this.cloud.scope, { ...(req.signal ? { signal: req.signal } : {}), ...(challengeClaims ? { claims: challengeClaims, forceRefresh: true } : {}) });
      challengeClaims = undefined;
      const started = Date.now();
      this.counters.requests++;
      this.counters[kind === 'read' ? 'reads' : 'writes']++;

      let response: Response;
      let text: string;
      try {
        ({ response, text } = await this.send(url, req, token, clientRequestId));
      } catch (err) {
        if (req.signal?.aborted) throw req.signal.reason;
        const tls = isTlsError(err);
        const failure = graphFailure('network', { clientRequestId, doing: req.doing, serviceMessage: tls ? 'the server certificate is not trusted' : errorText(err) });
        if (tls) throw failure; // a certificate problem does not heal by retrying
        if (!idempotent) throw maybeApplied(failure);
        if (req.noRetry || attempt >= (req.maxAttempts ?? this.retry.maxAttempts)) throw failure;
        const delay = this.backoff(attempt);
        log.warn('Graph request failed on the network; retrying', { path: redactPath(url), attempt, delayMs: delay, reason: errorText(err) });
        this.counters.retries++;
        await this.options.clock.sleep(delay, req.signal);
        continue;
      }

      const requestId = response.headers.get('request-id') ?? undefined;
      const status = response.status;
      log.debug('Graph request', { path: redactPath(url), status, requestId, attempt, ms: Date.now() - started });

      if (status >= 200 && status < 300) {
        for (const p of blamed(status)) {
          if (this.refusedParts.has(keyOf(p))) continue;
          this.refusedParts.add(keyOf(p));
          // Once per tenant and shape: from now on the station does that part itself.
          this.options.logger.warn('The tenant refused an optional query part; working without it for this session', { part: p, collection: collectionOf(req.path), requestId });
        }
        const body = text ? (safeJson(text) as T | undefined) : undefined;
        const contentType = response.headers.get('content-type') ?? '';
        if (text.trim() && (body === undefined || (contentType !== '' && !/json/i.test(contentType)))) {
          // Not Graph's answer: a captive portal or proxy page. Never taken as success; for a POST it
          // may or may not have reached Graph, so the caller looks before sending it again.
          const failure = graphFailure('not-json', { status, clientRequestId, doing: req.doing, host: new URL(url).host, contentType: contentType.split(';')[0]!.trim() });
          log.warn('Graph answered with something that is not Graph JSON', { path: redactPath(url), status, contentType: contentType.slice(0, 80) });
          throw req.method === 'GET' || idempotent ? failure : maybeApplied(failure);
        }
        return { status, body, ...(requestId ? { requestId } : {}), clientRequestId, attempts: attempt, dropped };
      }

      if (DEGRADE_STATUSES.has(status)) {
        if (probing5xx && status >= 500) {
          // The part was not the cause (still failing without it): put it back, retry as any 5xx.
          query![probing5xx] = req.query![probing5xx]!;
          dropped.splice(dropped.indexOf(probing5xx), 1);
          droppedNow.pop();
          url = this.url({ ...req, query: query! });
        } else {
          const next = optional.find((p) => query![p] !== undefined);
          if (next && (status === 400 || !probed5xx)) {
            delete query![next];
            dropped.push(next);
            droppedNow.push({ part: next, status });
            if (status >= 500) {
              probed5xx = true;
              probing5xx = next;
            }
            url = this.url({ ...req, query: query! });
            this.counters.degraded++;
            log.info('Graph refused a request with an optional query part; sending it without', { part: next, status, requestId });
            attempt--; // leaving out a part is not a failed attempt
            continue;
          }
        }
      }
      probing5xx = undefined;

      const err = (safeJson(text) as GraphErrorBody | undefined)?.error;
      const inner = err?.innerError ?? err?.innererror;
      const serviceRequestId = requestId ?? (typeof inner?.['request-id'] === 'string' ? (inner['request-id'] as string) : undefined);
      const ctx = {
        status,
        clientRequestId,
        ...(serviceRequestId ? { requestId: serviceRequestId } : {}),
        ...(err?.code ? { serviceCode: err.code } : {}),
        ...(err?.message ? { serviceMessage: err.message } : {}),
        ...(req.doing ? { doing: req.doing } : {}),
      };

      const challenge = status === 401 ? claimsChallengeOf(response.headers.get('www-authenticate')) : undefined;
      if (challenge !== undefined && !answeredChallenge) {
        // A claims challenge (Conditional Access, Continuous Access Evaluation): a token that carries
        // these claims, then the same request again, once. https://learn.microsoft.com/entra/identity-platform/claims-challenge
        answeredChallenge = true;
        this.counters.tokenRefreshes++;
        challengeClaims = challenge;
        log.info('Graph sent a claims challenge; asking for a token with those claims', { requestId: serviceRequestId });
        attempt--;
        continue;
      }
      if (status === 401 && !refreshedAfter401 && classifyHttpFailure(status, err?.code, err?.message) === 'sign-in-expired') {
        // The token expired or was revoked early: one fresh token, then the same request again.
        refreshedAfter401 = true;
        this.counters.tokenRefreshes++;
        await this.options.tokens.getAccessToken(this.cloud.scope, { forceRefresh: true, signal: req.signal });
        log.info('Graph said the token is no longer valid; refreshed it', { requestId: serviceRequestId });
        attempt--; // a refresh is not a failed attempt
        continue;
      }

      if (status === 429 || status === 503) {
        if (status === 429) this.counters.throttled++;
        // Intune often sends no header and a JSON message with "RetryAfter" (null or seconds).
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.options.clock.now()) ?? retryAfterInMessage(err?.message);
        // App or tenant throttling slows this station down for a while (not a noRetry call's own rule, e.g. sync's).
        if (status === 429 && !req.noRetry) this.budget.onThrottled();
        const kindOf: GraphFailureKind = status === 429 ? 'throttled' : 'unavailable';
        const wait = retryAfterMs ?? this.backoff(attempt);
        // App throttling pauses every caller; a noRetry call's 429 is that operation's own rule (sync), not the app's.
        if (!req.noRetry && (status === 429 || retryAfterMs !== undefined)) this.budget.pauseUntil(this.options.clock.now() + wait);
        // A noRetry call (sync) whose refusal does not say when gets no made-up wait: its caller
        // keeps its own rule (one sync per 10 minutes), which a backoff of a second would break.
        const failure = graphFailure(kindOf, req.noRetry && retryAfterMs === undefined ? ctx : { ...ctx, retryAfterMs: wait });
        // A 429 or 503 means the request was not processed: resending a POST is safe.
        if (req.noRetry || attempt >= (req.maxAttempts ?? this.retry.maxAttempts) || wait > this.retry.maxRetryAfterMs) throw failure;
        log.warn(status === 429 ? 'Graph throttled the station; waiting' : 'Graph unavailable; waiting', { path: redactPath(url), attempt, waitMs: wait, requestId: serviceRequestId });
        this.counters.retries++;
        await this.options.clock.sleep(wait, req.signal);
        continue;
      }

      if (status >= 500) {
        const failure = graphFailure('unavailable', ctx);
        if (!idempotent) throw maybeApplied(failure);
        if (req.noRetry || attempt >= (req.maxAttempts ?? this.retry.maxAttempts)) throw failure;
        const delay = this.backoff(attempt);
        log.warn('Graph server error; retrying', { path: redactPath(url), status, attempt, delayMs: delay, requestId: serviceRequestId });
        this.counters.retries++;
        await this.options.clock.sleep(delay, req.signal);
        continue;
      }

      throw graphFailure(classifyHttpFailure(status, err?.code, err?.message), ctx);
    }
  }

  /**
   * GET every page, following @odata.nextLink (one request per page). Paging that does not advance
   * stops: a page linked to itself, or a copy of the page just read, ends the listing (seen on real
   * tenants: the skip token stays on the last item); a link back to an earlier page, or a page of
   * only already-seen items that is not such a copy, is a GRAPH_PAGING_LOOP failure.
   */
  async getAll<T>(req: Omit<GraphRequest, 'method' | 'body'>): Promise<GraphPages<T>> {
    const value: T[] = [];
    const requestIds: string[] = [];
    const seenIds = new Set<string>();
    const seenLinks = new Set<string>();
    let previousIds: string[] = [];
    let current: string | undefined;
    let next: string | undefined;
    let first: GraphResponse<{ value?: T[]; '@odata.nextLink'?: string }> | undefined;
    let pages = 0;
    let endedBy: GraphPages<T>['endedBy'] = 'last-page';
    do {
      const res = await this.request<{ value?: T[]; '@odata.nextLink'?: string }>(next ? { ...req, method: 'GET', path: next, query: undefined } : { ...req, method: 'GET' });
      first ??= res;
      pages++;
      if (res.requestId) requestIds.push(res.requestId);
      const items = Array.isArray(res.body?.value) ? res.body.value : [];
      const ids = items.map(itemKey);
      const fresh = ids.filter((id) => !seenIds.has(id));
      if (pages > 1 && items.length > 0 && fresh.length === 0) {
        if (sameSet(ids, previousIds)) {
          endedBy = 'repeated-page';
          this.options.logger.info('Graph repeated the last page of a listing; ending it there', { collection: collectionOf(req.path), pages, requestId: res.requestId });
          break;
        }
        throw pagingLoopFailure({ doing: req.doing, clientRequestId: res.clientRequestId, ...(res.requestId ? { requestId: res.requestId } : {}), pages });
      }
      items.forEach((item, i) => {
        if (seenIds.has(ids[i]!)) return;
        seenIds.add(ids[i]!);
        value.push(item);
      });
      previousIds = ids;
      current = next;
      next = res.body?.['@odata.nextLink'];
      if (next !== undefined && next === current) {
        endedBy = 'repeated-page';
        this.options.logger.info('Graph linked the last page of a listing to itself; ending it there', { collection: collectionOf(req.path), pages, requestId: res.requestId });
        break;
      }
      if (next !== undefined && seenLinks.has(next)) throw pagingLoopFailure({ doing: req.doing, clientRequestId: res.clientRequestId, ...(res.requestId ? { requestId: res.requestId } : {}), pages });
      if (next !== undefined) seenLinks.add(next);
      if (pages > 10_000) throw pagingLoopFailure({ doing: req.doing, clientRequestId: res.clientRequestId, pages });
    } while (next);
    return { value, requestIds, clientRequestId: first.clientRequestId, pages, dropped: first.dropped, endedBy };
  }

  /** Exponential backoff with "equal jitter": half the step fixed, half random, so waits still grow. */
  backoff(attempt: number): number {
    const step = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(step / 2 + this.random() * (step / 2));
  }

  private async send(url: string, req: GraphRequest, token: string, clientRequestId: string): Promise<{ response: Response; text: string }> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      'client-request-id': clientRequestId,
      'return-client-request-id': 'true',
    };
    let body: string | undefined;
    if (req.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.body);
    }
    const timeout = AbortSignal.timeout(this.retry.attemptTimeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const init: RequestInit = { method: req.method, headers, signal, ...(body !== undefined ? { body } : {}) };
    const response = await this.fetchImpl(url, init);
    // Read the whole body inside the try of the caller: a reset mid-body is a network failure.
    const text = await response.text();
    return { response, text };
  }
}

/** The collection a path names (`/deviceManagement/windowsAutopilotDeviceIdentities`), without ids or actions. */
export function collectionOf(path: string): string {
  const p = /^https?:/i.test(path) ? new URL(path).pathname.replace(/^\/(v1\.0|beta)/, '') : path;
  const segs = p.split('?')[0]!.split('/').filter(Boolean);
  return `/${segs.slice(0, 2).join('/')}`;
}

/**
 * What the tenant is remembered to refuse: the collection and the part; for $filter also its shape,
 * string literals reduced to plain (letters and digits) or special (a '-', a space…), so that
 * `contains(serialNumber,'A-B')` failing does not stop `contains(serialNumber,'AB')` from being used.
 */
export function queryPartKey(path: string, part: OptionalQueryPart, value: string | undefined): string {
  const shape = part === '$filter' && value !== undefined ? `:${value.replace(/'((?:[^']|'')*)'/g, (_m, lit: string) => (/^[A-Za-z0-9]*$/.test(lit) ? "'plain'" : "'special'"))}` : '';
  return `${collectionOf(path)}|${part}${shape}`;
}

function itemKey(item: unknown): string {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id ? `id:${id}` : `json:${JSON.stringify(item)}`;
}

function sameSet(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(b);
  return a.every((x) => set.has(x));
}

/**
 * The claims of a claims challenge, decoded: `WWW-Authenticate: Bearer ..., error="insufficient_claims",
 * claims="<base64url JSON>"` (https://learn.microsoft.com/entra/identity-platform/claims-challenge).
 * Undefined for any other 401.
 */
export function claimsChallengeOf(header: string | null): string | undefined {
  if (!header || !/error\s*=\s*"?insufficient_claims"?/i.test(header)) return undefined;
  const m = /claims\s*=\s*"([^"]+)"/i.exec(header);
  if (!m) return undefined;
  try {
    const text = Buffer.from(m[1]!.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    JSON.parse(text);
    return text;
  } catch {
    return undefined;
  }
}

/** Intune's error message is sometimes JSON with a RetryAfter in seconds (often null). */
export function retryAfterInMessage(message: string | undefined): number | undefined {
  if (!message || !message.includes('RetryAfter')) return undefined;
  const m = /"RetryAfter"\s*:\s*"?(\d+(?:\.\d+)?)"?/.exec(message);
  return m ? Math.round(Number(m[1]) * 1000) : undefined;
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

function clientClosed(): StationError {
  return new StationError({ code: 'GRAPH_CLIENT_CLOSED', message: 'The station stopped talking to Microsoft Graph (the command reached its time limit or the station is closing).', action: 'Nothing to do: devices stay in the queue and are followed the next time the station runs.' });
}

function maybeApplied(f: GraphFailure): GraphFailure {
  (f.details as Record<string, unknown>).maybeApplied = true;
  return f;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorText(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `${e?.message ?? String(err)}${cause ? ` (${cause})` : ''}`.slice(0, 200);
}

function isTlsError(err: unknown): boolean {
  const code = (err as { cause?: { code?: string } })?.cause?.code ?? '';
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code);
}

/** Logs keep the path and which query keys were used, not serials or filter values. */
function redactPath(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search ? `?${[...u.searchParams.keys()].join('&')}` : ''}`;
}

export function isGraphFailure(err: unknown): err is GraphFailure {
  return err instanceof GraphFailure;
}


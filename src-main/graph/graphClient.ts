import { randomUUID } from 'node:crypto';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { ApiVersion } from '../contract/types.ts';
import { GraphFailure, type GraphFailureKind } from './autopilotPort.ts';
import type { CloudEndpoints } from './clouds.ts';
import { classifyHttpFailure, graphFailure } from './graphFailures.ts';
import { RateBudget, type RequestKind } from './rateBudget.ts';

/** Token provider port: the auth service implements it with msal-node, tests with the simulated tenant. */
export interface AccessTokenProvider {
  /**
   * A valid access token for `scope` (silently refreshed when close to expiry). `forceRefresh`
   * after the service said 401: the cached token was revoked or expired early.
   */
  getAccessToken(scope: string, options?: { forceRefresh?: boolean; signal?: AbortSignal }): Promise<string>;
}

/** `fetch` as the client uses it; `dispatcher` is undici's (custom CA for the simulated tenant). */
export type FetchLike = (url: string, init: RequestInit & { dispatcher?: unknown }) => Promise<Response>;

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
  fetch?: FetchLike;
  /** undici Agent with the extra CA (see httpsDispatcher.ts); never a TLS-disabling one. */
  dispatcher?: unknown;
  retry?: Partial<RetryPolicy>;
  random?: () => number;
  newRequestId?: () => string;
}

export type GraphMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface GraphRequest {
  method: GraphMethod;
  /** Path after the version ('/deviceManagement/...') or an absolute @odata.nextLink on the same host. */
  path: string;
  query?: Record<string, string>;
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
  signal?: AbortSignal;
}

export interface GraphResponse<T> {
  status: number;
  body: T | undefined;
  requestId?: string;
  clientRequestId: string;
  attempts: number;
}

export interface GraphPages<T> {
  value: T[];
  requestIds: string[];
  clientRequestId: string;
  pages: number;
}

export interface GraphClientStats {
  requests: number;
  reads: number;
  writes: number;
  retries: number;
  throttled: number;
  tokenRefreshes: number;
}

interface GraphErrorBody {
  error?: { code?: string; message?: string; innerError?: Record<string, unknown>; innererror?: Record<string, unknown> };
}

/**
 * A small Graph client on fetch. Why not the Microsoft Graph JS client's middleware: the station
 * needs a client-side rate budget in service time (the injected Clock), non-idempotent handling
 * for the import POST, failures typed for technicians and a custom CA via an undici dispatcher;
 * the middleware gives only the retry part, is in maintenance mode and would be wrapped anyway.
 */
export class GraphClient {
  readonly cloud: CloudEndpoints;
  readonly budget: RateBudget;
  private readonly retry: RetryPolicy;
  private readonly fetchImpl: FetchLike;
  private readonly random: () => number;
  private readonly newRequestId: () => string;
  private readonly counters: GraphClientStats = { requests: 0, reads: 0, writes: 0, retries: 0, throttled: 0, tokenRefreshes: 0 };

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

  async request<T = unknown>(req: GraphRequest): Promise<GraphResponse<T>> {
    const url = this.url(req);
    const kind: RequestKind = req.method === 'GET' ? 'read' : 'write';
    const idempotent = req.idempotent ?? req.method !== 'POST';
    const clientRequestId = this.newRequestId();
    const log = this.options.logger.child({ clientRequestId, method: req.method });
    let refreshedAfter401 = false;

    for (let attempt = 1; ; attempt++) {
      await this.budget.acquire(kind, req.signal);
      const token = await this.options.tokens.getAccessToken(this.cloud.scope, req.signal ? { signal: req.signal } : {});
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
        if (req.noRetry || attempt >= this.retry.maxAttempts) throw failure;
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
        const body = text ? (safeJson(text) as T | undefined) : undefined;
        return { status, body, ...(requestId ? { requestId } : {}), clientRequestId, attempts: attempt };
      }

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
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.options.clock.now());
        const kindOf: GraphFailureKind = status === 429 ? 'throttled' : 'unavailable';
        const wait = retryAfterMs ?? this.backoff(attempt);
        // App throttling pauses every caller; a noRetry call's 429 is that operation's own rule (sync), not the app's.
        if (!req.noRetry && (status === 429 || retryAfterMs !== undefined)) this.budget.pauseUntil(this.options.clock.now() + wait);
        const failure = graphFailure(kindOf, { ...ctx, retryAfterMs: wait });
        // A 429 or 503 means the request was not processed: resending a POST is safe.
        if (req.noRetry || attempt >= this.retry.maxAttempts || wait > this.retry.maxRetryAfterMs) throw failure;
        log.warn(status === 429 ? 'Graph throttled the station; waiting' : 'Graph unavailable; waiting', { path: redactPath(url), attempt, waitMs: wait, requestId: serviceRequestId });
        this.counters.retries++;
        await this.options.clock.sleep(wait, req.signal);
        continue;
      }

      if (status >= 500) {
        const failure = graphFailure('unavailable', ctx);
        if (!idempotent) throw maybeApplied(failure);
        if (req.noRetry || attempt >= this.retry.maxAttempts) throw failure;
        const delay = this.backoff(attempt);
        log.warn('Graph server error; retrying', { path: redactPath(url), status, attempt, delayMs: delay, requestId: serviceRequestId });
        this.counters.retries++;
        await this.options.clock.sleep(delay, req.signal);
        continue;
      }

      throw graphFailure(classifyHttpFailure(status, err?.code, err?.message), ctx);
    }
  }

  /** GET every page, following @odata.nextLink (one request per page). */
  async getAll<T>(req: Omit<GraphRequest, 'method' | 'body'>): Promise<GraphPages<T>> {
    const value: T[] = [];
    const requestIds: string[] = [];
    let next: string | undefined;
    let first: GraphResponse<{ value?: T[]; '@odata.nextLink'?: string }> | undefined;
    let pages = 0;
    do {
      const res = await this.request<{ value?: T[]; '@odata.nextLink'?: string }>(next ? { ...req, method: 'GET', path: next, query: undefined } : { ...req, method: 'GET' });
      first ??= res;
      pages++;
      if (res.requestId) requestIds.push(res.requestId);
      if (Array.isArray(res.body?.value)) value.push(...res.body.value);
      next = res.body?.['@odata.nextLink'];
      if (pages > 10_000) throw graphFailure('unknown', { doing: req.doing, serviceMessage: 'too many pages' });
    } while (next);
    return { value, requestIds, clientRequestId: first.clientRequestId, pages };
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
    const init: RequestInit & { dispatcher?: unknown } = { method: req.method, headers, signal, ...(body !== undefined ? { body } : {}) };
    if (this.options.dispatcher) init.dispatcher = this.options.dispatcher;
    const response = await this.fetchImpl(url, init);
    // Read the whole body inside the try of the caller: a reset mid-body is a network failure.
    const text = await response.text();
    return { response, text };
  }
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


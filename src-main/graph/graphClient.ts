import { randomUUID } from 'node:crypto';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { ApiVersion } from '../contract/types.ts';
import type { CloudEndpoints } from './clouds.ts';
import type { FetchLike } from '../net/networkPort.ts';
import type { GraphFailure } from './autopilotPort.ts';
import { clientClosed, graphFailure, type FailureContext } from './graphFailures.ts';
import {
  classifyFailure,
  droppedConnectionOf,
  NOT_GRAPH_JSON,
  successBodyOf,
  answerClassOf,
  safeJson,
  type ClassifiedFailure,
} from './graphAnswers.ts';
import type { GraphPages, GraphRequest, GraphResponse } from './graphRequest.ts';
import { OptionalQueryParts, collectionOf } from './optionalQueryParts.ts';
import { getAllPages } from './paging.ts';
import { RateBudget } from './rateBudget.ts';
import { DEFAULT_RETRY, maybeApplied, RetryTiming, type RetryDecision, type RetryPolicy } from './retryTiming.ts';
import { TokenRenewal, type AccessTokenProvider } from './tokenRenewal.ts';

/** `fetch` as the client uses it: the network port's (net/networkPort.ts). */
export type { FetchLike } from '../net/networkPort.ts';
export type { AccessTokenProvider } from './tokenRenewal.ts';

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

/** What one attempt leads to: an answer, a failure, a wait then another attempt, or the same attempt again. */
type Step<T> =
  | { then: 'return'; response: GraphResponse<T> }
  | { then: 'throw'; failure: GraphFailure }
  | { then: 'wait'; waitMs: number }
  | { then: 'resend' };

/** One request's state across its attempts. */
interface Run {
  req: GraphRequest & { signal: AbortSignal };
  idempotent: boolean;
  clientRequestId: string;
  parts: OptionalQueryParts;
  token: TokenRenewal;
  log: Logger;
  attempt: number;
  url: string;
}

/**
 * A small Graph client on fetch. Why not the Microsoft Graph JS client's middleware: the station
 * needs a client-side rate budget in service time (the injected Clock), non-idempotent handling
 * for the import POST, failures typed for technicians and the station's network port (proxy, CA) underneath;
 * the middleware gives only the retry part, is in maintenance mode and would be wrapped anyway.
 * `request` composes named policies, each in its own file: optionalQueryParts.ts, rateBudget.ts,
 * tokenRenewal.ts, graphAnswers.ts (classification), retryTiming.ts, paging.ts.
 * docs/architecture.md#the-graph-clients-policies
 */
export class GraphClient {
  readonly cloud: CloudEndpoints;
  readonly budget: RateBudget;
  private readonly timing: RetryTiming;
  private readonly fetchImpl: FetchLike;
  private readonly newRequestId: () => string;
  private readonly counters: GraphClientStats = {
    requests: 0,
    reads: 0,
    writes: 0,
    retries: 0,
    throttled: 0,
    tokenRefreshes: 0,
    degraded: 0,
  };
  /** `collection|part` keys this tenant refused (for the session): never sent again. */
  private readonly refusedParts = new Set<string>();
  /** Aborted by close(): every wait and request in flight ends, and no request starts after. */
  private readonly lifetime = new AbortController();

  constructor(private readonly options: GraphClientOptions) {
    this.cloud = options.cloud;
    this.budget = options.budget ?? new RateBudget(options.clock);
    this.timing = new RetryTiming({ ...DEFAULT_RETRY, ...options.retry }, options.random ?? Math.random);
    this.fetchImpl = options.fetch ?? (globalThis.fetch as FetchLike);
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
        throw graphFailure('wrong-cloud', {
          doing: `following a link to ${u.host}`,
          serviceMessage: 'link outside the chosen cloud',
        });
      }
      return u.toString();
    }
    const version = req.beta ? 'beta' : this.options.apiVersion;
    const path = req.path.startsWith('/') ? req.path : `/${req.path}`;
    const q = req.query
      ? Object.entries(req.query).map(
          ([k, v]) => `${encodeURIComponent(k).replace(/%24/g, '$')}=${encodeURIComponent(v)}`,
        )
      : [];
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

  /**
   * Sends one request and answers with its 2xx, or throws a GraphFailure (GRAPH_CLIENT_CLOSED after
   * close(), the signal's reason when aborted). Attempts: the rate budget's slots, a token, the exchange,
   * then what its answer leads to (`afterAnswer`); leaving out an optional part or renewing the token
   * sends the same attempt again.
   */
  async request<T = unknown>(given: GraphRequest): Promise<GraphResponse<T>> {
    if (this.lifetime.signal.aborted) throw this.lifetime.signal.reason;
    const signal = given.signal ? AbortSignal.any([given.signal, this.lifetime.signal]) : this.lifetime.signal;
    const req = { ...given, signal };
    const clientRequestId = this.newRequestId();
    const run: Run = {
      req,
      idempotent: req.idempotent ?? req.method !== 'POST',
      clientRequestId,
      parts: new OptionalQueryParts(req, this.refusedParts),
      token: new TokenRenewal(this.options.tokens, this.cloud.scope),
      log: this.options.logger.child({ clientRequestId, method: req.method }),
      attempt: 1,
      url: '',
    };
    for (;;) {
      run.url = this.url({ ...req, ...(run.parts.query ? { query: run.parts.query } : {}) });
      await this.takeSlots(req);
      if (signal.aborted) throw signal.reason;
      const step = await this.attempt<T>(run, await run.token.get(signal));
      if (step.then === 'return') return step.response;
      if (step.then === 'throw') throw step.failure;
      if (step.then === 'wait') {
        this.counters.retries++;
        await this.options.clock.sleep(step.waitMs, signal);
        run.attempt++;
      }
    }
  }

  /** GET every page of a listing (paging.ts). */
  getAll<T>(req: Omit<GraphRequest, 'method' | 'body'>): Promise<GraphPages<T>> {
    return getAllPages<T>((r) => this.request(r), req, this.options.logger);
  }

  /** Exponential backoff with "equal jitter" for this attempt, ms (retryTiming.ts). */
  backoff(attempt: number): number {
    return this.timing.backoff(attempt);
  }

  /** The rate budget's slots for one attempt: one of its kind, or a JSON batch's `slots`. */
  private async takeSlots(req: GraphRequest & { signal: AbortSignal }): Promise<void> {
    if (!req.slots) return this.budget.acquire(req.method === 'GET' ? 'read' : 'write', req.signal);
    for (let i = 0; i < req.slots.writes; i++) await this.budget.acquire('write', req.signal);
    for (let i = 0; i < req.slots.reads; i++) await this.budget.acquire('read', req.signal);
  }

  /** One exchange with Graph and the step its outcome leads to. */
  private async attempt<T>(run: Run, token: string): Promise<Step<T>> {
    const { req, log } = run;
    const started = Date.now();
    this.counters.requests++;
    this.counters[req.method === 'GET' ? 'reads' : 'writes']++;
    let response: Response;
    let text: string;
    try {
      ({ response, text } = await this.send(run.url, req, token, run.clientRequestId));
    } catch (err) {
      if (req.signal.aborted) throw req.signal.reason;
      return this.afterDroppedConnection(run, err);
    }
    const status = response.status;
    const requestId = response.headers.get('request-id') ?? undefined;
    log.debug('Graph request', {
      path: redactPath(run.url),
      status,
      requestId,
      attempt: run.attempt,
      ms: Date.now() - started,
    });
    if (answerClassOf(status) === 'success') return this.afterSuccess<T>(run, response, text);
    const failure = classifyFailure(status, (name) => response.headers.get(name), safeJson(text), this.now());
    return this.afterFailure(run, failure);
  }

  /** A 2xx: the parts it proves refused are remembered; a body that is not Graph's JSON is GRAPH_NOT_JSON. */
  private afterSuccess<T>(run: Run, response: Response, text: string): Step<T> {
    const { req, log } = run;
    const status = response.status;
    const requestId = response.headers.get('request-id') ?? undefined;
    for (const part of run.parts.rememberRefused(status)) {
      // Once per tenant and shape: from now on the station does that part itself.
      this.options.logger.warn('The tenant refused an optional query part; working without it for this session', {
        part,
        collection: collectionOf(req.path),
        requestId,
      });
    }
    const contentType = response.headers.get('content-type') ?? '';
    const body = successBodyOf(text, contentType);
    if (body === NOT_GRAPH_JSON) {
      // A captive portal or proxy page. For a POST it may or may not have reached Graph: the caller looks before
      // sending it again.
      const host = new URL(run.url).host;
      const failure = graphFailure('not-json', {
        status,
        clientRequestId: run.clientRequestId,
        doing: req.doing,
        host,
        contentType: contentType.split(';')[0]!.trim(),
      });
      log.warn('Graph answered with something that is not Graph JSON', {
        path: redactPath(run.url),
        status,
        contentType: contentType.slice(0, 80),
      });
      return { then: 'throw', failure: req.method === 'GET' || run.idempotent ? failure : maybeApplied(failure) };
    }
    const answer: GraphResponse<T> = {
      status,
      body: body as T | undefined,
      ...(requestId ? { requestId } : {}),
      clientRequestId: run.clientRequestId,
      attempts: run.attempt,
      dropped: run.parts.dropped,
    };
    return { then: 'return', response: answer };
  }

  /**
   * No answer: a certificate problem does not heal by retrying; otherwise as a failure that may have been processed.
   */
  private afterDroppedConnection(run: Run, err: unknown): Step<never> {
    const { untrusted, reason } = droppedConnectionOf(err);
    const serviceMessage = untrusted ? 'the server certificate is not trusted' : reason;
    const failure = graphFailure('network', {
      clientRequestId: run.clientRequestId,
      doing: run.req.doing,
      serviceMessage,
    });
    if (untrusted) return { then: 'throw', failure };
    const decision = this.timing.afterMaybeProcessed(failure, run.attempt, { ...run.req, idempotent: run.idempotent });
    if (decision.retry)
      run.log.warn('Graph request failed on the network; retrying', {
        path: redactPath(run.url),
        attempt: run.attempt,
        delayMs: decision.waitMs,
        reason,
      });
    return stepOf(decision);
  }

  /**
   * A non-2xx answer, in order: leave out an optional part, renew the token, wait as the service asks, back off, or
   * fail.
   */
  private async afterFailure(run: Run, f: ClassifiedFailure): Promise<Step<never>> {
    const { req, log } = run;
    const requestId = f.context.requestId;
    const part = run.parts.leaveOut(f);
    if (part) {
      this.counters.degraded++;
      log.info('Graph refused a request with an optional query part; sending it without', {
        part,
        status: f.status,
        requestId,
      });
      return { then: 'resend' };
    }
    const renewed = await run.token.renew(f, req.signal);
    if (renewed) {
      this.counters.tokenRefreshes++;
      if (renewed === 'claims-challenge')
        log.info('Graph sent a claims challenge; asking for a token with those claims', { requestId });
      else log.info('Graph said the token is no longer valid; refreshed it', { requestId });
      return { then: 'resend' };
    }
    const ctx: FailureContext = {
      ...f.context,
      clientRequestId: run.clientRequestId,
      ...(req.doing ? { doing: req.doing } : {}),
    };
    if (f.class === 'throttled' || f.class === 'busy') return this.afterNotProcessed(run, f, ctx);
    if (f.class === 'server-error') {
      const decision = this.timing.afterMaybeProcessed(graphFailure(f.kind, ctx), run.attempt, {
        ...req,
        idempotent: run.idempotent,
      });
      if (decision.retry)
        log.warn('Graph server error; retrying', {
          path: redactPath(run.url),
          status: f.status,
          attempt: run.attempt,
          delayMs: decision.waitMs,
          requestId,
        });
      return stepOf(decision);
    }
    return { then: 'throw', failure: graphFailure(f.kind, ctx) };
  }

  /**
   * A 429 or 503: the request was not processed, so resending even a POST is safe. App throttling slows
   * the whole station (the budget's AIMD) and pauses every caller; a noRetry call's 429 is that
   * operation's own rule (sync), not the app's, and a noRetry refusal that does not say when gets no
   * made-up wait (its caller keeps its own rule, one sync per 10 minutes).
   */
  private afterNotProcessed(run: Run, f: ClassifiedFailure, ctx: FailureContext): Step<never> {
    const { req } = run;
    const throttled = f.class === 'throttled';
    if (throttled) this.counters.throttled++;
    if (throttled && !req.noRetry) this.budget.onThrottled();
    const wait = this.timing.serviceWait(f.retryAfterMs, run.attempt);
    if (!req.noRetry && (throttled || wait.said)) this.budget.pauseUntil(this.now() + wait.waitMs);
    const failure = graphFailure(f.kind, req.noRetry && !wait.said ? ctx : { ...ctx, retryAfterMs: wait.waitMs });
    if (!this.timing.attemptsLeft(run.attempt, req) || !wait.inline) return { then: 'throw', failure };
    const message = throttled ? 'Graph throttled the station; waiting' : 'Graph unavailable; waiting';
    run.log.warn(message, {
      path: redactPath(run.url),
      attempt: run.attempt,
      waitMs: wait.waitMs,
      requestId: f.context.requestId,
    });
    return { then: 'wait', waitMs: wait.waitMs };
  }

  private async send(
    url: string,
    req: GraphRequest,
    token: string,
    clientRequestId: string,
  ): Promise<{ response: Response; text: string }> {
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
    const timeout = AbortSignal.timeout(this.timing.policy.attemptTimeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const init: RequestInit = { method: req.method, headers, signal, ...(body !== undefined ? { body } : {}) };
    const response = await this.fetchImpl(url, init);
    // Read the whole body inside the try of the caller: a reset mid-body is a network failure.
    const text = await response.text();
    return { response, text };
  }
}

function stepOf(decision: RetryDecision): Step<never> {
  return decision.retry ? { then: 'wait', waitMs: decision.waitMs } : { then: 'throw', failure: decision.failure };
}

/** Logs keep the path and which query keys were used, not serials or filter values. */
function redactPath(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search ? `?${[...u.searchParams.keys()].join('&')}` : ''}`;
}

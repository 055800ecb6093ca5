import { MAX_BATCH_REQUESTS } from '../contract/limits.ts';
import { inParallel } from '../kernel/inParallel.ts';
import type { Logger } from '../kernel/logger.ts';
import { GraphFailure } from './autopilotPort.ts';
import type { GraphClient } from './graphClient.ts';
import { batchEndpointAnswer, classifyFailure, answerClassOf } from './graphAnswers.ts';
import { graphFailure } from './graphFailures.ts';

/** Batches in flight at once. */
const BATCHES_IN_FLIGHT = 4;
/** Single requests in flight at once when the tenant refuses JSON batches. */
const FALLBACK_IN_FLIGHT = 8;
/**
 * `POST /$batch` answered 503 this many times in a row: the batch endpoint keeps failing while single
 * requests may work (each 503 already sends its chunk one by one), so batching stops for the session.
 */
const UNAVAILABLE_RUNS_TO_STOP = 2;

/** One request inside a batch: reads and deletes only (idempotent, so a batch may be sent again). */
export interface BatchRequest {
  method: 'GET' | 'DELETE';
  /** Path after the version: '/deviceManagement/…/{id}'. */
  path: string;
}

/** Its answer: the body of a 2xx, or the failure in the words GraphClient.request would use. */
export type BatchAnswer<T> =
  { ok: true; status: number; body: T | undefined; requestId?: string } | { ok: false; error: GraphFailure };

interface InnerResponse {
  id?: string;
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * Sends reads and deletes in JSON batches (`POST /{version}/$batch`, at most 20 inside): 500 reads
 * of registered devices become 25 round trips instead of 500. Each inner request still counts
 * against Intune's limits, so the client's budget takes a slot for each. A tenant (or proxy) that
 * refuses the batch endpoint itself (400, 404, 5xx other than 503) is remembered for the session,
 * logged once, and the same requests go one by one from then on. Inner answers keep their own
 * status: a 404 inside is a record that is gone, a 429 inside slows the whole station down.
 */
export class JsonBatch {
  private refused = false;
  /** Consecutive 503 answers of the batch endpoint itself. */
  private unavailableRuns = 0;

  constructor(
    private readonly graph: GraphClient,
    private readonly logger: Logger,
  ) {}

  /** False once this tenant refused JSON batches (diagnostics and tests). */
  get available(): boolean {
    return !this.refused;
  }

  /**
   * Answers in the order of `requests` (any length: sent 20 at a time, chunk after chunk). Never
   * rejects for one inner failure; rejects when a whole batch fails in a way single requests would
   * too (throttled past the client's patience, network down, signed out).
   */
  async send<T>(
    requests: readonly BatchRequest[],
    options: { beta?: boolean; doing?: string } = {},
  ): Promise<BatchAnswer<T>[]> {
    const chunks: (readonly BatchRequest[])[] = [];
    for (let at = 0; at < requests.length; at += MAX_BATCH_REQUESTS)
      chunks.push(requests.slice(at, at + MAX_BATCH_REQUESTS));
    const answered: BatchAnswer<T>[][] = new Array(chunks.length);
    await inParallel(chunks, BATCHES_IN_FLIGHT, async (chunk, i) => {
      answered[i] =
        this.refused || chunk.length === 1
          ? await this.oneByOne<T>(chunk, options)
          : await this.batch<T>(chunk, options);
    });
    return answered.flat();
  }

  private async batch<T>(
    chunk: readonly BatchRequest[],
    options: { beta?: boolean; doing?: string },
  ): Promise<BatchAnswer<T>[]> {
    const writes = chunk.filter((r) => r.method !== 'GET').length;
    let res;
    try {
      res = await this.graph.request<{ responses?: InnerResponse[] }>({
        method: 'POST',
        path: '/$batch',
        ...(options.beta ? { beta: true } : {}),
        body: { requests: chunk.map((r, i) => ({ id: String(i + 1), method: r.method, url: r.path })) },
        // Not retried by the client: a 5xx is the endpoint refusing or failing, handled below by
        // sending the requests one by one (each with its own retries), never the same batch again.
        idempotent: false,
        maxAttempts: 1,
        slots: { reads: chunk.length - writes, writes },
        ...(options.doing ? { doing: options.doing } : {}),
      });
    } catch (err) {
      if (!(err instanceof GraphFailure)) throw err;
      const answer = batchEndpointAnswer(err);
      if (answer === 'busy') {
        // The batch endpoint is unavailable: these reads go one by one now; a second 503 in a row
        // stops batching for the session (single reads keep their own Retry-After handling).
        if (++this.unavailableRuns >= UNAVAILABLE_RUNS_TO_STOP && !this.refused) {
          this.refused = true;
          this.logger.warn(
            'The JSON batch endpoint keeps answering 503; sending requests one by one for this session',
            { status: err.status, requestId: err.requestId, runs: this.unavailableRuns },
          );
        }
        return this.oneByOne<T>(chunk, options);
      }
      if (answer === 'refused') {
        this.refused = true;
        this.logger.warn('The tenant refused a JSON batch; sending requests one by one for this session', {
          status: err.status,
          requestId: err.requestId,
        });
        return this.oneByOne<T>(chunk, options);
      }
      // The network dropped it: the requests are safe to send again, one by one this time.
      if (answer === 'dropped') return this.oneByOne<T>(chunk, options);
      throw err;
    }
    this.unavailableRuns = 0;
    const byId = new Map((Array.isArray(res.body?.responses) ? res.body.responses : []).map((r) => [String(r.id), r]));
    return chunk.map((r, i) => this.answerOf<T>(byId.get(String(i + 1)), r, options.doing));
  }

  private answerOf<T>(inner: InnerResponse | undefined, req: BatchRequest, doing: string | undefined): BatchAnswer<T> {
    if (!inner || typeof inner.status !== 'number')
      return {
        ok: false,
        error: graphFailure('unavailable', {
          ...(doing ? { doing } : {}),
          serviceMessage: 'no answer for this request in the batch',
        }),
      };
    const headers = Object.fromEntries(
      Object.entries(inner.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    const requestId = headers['request-id'];
    if (answerClassOf(inner.status) === 'success')
      return { ok: true, status: inner.status, body: inner.body as T | undefined, ...(requestId ? { requestId } : {}) };
    const f = classifyFailure(inner.status, (name) => headers[name], inner.body, this.graph.now());
    if (f.class === 'throttled') {
      // The same as a 429 on its own: the whole station slows down.
      this.graph.budget.onThrottled();
      if (f.retryAfterMs !== undefined) this.graph.budget.pauseUntil(this.graph.now() + f.retryAfterMs);
    }
    const doingIt = doing ?? `${req.method === 'GET' ? 'reading' : 'deleting'} ${req.path}`;
    return {
      ok: false,
      error: graphFailure(f.kind, {
        ...f.context,
        ...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}),
        doing: doingIt,
      }),
    };
  }

  private async oneByOne<T>(
    chunk: readonly BatchRequest[],
    options: { beta?: boolean; doing?: string },
  ): Promise<BatchAnswer<T>[]> {
    const answers: BatchAnswer<T>[] = new Array(chunk.length);
    await inParallel(chunk, FALLBACK_IN_FLIGHT, async (r, i) => {
      try {
        const res = await this.graph.request<T>({
          method: r.method,
          path: r.path,
          ...(options.beta ? { beta: true } : {}),
          ...(options.doing ? { doing: options.doing } : {}),
        });
        answers[i] = {
          ok: true,
          status: res.status,
          body: res.body,
          ...(res.requestId ? { requestId: res.requestId } : {}),
        };
      } catch (err) {
        if (!(err instanceof GraphFailure)) throw err;
        answers[i] = { ok: false, error: err };
      }
    });
    return answers;
  }
}

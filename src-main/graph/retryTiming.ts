import type { GraphFailure } from './autopilotPort.ts';

/**
 * When the Graph client sends a request again, and how long it waits first: the Retry-After the service
 * gives (header, else Intune's `RetryAfter` inside the message), else exponential backoff with equal
 * jitter; a wait longer than `maxRetryAfterMs` goes back to the caller. See
 * docs/architecture.md#the-graph-clients-policies and docs/domain.md#throttling-and-limits.
 */
export interface RetryPolicy {
  /** Attempts per request, first one included. */
  maxAttempts: number;
  /** First backoff step, ms; doubles each attempt (with jitter). */
  baseDelayMs: number;
  /** Largest backoff step, ms. */
  maxDelayMs: number;
  /** A Retry-After longer than this (ms) is not waited inline: the failure goes back to the caller to schedule. */
  maxRetryAfterMs: number;
  /** Real-time limit of one attempt, ms (a hung connection). */
  attemptTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 5 * 60_000,
  attemptTimeoutMs: 60_000,
};

/** What a request says about being sent again (GraphRequest's fields of the same names). */
export interface RetryOptions {
  noRetry?: boolean;
  maxAttempts?: number;
}

/** Send again after `waitMs`, or give up with `failure`. */
export type RetryDecision = { retry: true; waitMs: number } | { retry: false; failure: GraphFailure };

/**
 * The wait a 429 or 503 asks for, ms: the service's (`said`) or the backoff's; `inline` when the client waits it
 * itself.
 */
export interface ServiceWait {
  waitMs: number;
  said: boolean;
  inline: boolean;
}

/**
 * Exponential backoff with "equal jitter", ms: the step `baseMs`·2^`doublings` (at most `maxMs`), half of it fixed
 * and half random (`random()` in [0, 1)), so waits still grow while stations do not retry in step.
 */
export function equalJitterBackoff(baseMs: number, maxMs: number, doublings: number, random: () => number): number {
  const step = Math.min(maxMs, baseMs * 2 ** doublings);
  return Math.round(step / 2 + random() * (step / 2));
}

export class RetryTiming {
  constructor(
    readonly policy: RetryPolicy,
    private readonly random: () => number,
  ) {}

  /** Exponential backoff with "equal jitter", ms: half the step fixed, half random, so waits still grow. */
  backoff(attempt: number): number {
    return equalJitterBackoff(this.policy.baseDelayMs, this.policy.maxDelayMs, Math.max(0, attempt - 1), this.random);
  }

  /** True while `attempt` (1-based) leaves another one and the request allows retries. */
  attemptsLeft(attempt: number, req: RetryOptions): boolean {
    return !req.noRetry && attempt < (req.maxAttempts ?? this.policy.maxAttempts);
  }

  /**
   * A 429 or 503: the service did not process the request, so any request may be sent again (a POST
   * too). It waits what the service said (`retryAfterMs`, ms), else the backoff of this attempt.
   */
  serviceWait(retryAfterMs: number | undefined, attempt: number): ServiceWait {
    const waitMs = retryAfterMs ?? this.backoff(attempt);
    return { waitMs, said: retryAfterMs !== undefined, inline: waitMs <= this.policy.maxRetryAfterMs };
  }

  /**
   * A dropped connection or a 5xx that may have been processed: a request that is not idempotent is
   * never sent again (the failure says `maybeApplied`, the caller looks before resending); others are,
   * after the backoff, while attempts last.
   */
  afterMaybeProcessed(
    failure: GraphFailure,
    attempt: number,
    req: RetryOptions & { idempotent: boolean },
  ): RetryDecision {
    if (!req.idempotent) return { retry: false, failure: maybeApplied(failure) };
    if (!this.attemptsLeft(attempt, req)) return { retry: false, failure };
    return { retry: true, waitMs: this.backoff(attempt) };
  }
}

/** Marks a failure of a request that may have reached Graph: the caller checks before sending it again. */
export function maybeApplied(f: GraphFailure): GraphFailure {
  (f.details as Record<string, unknown>).maybeApplied = true;
  return f;
}

/**
 * Retry-After (RFC 9110 §10.2.3) in seconds or as an HTTP date, as ms from `nowMs`; undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * Intune's error message is sometimes JSON with a `RetryAfter` in seconds (often null): as ms, or
 * undefined (docs/domain.md#throttling-and-limits).
 */
export function retryAfterInMessage(message: string | undefined): number | undefined {
  if (!message || !message.includes('RetryAfter')) return undefined;
  const m = /"RetryAfter"\s*:\s*"?(\d+(?:\.\d+)?)"?/.exec(message);
  return m ? Math.round(Number(m[1]) * 1000) : undefined;
}

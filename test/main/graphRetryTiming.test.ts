import { describe, expect, it } from 'vitest';
import { graphFailure } from '../../src-main/graph/graphFailures.ts';
import { DEFAULT_RETRY, parseRetryAfter, retryAfterInMessage, RetryTiming } from '../../src-main/graph/retryTiming.ts';

describe('Retry-After', () => {
  it('reads seconds (with a fraction and spaces) and HTTP dates; a date in the past is no wait', () => {
    expect(parseRetryAfter(' 1.5 ', 0)).toBe(1_500);
    expect(parseRetryAfter('0', 0)).toBe(0);
    expect(parseRetryAfter(new Date(90_000).toUTCString(), 30_000)).toBe(60_000);
    expect(parseRetryAfter(new Date(0).toUTCString(), 60_000)).toBe(0);
    expect(parseRetryAfter('', 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });

  it("reads Intune's RetryAfter inside the error message, as a number or a string; null is no value", () => {
    expect(retryAfterInMessage('{"ErrorCode":"TooManyRequests","RetryAfter":12}')).toBe(12_000);
    expect(retryAfterInMessage('{"RetryAfter" : "2.5"}')).toBe(2_500);
    expect(retryAfterInMessage('{"RetryAfter":null}')).toBeUndefined();
    expect(retryAfterInMessage('Too many requests')).toBeUndefined();
    expect(retryAfterInMessage(undefined)).toBeUndefined();
  });
});

describe('RetryTiming', () => {
  it('backs off with equal jitter: half of each step fixed, capped at the largest step', () => {
    const low = new RetryTiming(DEFAULT_RETRY, () => 0);
    const high = new RetryTiming(DEFAULT_RETRY, () => 1);
    expect([1, 2, 3, 6, 7, 20].map((a) => low.backoff(a))).toEqual([500, 1_000, 2_000, 16_000, 30_000, 30_000]);
    expect([1, 2, 3, 6, 7, 20].map((a) => high.backoff(a))).toEqual([1_000, 2_000, 4_000, 32_000, 60_000, 60_000]);
  });

  it('counts attempts per request: the policy, a request of its own, or none for noRetry', () => {
    const t = new RetryTiming(DEFAULT_RETRY, () => 0.5);
    expect(t.attemptsLeft(5, {})).toBe(true);
    expect(t.attemptsLeft(6, {})).toBe(false);
    expect(t.attemptsLeft(1, { maxAttempts: 1 })).toBe(false);
    expect(t.attemptsLeft(1, { noRetry: true })).toBe(false);
  });

  it("waits what the service said, inline up to 5 minutes; else the attempt's backoff", () => {
    const t = new RetryTiming(DEFAULT_RETRY, () => 0);
    expect(t.serviceWait(7_000, 3)).toEqual({ waitMs: 7_000, said: true, inline: true });
    expect(t.serviceWait(300_000, 1).inline).toBe(true);
    expect(t.serviceWait(300_001, 1)).toEqual({ waitMs: 300_001, said: true, inline: false });
    expect(t.serviceWait(undefined, 3)).toEqual({ waitMs: 2_000, said: false, inline: true });
  });

  it('after a failure that may have been processed: never resends what is not idempotent, and says it may have landed', () => {
    const t = new RetryTiming(DEFAULT_RETRY, () => 0);
    const post = t.afterMaybeProcessed(graphFailure('unavailable', { status: 500 }), 1, { idempotent: false });
    expect(post.retry).toBe(false);
    expect(!post.retry && post.failure.details?.maybeApplied).toBe(true);
    expect(t.afterMaybeProcessed(graphFailure('network'), 2, { idempotent: true })).toEqual({
      retry: true,
      waitMs: 1_000,
    });
    const last = t.afterMaybeProcessed(graphFailure('network'), 6, { idempotent: true });
    expect(last.retry).toBe(false);
    expect(!last.retry && last.failure.details?.maybeApplied).toBeUndefined();
  });
});

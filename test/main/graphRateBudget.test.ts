import { describe, expect, it } from 'vitest';
import { RateBudget } from '../../src-main/graph/rateBudget.ts';
import { FakeClock } from './graphTestSupport.ts';

/** Counts how many timestamps fall in every window [t - windowMs, t]. */
function maxInAnyWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! > windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('RateBudget', () => {
  it('lets requests through until the window is full, then waits for the oldest to leave', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock, { windowMs: 20_000, maxWrites: 3, maxRequests: 5 });
    const start = clock.now();
    for (let i = 0; i < 5; i++) await budget.acquire('read');
    expect(clock.now()).toBe(start);
    await budget.acquire('read');
    expect(clock.now() - start).toBe(20_001);
  });

  it('limits writes separately from all requests', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock, { windowMs: 20_000, maxWrites: 2, maxRequests: 10 });
    await budget.acquire('write');
    clock.advance(5_000);
    await budget.acquire('write');
    await budget.acquire('read'); // reads still pass
    expect(clock.sleeps).toEqual([]);
    await budget.acquire('write');
    expect(clock.sleeps).toEqual([15_001]);
    expect(budget.usage().writes).toBe(2);
  });

  it('never exceeds the limits over a long mixed run (sliding, not fixed, windows)', async () => {
    const clock = new FakeClock();
    const limits = { windowMs: 20_000, maxWrites: 90, maxRequests: 900 };
    const budget = new RateBudget(clock, limits);
    const all: number[] = [];
    const writes: number[] = [];
    for (let i = 0; i < 5_000; i++) {
      const kind = i % 3 === 0 ? 'write' : 'read';
      await budget.acquire(kind);
      all.push(clock.now());
      if (kind === 'write') writes.push(clock.now());
      clock.advance(i % 7); // uneven pacing
    }
    expect(maxInAnyWindow(all, limits.windowMs)).toBeLessThanOrEqual(900);
    expect(maxInAnyWindow(writes, limits.windowMs)).toBeLessThanOrEqual(90);
    // and it is not needlessly slow: writes are the bottleneck, about 90 per 20 s
    const seconds = (clock.now() - all[0]!) / 1000;
    expect(writes.length / seconds).toBeGreaterThan(4);
  });

  it('holds every caller while the service asked to pause', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock);
    budget.pauseUntil(clock.now() + 7_000);
    await budget.acquire('read');
    expect(clock.sleeps).toEqual([7_000]);
  });

  it('gives up waiting when aborted', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(clock, { windowMs: 20_000, maxWrites: 1, maxRequests: 1 });
    await budget.acquire('read');
    const ac = new AbortController();
    ac.abort(new Error('stopped'));
    await expect(budget.acquire('read', ac.signal)).rejects.toThrow('stopped');
  });

  it('refuses nonsense limits', () => {
    expect(() => new RateBudget(new FakeClock(), { windowMs: 0, maxWrites: 1, maxRequests: 1 })).toThrow(RangeError);
  });
});

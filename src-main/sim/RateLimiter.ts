import type { Clock } from '../kernel/clock.ts';

/**
 * Intune's documented limits per window of service time (docs/domain.md#throttling-and-limits): writes and all
 * requests, per app per tenant and for the whole tenant. A sliding log of request times per bucket; refused requests do
 * not count. Retry-After says when the oldest counted request leaves the window.
 */
export interface RateLimits {
  windowS: number;
  appWrites: number;
  appAll: number;
  tenantWrites: number;
  tenantAll: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterS: number; scope: string };

export class RateLimiter {
  private readonly logs = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private limits: RateLimits,
  ) {}

  setLimits(limits: Partial<RateLimits>): void {
    this.limits = { ...this.limits, ...limits };
  }

  check(appId: string, isWrite: boolean): RateDecision {
    const now = this.clock.now();
    const windowMs = this.limits.windowS * 1000;
    const buckets: [string, number][] = [
      ['tenant:all', this.limits.tenantAll],
      [`app:${appId}:all`, this.limits.appAll],
    ];
    if (isWrite)
      buckets.push(['tenant:write', this.limits.tenantWrites], [`app:${appId}:write`, this.limits.appWrites]);
    for (const [key, limit] of buckets) {
      const log = this.trimmed(key, now, windowMs);
      if (log.length >= limit) {
        const retryAfterS = Math.max(1, Math.ceil((log[log.length - limit]! + windowMs - now) / 1000));
        return { ok: false, retryAfterS, scope: key.replace(appId, 'app') };
      }
    }
    for (const [key] of buckets) this.logs.get(key)!.push(now);
    return { ok: true };
  }

  private trimmed(key: string, now: number, windowMs: number): number[] {
    let log = this.logs.get(key);
    if (!log) this.logs.set(key, (log = []));
    let drop = 0;
    while (drop < log.length && log[drop]! <= now - windowMs) drop++;
    if (drop) log.splice(0, drop);
    return log;
  }
}

import type { Clock } from '../kernel/clock.ts';

export interface RateBudgetLimits {
  /** Sliding window length in service-time milliseconds (Intune: 20 s). */
  windowMs: number;
  /** Writes (POST, PATCH, PUT, DELETE) allowed per window. */
  maxWrites: number;
  /** All requests allowed per window. */
  maxRequests: number;
}

/**
 * Intune allows 100 writes and 1000 requests per 20 s per app per tenant. The station keeps a
 * margin under both (other tools may share the app registration, and clocks differ by a few ms).
 */
export const INTUNE_APP_LIMITS: RateBudgetLimits = { windowMs: 20_000, maxWrites: 90, maxRequests: 900 };

export type RequestKind = 'read' | 'write';

/**
 * How the budget adapts to 429s (AIMD, as TCP does): a 429 cuts the rate (multiplicative decrease)
 * and sets a ceiling a little under the rate that was refused; the rate then grows back by a step
 * per window up to the ceiling (additive increase) and the ceiling itself rises very slowly. So
 * several stations sharing one app registration settle under Intune's per-app limit after a few
 * 429s instead of each taking 90% of it, and one station alone returns to the full budget.
 */
export interface AdaptiveRate {
  /** Rate × this on a 429 (at most once per window: one burst of 429s is one signal). */
  decrease: number;
  /** Ceiling = the refused rate × this. */
  ceilingFactor: number;
  /** Fraction of the budget regained per window, up to the ceiling. */
  increasePerWindow: number;
  /** Fraction the ceiling regains per window (slow: the probe that finds freed capacity). */
  ceilingRecoveryPerWindow: number;
  /** Never below this fraction of the budget. */
  minFraction: number;
}

export const DEFAULT_ADAPTIVE: AdaptiveRate = {
  decrease: 0.5,
  ceilingFactor: 0.85,
  increasePerWindow: 0.05,
  ceilingRecoveryPerWindow: 0.001,
  minFraction: 0.05,
};

/**
 * Client-side sliding-window budget. Every Graph request takes a slot before it is sent; when the
 * window is full the caller waits (in service time) until the oldest slot leaves it. A 429 pauses
 * every caller until the service's Retry-After has passed.
 */
export class RateBudget {
  private readonly all: number[] = [];
  private readonly writes: number[] = [];
  private pausedUntil = 0;
  private waitingCount = 0;
  private fraction = 1;
  private ceiling = 1;
  private adjustedAt: number;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  private throttledCount = 0;
  private readonly adaptive: AdaptiveRate | undefined;

  constructor(
    private readonly clock: Clock,
    readonly limits: RateBudgetLimits = INTUNE_APP_LIMITS,
    /** false: a fixed budget (tests of the window itself). */
    adaptive: Partial<AdaptiveRate> | false = {},
  ) {
    if (!(limits.maxWrites >= 1 && limits.maxRequests >= limits.maxWrites && limits.windowMs > 0))
      throw new RangeError('invalid rate budget limits');
    this.adaptive = adaptive === false ? undefined : { ...DEFAULT_ADAPTIVE, ...adaptive };
    this.adjustedAt = clock.now();
  }

  /**
   * The service answered 429 (app or tenant limit, not an operation's own rule such as the sync's):
   * cut the rate. Several 429s within one window count once.
   */
  onThrottled(): void {
    this.throttledCount++;
    const a = this.adaptive;
    if (!a) return;
    const now = this.clock.now();
    this.grow(now);
    if (now - this.lastDecreaseAt < this.limits.windowMs) return;
    this.lastDecreaseAt = now;
    this.ceiling = Math.max(a.minFraction, this.fraction * a.ceilingFactor);
    this.fraction = Math.max(a.minFraction, this.fraction * a.decrease);
  }

  /** The share of the budget in force now (1 = the full budget), for the status line and tests. */
  rate(): { fraction: number; ceiling: number; maxRequests: number; maxWrites: number; throttled: number } {
    this.grow(this.clock.now());
    const { maxRequests, maxWrites } = this.effectiveLimits();
    return { fraction: this.fraction, ceiling: this.ceiling, maxRequests, maxWrites, throttled: this.throttledCount };
  }

  private grow(now: number): void {
    const a = this.adaptive;
    if (!a || now <= this.adjustedAt) return;
    const windows = (now - this.adjustedAt) / this.limits.windowMs;
    this.adjustedAt = now;
    this.ceiling = Math.min(1, this.ceiling + a.ceilingRecoveryPerWindow * windows);
    if (this.fraction < this.ceiling)
      this.fraction = Math.min(this.ceiling, this.fraction + a.increasePerWindow * windows);
  }

  private effectiveLimits(): { maxRequests: number; maxWrites: number } {
    return {
      maxRequests: Math.max(1, Math.floor(this.limits.maxRequests * this.fraction)),
      maxWrites: Math.max(1, Math.floor(this.limits.maxWrites * this.fraction)),
    };
  }

  /** Takes one slot, waiting as long as needed. Rejects only when `signal` aborts. */
  async acquire(kind: RequestKind, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = this.tryTake(kind);
      if (wait === 0) return;
      this.waitingCount++;
      try {
        await this.clock.sleep(wait, signal);
      } finally {
        this.waitingCount--;
      }
    }
  }

  /** The service said to wait: nobody sends until `untilMs` (service time). */
  pauseUntil(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
  }

  /** Slots used in the current window, for tests and the status line. */
  usage(): { requests: number; writes: number; waiting: number; pausedForMs: number } {
    const now = this.clock.now();
    this.prune(now);
    return {
      requests: this.all.length,
      writes: this.writes.length,
      waiting: this.waitingCount,
      pausedForMs: Math.max(0, this.pausedUntil - now),
    };
  }

  /** 0 when a slot was taken, else how long to wait before trying again. */
  private tryTake(kind: RequestKind): number {
    const now = this.clock.now();
    if (now < this.pausedUntil) return this.pausedUntil - now;
    this.prune(now);
    this.grow(now);
    const { windowMs } = this.limits;
    const { maxRequests, maxWrites } = this.effectiveLimits();
    let wait = 0;
    if (this.all.length >= maxRequests)
      wait = Math.max(wait, this.all[this.all.length - maxRequests]! + windowMs + 1 - now);
    if (kind === 'write' && this.writes.length >= maxWrites)
      wait = Math.max(wait, this.writes[this.writes.length - maxWrites]! + windowMs + 1 - now);
    if (wait > 0) return Math.max(1, wait);
    this.all.push(now);
    if (kind === 'write') this.writes.push(now);
    return 0;
  }

  private prune(now: number): void {
    const edge = now - this.limits.windowMs;
    // A slot taken at `edge` exactly still counts: the service's window may include its boundary.
    while (this.all.length && this.all[0]! < edge) this.all.shift();
    while (this.writes.length && this.writes[0]! < edge) this.writes.shift();
  }
}

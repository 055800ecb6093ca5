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
 * Client-side sliding-window budget. Every Graph request takes a slot before it is sent; when the
 * window is full the caller waits (in service time) until the oldest slot leaves it. A 429 pauses
 * every caller until the service's Retry-After has passed.
 */
export class RateBudget {
  private readonly all: number[] = [];
  private readonly writes: number[] = [];
  private pausedUntil = 0;
  private waitingCount = 0;

  constructor(
    private readonly clock: Clock,
    readonly limits: RateBudgetLimits = INTUNE_APP_LIMITS,
  ) {
    if (!(limits.maxWrites >= 1 && limits.maxRequests >= limits.maxWrites && limits.windowMs > 0)) throw new RangeError('invalid rate budget limits');
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
    return { requests: this.all.length, writes: this.writes.length, waiting: this.waitingCount, pausedForMs: Math.max(0, this.pausedUntil - now) };
  }

  /** 0 when a slot was taken, else how long to wait before trying again. */
  private tryTake(kind: RequestKind): number {
    const now = this.clock.now();
    if (now < this.pausedUntil) return this.pausedUntil - now;
    this.prune(now);
    const { windowMs, maxRequests, maxWrites } = this.limits;
    let wait = 0;
    if (this.all.length >= maxRequests) wait = Math.max(wait, this.all[this.all.length - maxRequests]! + windowMs + 1 - now);
    if (kind === 'write' && this.writes.length >= maxWrites) wait = Math.max(wait, this.writes[this.writes.length - maxWrites]! + windowMs + 1 - now);
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

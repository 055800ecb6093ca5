/**
 * Seeded random numbers for the fuzz runs (mulberry32): the same seed replays the same inputs, so a
 * failure printed with its seed and index can be reproduced exactly.
 */
export class FuzzRng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** A child generator whose sequence does not depend on how much the parent is used later. */
  fork(salt: number): FuzzRng {
    return new FuzzRng(Math.imul(this.seed ^ salt, 0x85ebca6b) ^ (salt * 0xc2b2ae35));
  }
}

/** FUZZ_SEED from the environment, or a fixed default so `npm test` is repeatable. */
export function seedFromEnv(fallback = 20261123): number {
  const raw = process.env.FUZZ_SEED;
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) ? n : fallback;
}

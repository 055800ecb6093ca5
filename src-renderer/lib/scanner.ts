/**
 * Tells a barcode scanner from a person: scanners "type" a whole label in a burst (a few ms between
 * keys). Scanners end the burst with Enter, with Tab, or with nothing at all, as they are set up:
 * Enter and Tab end it at once; without a suffix the burst ends by its timing (`idle`, called a
 * little after the last key). Pure and clock-injected so it can be tested without a DOM.
 */
export interface ScannerOptions {
  /** Longest gap between two keys of one scan, in ms. */
  maxGapMs?: number;
  /** Shortest label that counts as a scan. */
  minLength?: number;
}

/** Keys a scanner may send after the label. */
const SUFFIXES = new Set(['Enter', 'Tab']);

export class ScannerDetector {
  private buffer = '';
  private last = -Infinity;
  private readonly maxGap: number;
  private readonly minLength: number;

  constructor(options: ScannerOptions = {}) {
    this.maxGap = options.maxGapMs ?? 35;
    this.minLength = options.minLength ?? 4;
  }

  /**
   * How long after a key `idle` should be asked whether the burst is over (a scanner with no suffix):
   * well past a scan's gap, so that a renderer busy for a moment does not cut a burst in two.
   */
  get idleAfterMs(): number {
    return this.maxGap + 65;
  }

  /** Feed one keydown (KeyboardEvent.key) at a time in ms; returns the scanned text when a burst ends with Enter or Tab. */
  feed(key: string, at: number): string | undefined {
    const gap = at - this.last;
    this.last = at;
    if (SUFFIXES.has(key)) {
      const text = gap <= this.maxGap && this.buffer.length >= this.minLength ? this.buffer : undefined;
      this.buffer = '';
      return text;
    }
    if (key.length !== 1) {
      // Shift and other modifiers arrive inside bursts (upper-case labels); they neither add nor break.
      if (key === 'Shift') return undefined;
      this.buffer = '';
      return undefined;
    }
    this.buffer = gap <= this.maxGap ? this.buffer + key : key;
    return undefined;
  }

  /**
   * A scanner with no suffix: the burst is over once no key came for longer than a scan's gap.
   * Returns the label then (once); undefined while keys may still come, for a person's typing, and for
   * one key held down (auto-repeat is as fast as a scanner but repeats one character).
   */
  idle(at: number): string | undefined {
    if (at - this.last <= this.maxGap || this.buffer.length < this.minLength) return undefined;
    const text = this.buffer;
    this.buffer = '';
    return /^(.)\1*$/.test(text) ? undefined : text;
  }

  /** A shortcut (Ctrl/Alt/Meta + key) is never part of a label: it ends any burst. */
  reset(): void {
    this.buffer = '';
    this.last = -Infinity;
  }

  /** The characters of the burst in progress (to take them back out of a field they landed in). */
  get pending(): string {
    return this.buffer;
  }
}

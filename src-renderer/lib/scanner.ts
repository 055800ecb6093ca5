/**
 * Tells a barcode scanner from a person: scanners "type" a whole label in a burst (a few ms between
 * keys) and end it with Enter. Pure and clock-injected so it can be tested without a DOM.
 */
export interface ScannerOptions {
  /** Longest gap between two keys of one scan, in ms. */
  maxGapMs?: number;
  /** Shortest label that counts as a scan. */
  minLength?: number;
}

export class ScannerDetector {
  private buffer = '';
  private last = -Infinity;
  private readonly maxGap: number;
  private readonly minLength: number;

  constructor(options: ScannerOptions = {}) {
    this.maxGap = options.maxGapMs ?? 35;
    this.minLength = options.minLength ?? 4;
  }

  /** Feed one keydown (KeyboardEvent.key) at a time in ms; returns the scanned text when a burst ends with Enter. */
  feed(key: string, at: number): string | undefined {
    const gap = at - this.last;
    this.last = at;
    if (key === 'Enter') {
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

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
  /** When the last key reached us (the page's clock), which is what `idle` compares with. */
  private lastReceived = -Infinity;
  /** A burst `idle` already handed out: keys that still come fast after it continue it (a busy page can delay keys). */
  private carried = '';
  private readonly maxGap: number;
  private readonly minLength: number;
  /** The characters of the last label returned that were typed since the label before it (what landed in a field). */
  lastTyped = '';

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

  /**
   * Feed one keydown (KeyboardEvent.key) at a time: `at` is the key's own time (event.timeStamp), `receivedAt`
   * when the page got it. Returns the scanned text when a burst ends with Enter or Tab.
   */
  feed(key: string, at: number, receivedAt = at): string | undefined {
    const gap = at - this.last;
    this.last = at;
    this.lastReceived = receivedAt;
    if (SUFFIXES.has(key)) {
      const text = gap <= this.maxGap && this.buffer.length >= this.minLength ? this.buffer : undefined;
      if (text !== undefined) this.lastTyped = text.slice(this.carried.length);
      this.buffer = '';
      this.carried = '';
      return text;
    }
    if (key.length !== 1) {
      // Shift and other modifiers arrive inside bursts (upper-case labels); they neither add nor break.
      if (key === 'Shift') return undefined;
      this.buffer = '';
      this.carried = '';
      return undefined;
    }
    if (gap <= this.maxGap) {
      this.buffer = (this.buffer || this.carried) + key;
    } else {
      this.buffer = key;
      this.carried = '';
    }
    return undefined;
  }

  /**
   * A scanner with no suffix: the burst is over once no key came for longer than a scan's gap.
   * Returns the label then; undefined while keys may still come, for a person's typing, and for one
   * key held down (auto-repeat is as fast as a scanner but repeats one character). When keys of the same
   * burst still come after it (the page was busy), the burst goes on and is returned again, whole.
   */
  idle(now: number): string | undefined {
    if (now - this.lastReceived <= this.maxGap || this.buffer.length < this.minLength || this.buffer === this.carried) return undefined;
    const text = this.buffer;
    if (/^(.)\1*$/.test(text)) {
      this.buffer = '';
      return undefined;
    }
    this.lastTyped = text.slice(this.carried.length);
    this.carried = text;
    this.buffer = '';
    return text;
  }

  /** A shortcut (Ctrl/Alt/Meta + key) is never part of a label: it ends any burst. */
  reset(): void {
    this.buffer = '';
    this.carried = '';
    this.last = -Infinity;
    this.lastReceived = -Infinity;
  }

  /** The characters of the burst in progress (to take them back out of a field they landed in). */
  get pending(): string {
    return this.buffer;
  }
}

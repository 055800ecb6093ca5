/**
 * Tells a barcode scanner from a person: scanners "type" a whole label in a burst (a few ms between
 * keys). Scanners end the burst with Enter, with Tab, or with nothing at all, as they are set up:
 * Enter and Tab end it at once; without a suffix the burst ends by its timing (`idle`, called a
 * little after the last key). Pure and clock-injected so it can be tested without a DOM.
 *
 * With a Japanese IME on, the scanner's keys reach the page as 'Process' (isComposing, keyCode 229) and the
 * field fills with the IME's kana or full-width text: the label is read from the physical keys (`code`), so the
 * burst is still a scan and the caller can put the label itself in the field.
 */
export interface ScannerOptions {
  /** Longest gap between two keys of one scan, in ms. */
  maxGapMs?: number;
  /** Shortest label that counts as a scan. */
  minLength?: number;
}

/** Keys a scanner may send after the label. */
const SUFFIXES = new Set(['Enter', 'Tab']);

/** What a keydown says about itself: its physical key, and whether an IME is composing with it. */
export interface KeyFacts {
  /** KeyboardEvent.code (the physical key), read when an IME hides the character behind 'Process'. */
  code?: string;
  shiftKey?: boolean;
  /** KeyboardEvent.isComposing, or keyCode 229: the key went to an IME. */
  composing?: boolean;
}

const PUNCTUATION: Record<string, [string, string]> = {
  Minus: ['-', '_'],
  Period: ['.', '>'],
  Comma: [',', '<'],
  Slash: ['/', '?'],
  Space: [' ', ' '],
  Equal: ['=', '+'],
  Semicolon: [';', ':'],
  Quote: ["'", '"'],
  BracketLeft: ['[', '{'],
  BracketRight: [']', '}'],
  Backslash: ['\\', '|'],
};
const SHIFTED_DIGITS = ')!@#$%^&*(';

/**
 * The ASCII character a physical key types on a US layout (what a HID scanner sends), for keys an IME
 * took: a Japanese IME turns a scanned "PF4" into kana or full-width letters, and its keydowns say
 * only 'Process'. Undefined for keys that type nothing we can name.
 */
export function characterOfKey(code: string | undefined, shiftKey = false): string | undefined {
  if (!code) return undefined;
  const letter = /^Key([A-Z])$/.exec(code);
  if (letter) return shiftKey ? letter[1] : letter[1]!.toLowerCase();
  const digit = /^(?:Digit|Numpad)(\d)$/.exec(code);
  if (digit) return shiftKey && code.startsWith('Digit') ? SHIFTED_DIGITS[Number(digit[1])] : digit[1];
  const p = PUNCTUATION[code];
  return p ? p[shiftKey ? 1 : 0] : undefined;
}

export class ScannerDetector {
  private buffer = '';
  private last = -Infinity;
  /** When the last key reached us (the page's clock), which is what `idle` compares with. */
  private lastReceived = -Infinity;
  /** A burst `idle` already handed out: keys that still come fast after it continue it (a busy page can delay keys). */
  private carried = '';
  private readonly maxGap: number;
  private readonly minLength: number;
  /** Whether the burst in progress went through an IME (its characters were read from the physical keys). */
  private imeInBurst = false;
  /** Whether the last label returned went through an IME: the field holds the IME's text, not the label. */
  lastViaIme = false;

  constructor(options: ScannerOptions = {}) {
    // A scanner set to 10 ms a key reaches a loaded bench's page 10–45 ms apart; a person's keys are 80 ms or more.
    this.maxGap = options.maxGapMs ?? 50;
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
  feed(key: string, at: number, receivedAt = at, facts: KeyFacts = {}): string | undefined {
    const gap = at - this.last;
    this.last = at;
    this.lastReceived = receivedAt;
    // An IME hides the key ('Process', keyCode 229): the physical key still says what the scanner sent.
    // A suffix the IME took (Enter commits the composition) is still the suffix.
    const viaIme = facts.composing === true || key === 'Process';
    if (viaIme) {
      const fromCode = characterOfKey(facts.code, facts.shiftKey);
      key =
        facts.code === 'Enter' || facts.code === 'NumpadEnter'
          ? 'Enter'
          : facts.code === 'Tab'
            ? 'Tab'
            : (fromCode ?? (facts.code?.startsWith('Shift') ? 'Shift' : ''));
      if (key === '') return undefined; // a key the IME took that types nothing we can name: neither adds nor breaks
    }
    if (SUFFIXES.has(key)) {
      const text = gap <= this.maxGap && this.buffer.length >= this.minLength ? this.buffer : undefined;
      if (text !== undefined) this.lastViaIme = this.imeInBurst;
      this.buffer = '';
      this.carried = '';
      this.imeInBurst = false;
      return text;
    }
    if (key.length === 1 && gap > this.maxGap) this.imeInBurst = false;
    if (key.length === 1 && viaIme) this.imeInBurst = true;
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
    if (now - this.lastReceived <= this.maxGap || this.buffer.length < this.minLength || this.buffer === this.carried)
      return undefined;
    const text = this.buffer;
    if (/^(.)\1*$/.test(text)) {
      this.buffer = '';
      return undefined;
    }
    this.lastViaIme = this.imeInBurst;
    this.carried = text;
    this.buffer = '';
    return text;
  }

  /** A shortcut (Ctrl/Alt/Meta + key) is never part of a label: it ends any burst. */
  reset(): void {
    this.imeInBurst = false;
    this.buffer = '';
    this.carried = '';
    this.last = -Infinity;
    this.lastReceived = -Infinity;
  }

  /** Whether a key at `at` would begin a burst of its own (nothing pending, or too long since the last key). */
  startsBurst(at: number): boolean {
    return !this.buffer || at - this.last > this.maxGap;
  }
}

import { describe, expect, it } from 'vitest';
import { ScannerDetector } from '../../src-renderer/lib/scanner.ts';

function feed(d: ScannerDetector, text: string, start: number, gap: number): string | undefined {
  let t = start;
  let out: string | undefined;
  for (const k of [...text, 'Enter']) {
    out = d.feed(k === 'Enter' ? 'Enter' : k, t);
    t += gap;
  }
  return out;
}

describe('ScannerDetector', () => {
  it('recognises a fast burst ending in Enter', () => {
    expect(feed(new ScannerDetector(), 'PF4XK2QZ', 1000, 8)).toBe('PF4XK2QZ');
  });
  it('ignores a person typing (gaps of 120 ms)', () => {
    expect(feed(new ScannerDetector(), 'PF4XK2QZ', 1000, 120)).toBeUndefined();
  });
  it('ignores bursts shorter than 4 characters', () => {
    expect(feed(new ScannerDetector(), 'ABC', 1000, 5)).toBeUndefined();
  });
  it('starts a new burst after a pause, keeping only the fast tail', () => {
    const d = new ScannerDetector();
    d.feed('x', 0);
    d.feed('y', 500);
    expect(feed(d, 'SN12345', 1000, 10)).toBe('ySN12345'.slice(1));
  });
  it('keeps Shift inside a burst and resets on other control keys', () => {
    const d = new ScannerDetector();
    let t = 0;
    for (const k of ['Shift', 'A', 'Shift', 'B', 'C', 'D']) d.feed(k, (t += 5));
    expect(d.feed('Enter', (t += 5))).toBe('ABCD');
    for (const k of ['A', 'B', 'Tab', 'C', 'D']) d.feed(k, (t += 5));
    expect(d.feed('Enter', (t += 5))).toBeUndefined();
  });
  it('reset() drops a burst in progress (shortcuts are not part of labels)', () => {
    const d = new ScannerDetector();
    d.feed('1', 0);
    d.reset();
    expect(feed(d, 'SN-77731', 5, 5)).toBe('SN-77731');
  });
  it('a slow Enter after a fast burst is a person pressing Enter', () => {
    const d = new ScannerDetector();
    for (const [i, k] of [...'ABCDE'].entries()) d.feed(k, i * 5);
    expect(d.feed('Enter', 500)).toBeUndefined();
  });
});

describe('ScannerDetector: scanners set to end with Tab or with no suffix', () => {
  const burst = (d: ScannerDetector, text: string, start: number, gap: number) => {
    let t = start;
    for (const k of text) d.feed(k, (t += gap));
    return t;
  };
  it.each([
    ['Enter', 'PF4XK2QZ'],
    ['Tab', 'PF4XK2QZ'],
    ['Tab', 'VMware-56 4d 12 ab'],
  ])('a burst ending in %s is a scan', (suffix, label) => {
    const d = new ScannerDetector();
    const t = burst(d, label, 1000, 8);
    expect(d.feed(suffix, t + 8)).toBe(label);
    expect(d.idle(t + 500)).toBeUndefined(); // taken once
  });
  it('a person pressing Tab to move to the next field is not a scan', () => {
    const d = new ScannerDetector();
    const t = burst(d, 'PF4XK2QZ', 1000, 120);
    expect(d.feed('Tab', t + 100)).toBeUndefined();
  });
  it('no suffix: the burst ends by its timing', () => {
    const d = new ScannerDetector();
    const t = burst(d, '5CG2231XYZ', 1000, 6);
    expect(d.idle(t + 10)).toBeUndefined(); // still inside the burst
    expect(d.idle(t + d.idleAfterMs)).toBe('5CG2231XYZ');
    expect(d.idle(t + 2 * d.idleAfterMs)).toBeUndefined();
  });
  it('no suffix: a person typing, a short burst and one key held down are not scans', () => {
    const d = new ScannerDetector();
    let t = burst(d, 'PF4XK2QZ', 1000, 150);
    expect(d.idle(t + 200)).toBeUndefined();
    t = burst(d, 'AB', t + 1000, 5);
    expect(d.idle(t + 200)).toBeUndefined();
    t = burst(d, 'aaaaaaaaaa', t + 1000, 33); // auto-repeat
    expect(d.idle(t + 200)).toBeUndefined();
  });
});

describe('ScannerDetector: a busy page delays the keys of a burst', () => {
  it('a burst cut by a late key (no suffix yet) goes on and comes back whole', () => {
    const d = new ScannerDetector();
    // Keys generated 4 ms apart, received late: the page stalled after "XYZ9".
    let t = 0;
    for (const k of 'XYZ9') d.feed(k, (t += 4), t);
    expect(d.idle(t + 150)).toBe('XYZ9');
    for (const k of '8765') d.feed(k, (t += 4), t + 300);
    expect(d.feed('Enter', (t += 4), t + 300)).toBe('XYZ98765');
  });
});

describe('ScannerDetector: a Japanese IME is on while the scanner types', () => {
  /** Keydowns as Chromium gives them with an IME composing: key 'Process', the physical key in `code`. */
  const codeOf = (ch: string) =>
    /\d/.test(ch)
      ? `Digit${ch}`
      : ch === '@'
        ? 'Digit2'
        : ch === '.'
          ? 'Period'
          : ch === '-'
            ? 'Minus'
            : `Key${ch.toUpperCase()}`;
  function imeBurst(d: ScannerDetector, text: string, start: number, gap: number): number {
    let t = start;
    for (const ch of text) {
      const shiftKey = /[A-Z@]/.test(ch);
      if (shiftKey) d.feed('Process', t, t, { code: 'ShiftLeft', shiftKey: true, composing: true });
      d.feed('Process', (t += gap), t, { code: codeOf(ch), shiftKey, composing: true });
    }
    return t;
  }

  it('reads the label from the physical keys and takes the Enter that commits the composition as the suffix', () => {
    const d = new ScannerDetector();
    const t = imeBurst(d, 'PF4XK2QZ', 1000, 10);
    expect(d.feed('Process', t + 10, t + 10, { code: 'Enter', composing: true })).toBe('PF4XK2QZ');
    expect(d.lastViaIme).toBe(true);
  });
  it('a UPN with @ and dots, Tab suffix, 10 ms a key', () => {
    const d = new ScannerDetector();
    const t = imeBurst(d, 'tm.sato@contoso.com', 0, 10);
    expect(d.feed('Process', t + 10, t + 10, { code: 'Tab', composing: true })).toBe('tm.sato@contoso.com');
  });
  it('no suffix: the burst ends by its timing, IME or not', () => {
    const d = new ScannerDetector();
    const t = imeBurst(d, '5CG2231XYZ', 0, 10);
    expect(d.idle(t + d.idleAfterMs)).toBe('5CG2231XYZ');
    expect(d.lastViaIme).toBe(true);
  });
  it('composition keys do not break a burst that began without the IME', () => {
    const d = new ScannerDetector();
    let t = 0;
    for (const ch of 'PF4X') d.feed(ch, (t += 8));
    t = imeBurst(d, 'K2QZ', t, 8);
    expect(d.feed('Enter', t + 8)).toBe('PF4XK2QZ');
  });
  it('a person composing Japanese (slow keys, Enter to commit the conversion) is not a scan', () => {
    const d = new ScannerDetector();
    let t = imeBurst(d, 'toukyou', 0, 140);
    d.feed('Process', (t += 300), t, { code: 'Space', composing: true }); // convert
    expect(d.feed('Process', (t += 400), t, { code: 'Enter', composing: true })).toBeUndefined();
    expect(d.idle(t + 1000)).toBeUndefined();
  });
  it('a key the IME took that types nothing nameable neither adds nor breaks', () => {
    const d = new ScannerDetector();
    let t = imeBurst(d, 'ABCD', 0, 8);
    d.feed('Process', (t += 8), t, { code: 'Lang1', composing: true });
    t = imeBurst(d, 'EF', t, 8);
    expect(d.feed('Enter', t + 8)).toBe('ABCDEF');
  });
  it('a burst without the IME is not marked as one', () => {
    const d = new ScannerDetector();
    imeBurst(d, 'ABCD', 0, 8);
    d.feed('Enter', 48, 48, { code: 'Enter', composing: true });
    let t = 1000;
    for (const ch of 'WXYZ') d.feed(ch, (t += 8));
    expect(d.feed('Enter', t + 8)).toBe('WXYZ');
    expect(d.lastViaIme).toBe(false);
  });
});

describe('characterOfKey', () => {
  it('names what a US-layout key types, with and without Shift', async () => {
    const { characterOfKey } = await import('../../src-renderer/lib/scanner.ts');
    expect([
      characterOfKey('KeyA'),
      characterOfKey('KeyA', true),
      characterOfKey('Digit2', true),
      characterOfKey('Numpad7'),
      characterOfKey('Minus'),
      characterOfKey('Lang1'),
      characterOfKey(undefined),
    ]).toEqual(['a', 'A', '@', '7', '-', undefined, undefined]);
  });
});

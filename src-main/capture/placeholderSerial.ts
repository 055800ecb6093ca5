/**
 * Serial numbers that are not serial numbers: firmware defaults, empty fields and virtual machines'
 * values. A device with one of these needs a scanned or typed serial before it can be registered.
 */
const PLACEHOLDERS = new Set(
  [
    '',
    '-',
    '0',
    'none',
    'null',
    'n/a',
    'na',
    'default',
    'default string',
    'to be filled by o.e.m.',
    'to be filled by oem',
    'system serial number',
    'chassis serial number',
    'base board serial number',
    'serial number',
    'not specified',
    'not applicable',
    'not available',
    'unknown',
    'invalid',
    'oem',
    'o.e.m.',
    'empty',
    '123456789',
    '1234567890',
    '0123456789',
  ],
);

export type SerialProblem = 'placeholder' | 'virtual-machine';

export function serialProblem(raw: string | null | undefined): SerialProblem | undefined {
  const s = (raw ?? '').trim();
  const lower = s.toLowerCase();
  if (PLACEHOLDERS.has(lower)) return 'placeholder';
  // All zeros (with or without separators), or one character repeated (XXXXXXXX, 11111111).
  if (/^[0\s._:-]+$/.test(s)) return 'placeholder';
  if (s.length >= 4 && /^(.)\1+$/.test(s.replace(/[\s-]/g, ''))) return 'placeholder';
  if (/^(vmware-|parallels-|virtualbox|qemu|bochs|xen)/i.test(s)) return 'virtual-machine';
  return undefined;
}

export function isPlaceholderSerial(raw: string | null | undefined): boolean {
  return serialProblem(raw) !== undefined;
}

/** Serials compare without case and surrounding space: firmware and labels disagree on both. */
export function sameSerial(a: string, b: string): boolean {
  return a.trim().toUpperCase() === b.trim().toUpperCase();
}

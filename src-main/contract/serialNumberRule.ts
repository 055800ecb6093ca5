/**
 * How a serial number is read wherever it enters (a file's column, a typed or scanned serial, the
 * command line's --serial), stated once for main and the renderer. No runtime imports.
 *
 * A Japanese IME in full-width mode types ＰＦ１２３ (U+FF21…) and an ideographic space (U+3000)
 * instead of PF123 and a space; Excel on a Japanese PC keeps what was typed. Unicode's NFKC
 * normalisation folds these compatibility characters to the ASCII ones on the label
 * (https://unicode.org/reports/tr15/#Norm_Forms; FF01–FF5E are the "fullwidth ASCII variants",
 * https://www.unicode.org/charts/PDF/UFF00.pdf). Firmware serials (SMBIOS system serial,
 * Win32_BIOS.SerialNumber) are printable ASCII strings
 * (https://www.dmtf.org/standards/smbios, DSP0134 "Text strings"), which is what Autopilot registers.
 */

/** The serial as the label has it: NFKC-folded (full-width letters, digits and spaces to ASCII), trimmed. */
export function foldSerial(raw: string): string {
  return raw.normalize('NFKC').trim();
}

/** True when folding changed more than surrounding spaces (the serial was typed in full-width characters). */
export function serialWasFolded(raw: string): boolean {
  return foldSerial(raw) !== raw.trim();
}

/** Printable ASCII, not starting with a space: the characters on a serial label. */
export const LABEL_SERIAL_PATTERN = /^[\x21-\x7e][\x20-\x7e]*$/;
/**
 * What the contract lets through as a serial: no control characters, nothing blank first (the label rule is
 * checkDevice's).
 */
export const SERIAL_TEXT_PATTERN = /^[^\p{Cc}\s][^\p{Cc}]*$/u;
/** The longest serial the station takes (SMBIOS strings are at most 64 bytes in practice; DSP0134 allows 255). */
export const SERIAL_MAX = 64;

/** True when a (folded) serial has only characters a serial label has. */
export function isLabelSerial(serial: string): boolean {
  return serial.length <= SERIAL_MAX && LABEL_SERIAL_PATTERN.test(serial);
}

/**
 * Finding codes whose remedy is the serial the hash itself carries (the import screen's "Use the
 * hash's serial", the command line's --use-hash-serial): a spreadsheet's damage to a numeric serial,
 * and a serial with characters no label has. A serial of another device (SERIAL_MISMATCH) is never one.
 */
export const OFFERS_HASH_SERIAL: ReadonlySet<string> = new Set(['SERIAL_SPREADSHEET_DAMAGE', 'SERIAL_NOT_ON_LABEL']);

import type { FileReadError } from '../contract/types.ts';
import { readError } from './fileReadCodes.ts';

/**
 * The encoding a file was read in, as `inspect` names it (JSON `encoding`). 'shift_jis' is Japanese Windows' ANSI code
 * page, CP932.
 */
export type TextEncodingName =
  'utf-8' | 'utf-8-bom' | 'utf-16le-bom' | 'utf-16be-bom' | 'utf-16le' | 'utf-16be' | 'shift_jis' | 'windows-1252';

/** How a technician reads an encoding's name (inspect's text output; JSON keeps the short name). */
export const ENCODING_LABELS: Record<TextEncodingName, string> = {
  'utf-8': 'UTF-8',
  'utf-8-bom': 'UTF-8 with BOM',
  'utf-16le-bom': 'UTF-16 LE with BOM (Windows PowerShell 5.1)',
  'utf-16be-bom': 'UTF-16 BE with BOM',
  'utf-16le': 'UTF-16 LE without BOM',
  'utf-16be': 'UTF-16 BE without BOM',
  shift_jis: 'Shift_JIS (CP932, Excel or Notepad on a Japanese PC)',
  'windows-1252': 'windows-1252 (ANSI of a Western PC)',
};

export type DecodedText = { ok: true; text: string; encoding: TextEncodingName } | { ok: false; error: FileReadError };

const SAMPLE = 8192;

/**
 * Turns file bytes into text the way the OEM tools and spreadsheets wrote them, deciding by validity:
 * BOMs first (Windows PowerShell 5.1 writes UTF-16LE with a BOM, OA3Tool UTF-8 or UTF-16), then UTF-16
 * without a BOM recognised by its NUL bytes, then strict UTF-8 (PowerShell 7), then the two "ANSI" code
 * pages Excel and Notepad save in ("CSV (Comma delimited)" is the PC's ANSI code page:
 * https://support.microsoft.com/office/import-or-export-text-txt-or-csv-files-5250ac4c-663c-47ce-937b-339e391393ba):
 * Shift_JIS/CP932 on a Japanese Windows, windows-1252 on a Western one (code pages:
 * https://learn.microsoft.com/windows/win32/intl/code-page-identifiers). See chooseAnsi for how the
 * two are told apart. Anything else with NULs or many control bytes is binary and refused.
 * Returns the text and the encoding's name; never throws.
 */
export function decodeFileText(bytes: Uint8Array): DecodedText {
  if (bytes.length === 0)
    return fail('FILE_EMPTY', 'The file is empty: the OEM tool did not write anything. Capture the hash again.');
  const magic = binaryMagic(bytes);
  if (magic) return { ok: false, error: readError('FILE_BINARY', magic.message, undefined, { kind: magic.kind }) };

  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return utf8(bytes.subarray(3), 'utf-8-bom');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return utf16(bytes.subarray(2), 'utf-16le', 'utf-16le-bom');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return utf16(bytes.subarray(2), 'utf-16be', 'utf-16be-bom');

  const guess = guessUtf16(bytes);
  if (guess) return utf16(bytes, guess, guess);

  if (bytes.subarray(0, SAMPLE * 4).includes(0)) {
    return fail('FILE_BINARY', 'The file contains binary data, not text: it is not an OA3.xml or a hash CSV.');
  }
  const asUtf8 = utf8(bytes, 'utf-8');
  if (asUtf8.ok) return asUtf8;
  const ansi = chooseAnsi(bytes);
  if (ansi) return checked(ansi.text, ansi.encoding);
  return fail(
    'FILE_BAD_ENCODING',
    'The file is neither UTF-8, UTF-16, Shift_JIS (Japanese Windows) nor windows-1252 (Western Windows): it was damaged or saved in another code page. Save it again as "CSV UTF-8" or capture it again.',
  );
}

/** Bytes windows-1252 leaves undefined (WHATWG maps them to C1 controls, which no text holds). */
const CP1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/**
 * Shift_JIS (CP932) or windows-1252, by validity. CP932 is valid when its strict decoder accepts every
 * byte, the text holds no private-use (user-defined) character, and it has at least one two-byte
 * character. windows-1252 is valid when no byte is one it leaves undefined. When only one is valid it
 * is that one. When both are (any CP932 text is also windows-1252 bytes), the file is CP932 when it
 * holds a two-byte character whose first byte is 0x81–0x9F (JIS symbols, kana, full-width letters and
 * the common kanji of JIS level 1) and whose second byte is not ASCII, or two such characters in a row:
 * Western text does not put a windows-1252 sign (‚ „ … “ ” – — ƒ Œ Ž …) before an accented letter,
 * nor two of them one letter apart ("ƒeƒXƒg" is テスト read in the wrong code page). undefined when neither is
 * valid.
 */
export function chooseAnsi(bytes: Uint8Array): { text: string; encoding: 'shift_jis' | 'windows-1252' } | undefined {
  const sjis = strictShiftJis(bytes);
  const western = !bytes.some((b) => CP1252_UNDEFINED.has(b));
  if (sjis && (!western || sjis.japanesePair)) return { text: sjis.text, encoding: 'shift_jis' };
  if (western) return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  return undefined;
}

function strictShiftJis(bytes: Uint8Array): { text: string; japanesePair: boolean } | undefined {
  let text: string;
  try {
    text = new TextDecoder('shift_jis', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  if (/[\ue000-\uf8ff]/.test(text)) return undefined;
  let pairs = 0;
  let japanesePair = false;
  let lastCommonEnd = -1;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    // Lead bytes of two-byte characters (0xA1–0xDF are one-byte half-width katakana).
    if ((b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc)) {
      const trail = bytes[i + 1] ?? 0;
      pairs++;
      if (b <= 0x9f) {
        // Two non-ASCII bytes, or two common characters in a row (テスト: 83 65 83 58 83 67).
        if (trail >= 0x80 || lastCommonEnd === i) japanesePair = true;
        lastCommonEnd = i + 2;
      }
      i++;
    }
  }
  return pairs > 0 ? { text, japanesePair } : undefined;
}

function utf8(bytes: Uint8Array, encoding: 'utf-8' | 'utf-8-bom'): DecodedText {
  try {
    return checked(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes), encoding);
  } catch {
    if (encoding === 'utf-8-bom') {
      return fail(
        'FILE_BAD_ENCODING',
        'The file says it is UTF-8 but contains bytes that are not UTF-8: it was damaged or saved in a mixed encoding.',
      );
    }
    return fail('FILE_BAD_ENCODING', 'The file is not valid UTF-8.');
  }
}

function utf16(bytes: Uint8Array, decoder: 'utf-16le' | 'utf-16be', encoding: TextEncodingName): DecodedText {
  if (bytes.length === 0)
    return fail('FILE_EMPTY', 'The file holds only a byte-order mark and no text. Capture the hash again.');
  if (bytes.length % 2 !== 0) {
    return fail(
      'FILE_BAD_ENCODING',
      'The file is UTF-16 text with an odd number of bytes: it was cut off while being written or copied. Copy it again.',
    );
  }
  // Buffer's decoder plus isWellFormed (lone surrogates) is faster than a fatal TextDecoder on multi-MB files.
  const le =
    decoder === 'utf-16le' ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length) : Buffer.from(bytes).swap16();
  const text = le.toString('utf16le');
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed())
    return fail(
      'FILE_BAD_ENCODING',
      'The file says it is UTF-16 but contains invalid characters: it was damaged. Copy it again.',
    );
  return checked(text, encoding);
}

/** Text that decoded but is mostly control characters is still binary (a renamed image, a disk dump). */
function checked(text: string, encoding: TextEncodingName): DecodedText {
  const sample = text.slice(0, SAMPLE);
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0x7f) control++;
  }
  if (control > 0 && (control > 32 || control / Math.max(1, sample.length) > 0.05)) {
    return fail('FILE_BINARY', 'The file contains binary data, not text: it is not an OA3.xml or a hash CSV.');
  }
  if (text.trim().length === 0) return fail('FILE_EMPTY', 'The file holds only blank lines. Capture the hash again.');
  return { ok: true, text, encoding };
}

/** UTF-16 without a BOM: ASCII text has a NUL in every other byte. */
function guessUtf16(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(bytes.length, SAMPLE) & ~1;
  if (n < 4) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZero++;
    if (bytes[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero / pairs > 0.7 && evenZero / pairs < 0.1) return 'utf-16le';
  if (evenZero / pairs > 0.7 && oddZero / pairs < 0.1) return 'utf-16be';
  return undefined;
}

/** Files technicians pick by mistake: say what they are (the kind lets the screens word it). */
function binaryMagic(b: Uint8Array): { kind: string; message: string } | undefined {
  const starts = (...sig: number[]) => sig.every((x, i) => b[i] === x);
  if (starts(0x50, 0x4b, 0x03, 0x04)) {
    return {
      kind: 'excel-workbook',
      message:
        'The file is an Excel workbook (.xlsx) or a ZIP archive, not a CSV. In Excel use "Save As" → "CSV (Comma delimited)" (a ConfigMgr report: export it as CSV), or pick the CSV the OEM tool wrote.',
    };
  }
  if (starts(0xd0, 0xcf, 0x11, 0xe0))
    return {
      kind: 'office-document',
      message: 'The file is an old Excel (.xls) or Word document, not a CSV. Save it as "CSV (Comma delimited)" first.',
    };
  if (starts(0x25, 0x50, 0x44, 0x46))
    return {
      kind: 'pdf',
      message:
        'The file is a PDF (a printed report?), not a hash file. Export the report as CSV, or pick the OA3.xml or CSV the OEM tool wrote.',
    };
  if (starts(0x89, 0x50, 0x4e, 0x47) || starts(0xff, 0xd8, 0xff) || starts(0x47, 0x49, 0x46, 0x38)) {
    return {
      kind: 'picture',
      message: 'The file is a picture, not a hash file. Pick the OA3.xml or CSV the OEM tool wrote.',
    };
  }
  if (starts(0x4d, 0x5a))
    return {
      kind: 'program',
      message: 'The file is a Windows program, not a hash file. Pick the OA3.xml or CSV the OEM tool wrote.',
    };
  return undefined;
}

function fail(code: 'FILE_EMPTY' | 'FILE_BINARY' | 'FILE_BAD_ENCODING', message: string): DecodedText {
  return { ok: false, error: readError(code, message) };
}

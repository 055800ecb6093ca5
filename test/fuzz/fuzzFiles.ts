import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { MAX_FILE_BYTES } from '../../src-main/contract/limits.ts';
import { badFixtures, goodFixtures } from '../fixtures/capture/fixtureFiles.ts';
import type { FuzzRng } from './fuzzRng.ts';

/**
 * Byte-level and text-level mutations of real hash files (the committed capture fixtures): cut,
 * flipped, spliced, BOMs added or swapped, UTF-16 with an odd length, XML entities and DTDs, CSV
 * quote bombs, NUL bytes, files grown past 10 MB. Each mutation is named so a failure says what
 * was done to which file.
 */

export interface SeedFile {
  name: string;
  bytes: Buffer;
}

export interface MutatedFile {
  name: string;
  bytes: Buffer;
  ops: string[];
}

/** Every committed good and bad fixture, as bytes. */
export function seedFiles(): SeedFile[] {
  return [...goodFixtures(), ...badFixtures()].map((f) => ({ name: f.name, bytes: f.bytes }));
}

const BOMS: Record<string, number[]> = {
  utf8: [0xef, 0xbb, 0xbf],
  utf16le: [0xff, 0xfe],
  utf16be: [0xfe, 0xff],
  utf32le: [0xff, 0xfe, 0x00, 0x00],
  half: [0xef, 0xbb],
};

const XML_SNIPPETS = [
  '&amp;',
  '&lt;&gt;',
  '&#0;',
  '&#x0;',
  '&#xD800;',
  '&#1114112;',
  '&#65;&#x42;',
  '&unknown;',
  '&',
  '<!ENTITY x "y">',
  '<!DOCTYPE Key SYSTEM "http://example.invalid/x.dtd">',
  '<![CDATA[<HardwareHash>T0E=</HardwareHash>]]>',
  '<!-- <HardwareHash>T0E=</HardwareHash> -->',
  '<?xml version="1.0" encoding="ebcdic"?>',
  '<HardwareHash>',
  '</HardwareHash>',
  '<HardwareHash/>',
  '<HardwareHash a="1" a="2">T0E=</HardwareHash>',
  '<x:HardwareHash xmlns:x="urn:x">T0E=</x:HardwareHash>',
  '<?pi ?>',
  ']]>',
  '<Key>'.repeat(40),
];

const CSV_SNIPPETS = [
  '"',
  '""',
  '"'.repeat(10_001),
  '"a""b',
  '","',
  ',,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,',
  ';;;',
  '\t',
  '\r',
  '\n',
  '\r\r\n',
  '=HYPERLINK("http://x")',
  '+1',
  '-1+1',
  '@cmd',
  'Device Serial Number,Windows Product ID,Hardware Hash',
  'Device Serial Number;Hardware Hash',
  'Hardware Hash,Hardware Hash',
  `X,,${'QUFB'.repeat(6000)}`,
  '\u00a0',
  '\u2028',
  '\ufeff',
];

function cutAt(rng: FuzzRng, b: Buffer): number {
  return b.length ? rng.int(b.length + 1) : 0;
}

export interface MutateOptions {
  /** Sizes a file may be grown to; default: around the 10 MB limit (the short test run uses smaller ones). */
  growTo?: readonly number[];
}

const GROW_TO = [MAX_FILE_BYTES - 1, MAX_FILE_BYTES, MAX_FILE_BYTES + 1, MAX_FILE_BYTES + 4096, 2 * 1024 * 1024];

/** One mutation of the bytes; returns the new bytes and its name. */
export function mutateBytes(
  rng: FuzzRng,
  bytes: Buffer,
  donors: readonly SeedFile[],
  options: MutateOptions = {},
): { bytes: Buffer; op: string } {
  const b = Buffer.from(bytes);
  switch (rng.int(16)) {
    case 0: {
      const at = cutAt(rng, b);
      return { bytes: b.subarray(0, at), op: `truncate(${at})` };
    }
    case 1: {
      const n = rng.range(1, 16);
      for (let i = 0; i < n && b.length; i++) {
        const at = rng.int(b.length);
        b[at] = b[at]! ^ (1 << rng.int(8));
      }
      return { bytes: b, op: `flipBits(${n})` };
    }
    case 2: {
      const n = rng.range(1, 8);
      for (let i = 0; i < n && b.length; i++) b[rng.int(b.length)] = rng.int(256);
      return { bytes: b, op: `randomBytes(${n})` };
    }
    case 3: {
      const donor = donors.length ? rng.pick(donors).bytes : b;
      const from = cutAt(rng, donor);
      const piece = donor.subarray(from, from + rng.int(2000));
      const at = cutAt(rng, b);
      return { bytes: Buffer.concat([b.subarray(0, at), piece, b.subarray(at)]), op: 'splice' };
    }
    case 4: {
      const [name, bom] = rng.pick(Object.entries(BOMS));
      const strip = rng.chance(0.5);
      const body = strip && (b[0] === 0xef || b[0] === 0xff || b[0] === 0xfe) ? b.subarray(rng.range(2, 3)) : b;
      return { bytes: Buffer.concat([Buffer.from(bom), body]), op: `bom(${name}${strip ? ',strip' : ''})` };
    }
    case 5: {
      // Re-encode as UTF-16 (either order), then cut one byte: an odd length, as a copy cut short leaves it.
      const text = b.toString('utf8');
      const le = Buffer.from(text, 'utf16le');
      const be = rng.chance(0.5);
      if (be) le.swap16();
      const bom = rng.chance(0.5) ? Buffer.from(be ? [0xfe, 0xff] : [0xff, 0xfe]) : Buffer.alloc(0);
      const whole = Buffer.concat([bom, le]);
      const odd = rng.chance(0.7);
      return {
        bytes: odd ? whole.subarray(0, Math.max(0, whole.length - 1)) : whole,
        op: `utf16(${be ? 'be' : 'le'}${bom.length ? ',bom' : ''}${odd ? ',odd' : ''})`,
      };
    }
    case 6: {
      const snippet = rng.pick(XML_SNIPPETS);
      const at = insertPoint(rng, b);
      return {
        bytes: Buffer.concat([b.subarray(0, at), Buffer.from(snippet), b.subarray(at)]),
        op: `xml(${snippet.slice(0, 24)})`,
      };
    }
    case 7: {
      const snippet = rng.pick(CSV_SNIPPETS);
      const at = insertPoint(rng, b);
      return {
        bytes: Buffer.concat([b.subarray(0, at), Buffer.from(snippet), b.subarray(at)]),
        op: `csv(${snippet.slice(0, 24)})`,
      };
    }
    case 8: {
      const n = rng.pick([1, 2, 64]);
      const at = cutAt(rng, b);
      return { bytes: Buffer.concat([b.subarray(0, at), Buffer.alloc(n), b.subarray(at)]), op: `nul(${n})` };
    }
    case 9: {
      // Grown to the limit or just past it: a file of many copies of itself, or of one line.
      const target = rng.pick(options.growTo ?? GROW_TO);
      const unit = b.length ? b : Buffer.from('x\n');
      const out = Buffer.alloc(target);
      for (let at = 0; at < target; at += unit.length) unit.copy(out, at, 0, Math.min(unit.length, target - at));
      return { bytes: out, op: `grow(${target})` };
    }
    case 10: {
      // Line endings swapped or mixed.
      const text = b.toString('latin1');
      const eol = rng.pick(['\r', '\n', '\r\n', '\n\r', '\u0085']);
      return {
        bytes: Buffer.from(
          text.replace(/\r\n|\r|\n/g, () => (rng.chance(0.7) ? eol : '\r\n')),
          'latin1',
        ),
        op: `eol(${JSON.stringify(eol)})`,
      };
    }
    case 11: {
      // A stretch repeated many times (duplicated rows, runaway headers).
      const from = cutAt(rng, b);
      const piece = b.subarray(from, from + rng.range(1, 200));
      return {
        bytes: Buffer.concat([b, ...Array.from({ length: rng.pick([2, 100, 5000]) }, () => piece)]),
        op: 'repeat',
      };
    }
    case 12: {
      // Invalid UTF-8 sequences: overlong, stray continuation, truncated multi-byte, surrogates encoded.
      const junk = rng.pick([
        [0xc0, 0xaf],
        [0x80],
        [0xe2, 0x82],
        [0xed, 0xa0, 0x80],
        [0xf4, 0x90, 0x80, 0x80],
        [0xff],
        [0xfe, 0xfe],
      ]);
      const at = insertPoint(rng, b);
      return { bytes: Buffer.concat([b.subarray(0, at), Buffer.from(junk), b.subarray(at)]), op: 'badUtf8' };
    }
    case 13: {
      // Delimiters swapped (Excel locales, tab pastes).
      const [from, to] = rng.pick([
        [',', ';'],
        [',', '\t'],
        [';', ','],
        [',', ''],
      ] as const);
      return {
        bytes: Buffer.from(b.toString('latin1').split(from).join(to), 'latin1'),
        op: `delim(${JSON.stringify(from)}→${JSON.stringify(to)})`,
      };
    }
    case 14: {
      // A hash value in the file replaced by a damaged or foreign one.
      const text = b.toString('latin1');
      const replaced = text.replace(/[A-Za-z0-9+/]{400,}={0,2}/, () =>
        rng.pick([
          '',
          'QUFB',
          encodeHardwareHash({ serialNumber: 'OTHER999', manufacturer: 'HP' }),
          encodeHardwareHash({ manufacturer: 'HP' }),
          'T0E' + 'A'.repeat(rng.int(5000)),
          'QUFB'.repeat(5000),
        ]),
      );
      return { bytes: Buffer.from(replaced, 'latin1'), op: 'hashSwap' };
    }
    default: {
      const n = rng.int(64);
      for (let i = 0; i < n && b.length; i++)
        b[rng.int(b.length)] = rng.pick([0x22, 0x2c, 0x3c, 0x3e, 0x26, 0x0a, 0x0d, 0x00, 0x3b]);
      return { bytes: b, op: `structuralBytes(${n})` };
    }
  }
}

/** Prefers a line start or a tag boundary, where parsers decide things. */
function insertPoint(rng: FuzzRng, b: Buffer): number {
  if (!b.length) return 0;
  const at = rng.int(b.length);
  if (rng.chance(0.5)) {
    const nl = b.indexOf(0x0a, at);
    if (nl !== -1) return nl + 1;
  }
  if (rng.chance(0.3)) {
    const lt = b.indexOf(0x3c, at);
    if (lt !== -1) return lt;
  }
  return at;
}

/** A seed file with one to three mutations applied. */
export function mutateFile(rng: FuzzRng, seeds: readonly SeedFile[], options: MutateOptions = {}): MutatedFile {
  const seed = rng.pick(seeds);
  let bytes = seed.bytes;
  const ops: string[] = [];
  for (let n = rng.range(1, 3); n > 0; n--) {
    const m = mutateBytes(rng, bytes, seeds, options);
    bytes = m.bytes;
    ops.push(m.op);
    // Stop growing past the limit: more mutations would only copy 10 MB around.
    if (bytes.length > MAX_FILE_BYTES / 2) break;
  }
  return { name: seed.name, bytes, ops };
}

// ---------- good rows beside one bad row ----------

export type RowEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le-bom';

export interface RowFile {
  bytes: Buffer;
  /** Serials of the good rows, in order, with their line numbers. */
  good: { serial: string; line: number }[];
  bad: { line: number; op: string };
}

const HEADER = 'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag';
const ROW_BREAKERS: ((rng: FuzzRng, row: string) => { text: string; op: string })[] = [
  (_rng, row) => ({ text: `"${row}`, op: 'openQuote' }),
  (_rng, row) => ({ text: `${row}"x"`, op: 'quoteAfter' }),
  (rng, row) => ({ text: row.replace(',', `,"${'"'.repeat(rng.pick([1, 1001, 10_001]))},`), op: 'quoteBomb' }),
  (_rng, row) => ({ text: `${row},extra,more`, op: 'tooManyColumns' }),
  (_rng, row) => ({ text: row.split(',').slice(0, 2).join(','), op: 'tooFewColumns' }),
  (_rng, row) => ({ text: `=cmd|'/c calc'!A0${row.slice(row.indexOf(','))}`, op: 'formulaSerial' }),
  (_rng, row) => ({ text: `${row.slice(0, 3)}\x07${row.slice(3)}`, op: 'controlChar' }),
  (_rng, row) => ({ text: `${row.slice(0, row.indexOf(','))},,`, op: 'noHash' }),
  (_rng, row) => ({ text: `${row}${'QUFB'.repeat(6000)}`, op: 'hashTooLong' }),
  (_rng, row) => ({ text: `${row.slice(0, 300)}*#*${row.slice(300)}`, op: 'hashNotBase64' }),
  (_rng, row) => ({ text: row.slice(0, Math.floor(row.length * 0.6)), op: 'hashCut' }),
  (_rng, row) => ({ text: `シリアル${row}`, op: 'nonAsciiSerial' }),
  (_rng, row) => ({ text: `${row.slice(0, row.lastIndexOf(','))},=SUM(A1)`, op: 'formulaTag' }),
  (_rng, row) => ({ text: `${row.slice(0, row.lastIndexOf(','))},tag "quoted"`, op: 'badTag' }),
  (_rng, row) => ({ text: `${row}${'x'.repeat(25_000)}`, op: 'hugeLine' }),
  (_rng) => ({ text: 'Device Serial Number,Order,Hash', op: 'badHeaderMidFile' }),
];

/**
 * A CSV of good rows with exactly one row broken (text-level, so every encoding can carry it). The
 * reader must capture every good row, valid, and report the broken one (or keep it as an invalid device).
 */
export function csvWithOneBadRow(
  rng: FuzzRng,
  encoding: RowEncoding = rng.pick(['utf-8', 'utf-8-bom', 'utf-16le-bom'] as const),
): RowFile {
  const rows = rng.range(3, 12);
  const badIndex = rng.int(rows);
  const lines = [HEADER];
  const good: RowFile['good'] = [];
  let badOp = '';
  for (let i = 0; i < rows; i++) {
    const serial = `RW${String(rng.int(1e8)).padStart(8, '0')}${i}`;
    const row = `${serial},,${encodeHardwareHash({ serialNumber: serial, manufacturer: 'LENOVO', model: 'Row' }, { unpadded: rng.chance(0.3) })},Lab`;
    if (i === badIndex) {
      const broken = rng.pick(ROW_BREAKERS)(rng, row);
      lines.push(broken.text);
      badOp = broken.op;
    } else {
      lines.push(row);
      good.push({ serial, line: lines.length });
    }
  }
  // A header mid-file makes the rows under it unreadable by design: only rows above it count as good.
  const badLine = badIndex + 2;
  const expectedGood = badOp === 'badHeaderMidFile' ? good.filter((g) => g.line < badLine) : good;
  const text = `${lines.join('\r\n')}\r\n`;
  const bytes =
    encoding === 'utf-16le-bom'
      ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
      : encoding === 'utf-8-bom'
        ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])
        : Buffer.from(text);
  return { bytes, good: expectedGood, bad: { line: badLine, op: `${badOp}/${encoding}` } };
}

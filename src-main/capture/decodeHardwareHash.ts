import { createHash } from 'node:crypto';
import {
  CHECKSUM_SIZE,
  HASH_MAGIC,
  HEADER_SIZE,
  RECORD_HEADER_SIZE,
  RecordType,
  STRING_RECORD_TYPES,
  TRAILER_MAGIC,
} from './hashLayout.ts';
import { finding, hasErrors, type Finding } from './hashFindings.ts';
import { sameSerial, serialProblem } from './placeholderSerial.ts';
import { isLabelSerial } from '../contract/serialNumberRule.ts';
import type { HashSummary } from '../contract/types.ts';

export interface HashRecord {
  type: number;
  offset: number;
  /** Payload length (without the 4-byte record header). */
  length: number;
}

/** The contract's summary (what screens and the CLI see) plus what only the capture code needs. */
export interface HardwareHashReport extends Omit<HashSummary, 'findings'> {
  byteLength: number;
  records: HashRecord[];
  findings: Finding[];
  /** Padded standard base64, what Graph's Edm.Binary needs. Undefined when the text is not base64. */
  normalized?: string;
}

export interface DecodeOptions {
  /** The serial given for the device (label, scan, CSV column); compared with the hash's own. */
  expectedSerial?: string;
}

const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes and checks a hardware hash. Never throws: every problem is a finding with a stable code. */
export function decodeHardwareHash(text: string, options: DecodeOptions = {}): HardwareHashReport {
  const findings: Finding[] = [];
  const report: HardwareHashReport = {
    valid: false,
    padded: false,
    checksumOk: false,
    macAddresses: [],
    tpmEkPresent: false,
    length: 0,
    byteLength: 0,
    records: [],
    findings,
  };
  const finish = () => {
    checkSerials(report, options, findings);
    report.valid = !hasErrors(findings);
    return report;
  };

  // Fast path (almost every hash): clean base64, recognised by a native decode/encode round trip
  // instead of regular expressions over 4,000 characters.
  let b64 = text;
  let bytes = Buffer.from(text, 'base64');
  const canonical = bytes.toString('base64');
  if (canonical !== text) {
    if (text.length % 4 > 1 && canonical.length === text.length + 4 - (text.length % 4) && canonical.startsWith(text)) {
      b64 = canonical;
      report.padded = true;
    } else {
      b64 = text.replace(/\s+/g, '');
      if (b64.length === 0) {
        findings.push(finding('HASH_EMPTY', 'error', 'The hardware hash is empty.'));
        return finish();
      }
      if (!BASE64_BODY.test(b64) || b64.length % 4 === 1) {
        findings.push(
          finding(
            'HASH_NOT_BASE64',
            'error',
            'The hardware hash is not base64 text: it was damaged when it was copied or saved.',
          ),
        );
        return finish();
      }
      if (b64.length % 4 !== 0) {
        b64 += '='.repeat(4 - (b64.length % 4));
        report.padded = true;
      }
      bytes = Buffer.from(b64, 'base64');
    }
  } else if (text.length === 0) {
    findings.push(finding('HASH_EMPTY', 'error', 'The hardware hash is empty.'));
    return finish();
  }
  if (report.padded) {
    findings.push(
      finding(
        'HASH_PADDING_FIXED',
        'info',
        'The hash was unpadded base64 (as devices report it); the station padded it for upload.',
      ),
    );
  }
  report.normalized = b64;
  report.length = b64.length;
  report.byteLength = bytes.length;

  if (bytes.length < HEADER_SIZE) {
    findings.push(finding('HASH_TRUNCATED', 'error', `The hash is only ${bytes.length} bytes long: it was cut off.`));
    return finish();
  }
  if (bytes.toString('latin1', 0, 2) !== HASH_MAGIC) {
    findings.push(
      finding(
        'HASH_BAD_MAGIC',
        'error',
        'This is not a Windows hardware hash (it does not start with the "OA" marker).',
      ),
    );
    return finish();
  }
  const totalLength = bytes.readUInt16LE(2);
  if (totalLength < HEADER_SIZE) {
    findings.push(finding('HASH_BAD_RECORD', 'error', 'The hash header gives an impossible length.'));
    return finish();
  }
  const recordsEnd = Math.min(totalLength, bytes.length);
  if (bytes.length < totalLength + TRAILER_MAGIC.length + CHECKSUM_SIZE) {
    findings.push(
      finding(
        'HASH_TRUNCATED',
        'error',
        `The hash is cut off: it announces ${totalLength} bytes of records plus its checksum, but only ${bytes.length} bytes are there.`,
      ),
    );
  }

  const strings = new Map<number, string>();
  let offset = HEADER_SIZE;
  while (offset < recordsEnd) {
    if (offset + RECORD_HEADER_SIZE > recordsEnd) {
      findings.push(
        finding('HASH_BAD_RECORD', 'error', `A record header at byte ${offset} runs past the end of the records.`),
      );
      break;
    }
    const type = bytes[offset]!;
    const reserved = bytes[offset + 1]!;
    const len = bytes.readUInt16LE(offset + 2);
    if (len < RECORD_HEADER_SIZE || offset + len > totalLength || reserved !== 0) {
      findings.push(
        finding('HASH_BAD_RECORD', 'error', `The record at byte ${offset} (type ${type}) has a bad length or header.`),
      );
      break;
    }
    if (offset + len > bytes.length) {
      // Already reported as truncated; stop reading past the data.
      break;
    }
    const payload = bytes.subarray(offset + RECORD_HEADER_SIZE, offset + len);
    report.records.push({ type, offset, length: payload.length });
    readRecord(type, payload, report, strings);
    offset += len;
  }

  const trailerAt = totalLength;
  if (bytes.length >= trailerAt + TRAILER_MAGIC.length) {
    if (bytes.toString('latin1', trailerAt, trailerAt + TRAILER_MAGIC.length) !== TRAILER_MAGIC) {
      findings.push(
        finding(
          'HASH_NO_TRAILER',
          'error',
          'The checksum block ("CS$") is missing where the records end: the hash is damaged.',
        ),
      );
    } else if (bytes.length >= trailerAt + TRAILER_MAGIC.length + CHECKSUM_SIZE) {
      const stored = bytes.subarray(trailerAt + TRAILER_MAGIC.length, trailerAt + TRAILER_MAGIC.length + CHECKSUM_SIZE);
      const actual = createHash('sha256').update(bytes.subarray(0, totalLength)).digest();
      report.checksumOk = stored.equals(actual);
      if (!report.checksumOk) {
        findings.push(
          finding(
            'HASH_CHECKSUM_MISMATCH',
            'error',
            'The hash checksum does not match its contents: it was changed or damaged after capture.',
          ),
        );
      }
      const rest = bytes.subarray(trailerAt + TRAILER_MAGIC.length + CHECKSUM_SIZE);
      if (!isAllZero(rest)) {
        findings.push(finding('HASH_TRAILING_DATA', 'warning', 'There is unexpected data after the checksum.'));
      }
    }
  }

  if (strings.has(RecordType.smbiosSerial)) report.serialNumber = strings.get(RecordType.smbiosSerial)!;
  if (strings.has(RecordType.manufacturer)) report.manufacturer = strings.get(RecordType.manufacturer)!;
  if (strings.has(RecordType.productName)) report.model = strings.get(RecordType.productName)!;
  if (strings.has(RecordType.productKeyId)) report.productKeyId = strings.get(RecordType.productKeyId)!;

  // A hash cut short or broken in its records may have lost its serial and manufacturer records
  // with the rest: the damage is the finding, not "no manufacturer" (which says the firmware left it out).
  const damaged = findings.some((f) => f.code === 'HASH_TRUNCATED' || f.code === 'HASH_BAD_RECORD');
  if (damaged) return finish();
  if (!report.serialNumber?.trim()) {
    findings.push(
      finding(
        'HASH_NO_SERIAL',
        'error',
        'The hash has no serial number: Intune refuses it (error 802). Capture the hash again on the device.',
      ),
    );
  }
  if (!report.manufacturer?.trim()) {
    findings.push(
      finding(
        'HASH_NO_MANUFACTURER',
        'error',
        'The hash has no manufacturer: Intune refuses it (error 802). Capture the hash again on the device.',
      ),
    );
  }
  return finish();
}

function readRecord(type: number, payload: Buffer, report: HardwareHashReport, strings: Map<number, string>): void {
  if (STRING_RECORD_TYPES.has(type)) {
    const end = payload.indexOf(0);
    strings.set(type, payload.toString('utf8', 0, end === -1 ? payload.length : end));
    return;
  }
  switch (type) {
    case RecordType.nic:
      if (payload.length >= 10) report.macAddresses.push(formatMac(payload.subarray(4, 10)));
      break;
    case RecordType.smbiosUuid:
      if (payload.length >= 16) report.smbiosUuid = formatSmbiosUuid(payload.subarray(0, 16));
      break;
    case RecordType.offlineDeviceId:
      if (payload[0] === 1) report.tpmEkPresent = true;
      break;
    case RecordType.tpmEkPublicKey:
      if (payload.length > 0) report.tpmEkPresent = true;
      break;
    default:
      break;
  }
}

const ZEROS = Buffer.alloc(4096);

/**
 * Native comparison with a zero block: a per-byte callback over the ~2,600 bytes of padding was most of the decode
 * time.
 */
function isAllZero(b: Buffer): boolean {
  for (let at = 0; at < b.length; at += ZEROS.length) {
    const n = Math.min(ZEROS.length, b.length - at);
    if (b.compare(ZEROS, 0, n, at, at + n) !== 0) return false;
  }
  return true;
}

function formatMac(b: Buffer): string {
  return [...b]
    .map((x) => x.toString(16).padStart(2, '0'))
    .join(':')
    .toUpperCase();
}

/** SMBIOS stores the first three UUID fields little-endian. */
function formatSmbiosUuid(b: Buffer): string {
  const hex = (buf: Buffer) => buf.toString('hex');
  const le = (start: number, end: number) => hex(Buffer.from(b.subarray(start, end)).reverse());
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${hex(b.subarray(8, 10))}-${hex(b.subarray(10, 16))}`.toUpperCase();
}

function checkSerials(report: HardwareHashReport, options: DecodeOptions, findings: Finding[]): void {
  const given = options.expectedSerial;
  const inHash = report.serialNumber;
  if (inHash !== undefined && inHash.trim() && serialProblem(inHash) === 'placeholder') {
    findings.push(
      finding(
        'SERIAL_PLACEHOLDER',
        'warning',
        `The serial number inside the hash ("${inHash}") is a firmware placeholder; Intune will list the device under it.`,
        { serial: inHash },
      ),
    );
  }
  if (given === undefined) return;
  if (serialProblem(given) === 'placeholder') {
    findings.push(
      finding(
        'SERIAL_PLACEHOLDER',
        'error',
        `"${given}" is not a real serial number. Scan the serial label or type the serial.`,
        { serial: given },
      ),
    );
    return;
  }
  if (!isLabelSerial(given)) {
    // Characters no label has (katakana, a character of another code page, more than 64 characters): the hash's own
    // serial is offered.
    const hashSerial =
      inHash?.trim() && serialProblem(inHash) !== 'placeholder' && isLabelSerial(inHash.trim())
        ? inHash.trim()
        : undefined;
    findings.push(
      finding(
        'SERIAL_NOT_ON_LABEL',
        'error',
        `The serial "${given.slice(0, 64)}" has characters that are not on a serial label${hashSerial ? `; the hash says "${hashSerial}": use the hash's serial, or scan the label` : ': scan the label or type the serial'}.`,
        { serial: given.slice(0, 64), ...(hashSerial ? { hashSerial } : {}) },
      ),
    );
    return;
  }
  if (inHash !== undefined && inHash.trim() && serialProblem(inHash) !== 'placeholder' && !sameSerial(inHash, given)) {
    const damage = spreadsheetDamage(given, inHash.trim());
    if (damage) {
      findings.push(
        finding(
          'SERIAL_SPREADSHEET_DAMAGE',
          'error',
          `The serial "${given}" is the hash's serial "${inHash.trim()}" as a spreadsheet changed it (${DAMAGE_TEXT[damage]}): the file was opened and saved in Excel. Use the hash's serial.`,
          { serial: given, hashSerial: inHash.trim(), damage },
        ),
      );
    } else {
      findings.push(
        finding(
          'SERIAL_MISMATCH',
          'error',
          `The hash belongs to serial "${inHash}", not "${given}": the hash file is from another device.`,
          { serial: given, hashSerial: inHash },
        ),
      );
    }
  }
}

export type SpreadsheetDamage = 'leading-zeros' | 'scientific' | 'decimal';
const DAMAGE_TEXT: Record<SpreadsheetDamage, string> = {
  'leading-zeros': 'its leading zeros were dropped',
  scientific: 'it was turned into a number in scientific notation',
  decimal: 'a ".0" was added to it',
};

/**
 * How a spreadsheet turns a numeric serial into `given`, or undefined when `given` is not such a
 * copy of `inHash`: leading zeros dropped (00123456 → 123456), scientific notation
 * (123456789012 → 1.23457E+11, rounded to the digits shown), a trailing ".0" (123456 → 123456.0).
 */
export function spreadsheetDamage(given: string, inHash: string): SpreadsheetDamage | undefined {
  const g = given.trim();
  if (!/^\d+$/.test(inHash)) return undefined;
  const digits = inHash.replace(/^0+(?=\d)/, '');
  if (g === digits && g !== inHash) return 'leading-zeros';
  const decimal = /^(\d+)[.,]0+$/.exec(g);
  if (decimal && (decimal[1] === inHash || decimal[1] === digits)) return 'decimal';
  const sci = /^(\d)(?:[.,](\d+))?E\+?(\d+)$/i.exec(g);
  if (sci) {
    const mantissa = sci[1]! + (sci[2] ?? '');
    const exponent = Number(sci[3]);
    // The spreadsheet shows the number rounded to the mantissa's digits; the hash's serial must round to the same.
    if (digits.length !== exponent + 1 || mantissa.length > digits.length) return undefined;
    const rounded = roundDigits(digits, mantissa.length);
    if (rounded !== undefined && rounded === mantissa) return 'scientific';
  }
  return undefined;
}

/**
 * The first n digits of a digit string rounded half up at digit n (undefined when rounding carries into a new digit).
 */
function roundDigits(digits: string, n: number): string | undefined {
  const head = BigInt(digits.slice(0, n));
  const next = Number(digits[n] ?? '0');
  const value = (next >= 5 ? head + 1n : head).toString();
  return value.length === n ? value : undefined;
}

import type { FileReadError } from '../contract/types.ts';
import { readError } from './fileReadCodes.ts';
import { splitCsvLine } from './splitCsvLine.ts';

/**
 * Files technicians bring that are not hash files but are something recognisable: another
 * Microsoft export, a list of serials, a web page. Each is named by what it looks like with how to
 * get the right file, so nobody is left with "unknown format". Undefined when nothing fits.
 */
export type OtherExportKind =
  | 'intune-autopilot-export'
  | 'intune-devices-export'
  | 'corporate-identifiers'
  | 'serial-list'
  | 'web-page'
  | 'configmgr-report-xml';

const HOW_TO_CAPTURE =
  'Capture the hash on each device with Get-WindowsAutopilotInfo (CSV) or OA3Tool (OA3.xml), or export the ConfigMgr "Windows Autopilot device information" report as CSV.';

const MESSAGES: Record<OtherExportKind, string> = {
  'intune-autopilot-export': `This is the Intune admin centre's export of Windows Autopilot devices already registered: it has no hardware hashes, so nothing in it can be imported. ${HOW_TO_CAPTURE}`,
  'intune-devices-export': `This is an Intune export of managed devices (device names, compliance): it has no hardware hashes. ${HOW_TO_CAPTURE}`,
  'corporate-identifiers': `This is a list of corporate device identifiers (manufacturer,model,serial), for Devices › Enrollment › Corporate device identifiers, not for Autopilot: it has no hardware hashes. ${HOW_TO_CAPTURE}`,
  'serial-list': `This is a list of serial numbers without hardware hashes: Autopilot needs each device's hash. ${HOW_TO_CAPTURE}`,
  'web-page': `This is a web page (HTML or MHTML), perhaps a report saved from the browser. ${HOW_TO_CAPTURE}`,
  'configmgr-report-xml':
    'This is a ConfigMgr "Windows Autopilot device information" report exported as XML. Export it again as "CSV (comma delimited)", which the station reads.',
};

export function describeOtherExport(text: string): FileReadError | undefined {
  const kind = otherExportKind(text);
  return kind ? readError('FILE_OTHER_EXPORT', MESSAGES[kind], undefined, { kind }) : undefined;
}

function otherExportKind(text: string): OtherExportKind | undefined {
  const start = text.trimStart().slice(0, 4000);
  const lower = start.toLowerCase();
  if (/^(<!doctype html|<html|mime-version:)/.test(lower)) return 'web-page';
  if (start.startsWith('<') && lower.includes('details_table0')) return 'configmgr-report-xml';
  const lines = start
    .split(/\r\n|\n|\r/)
    .filter((l) => l.trim() !== '')
    .slice(0, 20);
  const first = lines[0] ?? '';
  const delimiter = [',', ';', '\t'].find((d) => first.includes(d));
  if (delimiter) {
    const split = splitCsvLine(first, delimiter);
    const names = split.ok ? split.fields.map((f) => f.trim().toLowerCase()) : [];
    const has = (...n: string[]) => n.some((x) => names.includes(x));
    if (
      has('serial number', 'serialnumber') &&
      has('profile status', 'enrollment state', 'purchase order', 'profile', 'deployment profile')
    )
      return 'intune-autopilot-export';
    if (
      has('device name', 'devicename') &&
      has('compliance', 'managed by', 'os version', 'last check-in', 'primary user upn')
    )
      return 'intune-devices-export';
    if (looksLikeCorporateIdentifiers(lines)) return 'corporate-identifiers';
    return undefined;
  }
  // One short value per line, most of them serial-like.
  if (lines.length >= 2 && lines.every((l) => /^\s*[A-Za-z0-9-]{4,30}\s*$/.test(l))) return 'serial-list';
  return undefined;
}

/**
 * A list the admin centre's corporate device identifiers upload takes (docs/domain.md#corporate-identifiers): comma
 * lines without a header, every one of them either manufacturer,model,serial (Windows) or an IMEI with an optional
 * details column. A header line ("Name,Email,Phone") never passes, so a CSV of something else is not named so.
 */
function looksLikeCorporateIdentifiers(lines: string[]): boolean {
  const rows = lines.map((l) => splitCsvLine(l, ','));
  if (!rows.length || !rows.every((r) => r.ok)) return false;
  const fields = rows.map((r) => (r.ok ? r.fields.map((f) => f.trim()) : []));
  const tuple = (f: string[]) =>
    f.length === 3 && f.every((v) => v !== '' && v.length <= 64 && !v.includes('@')) && SERIAL_LIKE.test(f[2]!);
  const imei = (f: string[]) => f.length <= 2 && isImei(f[0]!) && (f[1] ?? '').length <= 128;
  return fields.every(tuple) || fields.every(imei);
}

/** A serial as labels print it: letters, digits, spaces, dashes, dots, slashes, and at least one digit. */
const SERIAL_LIKE = /^(?=.*\d)[A-Za-z0-9][A-Za-z0-9 ._/-]*$/;

/** An IMEI: 15 digits whose last is the Luhn check digit of the first 14 (3GPP TS 23.003). */
function isImei(value: string): boolean {
  if (!/^\d{15}$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    let d = Number(value[i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

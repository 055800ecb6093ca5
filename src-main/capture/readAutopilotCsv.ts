import type { CaptureSourceKind, CapturedDevice, FileDuplicate, FileReadError } from '../contract/types.ts';
import { GROUP_TAG_MAX, groupTagLength, groupTagProblem, groupTagProblemText } from '../contract/groupTagRule.ts';
import { foldSerial, SERIAL_MAX } from '../contract/serialNumberRule.ts';
import { userPrincipalNameProblem, userPrincipalNameProblemText } from '../contract/userPrincipalNameRule.ts';
import { checkDevice } from './checkDevice.ts';
import { containsLicenceKey, startsLikeFormula } from './fieldRules.ts';
import { finding } from './hashFindings.ts';
import { MAX_DEVICES_PER_CALL, MAX_HASH_CHARS } from '../contract/limits.ts';
import { readError } from './fileReadCodes.ts';
import { splitCsvLine } from './splitCsvLine.ts';

export interface CsvReadOptions {
  path: string;
  sourceKind: CaptureSourceKind;
  /** The serial given for the device (label, scan): replaces the serial column and is compared with each hash. */
  serialNumber?: string;
}

export interface CsvReadResult {
  devices: CapturedDevice[];
  errors: FileReadError[];
  duplicates: FileDuplicate[];
}

type Column = 'serialNumber' | 'productKey' | 'hardwareHash' | 'groupTag' | 'assignedUser' | 'manufacturer' | 'model';

/**
 * Header names, compared after headerKey (any case, any width, spaces ignored). Get-WindowsAutopilotInfo
 * and the admin centre's import use the English names
 * (https://learn.microsoft.com/autopilot/add-devices#ensure-that-the-csv-file-meets-requirements), the
 * Partner Center / CSP template adds Manufacturer name and Device model. A spreadsheet made on a Japanese
 * PC carries the names Microsoft's Japanese pages give the same columns: デバイスのシリアル番号,
 * Windows 製品 ID, ハードウェア ハッシュ, グループ タグ, 割り当てユーザー
 * (https://learn.microsoft.com/ja-jp/autopilot/enrollment-autopilot,
 * https://learn.microsoft.com/ja-jp/microsoft-365/business-premium/m365bp-add-autopilot-devices-and-profile),
 * and their common synonyms.
 */
const COLUMN_NAMES: Record<string, Column> = Object.fromEntries(
  (
    [
      [
        'serialNumber',
        [
          'Device Serial Number',
          'デバイスのシリアル番号',
          'デバイス シリアル番号',
          'シリアル番号',
          'シリアル ナンバー',
          '製造番号',
        ],
      ],
      [
        'productKey',
        [
          'Windows Product ID',
          'Product Key ID',
          'PKID',
          'Windows 製品 ID',
          'Windows プロダクト ID',
          '製品 ID',
          'プロダクト ID',
        ],
      ],
      ['hardwareHash', ['Hardware Hash', 'ハードウェア ハッシュ', 'ハードウェア ID', 'ハードウェアハッシュ']],
      ['groupTag', ['Group Tag', 'グループ タグ']],
      [
        'assignedUser',
        ['Assigned User', '割り当てユーザー', '割り当てられたユーザー', '割り当て済みユーザー', '割り当て先ユーザー'],
      ],
      ['manufacturer', ['Manufacturer name', '製造元名', '製造元', 'メーカー名', 'メーカー', 'OEM 名']],
      ['model', ['Device model', 'デバイス モデル', 'モデル', 'モデル名']],
    ] as const
  ).flatMap(([column, names]) => names.map((n) => [headerKey(n), column as Column])),
);

/** A header name as compared: NFKC (full-width Ｇｒｏｕｐ to Group), lower case, without any spaces. */
function headerKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

/**
 * PowerShell's Export-Csv without -NoTypeInformation (Windows PowerShell 5.1's default) writes
 * `#TYPE <.NET type>` before the header
 * (https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/export-csv#-notypeinformation):
 * the line is skipped and its type named when the columns are not Autopilot's.
 */
export const POWERSHELL_TYPE_LINE = /^#TYPE\s+(\S.*)$/;

/** A hash is ~4000 characters and the decoder accepts 16 KB; anything much longer is not a row of this file. */
const MAX_LINE = 20_000;
// C0 controls except tab, DEL, and C1 controls (what a wrong code page makes of binary junk).
// eslint-disable-next-line no-control-regex -- finding control characters in a row is the point
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export interface Layout {
  delimiter: string;
  columns: Column[];
}

/** True when the first line of a text file looks like this format's header (used to pick the reader by content). */
export function looksLikeAutopilotCsv(firstLine: string): boolean {
  // Headers are short; device rows are ~4,000 characters and need no lower-casing.
  if (firstLine.length > 400) return false;
  const key = headerKey(firstLine);
  return ['hardwarehash', 'deviceserialnumber', 'ハードウェアハッシュ', 'シリアル番号'].some((name) =>
    key.includes(name),
  );
}

/**
 * Reads a Get-WindowsAutopilotInfo or admin-centre CSV (text already decoded). Every bad row becomes
 * an error with its line number and the good rows are still returned; several files concatenated
 * with their headers repeated (even with different column counts) read as one.
 */
export function readAutopilotCsv(text: string, options: CsvReadOptions): CsvReadResult {
  const kept = deviceRows(options, 'autopilot-csv');
  const { devices, duplicates } = kept;
  const errors: FileReadError[] = [];
  let layout: Layout | undefined;
  let sawHeader = false;
  let skippingUnderBadHeader = false;
  let rows = 0;
  let powershellType: string | undefined;

  let lineNo = 0;
  // Walks the lines without splitting the whole text: a 10 MB file of empty lines must not become 10 million strings.
  for (let start = 0; start <= text.length;) {
    lineNo++;
    const end = nextLineBreak(text, start);
    let line = text.slice(start, end);
    start = end + (text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? 2 : 1);
    if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.trim() === '') continue;
    const psType = POWERSHELL_TYPE_LINE.exec(line.trim());
    if (psType) {
      powershellType = psType[1]!.trim().slice(0, 120);
      continue;
    }
    if (devices.length + errors.length + duplicates.length >= MAX_DEVICES_PER_CALL) {
      errors.push(
        readError(
          'FILE_TOO_MANY_ROWS',
          `The file has more than ${MAX_DEVICES_PER_CALL} rows; the station stopped reading at line ${lineNo}. Split the file (the admin centre takes 500 rows per file).`,
          lineNo,
          { limit: MAX_DEVICES_PER_CALL },
        ),
      );
      break;
    }
    if (line.length > MAX_LINE) {
      errors.push(
        readError(
          'CSV_LINE_TOO_LONG',
          `Line ${lineNo} is ${line.length} characters long; a device row is about 4,000. The line was not read.`,
          lineNo,
        ),
      );
      continue;
    }

    const header = parseHeader(line);
    if (header.kind === 'header') {
      layout = header.layout;
      sawHeader = true;
      skippingUnderBadHeader = false;
      continue;
    }
    if (header.kind === 'unknown') {
      if (!sawHeader) {
        // First header of the file is wrong: nothing below can be read with certainty.
        if (powershellType) {
          errors.push(
            readError(
              'CSV_UNKNOWN_HEADER',
              `The file is PowerShell Export-Csv output of ${powershellType} objects, not device hashes. ${header.message}`,
              lineNo,
              { psType: powershellType },
            ),
          );
          return { devices, errors, duplicates };
        }
        errors.push(readError('CSV_UNKNOWN_HEADER', header.message, lineNo));
        return { devices, errors, duplicates };
      }
      errors.push(
        readError(
          'CSV_UNKNOWN_HEADER',
          `${header.message} The rows below it, up to the next good header, were not read.`,
          lineNo,
        ),
      );
      layout = undefined;
      skippingUnderBadHeader = true;
      continue;
    }
    if (skippingUnderBadHeader) continue;
    if (!layout) {
      errors.push(firstLineNotAHeader(line, lineNo));
      return { devices, errors, duplicates };
    }

    const split = splitCsvLine(line, layout.delimiter);
    if (!split.ok) {
      errors.push(readError('CSV_BAD_QUOTES', `Line ${lineNo} cannot be read: ${split.reason}.`, lineNo));
      continue;
    }
    const fields = split.fields.map((f) => f.trim());
    if (fields.every((f) => f === '')) continue; // ",,,," rows that spreadsheets leave behind
    rows++;
    const row = readRow(fields, layout, lineNo);
    if ('error' in row) {
      errors.push(row.error);
      continue;
    }
    kept.add(row, lineNo);
  }

  if (rows === 0 && errors.length === 0) {
    errors.push(
      readError(
        'CSV_NO_ROWS',
        'The file has a header but no device rows: the OEM tool wrote nothing. Capture the hash again.',
      ),
    );
  }
  return { devices, errors, duplicates };
}

/** One row judged as a device; licence keys the row carried are noted (their values are gone). */
/**
 * The devices of one file, each serial + hash once: a repeat (files joined with copy /b, a report
 * listing a device twice) is a duplicate of the line that first brought it, never a second device.
 */
export function deviceRows(options: CsvReadOptions, format: 'autopilot-csv' | 'configmgr-report') {
  const devices: CapturedDevice[] = [];
  const duplicates: FileDuplicate[] = [];
  const seen = new Map<string, number>();
  return {
    devices,
    duplicates,
    add(row: Row, lineNo: number): void {
      const key = `${foldSerial(row.serialNumber).toUpperCase()}\n${row.hardwareHash.replace(/=+$/, '')}`;
      const first = seen.get(key);
      if (first !== undefined) duplicates.push({ line: lineNo, firstLine: first, serialNumber: row.serialNumber });
      else {
        seen.set(key, lineNo);
        devices.push(deviceOfRow(row, options, lineNo, format));
      }
    },
  };
}

export function deviceOfRow(
  row: Row,
  options: CsvReadOptions,
  lineNo: number,
  format: 'autopilot-csv' | 'configmgr-report',
): CapturedDevice {
  const device = checkDevice({
    serialNumber: options.serialNumber ?? row.serialNumber,
    hardwareHash: row.hardwareHash,
    ...(row.productKey ? { productKey: row.productKey } : {}),
    ...(row.groupTag ? { groupTag: row.groupTag } : {}),
    ...(row.assignedUser ? { assignedUser: row.assignedUser } : {}),
    ...(row.manufacturer ? { manufacturer: row.manufacturer } : {}),
    ...(row.model ? { model: row.model } : {}),
    source: { kind: options.sourceKind, path: options.path, line: lineNo, format },
  });
  for (const field of row.licenceKeys) {
    device.findings.push(
      finding(
        'LICENCE_KEY_DROPPED',
        'warning',
        `Line ${lineNo}: the ${label(field)} held a Windows licence key (25 characters); the station dropped it: licence keys are never stored or sent.`,
        { field, line: lineNo },
      ),
    );
  }
  return device;
}

function nextLineBreak(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return text.length;
}

/**
 * The first line is not a hash file's header. A device row (a value as long as a hash) means the header is missing;
 * anything else is the header of another kind of CSV (an address list, an inventory), named by its columns.
 */
function firstLineNotAHeader(line: string, lineNo: number): FileReadError {
  const delimiter = [',', ';', '\t'].find((d) => line.includes(d)) ?? ',';
  const split = splitCsvLine(line, delimiter);
  const fields = (split.ok ? split.fields : line.split(delimiter)).map((f) => f.trim());
  if (fields.some((f) => f.length >= 100)) {
    return readError('CSV_UNKNOWN_HEADER', `The file has no header row. ${HASH_FILE_COLUMNS}`, lineNo);
  }
  const columns =
    fields
      .slice(0, 12)
      .map((f) => (f || '(empty)').slice(0, 40))
      .join(', ') + (fields.length > 12 ? ', …' : '');
  return readError(
    'CSV_UNKNOWN_HEADER',
    `This is not a hash file: its columns are ${columns}. ${HASH_FILE_COLUMNS}`,
    lineNo,
    { kind: 'other-columns', columns },
  );
}

const HASH_FILE_COLUMNS =
  'A hash file has Device Serial Number, Windows Product ID, Hardware Hash (then optionally Group Tag, Assigned User).';

type HeaderResult = { kind: 'header'; layout: Layout } | { kind: 'unknown'; message: string } | { kind: 'data' };

function parseHeader(line: string): HeaderResult {
  if (!looksLikeAutopilotCsv(line)) return { kind: 'data' };
  // Excel in many European locales saves with semicolons; tab-separated copies come from pasting.
  const delimiter = [',', ';', '\t'].find((d) => line.includes(d)) ?? ',';
  const split = splitCsvLine(line, delimiter);
  if (!split.ok) return { kind: 'unknown', message: `The header row cannot be read: ${split.reason}.` };
  const names = split.fields.map((f) => f.trim());
  // Excel leaves an empty column behind once a cell right of the table was touched.
  while (names.length > 1 && names.at(-1) === '') names.pop();
  const columns: Column[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const column = COLUMN_NAMES[headerKey(name)];
    if (!column || columns.includes(column)) unknown.push(name || '(empty)');
    else columns.push(column);
  }
  const expected =
    'Expected "Device Serial Number,Windows Product ID,Hardware Hash" then optionally ",Group Tag,Assigned User".';
  if (unknown.length)
    return {
      kind: 'unknown',
      message: `The header has columns the station does not know: ${unknown.map((u) => `"${u.slice(0, 40)}"`).join(', ')}. ${expected}`,
    };
  // A Partner Center file may carry only PKIDs or manufacturer+model ("tuples"): its rows are read, then refused one by
  // one with that reason.
  const identifies =
    columns.includes('hardwareHash') ||
    columns.includes('productKey') ||
    (columns.includes('manufacturer') && columns.includes('model'));
  if (!columns.includes('serialNumber') || !identifies) {
    return {
      kind: 'unknown',
      message: `The header lacks ${columns.includes('serialNumber') ? '"Hardware Hash"' : '"Device Serial Number"'}. ${expected}`,
    };
  }
  return { kind: 'header', layout: { delimiter, columns } };
}

export interface Row {
  serialNumber: string;
  hardwareHash: string;
  productKey: string;
  groupTag: string;
  assignedUser: string;
  manufacturer: string;
  model: string;
  /** Columns that held a licence key; the value was blanked before anything else saw it. */
  licenceKeys: Column[];
}

export function readRow(fields: string[], layout: Layout, lineNo: number): Row | { error: FileReadError } {
  const { columns } = layout;
  while (fields.length > columns.length && fields.at(-1) === '') fields.pop();
  // Missing trailing optional columns (Group Tag, Assigned User) are read as empty; extra or missing required ones are
  // not.
  const required = columns.reduce(
    (last, c, i) => (c === 'serialNumber' || c === 'hardwareHash' || c === 'productKey' ? i + 1 : last),
    0,
  );
  if (fields.length > columns.length || fields.length < required) {
    return {
      error: readError(
        'CSV_WRONG_COLUMNS',
        `Line ${lineNo} has ${fields.length} values but the header has ${columns.length} columns: values with a comma, or a row from another file. The row was not read.`,
        lineNo,
      ),
    };
  }
  const row: Row = {
    serialNumber: '',
    hardwareHash: '',
    productKey: '',
    groupTag: '',
    assignedUser: '',
    manufacturer: '',
    model: '',
    licenceKeys: [],
  };
  columns.forEach((column, i) => {
    const value = fields[i] ?? '';
    // A licence key never goes further than this line: not into a message, a record or a log.
    if (containsLicenceKey(value)) row.licenceKeys.push(column);
    else row[column] = value;
  });

  for (const column of columns) {
    const value = row[column];
    if (CONTROL.test(value)) {
      return {
        error: readError(
          'CSV_CONTROL_CHARACTERS',
          `Line ${lineNo}: the ${label(column)} contains control characters: the file was damaged or saved in the wrong encoding.`,
          lineNo,
        ),
      };
    }
    // A value that a spreadsheet would run as a formula (CSV injection): the one rule of fieldRules.ts ("+" is base64
    // in a hash).
    // The group tag and the user have their own rules, which name the field and what to fix (formula start included).
    const ownRule = column === 'groupTag' || column === 'assignedUser';
    if (!ownRule && startsLikeFormula(value) && !(column === 'hardwareHash' && value[0] === '+')) {
      return {
        error: readError(
          'CSV_FORMULA',
          `Line ${lineNo}: the ${label(column)} starts with "${value[0]}", which spreadsheets run as a formula. The row was refused.`,
          lineNo,
          { field: column },
        ),
      };
    }
  }
  const serialParam = { serial: row.serialNumber.slice(0, 64) };
  if (!row.hardwareHash) {
    // The import action needs the hash: a PKID or a manufacturer+model+serial tuple registers only through Partner
    // Center.
    if (row.productKey) {
      return {
        error: readError(
          'CSV_PKID_ONLY',
          `Line ${lineNo} (serial "${serialParam.serial}") has a Windows Product ID (PKID) but no hardware hash: Intune's import needs the hash (PKID uploads work only through Partner Center). Capture the hash with Get-WindowsAutopilotInfo or OA3Tool.`,
          lineNo,
          serialParam,
        ),
      };
    }
    if (row.manufacturer && row.model) {
      return {
        error: readError(
          'CSV_TUPLE_ONLY',
          `Line ${lineNo} (serial "${serialParam.serial}") has a manufacturer, model and serial but no hardware hash: Intune's import needs the hash (tuple uploads work only through Partner Center). Capture the hash with Get-WindowsAutopilotInfo or OA3Tool.`,
          lineNo,
          serialParam,
        ),
      };
    }
    return {
      error: readError(
        'CSV_NO_HASH',
        `Line ${lineNo} (serial "${serialParam.serial}") has no hardware hash: Get-WindowsAutopilotInfo was probably not run as administrator. Run it again as administrator.`,
        lineNo,
        serialParam,
      ),
    };
  }
  if (row.hardwareHash.length > MAX_HASH_CHARS)
    return {
      error: readError(
        'CSV_BAD_VALUE',
        `Line ${lineNo}: the hardware hash is ${row.hardwareHash.length} characters long, far more than a real hash.`,
        lineNo,
      ),
    };
  // A serial with characters no label has is judged by checkDevice (full width folded; otherwise the hash's serial is
  // offered), not refused here.
  if (foldSerial(row.serialNumber).length > SERIAL_MAX) {
    return {
      error: readError(
        'CSV_BAD_VALUE',
        `Line ${lineNo}: the serial number is over ${SERIAL_MAX} characters: it is not a serial. The row was not read.`,
        lineNo,
      ),
    };
  }
  if (row.productKey.length > 64 || !PRINTABLE_ASCII.test(row.productKey)) {
    return { error: readError('CSV_BAD_VALUE', `Line ${lineNo}: the Windows Product ID is not a product id.`, lineNo) };
  }
  // Both the tag and the user are judged: a row refused for one names the other too (params.alsoReason), so the
  // technician fixes the row once.
  const tagProblem = row.groupTag ? groupTagProblem(row.groupTag) : undefined;
  const userProblem = userPrincipalNameProblem(row.assignedUser);
  const userText = userProblem
    ? `the assigned user "${row.assignedUser.slice(0, 60)}" ${userPrincipalNameProblemText(userProblem, row.assignedUser)}.`
    : '';
  if (tagProblem) {
    const also = userProblem ? { alsoReason: userProblem } : {};
    const text = `Line ${lineNo}: the group tag "${row.groupTag.slice(0, 40)}${row.groupTag.length > 40 ? '…' : ''}" ${groupTagProblemText(tagProblem, row.groupTag)}.${userText ? ` Also ${userText}` : ''}`;
    if (tagProblem === 'GROUP_TAG_TOO_LONG')
      return {
        error: readError('CSV_GROUP_TAG_TOO_LONG', text, lineNo, {
          line: lineNo,
          length: groupTagLength(row.groupTag),
          max: GROUP_TAG_MAX,
          ...serialParam,
          ...also,
        }),
      };
    // `reason` names the rule that failed: the screens word it (src-renderer/lib/codes.ts).
    return {
      error: readError('CSV_GROUP_TAG_INVALID', text, lineNo, {
        line: lineNo,
        reason: tagProblem,
        ...serialParam,
        ...also,
      }),
    };
  }
  if (userProblem)
    return {
      error: readError('CSV_BAD_VALUE', `Line ${lineNo}: ${userText}`, lineNo, {
        line: lineNo,
        reason: userProblem,
        ...serialParam,
      }),
    };
  return row;
}

function label(column: Column): string {
  return {
    serialNumber: 'serial number',
    productKey: 'Windows Product ID',
    hardwareHash: 'hardware hash',
    groupTag: 'group tag',
    assignedUser: 'assigned user',
    manufacturer: 'manufacturer name',
    model: 'device model',
  }[column];
}

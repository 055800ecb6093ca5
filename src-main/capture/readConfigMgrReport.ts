import type { FileReadError } from '../contract/types.ts';
import { MAX_DEVICES_PER_CALL } from '../contract/limits.ts';
import { readError } from './fileReadCodes.ts';
import { deviceRows, readRow, type CsvReadOptions, type CsvReadResult, type Layout } from './readAutopilotCsv.ts';
import { splitCsvLine } from './splitCsvLine.ts';

/**
 * ConfigMgr's "Windows Autopilot device information" report saved as CSV (Report Builder / SSRS
 * export): title lines, a line of text-box names (`Textbox1,…,Details_Table0_SerialNumber,…`), then
 * data lines that repeat the three column names in their first cells with the values after them.
 * The admin centre refuses it ("incorrect headers"), but it holds valid serial + hash pairs.
 */
const LABELS: Record<string, 'serialNumber' | 'productKey' | 'hardwareHash'> = {
  'device serial number': 'serialNumber',
  'windows product id': 'productKey',
  'hardware hash': 'hardwareHash',
};
const TEXTBOX_HEADER = /(^|,)"?Details_Table0_/i;
const MAX_LINE = 20_000;
const SCAN_LINES = 40;

/**
 * True when the text is a ConfigMgr report export: its text-box line, or a data line that starts with the column names
 * and goes on with values.
 */
export function looksLikeConfigMgrReport(text: string): boolean {
  const head = text.slice(0, 64_000).split(/\r\n|\n|\r/, SCAN_LINES);
  return head.some((line) => TEXTBOX_HEADER.test(line) || labelledValues(line) !== undefined);
}

/**
 * The values of a data line that repeats the column names first, with the layout those names give; undefined for other
 * lines.
 */
function labelledValues(line: string): { layout: Layout; values: string[] } | undefined {
  if (line.length > MAX_LINE || !/^"?device serial number/i.test(line)) return undefined;
  const split = splitCsvLine(line, ',');
  if (!split.ok) return undefined;
  const cells = split.fields.map((f) => f.trim());
  const columns: Layout['columns'] = [];
  for (const cell of cells) {
    const column = LABELS[cell.toLowerCase()];
    if (!column || columns.includes(column)) break;
    columns.push(column);
  }
  // A plain Get-WindowsAutopilotInfo header has names only; a report line has as many values after them.
  if (!columns.includes('serialNumber') || !columns.includes('hardwareHash') || cells.length < columns.length * 2)
    return undefined;
  const values = cells.slice(columns.length, columns.length * 2);
  return { layout: { delimiter: ',', columns }, values };
}

export function readConfigMgrReport(text: string, options: CsvReadOptions): CsvReadResult {
  const kept = deviceRows(options, 'configmgr-report');
  const { devices, duplicates } = kept;
  const errors: FileReadError[] = [];
  let inData = false;
  let lineNo = 0;
  // Walks the lines without splitting the whole text (a 10 MB file of empty lines must not become 10 million strings).
  for (let start = 0; start <= text.length;) {
    lineNo++;
    let end = start;
    while (end < text.length && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
    let line = text.slice(start, end);
    start = end + (text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? 2 : 1);
    if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.trim() === '') continue;
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
    if (devices.length + errors.length + duplicates.length >= MAX_DEVICES_PER_CALL) {
      errors.push(
        readError(
          'FILE_TOO_MANY_ROWS',
          `The report has more than ${MAX_DEVICES_PER_CALL} rows; the station stopped reading at line ${lineNo}.`,
          lineNo,
          { limit: MAX_DEVICES_PER_CALL },
        ),
      );
      break;
    }
    if (TEXTBOX_HEADER.test(line)) {
      inData = true;
      continue;
    }
    const labelled = labelledValues(line);
    if (!labelled) {
      // Title and parameter lines come before the data; after it, a line that is not a device row is reported.
      if (inData && line.includes(',')) {
        errors.push(
          readError(
            'CSV_WRONG_COLUMNS',
            `Line ${lineNo} of the ConfigMgr report is not a device row (it does not start with "Device Serial Number,Windows Product ID,Hardware Hash"). The row was not read.`,
            lineNo,
          ),
        );
      }
      continue;
    }
    inData = true;
    const row = readRow(labelled.values, labelled.layout, lineNo);
    if ('error' in row) {
      errors.push(row.error);
      continue;
    }
    kept.add(row, lineNo);
  }
  if (devices.length === 0 && errors.length === 0) {
    errors.push(
      readError(
        'FILE_OTHER_EXPORT',
        'This is a ConfigMgr "Windows Autopilot device information" report with no device rows. Run the report for a collection that holds the devices, then export it again as CSV (comma delimited).',
        undefined,
        { kind: 'configmgr-report' },
      ),
    );
  }
  return { devices, errors, duplicates };
}

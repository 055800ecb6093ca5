import type { ExportFile } from '../contract/types.ts';
import { corporateIdentifierOf } from './corporateIdentifier.ts';
import type { DeviceRecord } from './queueStore.ts';

/**
 * The admin centre's corporate identifier file for Windows (Devices > Enrollment > Corporate device
 * identifiers > Add > Upload CSV, type "Manufacturer, model and serial number"): one
 * `manufacturer,model,serial` line per device, no header, one identifier type per file. The values
 * are the firmware's own strings from the hash, unchanged. Nothing is quoted, so a value with a comma,
 * a quote or a line break cannot be written: such devices are listed as skipped, with the reason.
 * Files hold at most 5,000 lines and 5 MB (the admin centre's upload limits as Microsoft Learn states
 * them; quoted from memory, not re-checked here), CRLF line ends, UTF-8 without a BOM.
 */
export const CORPORATE_CSV_MAX_ROWS = 5000;
export const CORPORATE_CSV_MAX_BYTES = 5 * 1024 * 1024;

export interface CorporateCsvSkip {
  deviceId: string;
  serialNumber: string;
  code:
    | 'CORP_MISSING_VALUES'
    | 'CORP_VALUE_HAS_SEMICOLON'
    | 'CORP_VALUE_HAS_COMMA'
    | 'CORP_VALUE_NOT_WRITABLE'
    | 'CORP_DUPLICATE';
  params: Record<string, string>;
}

export function corporateCsvFiles(
  devices: DeviceRecord[],
  baseName = 'corporate-identifiers',
): { files: ExportFile[]; skipped: CorporateCsvSkip[] } {
  const skipped: CorporateCsvSkip[] = [];
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const d of devices) {
    const id = corporateIdentifierOf(d.hash);
    if (!id.ok) {
      skipped.push({ deviceId: d.id, serialNumber: d.serialNumber, code: id.code, params: id.params });
      continue;
    }
    // The file separates values with commas and quotes nothing: a comma inside a value cannot be written
    // (such a device still goes through Graph, whose tuple is semicolon-delimited).
    const withComma = Object.entries({ manufacturer: id.manufacturer, model: id.model, serial: id.serialNumber })
      .filter(([, v]) => v.includes(','))
      .map(([k]) => k);
    if (withComma.length) {
      skipped.push({
        deviceId: d.id,
        serialNumber: d.serialNumber,
        code: 'CORP_VALUE_HAS_COMMA',
        params: { fields: withComma.join(', ') },
      });
      continue;
    }
    const bad = Object.entries({ manufacturer: id.manufacturer, model: id.model, serial: id.serialNumber })
      // eslint-disable-next-line no-control-regex -- a NUL cannot be written into the admin centre's file
      .filter(([, v]) => /["\r\n\u0000]/.test(v))
      .map(([k]) => k);
    if (bad.length) {
      skipped.push({
        deviceId: d.id,
        serialNumber: d.serialNumber,
        code: 'CORP_VALUE_NOT_WRITABLE',
        params: { fields: bad.join(', ') },
      });
      continue;
    }
    const key = id.csvLine.toUpperCase();
    if (seen.has(key)) {
      skipped.push({
        deviceId: d.id,
        serialNumber: d.serialNumber,
        code: 'CORP_DUPLICATE',
        params: { identifier: id.csvLine },
      });
      continue;
    }
    seen.add(key);
    lines.push(`${id.csvLine}\r\n`);
  }
  // Split at 5,000 lines or 5 MB, whichever comes first.
  const chunks: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line, 'utf8');
    if (current.length && (current.length >= CORPORATE_CSV_MAX_ROWS || bytes + size > CORPORATE_CSV_MAX_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(line);
    bytes += size;
  }
  if (current.length) chunks.push(current);
  const files = chunks.map((c, i) => ({
    name: `${baseName}${chunks.length > 1 ? `-${String(i + 1).padStart(3, '0')}` : ''}.csv`,
    content: c.join(''),
    rows: c.length,
  }));
  return { files, skipped };
}

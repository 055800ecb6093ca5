import type { ExportFile } from '../contract/types.ts';
import { MAX_IMPORT_BATCH } from '../contract/limits.ts';
import type { DeviceRecord } from './queueStore.ts';

/** The admin centre's import header, exactly (DOMAIN.md). */
export const INTUNE_CSV_HEADER = 'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User';
/** The admin centre's 500-row rule: the same rule as the import batch maximum. */
export const INTUNE_CSV_MAX_ROWS = MAX_IMPORT_BATCH;

/**
 * The admin centre wants ANSI without quotes or extra columns: anything outside printable ASCII,
 * commas and quotes cannot be represented, so it is dropped (the fields are validated upstream;
 * this is the last guard against a broken row).
 */
function intuneField(value: string | undefined): string {
  return (value ?? '').replace(/[^\x20-\x7e]/g, '').replace(/[",]/g, '').trim();
}

/** Admin-centre CSV files for offline benches: at most 500 rows a file, CRLF, no BOM, no quotes. */
export function intuneCsvFiles(devices: DeviceRecord[], baseName = 'autopilot-devices'): ExportFile[] {
  const files: ExportFile[] = [];
  for (let i = 0; i < devices.length; i += INTUNE_CSV_MAX_ROWS) {
    const chunk = devices.slice(i, i + INTUNE_CSV_MAX_ROWS);
    const lines = [INTUNE_CSV_HEADER, ...chunk.map((d) => [d.serialNumber, d.productKey, d.hardwareHash, d.groupTag, d.assignedUser].map(intuneField).join(','))];
    const part = devices.length > INTUNE_CSV_MAX_ROWS ? `-${String(files.length + 1).padStart(3, '0')}` : '';
    files.push({ name: `${baseName}${part}.csv`, content: `${lines.join('\r\n')}\r\n`, rows: chunk.length });
  }
  return files;
}

export const REPORT_CSV_HEADER = 'Serial Number,Manufacturer,Model,Group Tag,Assigned User,State,State Since,Error Code,Error Name,Advice,Device Registration Id,Profile Status,Import Id,Source,Captured At,Station,Flags';

/**
 * A report cell, quoted per RFC 4180 and neutralised against formula injection: a cell a
 * spreadsheet would evaluate (= + - @ tab CR) gets a leading apostrophe (OWASP's advice).
 */
export function reportCell(value: string | number | undefined | null): string {
  let s = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n']/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Devices and their final (or current) states, for the technician's paperwork. UTF-8 with CRLF. */
export function reportCsvFile(devices: DeviceRecord[], name = 'autopilot-report.csv'): ExportFile {
  const iso = (t: number | undefined) => (t === undefined ? '' : new Date(t).toISOString());
  const lines = [
    REPORT_CSV_HEADER,
    ...devices.map((d) =>
      [
        d.serialNumber,
        d.hash.manufacturer,
        d.hash.model,
        d.groupTag,
        d.assignedUser,
        d.state === 'timed-out' && d.lastKnownState ? `timed-out (${d.lastKnownState})` : d.state,
        iso(d.stateSince),
        d.errorCode,
        d.errorName,
        d.advice,
        d.deviceRegistrationId,
        d.profileStatus,
        d.importId,
        d.source.path ?? d.source.kind,
        iso(d.capturedAt),
        d.stationName,
        d.flags.join(' '),
      ]
        .map(reportCell)
        .join(','),
    ),
  ];
  return { name, content: `${lines.join('\r\n')}\r\n`, rows: devices.length };
}

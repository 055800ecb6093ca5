import { containsLicenceKey, startsLikeFormula } from '../capture/fieldRules.ts';
import { StationError } from '../contract/errors.ts';
import type { CorporateRegistration, ExportFile } from '../contract/types.ts';
import { MAX_IMPORT_BATCH } from '../contract/limits.ts';
import type { DeviceRecord } from './queueStore.ts';

/** The admin centre's import header, exactly (docs/domain.md#csv-formats). */
export const INTUNE_CSV_HEADER = 'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User';
/** The admin centre's 500-row rule: the same rule as the import batch maximum. */
export const INTUNE_CSV_MAX_ROWS = MAX_IMPORT_BATCH;

/**
 * The admin centre wants ANSI without quotes or extra columns: anything outside printable ASCII,
 * commas and quotes cannot be represented, so it is dropped (the fields are validated upstream;
 * this is the last guard against a broken row).
 */
function intuneField(value: string | undefined): string {
  return (value ?? '')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/[",]/g, '')
    .trim();
}

/**
 * Admin-centre CSV files for offline benches: at most 500 rows a file, CRLF, no BOM, no quotes.
 * The admin centre's format has no quoting, so a field a spreadsheet would run as a formula cannot
 * be made safe: the export is refused (capture refuses such values; this is the last guard for
 * devices queued before that rule). A licence key is never written, whatever field holds it.
 */
export function intuneCsvFiles(devices: DeviceRecord[], baseName = 'autopilot-devices'): ExportFile[] {
  // A group tag or user the admin centre's ANSI file cannot carry (東京本社) would be written empty or
  // cut: a silent change of the device's tag. Refused instead; the station imports them as they are.
  const altered = devices.filter((d) =>
    [d.groupTag, d.assignedUser].some((v) => v !== undefined && !containsLicenceKey(v) && intuneField(v) !== v.trim()),
  );
  if (altered.length) {
    throw new StationError({
      code: 'EXPORT_FIELD_NOT_ANSI',
      message: `${altered.length} device${altered.length === 1 ? ' has' : 's have'} a group tag or user with characters the admin centre's CSV cannot carry (${altered[0]!.groupTag ?? altered[0]!.assignedUser}): the Intune CSV was not written, so no tag is changed on the way.`,
      action:
        'Import those devices with the station itself (it sends their tags as they are), or tick only the others and export.',
      params: { count: altered.length, value: altered[0]!.groupTag ?? altered[0]!.assignedUser ?? '' },
      details: { deviceIds: altered.slice(0, 50).map((d) => d.id) },
    });
  }
  const unsafe = devices.filter((d) =>
    [d.serialNumber, d.productKey, d.hardwareHash, d.groupTag, d.assignedUser].some(
      (v) => v !== undefined && startsLikeFormula(intuneField(v)),
    ),
  );
  if (unsafe.length) {
    throw new StationError({
      code: 'EXPORT_FORMULA_FIELD',
      message: `${unsafe.length} device${unsafe.length === 1 ? ' has' : 's have'} a serial, tag or user starting with = + - @, which spreadsheets run as a formula: the Intune CSV was not written.`,
      action:
        'Remove those devices from the queue (or export only the others), capture them again with their real serial, then export.',
      params: { count: unsafe.length },
      details: { deviceIds: unsafe.slice(0, 50).map((d) => d.id) },
    });
  }
  const files: ExportFile[] = [];
  for (let i = 0; i < devices.length; i += INTUNE_CSV_MAX_ROWS) {
    const chunk = devices.slice(i, i + INTUNE_CSV_MAX_ROWS);
    const lines = [
      INTUNE_CSV_HEADER,
      ...chunk.map((d) =>
        [d.serialNumber, d.productKey, d.hardwareHash, d.groupTag, d.assignedUser]
          .map((v) => (containsLicenceKey(v) ? '' : intuneField(v)))
          .join(','),
      ),
    ];
    const part = devices.length > INTUNE_CSV_MAX_ROWS ? `-${String(files.length + 1).padStart(3, '0')}` : '';
    files.push({ name: `${baseName}${part}.csv`, content: `${lines.join('\r\n')}\r\n`, rows: chunk.length });
  }
  return files;
}

export const REPORT_CSV_HEADER =
  'Serial Number,Manufacturer,Model,Group Tag,Assigned User,State,State Since,Error Code,Error Name,Advice,Device Registration Id,Profile Status,Import Id,Source,Captured At,Station,Flags';

/**
 * A report cell, quoted per RFC 4180 and neutralised against formula injection: a cell a
 * spreadsheet would evaluate (= + - @ tab CR) gets a leading apostrophe (OWASP's advice).
 */
export function reportCell(value: string | number | undefined | null): string {
  let s = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n']/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Columns added at the end of the report when the station registers corporate identifiers
 * (docs/domain.md#corporate-identifiers).
 */
export const REPORT_CSV_CORPORATE_COLUMNS =
  'Corporate Identifier State,Corporate Identifier,Corporate Identifier Error,Corporate Identifier Request Ids';

/**
 * Devices and their final (or current) states, for the technician's paperwork. UTF-8 with CRLF.
 * `corporate` (when the station follows corporate identifiers) adds their state at the end of each line.
 */
export function reportCsvFile(
  devices: DeviceRecord[],
  name = 'autopilot-report.csv',
  corporate?: (deviceId: string) => CorporateRegistration | undefined,
): ExportFile {
  const iso = (t: number | undefined) => (t === undefined ? '' : new Date(t).toISOString());
  const extra = (d: DeviceRecord): string => {
    if (!corporate) return '';
    const c = corporate(d.id);
    return `,${[c?.state, c?.identifier, c?.errorCode, c?.requestIds.join(' ')].map(reportCell).join(',')}`;
  };
  const lines = [
    corporate ? `${REPORT_CSV_HEADER},${REPORT_CSV_CORPORATE_COLUMNS}` : REPORT_CSV_HEADER,
    ...devices.map(
      (d) =>
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
          .join(',') + extra(d),
    ),
  ];
  return { name, content: `${lines.join('\r\n')}\r\n`, rows: devices.length };
}

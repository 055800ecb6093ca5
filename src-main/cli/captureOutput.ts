import { ENCODING_LABELS } from '../capture/decodeFileText.ts';
import type { CapturedDevice, FileReadResult, ThisDeviceCapture } from '../contract/types.ts';

/**
 * The stable JSON of `inspect` and `capture`, fixed here. Scripts rely on it:
 * every key is always present (null when there is no value) and nothing else is added.
 * `hardwareHash.valid` is the device's verdict (hash and serial together), what decides the exit code.
 */
export function fileJson(file: FileReadResult) {
  return {
    path: file.path,
    format: file.format ?? null,
    encoding: file.encoding ?? null,
    devices: file.devices.map(deviceJson),
    errors: file.errors.map((e) => ({ code: e.code, line: e.line ?? null, message: e.message })),
    // Rows repeating a device already read from the same file: named once, not read twice.
    duplicates: (file.duplicates ?? []).map((d) => ({
      line: d.line,
      firstLine: d.firstLine,
      serialNumber: d.serialNumber,
    })),
  };
}

export function deviceJson(d: CapturedDevice) {
  return {
    serialNumber: d.serialNumber,
    productKey: d.productKey ?? null,
    groupTag: d.groupTag ?? null,
    assignedUser: d.assignedUser ?? null,
    hardwareHash: {
      valid: d.valid,
      padded: d.hash.padded,
      checksumOk: d.hash.checksumOk,
      serialNumber: d.hash.serialNumber ?? null,
      manufacturer: d.hash.manufacturer ?? null,
      model: d.hash.model ?? null,
      length: d.hash.length,
      findings: d.findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message })),
    },
  };
}

export function captureJson(c: ThisDeviceCapture) {
  return {
    serial: {
      value: c.serial.value ?? null,
      source: c.serial.source ?? null,
      problem: c.serial.problem ?? null,
      raw: c.serial.raw ?? null,
    },
    needsSerial: c.needsSerial,
    device: c.device ? deviceJson(c.device) : null,
    files: c.hashFile ? [fileJson(c.hashFile)] : [],
  };
}

/** What went wrong across files, in one line for stderr; undefined when everything is good. */
export function failureSummary(files: FileReadResult[]): string | undefined {
  const all = files.flatMap((f) => f.devices);
  const invalid = all.filter((d) => !d.valid).length;
  const unreadable = files.filter((f) => f.devices.length === 0 && f.errors.length > 0);
  const rows = files.filter((f) => f.devices.length > 0).reduce((n, f) => n + f.errors.length, 0);
  const parts: string[] = [];
  if (invalid)
    parts.push(
      `${invalid} of ${all.length} device${all.length === 1 ? '' : 's'} ${invalid === 1 ? 'is' : 'are'} invalid`,
    );
  if (unreadable.length)
    parts.push(
      `${unreadable.length} file${unreadable.length === 1 ? '' : 's'} could not be read (${[...new Set(unreadable.map((f) => f.errors[0]!.code))].join(', ')})`,
    );
  if (rows) parts.push(`${rows} row${rows === 1 ? ' was' : 's were'} refused`);
  return parts.length ? parts.join('; ') : undefined;
}

/** Human-readable report for a technician at a terminal. */
export function fileText(file: FileReadResult): string {
  const own = ownValueCounts(file);
  const carried = [
    own.groupTag ? `${own.groupTag} with their own group tag` : '',
    own.assignedUser ? `${own.assignedUser} with their own assigned user` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const lines = [
    `${file.path}  [${file.format ?? 'unknown format'}${file.encoding ? `, ${encodingLabel(file.encoding)}` : ''}]  ${file.devices.length} device${file.devices.length === 1 ? '' : 's'}${carried ? ` (${carried})` : ''}`,
  ];
  for (const d of file.devices) lines.push(...deviceText(d));
  for (const e of file.errors)
    lines.push(`  ERROR ${e.line !== undefined ? `line ${e.line} ` : ''}${e.code}: ${e.message}`);
  for (const d of file.duplicates ?? [])
    lines.push(`  DUPLICATE line ${d.line} ${d.serialNumber}: the same device as line ${d.firstLine}; read once.`);
  return `${lines.join('\n')}\n`;
}

/**
 * The encoding as a technician reads it: "Shift_JIS (CP932, Excel or Notepad on a Japanese PC)"; JSON keeps the short
 * name.
 */
function encodingLabel(encoding: string): string {
  return (ENCODING_LABELS as Record<string, string>)[encoding] ?? encoding;
}

export function deviceText(d: CapturedDevice): string[] {
  const what = [d.hash.manufacturer, d.hash.model].filter(Boolean).join(' ') || 'unknown device';
  const lines = [
    `  ${d.valid ? 'OK     ' : 'INVALID'} ${d.serialNumber || '(no serial)'}  ${what}${d.source.line ? `  (line ${d.source.line})` : ''}`,
    `          hash ${d.hash.length} characters, checksum ${d.hash.checksumOk ? 'ok' : 'not ok'}${d.hash.padded ? ', padded' : ''}${d.groupTag ? `, group tag ${d.groupTag}` : ''}${d.assignedUser ? `, user ${d.assignedUser}` : ''}`,
  ];
  for (const f of d.findings) lines.push(`          ${f.severity} ${f.code}: ${f.message}`);
  return lines;
}

/**
 * How many devices of a file carried their own Group Tag / Assigned User (kept unless the technician overrides them).
 */
export function ownValueCounts(file: FileReadResult): { groupTag: number; assignedUser: number } {
  return {
    groupTag: file.devices.filter((d) => !!d.groupTag).length,
    assignedUser: file.devices.filter((d) => !!d.assignedUser).length,
  };
}

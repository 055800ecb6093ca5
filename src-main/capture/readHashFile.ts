import { constants, promises as fs } from 'node:fs';
import type { CaptureSourceKind, FileReadResult } from '../contract/types.ts';
import { decodeFileText } from './decodeFileText.ts';
import { MAX_FILE_BYTES, MAX_FILE_SIZE_TEXT } from '../contract/limits.ts';
import { readError } from './fileReadCodes.ts';
import { looksLikeAutopilotCsv, POWERSHELL_TYPE_LINE, readAutopilotCsv } from './readAutopilotCsv.ts';
import { readOa3Xml } from './readOa3Xml.ts';
import { looksLikeConfigMgrReport, readConfigMgrReport } from './readConfigMgrReport.ts';
import { describeOtherExport } from './otherExports.ts';

export interface HashFileOptions {
  sourceKind?: CaptureSourceKind;
  /**
   * The serial given for the device (label, scan, this machine); replaces the file's own and is
   * compared with every hash. An empty or placeholder one makes the devices invalid until a serial is typed.
   */
  serialNumber?: string;
}

const BARE_HASH = /^[A-Za-z0-9+/=\s]{200,}$/;

/**
 * Reads an OEM hash file from its bytes, choosing the reader by what the content is (never by the
 * file name: technicians rename files and tools name them as they like). Never throws.
 */
export function readHashFileBytes(bytes: Uint8Array, path: string, options: HashFileOptions = {}): FileReadResult {
  const result: FileReadResult = { path, devices: [], errors: [] };
  if (bytes.length > MAX_FILE_BYTES) {
    result.errors.push(tooLarge(bytes.length));
    return result;
  }
  const decoded = decodeFileText(bytes);
  if (!decoded.ok) {
    result.errors.push(decoded.error);
    return result;
  }
  result.encoding = decoded.encoding;
  const text = decoded.text;
  const sourceKind = options.sourceKind ?? 'file';
  const readerOptions = {
    path,
    sourceKind,
    ...(options.serialNumber !== undefined ? { serialNumber: options.serialNumber } : {}),
  };
  const start = text.trimStart();
  // The first line that is not PowerShell's "#TYPE …" (Export-Csv without -NoTypeInformation).
  const firstLine =
    start
      .slice(0, 2000)
      .split(/\r\n|\n|\r/, 3)
      .find((l) => !POWERSHELL_TYPE_LINE.test(l.trim())) ?? '';

  const other = describeOtherExport(text);
  if (start.startsWith('<') && !other) {
    result.format = 'oa3-xml';
    const { devices, errors } = readOa3Xml(text, readerOptions);
    result.devices = devices;
    result.errors = errors;
  } else if (!other && looksLikeConfigMgrReport(text)) {
    result.format = 'configmgr-report';
    const { devices, errors, duplicates } = readConfigMgrReport(text, readerOptions);
    Object.assign(result, { devices, errors }, duplicates.length ? { duplicates } : {});
  } else if (looksLikeAutopilotCsv(firstLine) || (!other && /[,;\t]/.test(firstLine))) {
    result.format = 'autopilot-csv';
    const { devices, errors, duplicates } = readAutopilotCsv(text, readerOptions);
    Object.assign(result, { devices, errors }, duplicates.length ? { duplicates } : {});
  } else if (other) {
    // Another Microsoft export, a list of serials, a web page: named, with how to get the right file.
    result.errors.push(other);
  } else if (BARE_HASH.test(start.slice(0, 20_000))) {
    result.errors.push(
      readError(
        'FILE_UNKNOWN_FORMAT',
        'The file holds a bare hardware hash with no serial number. Capture with Get-WindowsAutopilotInfo (CSV) or OA3Tool (OA3.xml), or paste the hash beside a typed serial.',
        undefined,
        { kind: 'bare-hash' },
      ),
    );
  } else {
    result.errors.push(
      readError(
        'FILE_UNKNOWN_FORMAT',
        'The file is neither an OA3Tool report (OA3.xml), a Get-WindowsAutopilotInfo or Partner Center CSV, nor a ConfigMgr Autopilot report saved as CSV.',
      ),
    );
  }
  return result;
}

/**
 * Reads an OEM hash file from disk, read-only, bounded to MAX_FILE_BYTES. Folders, devices and pipes
 * are refused before opening (opening a FIFO would wait for a writer forever).
 */
export async function readHashFile(path: string, options: HashFileOptions = {}): Promise<FileReadResult> {
  const read = await readBoundedFile(path);
  if ('error' in read) return { path, devices: [], errors: [read.error] };
  return readHashFileBytes(read.bytes, path, options);
}

export type BoundedRead = { bytes: Buffer } | { error: ReturnType<typeof readError> };

export async function readBoundedFile(path: string): Promise<BoundedRead> {
  let handle: fs.FileHandle | undefined;
  try {
    const stat = await fs.stat(path);
    if (stat.isDirectory())
      return { error: readError('FILE_UNREADABLE', 'This is a folder, not a file. Pick the hash file inside it.') };
    if (!stat.isFile())
      return {
        error: readError(
          'FILE_UNREADABLE',
          'This is not a regular file (a device or a pipe). Pick the hash file the OEM tool wrote.',
        ),
      };
    if (stat.size > MAX_FILE_BYTES) return { error: tooLarge(stat.size) };
    handle = await fs.open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    // Read at most one byte more than allowed, so a file still growing is caught too.
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_FILE_BYTES) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    if (length > MAX_FILE_BYTES) return { error: tooLarge(length) };
    return { bytes: buffer.subarray(0, length) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      return {
        error: readError(
          'FILE_NOT_FOUND',
          'The file is not there any more (moved, deleted, or the USB stick was removed).',
          undefined,
          { path },
        ),
      };
    if (code === 'EACCES' || code === 'EPERM')
      return {
        error: readError(
          'FILE_UNREADABLE',
          'The station is not allowed to read this file. Copy it somewhere you can open, or ask your admin.',
        ),
      };
    if (code === 'EBUSY')
      return {
        error: readError(
          'FILE_UNREADABLE',
          'Another program is still writing this file. Wait for the OEM tool to finish, then read it again.',
        ),
      };
    return { error: readError('FILE_UNREADABLE', `The file cannot be read (${code ?? 'error'}).`) };
  } finally {
    await handle?.close().catch(() => {});
  }
}

function tooLarge(size: number) {
  return readError(
    'FILE_TOO_LARGE',
    `The file is ${(size / 1024 / 1024).toFixed(1)} MB; hash files are a few KB (a 500-device CSV is about 2 MB). The station reads files up to ${MAX_FILE_SIZE_TEXT}.`,
    undefined,
    { limit: MAX_FILE_SIZE_TEXT },
  );
}

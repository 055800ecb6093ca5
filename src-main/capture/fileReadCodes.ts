import type { FileReadError } from '../contract/types.ts';

/**
 * Stable codes for files and rows the station cannot read. Tests and the UI key on them; the
 * messages say what is wrong and what the technician can do, in English (screens translate by code).
 */
export type FileReadCode =
  // whole file
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'FILE_TOO_LARGE'
  | 'FILE_EMPTY'
  | 'FILE_BINARY'
  | 'FILE_BAD_ENCODING'
  | 'FILE_UNKNOWN_FORMAT'
  | 'FILE_BAD_CONTENT'
  | 'CSV_UNKNOWN_HEADER'
  | 'CSV_NO_ROWS'
  | 'XML_DTD_REFUSED'
  | 'XML_MALFORMED'
  | 'XML_NO_HARDWARE_HASH'
  // one row
  | 'CSV_WRONG_COLUMNS'
  | 'CSV_FORMULA'
  | 'CSV_CONTROL_CHARACTERS'
  | 'CSV_LINE_TOO_LONG'
  | 'CSV_BAD_QUOTES'
  | 'CSV_NO_HASH'
  | 'CSV_BAD_VALUE';

/** The largest hash file the station reads. Real ones are a few KB; a 500-row CSV is about 2 MB in UTF-16. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export function readError(code: FileReadCode, message: string, line?: number): FileReadError {
  return line === undefined ? { code, message } : { code, line, message };
}

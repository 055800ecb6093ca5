import { REFUSED_ROW_CODES, type FileReadError } from '../contract/types.ts';
import { HASH_FILE_TYPES_TEXT, isAcceptedFileName } from '../contract/hashFileTypes.ts';

/**
 * Stable codes for files and rows the station cannot read. Tests and the UI key on them; the
 * messages say what is wrong and what the technician can do, in English (screens translate by code).
 */
export type FileReadCode =
  // whole file
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'FILE_TOO_LARGE'
  /** A name Capture and Import do not take (src-main/contract/hashFileTypes.ts); the file was not read. */
  | 'FILE_WRONG_TYPE'
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
  | 'XML_BAD_VALUE'
  | 'FILE_TOO_MANY_ROWS'
  // one row
  | 'CSV_WRONG_COLUMNS'
  | 'CSV_FORMULA'
  | 'CSV_CONTROL_CHARACTERS'
  | 'CSV_LINE_TOO_LONG'
  | 'CSV_BAD_QUOTES'
  | 'CSV_NO_HASH'
  | 'CSV_BAD_VALUE'
  /** The row's Group Tag is longer than Intune takes (groupTagRule.ts), or has a character it cannot carry. */
  | 'CSV_GROUP_TAG_TOO_LONG'
  | 'CSV_GROUP_TAG_INVALID'
  /**
   * A row with a PKID and no hash, or a manufacturer+model+serial tuple and no hash: the import action needs the hash.
   */
  | 'CSV_PKID_ONLY'
  | 'CSV_TUPLE_ONLY'
  // whole file, named by what it looks like (another Microsoft export, a spreadsheet)
  | 'FILE_OTHER_EXPORT';

/**
 * Codes of one row of a file (the file's other rows were read): these rows are kept in the queue as refused records.
 */
export const ROW_CODES: ReadonlySet<string> = new Set(REFUSED_ROW_CODES);

/** An OA3.xml holds one hash (about 5 KB); XML parsing is the slowest path, so XML files get a tighter limit. */
export const MAX_XML_CHARS = 1024 * 1024;

export function readError(
  code: FileReadCode,
  message: string,
  line?: number,
  params?: Record<string, string | number>,
): FileReadError {
  const error: FileReadError = line === undefined ? { code, message } : { code, line, message };
  if (params) error.params = params;
  return error;
}

/**
 * The refusal of a file whose name is not one Capture and Import take (src-main/contract/hashFileTypes.ts), saying
 * which are; undefined for an accepted name. Its contents are never read.
 */
export function wrongFileType(nameOrPath: string): FileReadError | undefined {
  if (isAcceptedFileName(nameOrPath)) return undefined;
  const name = (nameOrPath.split(/[\\/]/).pop() ?? nameOrPath).slice(0, 120);
  return readError(
    'FILE_WRONG_TYPE',
    `${name} is not a hash file: the station reads ${HASH_FILE_TYPES_TEXT} files (OA3.xml, or the CSV Get-WindowsAutopilotInfo writes).`,
    undefined,
    { name, accepted: HASH_FILE_TYPES_TEXT },
  );
}

/** Stable codes for what the station finds in a hash or a device record. The UI translates by code. */
export type FindingCode =
  | 'HASH_EMPTY'
  | 'HASH_NOT_BASE64'
  | 'HASH_PADDING_FIXED'
  | 'HASH_BAD_MAGIC'
  | 'HASH_TRUNCATED'
  | 'HASH_BAD_RECORD'
  | 'HASH_NO_TRAILER'
  | 'HASH_CHECKSUM_MISMATCH'
  | 'HASH_TRAILING_DATA'
  | 'HASH_NO_SERIAL'
  | 'HASH_NO_MANUFACTURER'
  | 'SERIAL_MISMATCH'
  | 'SERIAL_PLACEHOLDER'
  | 'SERIAL_MISSING'
  /** OA3.xml: the report's ProductKeyID is not the one recorded in its hash. */
  | 'PRODUCT_KEY_ID_MISMATCH'
  /** The serial column is the hash's serial as a spreadsheet damaged it (leading zeros, 1.23E+11, trailing .0). */
  | 'SERIAL_SPREADSHEET_DAMAGE'
  /** The serial was typed in full-width characters (a Japanese IME): read as the ASCII serial on the label, noted. */
  | 'SERIAL_WIDTH_FOLDED'
  /** The serial has characters no label has (after folding full-width ones): the hash's serial is offered. */
  | 'SERIAL_NOT_ON_LABEL'
  /** A virtual machine's own serial: accepted as reported, noted. */
  | 'SERIAL_VIRTUAL_MACHINE'
  /** A serial or user name that a spreadsheet would run as a formula. */
  | 'VALUE_FORMULA'
  /** A 25-character licence key was found in a field and dropped. */
  | 'LICENCE_KEY_DROPPED'
  /** Partner Center file: the Manufacturer name / Device model column differs from the hash. */
  | 'MANUFACTURER_MISMATCH'
  | 'MODEL_MISMATCH'
  /** The Windows Product ID column in scientific notation (3.30123E+12): replaced by the hash's PKID or left out. */
  | 'PRODUCT_KEY_SPREADSHEET_DAMAGE';

export type FindingSeverity = 'error' | 'warning' | 'info';

export interface Finding {
  code: FindingCode;
  severity: FindingSeverity;
  /** English text for logs and the command line; screens show their own translation of the code. */
  message: string;
  /** Values the renderer puts into its own wording of the code. */
  params?: Record<string, string | number>;
}

export function finding(
  code: FindingCode,
  severity: FindingSeverity,
  message: string,
  params?: Record<string, string | number>,
): Finding {
  return params ? { code, severity, message, params } : { code, severity, message };
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

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
  | 'PRODUCT_KEY_ID_MISMATCH';

export type FindingSeverity = 'error' | 'warning' | 'info';

export interface Finding {
  code: FindingCode;
  severity: FindingSeverity;
  /** English text for logs and the command line; screens show their own translation of the code. */
  message: string;
}

export function finding(code: FindingCode, severity: FindingSeverity, message: string): Finding {
  return { code, severity, message };
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

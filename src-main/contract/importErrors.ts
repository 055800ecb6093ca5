/**
 * Intune's import errors, one row each: the only place a code's number, names, meaning for the technician and
 * English advice are written. Main (worker, CLI, logs) and the renderer (advice kind, badge, dictionary key) derive
 * from it; the words per language are `error.<code>` (or `error.<name>` for a name-only error) in
 * src-renderer/lib/i18n/en.ts and ja.ts. Sources of each code: docs/domain.md#import-errors.
 * No imports: the contract is bundled into main, preload and renderer (docs/architecture.md#the-contract).
 */

/**
 * What the technician does next, so one colour means one thing:
 * done (already registered here), stop (another tenant owns the device: retrying cannot help),
 * fix (the capture is wrong: capture again), retry (passing or admin-side: retry, or the worker retries).
 */
export type ImportErrorKind = 'done' | 'stop' | 'fix' | 'retry';

export interface ImportError {
  /** Intune's `deviceErrorCode`; absent for an error the service reports by name only (with code 0). */
  code?: number;
  /** Intune's `deviceErrorName`. */
  name: string;
  /**
   * Other spellings Microsoft uses for the same error (its pages and the service say "Another" and "Other" for 808).
   */
  aliases?: readonly string[];
  /** `done` is the 806 family (counted as done), `stop` the 808 family (owned by another tenant). */
  kind: ImportErrorKind;
  /** A passing service problem: the worker retries the record by itself before failing it. */
  transient?: true;
  /**
   * Intune judged the record's own data (its hash, serial or product key): the same record sent again gets the same
   * answer, and a queued record's hash and serial never change, so Retry and Register again are refused; only a new
   * capture of the device can succeed. A `fix` row without it (ZtdDeviceDuplicated) is helped by a Retry.
   */
  recapture?: true;
  /** What to do, in English: the CLI's and the logs' words (the screens use the dictionaries). */
  advice: string;
}

const OTHER_TENANT =
  "This device is registered to another organisation. The previous owner or the reseller must deregister it before it can be imported here; once they have, choose Register again on the device. To give them its serial and hash, tick it in the station's queue and press Export Intune CSV.";

export const IMPORT_ERROR_TABLE: readonly ImportError[] = [
  {
    code: 801,
    name: 'InvalidZtdRequestBody',
    kind: 'fix',
    recapture: true,
    advice: 'The record was refused as corrupt. Capture the device again.',
  },
  {
    code: 802,
    name: 'InvalidZtdHardwareHash',
    kind: 'fix',
    recapture: true,
    advice: 'The hardware hash is malformed or lacks the manufacturer or serial. Capture the hash again on the device.',
  },
  {
    code: 803,
    name: 'MissingZtdSerialNumberAndProductKey',
    kind: 'fix',
    recapture: true,
    advice: 'The record has neither a serial number nor a product key. Capture the device again.',
  },
  {
    code: 806,
    name: 'ZtdDeviceAlreadyAssigned',
    kind: 'done',
    advice: 'Already registered in this tenant; the group tag was checked and fixed if needed.',
  },
  {
    code: 807,
    name: 'ZtdDeviceIsNotRegistered',
    kind: 'retry',
    advice: 'Intune says the device is not registered. Retry; if it persists, send the request ids to your admin.',
  },
  {
    code: 808,
    name: 'ZtdDeviceAssignedToOtherTenant',
    aliases: ['ZtdDeviceAssignedToAnotherTenant'],
    kind: 'stop',
    advice: OTHER_TENANT,
  },
  { code: 809, name: 'ZtdDeviceProfileAssignedToOtherTenant', kind: 'stop', advice: OTHER_TENANT },
  { code: 810, name: 'ZtdDeviceRegisteredToOtherTenant', kind: 'stop', advice: OTHER_TENANT },
  { code: 811, name: 'ZtdDeviceOwnedByOtherTenant', kind: 'stop', advice: OTHER_TENANT },
  {
    code: 812,
    name: 'ZtdDeviceNotFound',
    kind: 'fix',
    recapture: true,
    advice:
      'No hardware hash is on record for this device. Capture the full hardware hash on the device and import again.',
  },
  {
    code: 813,
    name: 'ZtdDeviceIsNotUnique',
    kind: 'retry',
    advice: 'Several records match this device. Ask your admin to remove the duplicates in Intune, then retry.',
  },
  {
    code: 814,
    name: 'ZtdDeviceAlreadyAadRegistered',
    kind: 'retry',
    advice:
      'The device is already registered in Entra ID. Ask your admin to check the existing device object, then retry.',
  },
  {
    name: 'ZtdDeviceDuplicated',
    kind: 'fix',
    advice: 'The same hardware hash was sent twice in one import. Remove the duplicate capture and retry.',
  },
  {
    name: 'StorageError',
    kind: 'retry',
    transient: true,
    advice: 'Intune had a storage problem; the station retries by itself.',
  },
];

/**
 * Names compared loosely: case and separators ignored, and "Another" read as "Other" (Microsoft's pages spell the
 * 808 family both ways: docs/domain.md#import-errors); other spellings are the rows' `aliases`.
 */
function nameKey(name: string): string {
  return name
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .replace(/another/g, 'other');
}

const BY_CODE = new Map(IMPORT_ERROR_TABLE.flatMap((e) => (e.code === undefined ? [] : [[e.code, e] as const])));
const BY_NAME = new Map(
  IMPORT_ERROR_TABLE.flatMap((e) => [e.name, ...(e.aliases ?? [])].map((n) => [nameKey(n), e] as const)),
);

/**
 * The table's row for a record's `deviceErrorCode` and/or `deviceErrorName`: by code when it is known, else by
 * name in any of Microsoft's spellings (the service sends code 0 with a name for some errors). Undefined when
 * neither is in the table (a code Intune added since: shown with generic words).
 */
export function importErrorFor(
  code: number | undefined | null,
  name: string | undefined | null,
): ImportError | undefined {
  return (code ? BY_CODE.get(code) : undefined) ?? (name ? BY_NAME.get(nameKey(name)) : undefined);
}

/** The renderer's dictionary key for a row: `error.<code>`, or `error.<name>` for a name-only error. */
export function importErrorKey(e: ImportError): `error.${string}` {
  return `error.${e.code ?? e.name}`;
}

/** The 806 family (kind `done`): already registered in this tenant, counted as done. */
export function isAlreadyHere(code: number | undefined | null, name: string | undefined | null): boolean {
  return importErrorFor(code, name)?.kind === 'done';
}

/** The 808 family (kind `stop`, 808–811): another tenant owns the device; by code, or by name when the code is 0. */
export function isOtherTenant(code: number | undefined | null, name: string | undefined | null): boolean {
  return importErrorFor(code, name)?.kind === 'stop';
}

/**
 * The row of an error that only a new capture can get past (801, 802, 803, 812: `recapture`), by code, or by name when
 * the code is 0; undefined for any other error.
 */
export function recaptureError(
  code: number | undefined | null,
  name: string | undefined | null,
): ImportError | undefined {
  const known = importErrorFor(code, name);
  return known?.recapture ? known : undefined;
}

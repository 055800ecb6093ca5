import { IMPORT_ERROR_TABLE, importErrorFor } from '../contract/importErrors.ts';

/** The 806 and 808 families, decided by the table (re-exported for the worker and the queue). */
export { isAlreadyHere, isOtherTenant } from '../contract/importErrors.ts';

/**
 * What the technician should do for each Autopilot import error, in English (the CLI's and the logs' words),
 * read from the one table of import errors (src-main/contract/importErrors.ts). The screens word the same codes
 * per language; unknown codes stay visible with generic advice.
 */
export interface ErrorInfo {
  name: string;
  /** The code of the error's family, when known by name only (808 spelled the other way with code 0). */
  code?: number;
  advice: string;
  /** The device belongs elsewhere (the table's kind `stop`, 808–811): retrying cannot help. */
  hardStop?: boolean;
  /** The service had a passing problem: the worker retries by itself. */
  transient?: boolean;
}

function info(e: (typeof IMPORT_ERROR_TABLE)[number]): ErrorInfo {
  return {
    name: e.name,
    advice: e.advice,
    ...(e.kind === 'stop' ? { hardStop: true } : {}),
    ...(e.transient ? { transient: true } : {}),
  };
}

/** The numbered import errors by code (801–814): the table's rows that have a number. */
export const IMPORT_ERRORS: Record<number, ErrorInfo> = Object.fromEntries(
  IMPORT_ERROR_TABLE.flatMap((e) => (e.code === undefined ? [] : [[e.code, info(e)]])),
);

/**
 * English advice for a record's `deviceErrorCode` / `deviceErrorName` (code 0 or absent: by name, any spelling).
 * Returns the record's own name when it has one, and the family's code when known by name only.
 */
export function describeImportError(code: number | undefined, name: string | undefined | null): ErrorInfo {
  const known = importErrorFor(code, name);
  if (known) {
    const number = code || known.code;
    return { ...info(known), name: name || known.name, ...(number !== undefined ? { code: number } : {}) };
  }
  return {
    name: name || 'UnknownImportError',
    advice: `Intune refused the device with an unknown error${code ? ` (${code})` : ''}. Retry once; if it fails again, send the code and the request ids to your admin.`,
  };
}

/** Advice for states the station reaches by itself (deadlines, profile failures). */
export const STATION_ADVICE = {
  importTimeout:
    'Intune did not finish importing in time. Retry; if it keeps happening, Intune may be slow: check the service health in the admin centre.',
  registrationTimeout:
    'The device was imported but did not appear as registered in time. Retry later or check it in the admin centre.',
  profileTimeout:
    'The device is registered but no deployment profile was assigned in time. Check that a profile targets its group tag.',
  profileFailed:
    'Intune could not assign a deployment profile. Check the profile and the group that uses this group tag, then retry.',
  checkFailed: 'The station could not judge this device. Capture it again.',
  recordLost:
    "Intune lost this device's import record twice and the device is not registered. Retry later; if it happens again, send the request ids to your admin.",
  tagUnconfirmed:
    "The group tag was changed in Intune, but the tenant did not show the new tag in time. Check the device's group tag in the admin centre.",
  tagUnchecked:
    'Intune says this device is registered here, but it could not be found to check its group tag. Check it in the admin centre.',
} as const;

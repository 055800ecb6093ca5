/**
 * What the technician should do for each Autopilot import error (DOMAIN.md's table), in English.
 * The UI translates by code or name; unknown codes stay visible with generic advice.
 */
interface ErrorInfo {
  name: string;
  /** The code of the error's family, when known by name only (808 spelled the other way with code 0). */
  code?: number;
  advice: string;
  /** The device belongs elsewhere: retrying cannot help. */
  hardStop?: boolean;
  /** The service had a passing problem: the worker retries by itself. */
  transient?: boolean;
}

const OTHER_TENANT = 'This device is registered to another organisation. The previous owner or the reseller must deregister it before it can be imported here. To give them its serial and hash, tick it in the station\'s queue and press Export Intune CSV.';

export const IMPORT_ERRORS: Record<number, ErrorInfo> = {
  801: { name: 'InvalidZtdRequestBody', advice: 'The record was refused as corrupt. Capture the device again.' },
  802: { name: 'InvalidZtdHardwareHash', advice: 'The hardware hash is malformed or lacks the manufacturer or serial. Capture the hash again on the device.' },
  803: { name: 'MissingZtdSerialNumberAndProductKey', advice: 'The record has neither a serial number nor a product key. Capture the device again.' },
  806: { name: 'ZtdDeviceAlreadyAssigned', advice: 'Already registered in this tenant; the group tag was checked and fixed if needed.' },
  807: { name: 'ZtdDeviceIsNotRegistered', advice: 'Intune says the device is not registered. Retry; if it persists, send the request ids to your admin.' },
  808: { name: 'ZtdDeviceAssignedToOtherTenant', advice: OTHER_TENANT, hardStop: true },
  809: { name: 'ZtdDeviceProfileAssignedToOtherTenant', advice: OTHER_TENANT, hardStop: true },
  810: { name: 'ZtdDeviceRegisteredToOtherTenant', advice: OTHER_TENANT, hardStop: true },
  811: { name: 'ZtdDeviceOwnedByOtherTenant', advice: OTHER_TENANT, hardStop: true },
  812: { name: 'ZtdDeviceNotFound', advice: 'No hardware hash is on record for this device. Capture the full hardware hash on the device and import again.' },
  813: { name: 'ZtdDeviceIsNotUnique', advice: 'Several records match this device. Ask your admin to remove the duplicates in Intune, then retry.' },
  814: { name: 'ZtdDeviceAlreadyAadRegistered', advice: 'The device is already registered in Entra ID. Ask your admin to check the existing device object, then retry.' },
};

const BY_NAME: Record<string, ErrorInfo> = {
  ZtdDeviceDuplicated: { name: 'ZtdDeviceDuplicated', advice: 'The same hardware hash was sent twice in one import. Remove the duplicate capture and retry.' },
  StorageError: { name: 'StorageError', advice: 'Intune had a storage problem; the station retries by itself.', transient: true },
};
for (const [code, info] of Object.entries(IMPORT_ERRORS)) BY_NAME[info.name] = { ...info, code: Number(code) };

/** Names compared loosely: case and separators ignored, "Another" and "Other" alike (Microsoft's pages use both for 808). */
function nameKey(name: string): string {
  return name.replace(/[^a-z0-9]/gi, '').toLowerCase().replace(/another/g, 'other');
}
const BY_NAME_KEY = new Map(Object.values(BY_NAME).map((info) => [nameKey(info.name), info]));

function byName(name: string | undefined | null): ErrorInfo | undefined {
  return name ? (BY_NAME[name] ?? BY_NAME_KEY.get(nameKey(name))) : undefined;
}

export function describeImportError(code: number | undefined, name: string | undefined | null): ErrorInfo {
  const known = (code ? IMPORT_ERRORS[code] : undefined) ?? byName(name);
  if (known) return { ...known, name: name || known.name, ...(code ? { code } : known.code !== undefined ? { code: known.code } : {}) };
  return {
    name: name || 'UnknownImportError',
    advice: `Intune refused the device with an unknown error${code ? ` (${code})` : ''}. Retry once; if it fails again, send the code and the request ids to your admin.`,
  };
}

export function isAlreadyHere(code: number | undefined, name: string | undefined | null): boolean {
  return code === 806 || (!!name && nameKey(name) === nameKey('ZtdDeviceAlreadyAssigned'));
}

/** The 808 family (808–811): by code, or by name in either spelling when the code is missing or 0. */
export function isOtherTenant(code: number | undefined, name: string | undefined | null): boolean {
  if (code !== undefined && code >= 808 && code <= 811) return true;
  return !code && byName(name)?.hardStop === true;
}

/** Advice for states the station reaches by itself (deadlines, profile failures). */
export const STATION_ADVICE = {
  importTimeout: 'Intune did not finish importing in time. Retry; if it keeps happening, Intune may be slow: check the service health in the admin centre.',
  registrationTimeout: 'The device was imported but did not appear as registered in time. Retry later or check it in the admin centre.',
  profileTimeout: 'The device is registered but no deployment profile was assigned in time. Check that a profile targets its group tag.',
  profileFailed: 'Intune could not assign a deployment profile. Check the profile and the group that uses this group tag, then retry.',
  checkFailed: 'The station could not judge this device. Capture it again.',
  recordLost: 'Intune lost this device\'s import record twice and the device is not registered. Retry later; if it happens again, send the request ids to your admin.',
  tagUnconfirmed: 'The group tag was changed in Intune, but the tenant did not show the new tag in time. Check the device\'s group tag in the admin centre.',
  tagUnchecked: 'Intune says this device is registered here, but it could not be found to check its group tag. Check it in the admin centre.',
} as const;

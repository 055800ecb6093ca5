/**
 * What the technician should do for each Autopilot import error (DOMAIN.md's table), in English.
 * The UI translates by code or name; unknown codes stay visible with generic advice.
 */
interface ErrorInfo {
  name: string;
  advice: string;
  /** The device belongs elsewhere: retrying cannot help. */
  hardStop?: boolean;
  /** The service had a passing problem: the worker retries by itself. */
  transient?: boolean;
}

const OTHER_TENANT = 'This device is registered to another organisation. The previous owner or the reseller must deregister it before it can be imported here.';

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
for (const info of Object.values(IMPORT_ERRORS)) BY_NAME[info.name] = info;

export function describeImportError(code: number | undefined, name: string | undefined | null): ErrorInfo {
  const known = (code ? IMPORT_ERRORS[code] : undefined) ?? (name ? BY_NAME[name] : undefined);
  if (known) return { ...known, name: name || known.name };
  return {
    name: name || 'UnknownImportError',
    advice: `Intune refused the device with an unknown error${code ? ` (${code})` : ''}. Retry once; if it fails again, send the code and the request ids to your admin.`,
  };
}

export function isAlreadyHere(code: number | undefined, name: string | undefined | null): boolean {
  return code === 806 || name === 'ZtdDeviceAlreadyAssigned';
}

/** Advice for states the station reaches by itself (deadlines, profile failures). */
export const STATION_ADVICE = {
  importTimeout: 'Intune did not finish importing in time. Retry; if it keeps happening, Intune may be slow: check the service health in the admin centre.',
  registrationTimeout: 'The device was imported but did not appear as registered in time. Retry later or check it in the admin centre.',
  profileTimeout: 'The device is registered but no deployment profile was assigned in time. Check that a profile targets its group tag.',
  profileFailed: 'Intune could not assign a deployment profile. Check the profile and the group that uses this group tag, then retry.',
  checkFailed: 'The station could not judge this device. Capture it again.',
} as const;

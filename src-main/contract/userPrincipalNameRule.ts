/**
 * The Assigned User rule, stated once for main (contract schemas, file readers) and the renderer.
 * A user principal name looks like name@contoso.com (https://learn.microsoft.com/entra/identity/hybrid/connect/plan-connect-userprincipalname);
 * the admin centre checks only that its domain is valid (https://learn.microsoft.com/autopilot/add-devices).
 * No comma, quote or spaces (the admin centre's CSV has no quoting) and no = + - @ first (spreadsheet formula).
 * Empty means no assigned user.
 */
export const USER_PRINCIPAL_NAME_MAX = 256;
export const USER_PRINCIPAL_NAME_PATTERN = /^$|^(?![=+\-@])[^\s@,"]+@[^\s@,"]+\.[^\s@,"]+$/;

/** True for '' and for a name like name@contoso.com of at most 256 characters. */
export function isUserPrincipalName(value: string): boolean {
  return value.length <= USER_PRINCIPAL_NAME_MAX && USER_PRINCIPAL_NAME_PATTERN.test(value);
}

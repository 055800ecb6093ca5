/**
 * Rules every captured value goes through, whatever brought it (typed, scanned, OA3.xml, CSV, a
 * ConfigMgr report): one place, so that a file and a keyboard are judged alike.
 */

/** A value a spreadsheet would run as a formula (CSV injection): the contract's rule, shared with the renderer. */
export { startsLikeFormula } from '../contract/formulaRule.ts';

/**
 * A Windows licence key (`XXXXX-XXXXX-XXXXX-XXXXX-XXXXX`, what OA3.xml's `<ProductKey>` holds).
 * It is never stored, shown, logged, exported or sent; the device's product key is its 13-digit PKID.
 */
const LICENCE_KEY = /(?<![A-Za-z0-9])[A-Za-z0-9]{5}(?:-[A-Za-z0-9]{5}){4}(?![A-Za-z0-9])/;
const LICENCE_KEY_GLOBAL = new RegExp(LICENCE_KEY.source, 'g');

export function containsLicenceKey(value: string | undefined | null): boolean {
  return !!value && value.length >= 29 && LICENCE_KEY.test(value);
}

/** The value with every licence key in it replaced by a mask (for messages built from a value). */
export function maskLicenceKeys(value: string): string {
  return value.length >= 29 ? value.replace(LICENCE_KEY_GLOBAL, '*****-*****-*****-*****-*****') : value;
}

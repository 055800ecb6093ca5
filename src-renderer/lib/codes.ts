import { fillText, i18n, t, type MessageKey } from './i18n/i18n.svelte.ts';

/**
 * The advice catalogue: every code the station or Graph can produce (capture findings, file errors,
 * station and Graph errors, sign-in errors, Intune import errors 801-814 and their names), worded in
 * the technician's language from its code and params. The English `message` that travels with a code
 * is for the CLI and logs; a screen never shows it in place of these words.
 * test/renderer/codes.test.ts walks every code found in src-main and fails on one without words.
 */

export type Params = Record<string, string | number>;

/** The service's names for the import errors, so a row that only carries the name finds its advice. */
const IMPORT_ERROR_NAMES: Record<string, number> = {
  InvalidZtdRequestBody: 801,
  InvalidZtdHardwareHash: 802,
  MissingZtdSerialNumberAndProductKey: 803,
  ZtdDeviceAlreadyAssigned: 806,
  ZtdDeviceIsNotRegistered: 807,
  ZtdDeviceAssignedToOtherTenant: 808,
  ZtdDeviceProfileAssignedToOtherTenant: 809,
  ZtdDeviceRegisteredToOtherTenant: 810,
  ZtdDeviceOwnedByOtherTenant: 811,
  ZtdDeviceNotFound: 812,
  ZtdDeviceIsNotUnique: 813,
  ZtdDeviceAlreadyAadRegistered: 814,
};

/**
 * What an outcome means for the technician, so colours mean one thing:
 * done (806: already here, counted as done), stop (owned by another tenant: retrying cannot help),
 * fix (the capture is wrong: capture again), retry (passing or admin-side: retry, or it retries itself).
 */
export type AdviceKind = 'done' | 'stop' | 'fix' | 'retry' | 'signIn' | 'network';

const STOP = new Set([808, 809, 810, 811]);
const FIX = new Set([801, 802, 803, 812]);
const FIX_NAMES = new Set(['ZtdDeviceDuplicated', 'DEVICE_INVALID']);

function importNumber(code: string | number | undefined): number | undefined {
  if (typeof code === 'number') return code;
  if (code === undefined) return undefined;
  if (/^\d{3}$/.test(code)) return Number(code);
  return IMPORT_ERROR_NAMES[code];
}

/** The catalogue key for one code (a number 801-814, an import error name, or a station code). */
function keyFor(code: string | number | undefined): MessageKey | undefined {
  if (code === undefined || code === '') return undefined;
  const n = importNumber(code);
  if (n !== undefined && i18n.has(`error.${n}`)) return `error.${n}` as MessageKey;
  for (const prefix of ['code.', 'finding.', 'error.']) {
    const key = `${prefix}${code}`;
    if (i18n.has(key) && key !== 'error.unknown' && key !== 'error.label' && key !== 'finding.unknown') return key;
  }
  if (typeof code === 'string' && /^HTTP_\d+$/.test(code)) return 'code.HTTP';
  return undefined;
}

/** The key for a device's or event's error: by number first, then by name. */
export function adviceKeyFor(errorCode: number | undefined, errorName: string | undefined): MessageKey | undefined {
  // A station code that says more than the service's number words the row (GROUP_TAG_KEPT on an 806).
  if (errorName && /^[A-Z][A-Z0-9_]+$/.test(errorName) && i18n.has(`code.${errorName}`)) return `code.${errorName}` as MessageKey;
  return keyFor(errorCode) ?? keyFor(errorName);
}

/** True when the catalogue words this code (the catalogue test's check). */
export function hasWords(code: string | number): boolean {
  return keyFor(code) !== undefined;
}

/**
 * Fills a catalogue text: "[ (line {line})]" is kept only when every param inside it was given, so a
 * code words well with or without its params; then {name} is replaced as t() does.
 */
export function fill(text: string, params: Params = {}): string {
  return fillText(text, params, i18n.number);
}

/** One code in the technician's language; an unknown code says so with the code, never in English alone. */
export function wordCode(code: string | number | undefined, params?: Params): string {
  const key = keyFor(code);
  if (key) return t(key, params);
  if (typeof code === 'number' || /^Ztd|^\d{3}$/.test(String(code ?? ''))) return t('error.unknown');
  return t('code.unknown', { code: String(code ?? '') });
}

/** A device's or event's error (Intune number and/or name, or the station's code in errorName). */
export function wordAdvice(errorCode: number | undefined, errorName: string | undefined, params?: Params): string {
  const key = adviceKeyFor(errorCode, errorName);
  if (key) return t(key, params);
  if (errorCode !== undefined || /^Ztd/.test(errorName ?? '')) return t('error.unknown');
  return t('code.unknown', { code: errorName ?? '' });
}

/** The bench cannot reach the service (its network, proxy, firewall, TLS inspection): Retry cannot help until that is fixed. */
const NETWORK_NAMES = /^(GRAPH_NETWORK|AUTH_NETWORK|AUTH_SERVICE_UNAVAILABLE|CHECK_DNS_FAILED|CHECK_TCP_FAILED|CHECK_TLS_\w+|GRAPH_WRONG_CLOUD_NETWORK)$/;
/** The station has no usable sign-in: someone has to sign in (or fix what the sign-in needs) first. */
const SIGN_IN_NAMES = /^(AUTH_\w+|GRAPH_SIGN_IN_EXPIRED|CHECK_SIGN_IN_\w+)$/;

/**
 * How an outcome should look, as what to do next: done, hard stop, fix the capture, retry, sign in, or fix
 * the network. A device waiting because the bench is not signed in or cannot reach the service says so (it
 * used to read "Retry" while Retry was disabled: there is nothing to retry until the sign-in or network is back).
 */
export function adviceKind(errorCode: number | undefined, errorName: string | undefined): AdviceKind {
  if (errorCode === undefined && errorName && NETWORK_NAMES.test(errorName)) return 'network';
  if (errorCode === undefined && errorName && SIGN_IN_NAMES.test(errorName)) return 'signIn';
  const n = importNumber(errorCode) ?? importNumber(errorName);
  if (n === 806) return 'done';
  if (n !== undefined && STOP.has(n)) return 'stop';
  if (n !== undefined && FIX.has(n)) return 'fix';
  if (errorName && (FIX_NAMES.has(errorName) || i18n.has(`finding.${errorName}`) || /^(HASH|SERIAL|CSV|XML|FILE)_/.test(errorName))) return 'fix';
  return 'retry';
}

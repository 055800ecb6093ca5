import {
  importErrorFor,
  importErrorKey,
  type ImportError,
  type ImportErrorKind,
} from '../../src-main/contract/importErrors.ts';
import { fillText, i18n, t, type MessageKey } from './i18n/i18n.svelte.ts';

/**
 * The advice catalogue: every code the station or Graph can produce (capture findings, file errors,
 * station and Graph errors, sign-in errors, Intune import errors and their names), worded in the
 * technician's language from its code and params. Two key schemes: `error.<code|name>` for a row of Intune's
 * import errors (src-main/contract/importErrors.ts), `code.<CODE>` for everything the station says itself.
 * The English `message` that travels with a code is for the CLI and logs; a screen shows it only for a code
 * this build has no words for (codedMessage).
 * test/renderer/codes.test.ts walks every code found in src-main and fails on one without words.
 */

export type Params = Record<string, string | number>;

/**
 * What an outcome means for the technician, so colours mean one thing: an Intune import error's kind from the
 * table (src-main/contract/importErrors.ts: done, stop, fix, retry), or, for the station's own codes, fix for a
 * capture problem, signIn / network for a bench that cannot reach the service, else retry.
 */
export type AdviceKind = ImportErrorKind | 'signIn' | 'network' | 'fixFile';

/** The table's row for an Intune number, its three digits as text, or one of its names. */
function importError(code: string | number): ImportError | undefined {
  if (typeof code === 'number') return importErrorFor(code, undefined);
  return /^\d{3}$/.test(code) ? importErrorFor(Number(code), undefined) : importErrorFor(undefined, code);
}

/** `error.<code>` for a row of the import errors' table, when the dictionary words it. */
function importKey(known: ImportError | undefined): MessageKey | undefined {
  const key = known && importErrorKey(known);
  return key && i18n.has(key) ? key : undefined;
}

/**
 * `code.<CODE>` for a station code (findings, file and row refusals, station, Graph and sign-in errors, names the
 * worker sets such as Timeout): `code.<CODE>.<kind>` first when the params name a kind (a file named by what it
 * looks like), `code.HTTP` for any HTTP_<status>.
 */
function stationKey(code: string, kind?: unknown): MessageKey | undefined {
  const keys = [...(typeof kind === 'string' ? [`code.${code}.${kind}`] : []), `code.${code}`];
  const key = keys.find((k): k is MessageKey => i18n.has(k) && k !== 'code.unknown');
  return key ?? (/^HTTP_\d+$/.test(code) ? 'code.HTTP' : undefined);
}

/**
 * The catalogue key for one code (an Intune number or name, or a station code). A refusal whose params name the
 * rule that failed (`reason`: GROUP_TAG_COMMA, UPN_FORMULA_START…) is worded by that rule.
 */
function keyFor(code: string | number | undefined, params?: Params): MessageKey | undefined {
  if (code === undefined || code === '') return undefined;
  const reason = typeof params?.reason === 'string' ? stationKey(params.reason) : undefined;
  return (
    reason ?? importKey(importError(code)) ?? (typeof code === 'string' ? stationKey(code, params?.kind) : undefined)
  );
}

/**
 * The key for a device's or event's error: the station's code in errorName first (GROUP_TAG_KEPT on an 806 says
 * more than the number), then the import error by number, or by name when the number is 0 or unknown (as main).
 */
export function adviceKeyFor(errorCode: number | undefined, errorName: string | undefined): MessageKey | undefined {
  return (errorName ? stationKey(errorName) : undefined) ?? importKey(importErrorFor(errorCode, errorName));
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
  const key = keyFor(code, params);
  if (key) return t(key, params);
  if (typeof code === 'number' || /^Ztd|^\d{3}$/.test(String(code ?? ''))) return t('error.unknown');
  return t('code.unknown', { code: String(code ?? '') });
}

/** A device's or event's error (Intune number and/or name, or the station's code in errorName). */
export function wordAdvice(errorCode: number | undefined, errorName: string | undefined, params?: Params): string {
  const key =
    (typeof params?.reason === 'string' ? stationKey(params.reason) : undefined) ?? adviceKeyFor(errorCode, errorName);
  if (key) return t(key, params);
  if (errorCode !== undefined || /^Ztd/.test(errorName ?? '')) return t('error.unknown');
  return t('code.unknown', { code: errorName ?? '' });
}

/**
 * The bench cannot reach the service (its network, proxy, firewall, TLS inspection): Retry cannot help until that is
 * fixed.
 */
const NETWORK_NAMES =
  /^(GRAPH_NETWORK|AUTH_NETWORK|AUTH_SERVICE_UNAVAILABLE|CHECK_DNS_FAILED|CHECK_TCP_FAILED|CHECK_TLS_\w+|GRAPH_WRONG_CLOUD_NETWORK)$/;
/** The station has no usable sign-in: someone has to sign in (or fix what the sign-in needs) first. */
const SIGN_IN_NAMES = /^(AUTH_\w+|GRAPH_SIGN_IN_EXPIRED|CHECK_SIGN_IN_\w+)$/;
/** The station's codes for a capture it refused (hash and serial findings, file and row errors, an invalid device). */
const CAPTURE_NAMES = /^((HASH|SERIAL|CSV|XML|FILE)_\w+|DEVICE_INVALID)$/;
/**
 * A row refused for what the file says (a tag, a user, a value, quotes, columns): the file is fixed and read again,
 * the hash is not captured again.
 */
const FILE_FIX_NAMES =
  /^(CSV_GROUP_TAG_\w+|CSV_BAD_VALUE|CSV_FORMULA|CSV_BAD_QUOTES|CSV_WRONG_COLUMNS|CSV_CONTROL_CHARACTERS)$/;

/**
 * How an outcome should look, as what to do next: done, hard stop, fix the capture, retry, sign in, or fix
 * the network. A device waiting because the bench is not signed in or cannot reach the service says so (it
 * used to read "Retry" while Retry was disabled: there is nothing to retry until the sign-in or network is back).
 */
export function adviceKind(errorCode: number | undefined, errorName: string | undefined): AdviceKind {
  if (errorCode === undefined && errorName && NETWORK_NAMES.test(errorName)) return 'network';
  if (errorCode === undefined && errorName && SIGN_IN_NAMES.test(errorName)) return 'signIn';
  const known = importErrorFor(errorCode, errorName);
  if (known) return known.kind;
  if (errorName && FILE_FIX_NAMES.test(errorName)) return 'fixFile';
  return errorName && CAPTURE_NAMES.test(errorName) ? 'fix' : 'retry';
}

/**
 * Words for a coded message (an error, a check result) in the technician's language: the catalogue's words and
 * `code.<CODE>.action` with the message's params, else the station's English text (a code this build lacks).
 */
export function codedMessage(e: {
  code: string;
  params?: Params | undefined;
  message: string;
  action?: string | undefined;
}): { message: string; action?: string } {
  const params = e.params ?? {};
  const key = keyFor(e.code, params);
  const actionKey = `code.${e.code}.action`;
  const message = key ? t(key, params) : e.message;
  const action = i18n.has(actionKey) ? t(actionKey, params) : e.action;
  return action ? { message, action } : { message };
}

import { i18n, t } from './i18n/i18n.svelte.ts';
import type { MessageKey } from './i18n/en.ts';

/**
 * A code from main (finding, file or row refusal, error) in the technician's language, with its params:
 * `code.<CODE>.<kind>` for a file named by what it looks like, then `code.<CODE>`, then the older
 * `finding.<CODE>`; the English message from main when the catalogue has none.
 */
export function codeText(code: string, params: Record<string, string | number> | undefined, fallback: string): string {
  const kind = params?.kind;
  const keys = [...(typeof kind === 'string' ? [`code.${code}.${kind}`] : []), `code.${code}`, `finding.${code}`];
  const key = keys.find((k): k is MessageKey => i18n.has(k));
  return key ? t(key, params) : fallback;
}

/**
 * Words for a coded message (an error, a check result) in the technician's language: the catalogue's
 * `code.<CODE>` and `code.<CODE>.action` with the message's params, else the station's English text.
 */
export function codedMessage(e: { code: string; params?: Record<string, string | number> | undefined; message: string; action?: string | undefined }): { message: string; action?: string } {
  const key = `code.${e.code}`;
  const actionKey = `${key}.action`;
  const params = e.params ?? {};
  const message = i18n.has(key) ? t(key, params) : e.message;
  const action = i18n.has(actionKey) ? t(actionKey, params) : e.action;
  return action ? { message, action } : { message };
}

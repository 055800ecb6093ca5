import { i18n, t } from './i18n/i18n.svelte.ts';

/**
 * Words for a coded message (an error, a check result) in the technician's language: the catalogue's
 * `code.<CODE>` and `code.<CODE>.action` with the message's params, else the station's English text.
 */
export function codeText(e: { code: string; params?: Record<string, string | number> | undefined; message: string; action?: string | undefined }): { message: string; action?: string } {
  const key = `code.${e.code}`;
  const actionKey = `${key}.action`;
  const params = e.params ?? {};
  const message = i18n.has(key) ? t(key, params) : e.message;
  const action = i18n.has(actionKey) ? t(actionKey, params) : e.action;
  return action ? { message, action } : { message };
}

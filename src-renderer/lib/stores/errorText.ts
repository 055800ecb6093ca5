import { ApiError } from '../api.ts';
import { wordCode } from '../codes.ts';
import { t } from '../i18n/i18n.svelte.ts';

/**
 * One line a technician can act on, from whatever a call threw, in their language: a station error is
 * worded by its code and params (its English message is the CLI's and the log's, not the screen's).
 */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return wordCode(err.code, err.params);
  // A renderer-side failure (a file the browser could not read...): no code, so the generic words.
  return t('code.unknown', { code: err instanceof Error ? err.name : 'Error' });
}

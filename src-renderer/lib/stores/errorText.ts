import { ApiError } from '../api.ts';
import { t } from '../i18n/i18n.svelte.ts';

/** One line a technician can act on, from whatever a call threw. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'NOT_AVAILABLE') return t('common.notAvailable', { code: err.code });
    return err.action ? `${err.message} ${err.action}` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

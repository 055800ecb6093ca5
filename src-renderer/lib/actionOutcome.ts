import type { DeviceActionResult } from '../../src-main/contract/types.ts';
import { t, tn } from './i18n/i18n.svelte.ts';
import { hasWords, wordCode } from './codes.ts';

/**
 * Main's reason for an action (a skipped device, a refused or asked-first verdict in `QueueRow.actions`),
 * in the technician's language (the code itself when the catalogue lacks it). Which actions a device allows
 * is main's decision (src-main/queue/deviceActions.ts): the screens show it and never judge it.
 */
export function reasonText(reason: { code: string; params?: Record<string, string | number> }): string {
  return hasWords(reason.code) ? wordCode(reason.code, reason.params) : reason.code;
}

/**
 * What an action did, said in full: how many changed, how many the station asked the tenant about,
 * and why each of the others was left as it was (grouped by reason, with their serials).
 */
export function actionOutcomeText(
  r: DeviceActionResult,
  done: 'queue.requeued' | 'queue.removed' = 'queue.requeued',
): string {
  const parts: string[] = [];
  // Words that fit the action ("2 devices removed", not "updated"), with the language's plural rules.
  if (r.affected > 0) parts.push(tn(done, r.affected));
  else if (!r.skipped.length && !r.checking) parts.push(t('queue.nothingChanged'));
  if (r.checking) parts.push(t('action.checking', { count: r.checking }));
  if (r.skipped.length) {
    const byReason = new Map<string, string[]>();
    for (const s of r.skipped) {
      const text = reasonText(s);
      byReason.set(text, [...(byReason.get(text) ?? []), s.serialNumber ?? s.id]);
    }
    parts.push(
      `${t('action.skipped', { count: r.skipped.length })} ${[...byReason].map(([text, serials]) => `${serials.slice(0, 5).join(', ')}${serials.length > 5 ? ` +${serials.length - 5}` : ''}: ${text}`).join(' ')}`,
    );
  }
  return parts.join(' ');
}

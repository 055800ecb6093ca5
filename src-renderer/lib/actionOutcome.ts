import type { DeviceActionResult, DeviceSkip, QueueRow } from '../../src-main/contract/types.ts';
import { t, tn } from './i18n/i18n.svelte.ts';
import { hasWords, wordCode } from './codes.ts';

/** One device's reason, in the technician's language (the bare code when the catalogue lacks it). */
export function skipText(skip: DeviceSkip): string {
  return hasWords(skip.code) ? wordCode(skip.code, skip.params) : skip.code;
}

/**
 * What an action did, said in full: how many changed, how many the station asked the tenant about,
 * and why each of the others was left as it was (grouped by reason, with their serials).
 */
export function actionOutcomeText(r: DeviceActionResult, done: 'queue.requeued' | 'queue.removed' = 'queue.requeued'): string {
  const parts: string[] = [];
  // Words that fit the action ("2 devices removed", not "updated"), with the language's plural rules.
  if (r.affected > 0) parts.push(tn(done, r.affected));
  else if (!r.skipped.length && !r.checking) parts.push(t('queue.nothingChanged'));
  if (r.checking) parts.push(t('action.checking', { count: r.checking }));
  if (r.skipped.length) {
    const byReason = new Map<string, string[]>();
    for (const s of r.skipped) {
      const text = skipText(s);
      byReason.set(text, [...(byReason.get(text) ?? []), s.serialNumber ?? s.id]);
    }
    parts.push(`${t('action.skipped', { count: r.skipped.length })} ${[...byReason].map(([text, serials]) => `${serials.slice(0, 5).join(', ')}${serials.length > 5 ? ` +${serials.length - 5}` : ''}: ${text}`).join(' ')}`);
  }
  return parts.join(' ');
}

/** Another tenant owns the device (808–811): neither Retry nor Register again can help. */
const OWNED_ELSEWHERE = new Set([808, 809, 810, 811]);
/** Mirrors the station's expected import time: Retry on an import older than this asks the tenant now. */
export const EXPECTED_IMPORT_MS = 5 * 60_000;

/** Whether Retry can do something for this device (the button is not offered otherwise). */
export function canRetry(row: Pick<QueueRow, 'state' | 'errorCode' | 'stateSince'>, now: number): boolean {
  if (row.state === 'failed') return row.errorCode === undefined || !OWNED_ELSEWHERE.has(row.errorCode);
  if (row.state === 'importing') return now - new Date(row.stateSince).getTime() >= EXPECTED_IMPORT_MS;
  return row.state === 'timed-out' || row.state === 'invalid' || row.state === 'captured';
}

/** Whether Register again can do something: the device was sent before. */
export function canReregister(row: Pick<QueueRow, 'state' | 'errorCode'>): boolean {
  // 808–811 included: after the previous owner deregisters the device, Register again sends it on purpose.
  if (row.state === 'failed') return true;
  return ['imported', 'registered', 'assigned', 'already-registered', 'timed-out'].includes(row.state);
}

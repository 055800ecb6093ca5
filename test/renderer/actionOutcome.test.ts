import { afterEach, describe, expect, it } from 'vitest';
import { actionOutcomeText, canReregister, canRetry, EXPECTED_IMPORT_MS } from '../../src-renderer/lib/actionOutcome.ts';
import { i18n } from '../../src-renderer/lib/i18n/i18n.svelte.ts';

afterEach(() => i18n.setLocale('en'));
const now = Date.parse('2026-01-01T12:00:00Z');
const row = (state: string, extra: { errorCode?: number; since?: number } = {}) => ({ state, stateSince: new Date(extra.since ?? now).toISOString(), ...(extra.errorCode !== undefined ? { errorCode: extra.errorCode } : {}) }) as Parameters<typeof canRetry>[0];

describe('what Retry and Register again can do', () => {
  it('offers Retry only where it helps: not on registered, 806 or 808 devices; on an import only past its expected time', () => {
    expect(canRetry(row('failed'), now)).toBe(true);
    expect(canRetry(row('failed', { errorCode: 808 }), now)).toBe(false);
    expect(canRetry(row('already-registered'), now)).toBe(false);
    expect(canRetry(row('registered'), now)).toBe(false);
    expect(canRetry(row('timed-out'), now)).toBe(true);
    expect(canRetry(row('importing', { since: now - 60_000 }), now)).toBe(false);
    expect(canRetry(row('importing', { since: now - EXPECTED_IMPORT_MS }), now)).toBe(true);
    expect(canReregister(row('registered'))).toBe(true);
    expect(canReregister(row('queued'))).toBe(false);
    expect(canReregister(row('failed', { errorCode: 809 }))).toBe(true); // after the previous owner deregisters it
  });

  it('says why devices were left as they were, in the technician\'s language, never only "0 devices updated"', () => {
    const answer = { affected: 0, checking: 1, skipped: [{ id: 'a', serialNumber: 'PF1', code: 'RETRY_ALREADY_DONE' }, { id: 'b', serialNumber: 'PF2', code: 'RETRY_ALREADY_DONE' }, { id: 'c', serialNumber: 'PF3', code: 'RETRY_OWNED_ELSEWHERE', params: { errorCode: 808 } }] };
    const en = actionOutcomeText(answer);
    expect(en).not.toMatch(/0 devices updated/);
    expect(en).toMatch(/Asked the tenant about 1 importing devices now/);
    expect(en).toMatch(/3 not changed: PF1, PF2: Already registered/);
    expect(en).toMatch(/PF3: Registered to another tenant \(error 808\)/);
    i18n.setLocale('ja');
    expect(actionOutcomeText(answer)).toMatch(/PF3: 別のテナントに登録されています \(エラー 808\)/);
    expect(actionOutcomeText({ affected: 0, skipped: [{ id: 'x', code: 'SOMETHING_NEW' }] })).toContain('x: SOMETHING_NEW');
  });
});

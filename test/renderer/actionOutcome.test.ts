import { afterEach, describe, expect, it } from 'vitest';
import { actionOutcomeText } from '../../src-renderer/lib/actionOutcome.ts';
import { i18n } from '../../src-renderer/lib/i18n/i18n.svelte.ts';

afterEach(() => i18n.setLocale('en'));

describe('what an action did, in words', () => {
  it('says why devices were left as they were, in the technician\'s language, never only "0 devices updated"', () => {
    const answer = {
      affected: 0,
      checking: 1,
      skipped: [
        { id: 'a', serialNumber: 'PF1', code: 'RETRY_ALREADY_DONE' },
        { id: 'b', serialNumber: 'PF2', code: 'RETRY_ALREADY_DONE' },
        { id: 'c', serialNumber: 'PF3', code: 'RETRY_OWNED_ELSEWHERE', params: { errorCode: 808 } },
      ],
    };
    const en = actionOutcomeText(answer);
    expect(en).not.toMatch(/0 devices updated/);
    expect(en).toMatch(/Asked the tenant about 1 importing devices now/);
    expect(en).toMatch(/3 not changed: PF1, PF2: Already registered/);
    expect(en).toMatch(/PF3: Registered to another tenant \(error 808\)/);
    i18n.setLocale('ja');
    expect(actionOutcomeText(answer)).toMatch(/PF3: 別のテナントに登録されています \(エラー 808\)/);
    expect(actionOutcomeText({ affected: 0, skipped: [{ id: 'x', code: 'SOMETHING_NEW' }] })).toContain(
      'x: SOMETHING_NEW',
    );
  });
});

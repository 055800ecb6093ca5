import { describe, expect, it } from 'vitest';
import { groupTag, userPrincipalName } from '../../src-main/contract/schemas.ts';
import { GROUP_TAG_MAX, groupTagProblem } from '../../src-main/contract/groupTagRule.ts';
import { userPrincipalNameProblem } from '../../src-main/contract/userPrincipalNameRule.ts';
import { createDispatcher } from '../../src-main/ipc/dispatch.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { readHashFileBytes } from '../../src-main/capture/readHashFile.ts';
import type { Handlers } from '../../src-main/contract/contract.ts';
import { hashOf, hp } from '../fixtures/capture/fieldKinds.ts';

/** A refusal of a group tag or a user name names the one rule that failed, by its own code and words. */
describe('user principal name: one reason per failure', () => {
  it.each([
    ['=a@b.cd', 'UPN_FORMULA_START', /cannot start with "="/],
    ['+a@b.cd', 'UPN_FORMULA_START', /cannot start with "\+"/],
    ['-a@b.cd', 'UPN_FORMULA_START', /cannot start with "-"/],
    ['@b.cd', 'UPN_FORMULA_START', /cannot start with "@"/],
    ['aiko tanaka@contoso.com', 'UPN_SPACE', /space/],
    ['a,b@contoso.com', 'UPN_COMMA', /comma/],
    ['"a"@contoso.com', 'UPN_DOUBLE_QUOTE', /double quote/],
    ['aiko.contoso.com', 'UPN_NO_AT', /no @/],
    ['a@b@contoso.com', 'UPN_SEVERAL_AT', /more than one @/],
    ['aiko@contoso', 'UPN_NO_DOMAIN_DOT', /domain with a dot/],
    ['aiko@contoso.', 'UPN_NO_DOMAIN_DOT', /domain with a dot/],
    ['aiko@', 'UPN_NO_DOMAIN_DOT', /domain with a dot/],
    [`${'a'.repeat(250)}@contoso.com`, 'UPN_TOO_LONG', /too long: 262 characters/],
  ] as const)('%j → %s', (upn, code, words) => {
    expect(userPrincipalNameProblem(upn)).toBe(code);
    const parsed = userPrincipalName.safeParse(upn);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues).toHaveLength(1);
    expect(parsed.error!.issues[0]!.message).toMatch(words);
    expect(parsed.error!.issues[0]).toMatchObject({ params: { reason: code } });
  });

  it.each(['', 'aiko@contoso.com', 'a.b-c_d@sub.contoso.co.jp', 'x@y.z'])('%j is a user name', (upn) => {
    expect(userPrincipalNameProblem(upn)).toBeUndefined();
    expect(userPrincipalName.safeParse(upn).success).toBe(true);
  });
});

describe('group tag: one reason per failure', () => {
  it.each([
    ['Tokyo,Osaka', 'GROUP_TAG_COMMA', /cannot contain a comma ','/],
    ['say "hi"', 'GROUP_TAG_DOUBLE_QUOTE', /double quote/],
    ['line\nbreak', 'GROUP_TAG_CONTROL_CHARACTER', /line break/],
    ['tab\there', 'GROUP_TAG_CONTROL_CHARACTER', /control character/],
    ['=SUM(A1)', 'GROUP_TAG_FORMULA_START', /cannot start with "="/],
    ['@home', 'GROUP_TAG_FORMULA_START', /cannot start with "@"/],
    ['broken \ud800 paste', 'GROUP_TAG_BROKEN_TEXT', /broken character/],
    ['x'.repeat(GROUP_TAG_MAX + 1), 'GROUP_TAG_TOO_LONG', /too long: 513 characters/],
  ] as const)('%j → %s', (tag, code, words) => {
    expect(groupTagProblem(tag)).toBe(code);
    const parsed = groupTag.safeParse(tag);
    expect(parsed.error!.issues).toHaveLength(1);
    const message = parsed.error!.issues[0]!.message;
    expect(message).toMatch(words);
    // Only the failing rule: never the whole list of rules.
    if (code === 'GROUP_TAG_COMMA') expect(message).not.toMatch(/quote|line break|formula/);
    expect(parsed.error!.issues[0]).toMatchObject({ params: { reason: code } });
  });
});

describe('the reason travels to the screens and into file refusals', () => {
  it('INPUT_INVALID from the dispatcher carries the failing rule as params.reason', async () => {
    const dispatch = createDispatcher(
      { queueDevices: async () => ({ queued: [], duplicates: [], invalid: [] }) } as unknown as Handlers,
      silentLogger,
    );
    const device = { serialNumber: hp.serialNumber, hardwareHash: hashOf(hp), source: { kind: 'typed' } };
    const user = await dispatch('queueDevices', { devices: [device], assignedUser: '=a@b.cd' });
    expect(user).toMatchObject({
      ok: false,
      error: { code: 'INPUT_INVALID', params: { reason: 'UPN_FORMULA_START' } },
    });
    const tag = await dispatch('queueDevices', { devices: [device], groupTag: 'Tokyo,Osaka' });
    expect(tag).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID', params: { reason: 'GROUP_TAG_COMMA' } } });
  });

  it('a CSV row with a bad group tag or user is refused with the failing rule named', () => {
    const header = 'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User';
    const r = readHashFileBytes(
      Buffer.from(
        [
          header,
          `${hp.serialNumber},,${hashOf(hp)},"Tokyo,Osaka",`,
          `PF0002,,${hashOf({ ...hp, serialNumber: 'PF0002' })},,aiko tanaka@contoso.com`,
        ].join('\r\n'),
      ),
      'rows.csv',
    );
    expect(r.errors).toEqual([
      expect.objectContaining({
        code: 'CSV_GROUP_TAG_INVALID',
        line: 2,
        params: { line: 2, reason: 'GROUP_TAG_COMMA', serial: hp.serialNumber },
        message: expect.stringMatching(/cannot contain a comma ','/),
      }),
      expect.objectContaining({
        code: 'CSV_BAD_VALUE',
        line: 3,
        params: { line: 3, reason: 'UPN_SPACE', serial: 'PF0002' },
        message: expect.stringMatching(/cannot contain a space/),
      }),
    ]);
  });

  it('a row with both a bad group tag and a bad user names both rules, so it is fixed once', () => {
    const header = 'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User';
    const r = readHashFileBytes(
      Buffer.from([header, `${hp.serialNumber},,${hashOf(hp)},=HQ,=ann@contoso.com`].join('\r\n')),
      'rows.csv',
    );
    expect(r.errors).toEqual([
      expect.objectContaining({
        code: 'CSV_GROUP_TAG_INVALID',
        params: {
          line: 2,
          reason: 'GROUP_TAG_FORMULA_START',
          alsoReason: 'UPN_FORMULA_START',
          serial: hp.serialNumber,
        },
        message: expect.stringMatching(/group tag "=HQ".*Also the assigned user "=ann@contoso.com"/),
      }),
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { groupTag, serialNumber, userPrincipalName } from '../../src-main/contract/schemas.ts';
import { GROUP_TAG_MAX, groupTagProblem, isUserPrincipalName } from '../../src-renderer/lib/groupTagRule.ts';

describe('group tag rule: what Intune takes, one rule for screens, contract and files', () => {
  it.each([
    ['', undefined],
    ['Sales-Tokyo', undefined],
    ['東京本社', undefined],
    ['大阪支店 テスト', undefined],
    ['Büro', undefined],
    ['A/B (x)#1&2', undefined],
    ["it's", undefined],
    ['semi;colon', undefined],
    ['x=1', undefined],
    ['東'.repeat(GROUP_TAG_MAX), undefined],
    ['x'.repeat(GROUP_TAG_MAX + 1), 'GROUP_TAG_TOO_LONG'],
    // Too long says too long, even when it also has a character the tag cannot carry.
    [`${'東'.repeat(GROUP_TAG_MAX)},`, 'GROUP_TAG_TOO_LONG'],
    ['Tokyo,Osaka', 'GROUP_TAG_COMMA'],
    ['say "hi"', 'GROUP_TAG_DOUBLE_QUOTE'],
    ['tab\there', 'GROUP_TAG_CONTROL_CHARACTER'],
    ['line\nbreak', 'GROUP_TAG_CONTROL_CHARACTER'],
    ['=SUM(A1)', 'GROUP_TAG_FORMULA_START'],
    ['+1', 'GROUP_TAG_FORMULA_START'],
    ['-x', 'GROUP_TAG_FORMULA_START'],
    ['@home', 'GROUP_TAG_FORMULA_START'],
    ['broken \ud800 paste', 'GROUP_TAG_BROKEN_TEXT'],
  ] as const)('%j → %s', (tag, problem) => {
    expect(groupTagProblem(tag)).toBe(problem);
    // The contract (main, the command line) judges exactly as the screens do.
    expect(groupTag.safeParse(tag).success).toBe(problem === undefined);
  });

  it('counts characters as Intune does: 512 kanji fit, an emoji is one character', () => {
    expect(GROUP_TAG_MAX).toBe(512);
    expect(groupTagProblem('😀'.repeat(512))).toBeUndefined();
    expect(groupTagProblem('😀'.repeat(513))).toBe('GROUP_TAG_TOO_LONG');
  });

  it('the contract says "too long" for a long tag and names the one rule that failed otherwise', () => {
    const long = groupTag.safeParse('x'.repeat(600));
    expect(long.success).toBe(false);
    expect(long.error?.issues[0]?.message).toMatch(/too long: 600 characters, Intune takes at most 512/);
    expect(groupTag.safeParse('a,b').error?.issues[0]?.message).toMatch(/cannot contain a comma ','/);
  });

  it.each(['', 'aiko@contoso.com', 'a b@c.d', 'nope', 'x@y', 'a,b@c.d', '=a@b.c'])(
    "user %j: the screens use the contract's rule",
    (u) => {
      expect(isUserPrincipalName(u)).toBe(userPrincipalName.safeParse(u).success);
    },
  );

  it("a serial typed in full width is the label's serial in the contract too; one no label has passes, to be judged and kept", () => {
    expect(serialNumber.parse('ＰＦ１２３\u3000')).toBe('PF123');
    expect(serialNumber.parse('シリアル１２')).toBe('シリアル12');
    expect(serialNumber.safeParse('PF\u0007123').success).toBe(false);
    expect(serialNumber.safeParse('\u3000').success).toBe(false);
  });
});

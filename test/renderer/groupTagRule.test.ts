import { describe, expect, it } from 'vitest';
import { groupTag, userPrincipalName } from '../../src-main/contract/schemas.ts';
import { groupTagProblem, isUserPrincipalName } from '../../src-renderer/lib/groupTagRule.ts';

const TAGS = ['', 'Sales-Tokyo', 'Kiosk 2', 'A/B (x)#1&2', 'a:b.c_d', 'x'.repeat(128), 'x'.repeat(129), 'Tokyo,Osaka', 'say "hi"', "it's", '=SUM(A1)', '+1', '-x', '@home', 'x=1', '東京', 'tab\there', 'semi;colon'];

describe('group tag rule (renderer) agrees with the contract', () => {
  it.each(TAGS)('%j', (tag) => {
    expect(groupTagProblem(tag) === undefined).toBe(groupTag.safeParse(tag).success);
  });
  it('names the problem', () => {
    expect(groupTagProblem('x'.repeat(129))).toBe('tooLong');
    expect(groupTagProblem('=cmd')).toBe('invalid');
    expect(groupTagProblem('Kiosk')).toBeUndefined();
  });
  it.each(['', 'aiko@contoso.com', 'a b@c.d', 'nope', 'x@y', 'a,b@c.d'])('user %j', (u) => {
    expect(isUserPrincipalName(u)).toBe(userPrincipalName.safeParse(u).success);
  });
});

/**
 * The contract's groupTag rule (src-main/contract/schemas.ts), restated without zod so the renderer
 * bundle stays small. test/renderer/groupTagRule.test.ts checks both agree on the same samples.
 */
export const GROUP_TAG_PATTERN = /^(?![=+\-@])[A-Za-z0-9 _.:/()#&-]*$/;
export const GROUP_TAG_MAX = 128;

export type GroupTagProblem = 'invalid' | 'tooLong';

export function groupTagProblem(tag: string): GroupTagProblem | undefined {
  if (tag.length > GROUP_TAG_MAX) return 'tooLong';
  if (!GROUP_TAG_PATTERN.test(tag)) return 'invalid';
  return undefined;
}

/** Same rule as the contract's userPrincipalName. */
export function isUserPrincipalName(value: string): boolean {
  return value.length <= 256 && /^$|^[^\s@,"]+@[^\s@,"]+\.[^\s@,"]+$/.test(value);
}

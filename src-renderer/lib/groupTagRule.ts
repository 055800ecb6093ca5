/**
 * The renderer's door to main's field rules (src-main/contract: imports nothing but zod), so a
 * screen and the station judge a group tag, a user name and a serial alike. Nothing is restated here.
 */
export { GROUP_TAG_MAX, groupTagProblem, type GroupTagProblem } from '../../src-main/contract/groupTagRule.ts';
export {
  isUserPrincipalName,
  userPrincipalNameProblem,
  type UserPrincipalNameProblem,
} from '../../src-main/contract/userPrincipalNameRule.ts';

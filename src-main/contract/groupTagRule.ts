import { startsLikeFormula } from './formulaRule.ts';

/**
 * What Intune accepts as a Windows Autopilot group tag, stated once for main (contract schemas, file
 * readers), the renderer and the command line. No runtime imports, so the renderer bundle can use it.
 *
 * Public sources:
 * - Graph: `importedWindowsAutopilotDeviceIdentity.groupTag` and
 *   `windowsAutopilotDeviceIdentity.groupTag` are plain `Edm.String` with no documented character
 *   set or length (https://learn.microsoft.com/graph/api/resources/intune-enrollment-importedwindowsautopilotdeviceidentity).
 *   The tag is copied to the Entra device as `[OrderID]:<tag>` in `devicePhysicalIds`, matched by
 *   dynamic group rules; Microsoft's Michael Niehaus: "you can put anything you want in it"
 *   (https://oofhours.com/2020/04/08/fun-with-windows-autopilot-group-tags/). So letters of any
 *   script (東京本社, Büro) are accepted.
 * - Length: the field takes at most 512 characters (public report, 2025:
 *   https://github.com/ennnbeee/AutopilotGroupTagger/issues/3).
 * - The admin centre's CSV import ("Group Tag" column): no quotation marks and no extra columns
 *   (https://learn.microsoft.com/autopilot/add-devices#ensure-that-the-csv-file-meets-requirements),
 *   so a tag with a comma or a double quote cannot travel in the file technicians export for it.
 * - The station's own rule: no control characters or line breaks (they break CSV rows and logs),
 *   and no = + - @ first, which spreadsheets run as a formula (OWASP, CSV injection:
 *   https://owasp.org/www-community/attacks/CSV_Injection).
 */

/** Characters (Unicode code points) a group tag may have: the limit public reports give for the field. */
export const GROUP_TAG_MAX = 512;

/**
 * Why a tag cannot be sent, one code per rule, so a refusal names the rule that failed (words: `code.<CODE>` in
 * src-renderer/lib/i18n/en.ts and ja.ts).
 */
export type GroupTagProblem =
  | 'GROUP_TAG_TOO_LONG'
  | 'GROUP_TAG_CONTROL_CHARACTER'
  | 'GROUP_TAG_FORMULA_START'
  | 'GROUP_TAG_COMMA'
  | 'GROUP_TAG_DOUBLE_QUOTE'
  | 'GROUP_TAG_BROKEN_TEXT';

/**
 * The rules in the order they are judged, each with its English sentence (command line, file readers, the
 * contract's refusal). Length first, so a tag that is too long says so whatever it holds; a control character
 * before the formula lead (a leading tab is both: it is named as the control character it is).
 */
const RULES: readonly { code: GroupTagProblem; fails: (tag: string) => boolean; text: (tag: string) => string }[] = [
  {
    code: 'GROUP_TAG_TOO_LONG',
    fails: (tag) => groupTagLength(tag) > GROUP_TAG_MAX,
    text: (tag) => `is too long: ${groupTagLength(tag)} characters, Intune takes at most ${GROUP_TAG_MAX}`,
  },
  {
    code: 'GROUP_TAG_CONTROL_CHARACTER',
    fails: (tag) => /[\p{Cc}\u2028\u2029]/u.test(tag),
    text: () => 'cannot contain a line break, a tab or another control character',
  },
  {
    code: 'GROUP_TAG_FORMULA_START',
    fails: startsLikeFormula,
    text: (tag) => `cannot start with "${tag[0]}": spreadsheets run a value starting with = + - @ as a formula`,
  },
  { code: 'GROUP_TAG_COMMA', fails: (tag) => tag.includes(','), text: () => "cannot contain a comma ','" },
  {
    code: 'GROUP_TAG_DOUBLE_QUOTE',
    fails: (tag) => tag.includes('"'),
    text: () => "cannot contain a double quote '\"'",
  },
  {
    code: 'GROUP_TAG_BROKEN_TEXT',
    fails: (tag) => !isWellFormed(tag),
    text: () => 'has a broken character (half of a pasted emoji or symbol): type it again',
  },
];

/**
 * The first rule this tag breaks (Intune's, or the admin centre's CSV), as its code, or undefined when it can be
 * sent. The empty tag is allowed (no group tag).
 */
export function groupTagProblem(tag: string): GroupTagProblem | undefined {
  return RULES.find((r) => r.fails(tag))?.code;
}

/** Characters as Intune counts them (code points: 東 is one, an emoji is one). */
export function groupTagLength(tag: string): number {
  let n = 0;
  for (const _ of tag) n++;
  return n;
}

/** The English words for one problem, after "the group tag …" (command line, file readers, the contract's refusal). */
export function groupTagProblemText(problem: GroupTagProblem, tag: string): string {
  return RULES.find((r) => r.code === problem)!.text(tag);
}

/** Lone UTF-16 surrogates (a broken paste) cannot be sent as JSON text. */
function isWellFormed(s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

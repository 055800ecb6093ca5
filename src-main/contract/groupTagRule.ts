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

/** 'tooLong': over GROUP_TAG_MAX characters; 'invalid': a character the tag cannot carry (see groupTagProblem). */
export type GroupTagProblem = 'invalid' | 'tooLong';

// C0/C1 controls, DEL, line and paragraph separators; comma and double quote (the admin centre's CSV).
const NOT_ALLOWED = /[\p{Cc}\u2028\u2029,"]/u;

/**
 * Why Intune (or the admin centre's CSV) cannot take this tag, or undefined when it can. The empty tag
 * is allowed (no group tag). Length is checked first, so a tag that is too long says so whatever it holds.
 */
export function groupTagProblem(tag: string): GroupTagProblem | undefined {
  if (groupTagLength(tag) > GROUP_TAG_MAX) return 'tooLong';
  if (NOT_ALLOWED.test(tag) || startsLikeFormula(tag) || !isWellFormed(tag)) return 'invalid';
  return undefined;
}

/** Characters as Intune counts them (code points: 東 is one, an emoji is one). */
export function groupTagLength(tag: string): number {
  let n = 0;
  for (const _ of tag) n++;
  return n;
}

/** The English sentence for a problem (command line, file readers, the contract's refusal). */
export function groupTagProblemText(problem: GroupTagProblem, tag: string): string {
  if (problem === 'tooLong') return `is too long: ${groupTagLength(tag)} characters, Intune takes at most ${GROUP_TAG_MAX}`;
  return 'has a character Intune group tags cannot carry: no commas, double quotes, line breaks or control characters, and no = + - @ at the start (letters of any language, digits, spaces and other signs are fine)';
}

/** Lone UTF-16 surrogates (a broken paste) cannot be sent as JSON text. */
function isWellFormed(s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

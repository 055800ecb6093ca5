/**
 * The Assigned User rule, stated once for main (contract schemas, file readers) and the renderer.
 * A user principal name looks like name@contoso.com (https://learn.microsoft.com/entra/identity/hybrid/connect/plan-connect-userprincipalname);
 * the admin centre checks only that its domain is valid (https://learn.microsoft.com/autopilot/add-devices).
 * No comma, quote or spaces (the admin centre's CSV has no quoting) and no = + - @ first (spreadsheet formula).
 * Empty means no assigned user. A refusal names the one rule that failed, by its code (words: `code.<CODE>` in
 * src-renderer/lib/i18n/en.ts and ja.ts).
 */
export const USER_PRINCIPAL_NAME_MAX = 256;

export type UserPrincipalNameProblem =
  | 'UPN_TOO_LONG'
  | 'UPN_FORMULA_START'
  | 'UPN_SPACE'
  | 'UPN_COMMA'
  | 'UPN_DOUBLE_QUOTE'
  | 'UPN_NO_AT'
  | 'UPN_SEVERAL_AT'
  | 'UPN_NO_DOMAIN_DOT';

/** The rules in the order they are judged, each with its English sentence (after "the user name …"). */
const RULES: readonly {
  code: UserPrincipalNameProblem;
  fails: (upn: string) => boolean;
  text: (upn: string) => string;
}[] = [
  {
    code: 'UPN_TOO_LONG',
    fails: (u) => u.length > USER_PRINCIPAL_NAME_MAX,
    text: (u) => `is too long: ${u.length} characters, at most ${USER_PRINCIPAL_NAME_MAX}`,
  },
  // "@name" is refused here too: it starts like a formula before it lacks a name.
  {
    code: 'UPN_FORMULA_START',
    fails: (u) => /^[=+\-@]/.test(u),
    text: (u) => `cannot start with "${u[0]}": spreadsheets run a value starting with = + - @ as a formula`,
  },
  { code: 'UPN_SPACE', fails: (u) => /\s/.test(u), text: () => 'cannot contain a space' },
  { code: 'UPN_COMMA', fails: (u) => u.includes(','), text: () => "cannot contain a comma ','" },
  { code: 'UPN_DOUBLE_QUOTE', fails: (u) => u.includes('"'), text: () => "cannot contain a double quote '\"'" },
  { code: 'UPN_NO_AT', fails: (u) => !u.includes('@'), text: () => 'has no @: it must be like name@contoso.com' },
  { code: 'UPN_SEVERAL_AT', fails: (u) => u.indexOf('@') !== u.lastIndexOf('@'), text: () => 'has more than one @' },
  {
    code: 'UPN_NO_DOMAIN_DOT',
    fails: (u) => !/@[^.]+(\.[^.]+)+$/.test(u),
    text: () => 'must end in a domain with a dot, like @contoso.com',
  },
];

/** The first rule this user name breaks, as its code; undefined for '' and for a name like name@contoso.com. */
export function userPrincipalNameProblem(value: string): UserPrincipalNameProblem | undefined {
  if (value === '') return undefined;
  return RULES.find((r) => r.fails(value))?.code;
}

/** The English words for one problem, after "the user name …" (command line, file readers, the contract's refusal). */
export function userPrincipalNameProblemText(problem: UserPrincipalNameProblem, value: string): string {
  return RULES.find((r) => r.code === problem)!.text(value);
}

/** True for '' and for a name like name@contoso.com of at most 256 characters. */
export function isUserPrincipalName(value: string): boolean {
  return userPrincipalNameProblem(value) === undefined;
}

/**
 * CSV injection: a cell starting with = + - @, a tab or a carriage return is run as a formula by
 * spreadsheets (OWASP: https://owasp.org/www-community/attacks/CSV_Injection). Serials, group tags
 * and user names end up in CSV files, so none may start that way. One rule for main, the renderer
 * and the command line; no runtime imports.
 */
const FORMULA_LEAD = /^[=+\-@\t\r]/;

/**
 * True when a value would be run as a formula by a spreadsheet. A lone "-" is a firmware placeholder serial, not a
 * formula.
 */
export function startsLikeFormula(value: string): boolean {
  return value !== '-' && FORMULA_LEAD.test(value);
}

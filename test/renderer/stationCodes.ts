import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { IMPORT_ERROR_TABLE } from '../../src-main/contract/importErrors.ts';

/**
 * Every code the main process can hand to the screens, collected from its source rather than from a
 * list someone has to remember to update: a code added in src-main without wording fails the catalogue test.
 * Two parts of src-main are left out, because nothing they make reaches a screen
 * (docs/architecture.md#tests-and-benchmarks):
 * the simulated tenant (it stands for Microsoft: its codes are Graph's side of an answer, which the station
 * classifies into its own codes before a screen sees it) and the command line (it prints a StationError's own
 * English `message` and `action`, never the dictionaries). `collectLeftOutCodes` lists what they hold, so a new
 * code there is a choice someone makes, not an accident.
 */
const ROOT = path.resolve('src-main');
const SKIP = [path.join(ROOT, 'sim'), path.join(ROOT, 'cli'), path.join(ROOT, 'cli.ts')];

function files(dir: string, skip: readonly string[] = SKIP): string[] {
  if (!statSync(dir).isDirectory()) return dir.endsWith('.ts') ? [dir] : [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (skip.some((s) => full === s)) return [];
    if (statSync(full).isDirectory()) return files(full, skip);
    return full.endsWith('.ts') ? [full] : [];
  });
}

const PATTERNS: RegExp[] = [
  // { code: 'X', ... } in StationError, GraphFailure, file errors
  /\bcode:\s*'([A-Z][A-Z0-9_]+)'/g,
  // helpers that take the code first: authError('X', ...), finding('X', ...), readError('X', ...), fail('X', ...),
  // failure('X', ...)
  /\b(?:authError|finding|readError|rowError|fail|failure|refuse|stationError)\(\s*'([A-Z][A-Z0-9_]+)'/g,
  // names the worker sets on a device: errorName: 'Timeout'
  /\berrorName:\s*'([A-Za-z][A-Za-z0-9_]+)'/g,
  // code unions (FileReadCode, FindingCode): | 'X'
  /^\s*\|\s*'([A-Z][A-Z0-9_]+)'/gm,
  // fallbacks: errorName: first?.code ?? 'DEVICE_INVALID', name || 'UnknownImportError'
  /(?:\?\?|\|\|)\s*'([A-Z][A-Za-z0-9_]{3,})'/g,
  // ignored(path, 'MACHINE_SETTINGS_INVALID', ...)
  /\bignored\([^,()]+,\s*'([A-Z][A-Z0-9_]+)'/g,
  // Any other literal shaped like a station code (two or more capitalised words joined by '_'), wherever it stands:
  // item('ok', 'CHECK_TENANT_OK', ...), failure('REMOTE_TENANT_…'), const deny = 'X'. A code must be written as a
  // literal somewhere, so passing it through an alias or a variable does not hide it. NOT_CODES says what is not one.
  /'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g,
];

/**
 * Literals of a code's shape that no screen ever shows, each with its reason. A new entry is a decision: the walk
 * otherwise treats every such literal in src-main as a code that needs words.
 */
const NOT_CODES: Record<string, string> = {
  // The corporate stage's own marker on a device, dropped by corporateRegistrationOf before the contract.
  CORP_REFUSED_UNCHECKED: 'internal marker (queue/corporateStore.ts)',
  // Chromium's net error names, which net/electronNetwork.ts maps to the station's GRAPH_*/CHECK_* codes.
  ERR_PROXY_AUTH_UNSUPPORTED: 'Chromium net error',
  ERR_PROXY_AUTH_REQUESTED: 'Chromium net error',
  ERR_NAME_NOT_RESOLVED: 'Chromium net error',
  ERR_NAME_RESOLUTION_FAILED: 'Chromium net error',
  ERR_BAD_SSL_CLIENT_AUTH_CERT: 'Chromium net error',
};

export interface StationCodes {
  /** String codes and names (finding codes, file errors, station errors, Graph error names). */
  names: string[];
  /** Intune import error numbers (the table's, src-main/contract/importErrors.ts). */
  numbers: number[];
}

/** The codes the PATTERNS find in `paths` (files or folders), sorted. */
function codesIn(paths: readonly string[], skip: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const file of paths.flatMap((p) => files(p, skip))) {
    const text = readFileSync(file, 'utf8');
    for (const re of PATTERNS)
      for (const m of text.matchAll(re)) if (!Object.hasOwn(NOT_CODES, m[1]!)) names.add(m[1]!);
  }
  return names;
}

/**
 * The codes the walk leaves out: found in src-main/sim and the command line (src-main/cli, src-main/cli.ts) and
 * nowhere else in src-main or the import errors' table. Sorted.
 */
export function collectLeftOutCodes(): string[] {
  const inWalk = new Set(collectStationCodes().names);
  return [...codesIn(SKIP, [])].filter((c) => !inWalk.has(c)).sort();
}

export function collectStationCodes(): StationCodes {
  const names = codesIn([ROOT], SKIP);
  // Intune's import errors: the table's numbers and every name the service uses for them.
  const numbers: number[] = [];
  for (const e of IMPORT_ERROR_TABLE) {
    for (const name of [e.name, ...(e.aliases ?? [])]) names.add(name);
    if (e.code !== undefined) numbers.push(e.code);
  }
  return { names: [...names].sort(), numbers: numbers.sort((a, b) => a - b) };
}

/** One place in src-main that hands a code to the screens, with the names of the params it sends beside it. */
export interface CodeSite {
  code: string;
  file: string;
  line: number;
  /** Param names sent with the code here; undefined when they come from a variable the source does not show. */
  params: string[] | undefined;
}

// Where a code is produced, with the span of source that carries its params right after it.
const SITE_PATTERNS: RegExp[] = [
  /\bcode:\s*'([A-Z][A-Z0-9_]+)'/g,
  /\b(?:authError|finding|readError|rowError|fail|failure|refuse|stationError)\(\s*'([A-Z][A-Z0-9_]+)'/g,
  /\bitem\(\s*'[a-z-]+',\s*'([A-Z][A-Z0-9_]+)'/g,
  /\bignored\([^,()]+,\s*'([A-Z][A-Z0-9_]+)'/g,
];

/**
 * Every site that produces a code, and the params it sends (static reading of the source: the call's
 * arguments or the object's `params:` after the code). Used to word each code with exactly what main
 * sends, so a placeholder main never fills is caught.
 */
export function collectCodeSites(): CodeSite[] {
  const sites: CodeSite[] = [];
  for (const file of files(ROOT)) {
    const text = readFileSync(file, 'utf8');
    for (const re of SITE_PATTERNS) {
      for (const m of text.matchAll(re)) {
        const at = m.index! + m[0].length;
        const span = spanAfter(text, at);
        sites.push({
          code: m[1]!,
          file: path.relative(ROOT, file),
          line: text.slice(0, m.index).split('\n').length,
          params: paramNames(span) ?? declaredParams(text, m.index!, span),
        });
      }
    }
  }
  return sites;
}

/** The source from `at` to the end of the enclosing call or object (strings skipped, brackets balanced). */
function spanAfter(text: string, at: number): string {
  let depth = 0;
  let out = '';
  for (let i = at; i < text.length && i < at + 3000; i++) {
    const c = text[i]!;
    // Comments are not code: an apostrophe in one ("step's") is not a string.
    if (c === '/' && text[i + 1] === '/') {
      i = text.indexOf('\n', i);
      if (i < 0) break;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i) + 1;
      if (i <= 0) break;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      const end = stringEnd(text, i);
      out += c === '`' ? '``' : "''";
      i = end;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) break;
      depth--;
    }
    if (c === ';' && depth === 0) break;
    out += c;
  }
  return out;
}

function stringEnd(text: string, start: number): number {
  const q = text[start]!;
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (q === '`' && c === '$' && text[i + 1] === '{') {
      // Skip the interpolation, strings inside it included.
      let depth = 0;
      for (i += 1; i < text.length; i++) {
        const d = text[i]!;
        if (d === "'" || d === '"' || d === '`') i = stringEnd(text, i);
        else if (d === '{') depth++;
        else if (d === '}' && --depth === 0) break;
      }
      continue;
    }
    if (c === q) return i;
  }
  return text.length;
}

/** `…, params, …` where the code's function declared `const params = { … }` just before: its keys. */
function declaredParams(text: string, at: number, span: string): string[] | undefined {
  if (!/[(,]\s*params\s*[,)]|,\s*params\b/.test(span)) return undefined;
  const decl = text.lastIndexOf('const params = {', at);
  if (decl < 0 || text.lastIndexOf('\nfunction ', at) > decl || text.lastIndexOf('\nexport function ', at) > decl)
    return undefined;
  return objectKeys(text.slice(decl + 'const params = '.length));
}

/** Keys of the `params: {…}` object in the span, else of the object literals among the call's arguments. */
function paramNames(span: string): string[] | undefined {
  const named = /\bparams:\s*/.exec(span);
  if (named) {
    const rest = span.slice(named.index + named[0].length);
    if (!rest.startsWith('{')) return undefined;
    return objectKeys(rest);
  }
  // Positional: the object literals at the top level of the remaining arguments (readError(…, { line }), item(…, {
  // host, reason })).
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < span.length; i++) {
    const c = span[i]!;
    if (c === '{' && depth === 0) keys.push(...(objectKeys(span.slice(i)) ?? []));
    if (c === '(' || c === '[' || c === '{') depth++;
    if (c === ')' || c === ']' || c === '}') depth--;
  }
  // A params variable passed positionally (finding(code, sev, msg, params)) cannot be read here.
  if (!keys.length && /,\s*(?:[a-z]\w*\.)?params\b/.test(span)) return undefined;
  return keys;
}

/** The keys of an object literal starting at text[0] === '{' (shorthand, key: value, and keys inside spreads). */
function objectKeys(text: string): string[] {
  let depth = 0;
  let end = 0;
  for (; end < text.length; end++) {
    if (text[end] === '{') depth++;
    if (text[end] === '}' && --depth === 0) break;
  }
  const body = text.slice(1, end);
  const keys = new Set<string>();
  for (const m of body.matchAll(/(?:^|[{,(])\s*(\w+)\s*(?=[:,}]|$)/g)) keys.add(m[1]!);
  return [...keys].filter((k) => !/^\d/.test(k));
}

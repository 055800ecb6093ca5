import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Every code the main process can hand to the screens, collected from its source rather than from a
 * list someone has to remember to update: a code added in src-main without wording fails the catalogue test.
 * The simulated tenant (its own Graph-side codes, classified by the station before they reach a screen)
 * and the command line (never shown in the window) are left out.
 */
const ROOT = path.resolve('src-main');
const SKIP = [path.join(ROOT, 'sim'), path.join(ROOT, 'cli'), path.join(ROOT, 'cli.ts')];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (SKIP.some((s) => full === s)) return [];
    if (statSync(full).isDirectory()) return files(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

const PATTERNS: RegExp[] = [
  // { code: 'X', ... } in StationError, GraphFailure, file errors
  /\bcode:\s*'([A-Z][A-Z0-9_]+)'/g,
  // helpers that take the code first: authError('X', ...), finding('X', ...), readError('X', ...), fail('X', ...)
  /\b(?:authError|finding|readError|rowError|fail|refuse|stationError)\(\s*'([A-Z][A-Z0-9_]+)'/g,
  // names the worker sets on a device: errorName: 'Timeout'
  /\berrorName:\s*'([A-Za-z][A-Za-z0-9_]+)'/g,
  // code unions (FileReadCode, FindingCode): | 'X'
  /^\s*\|\s*'([A-Z][A-Z0-9_]+)'/gm,
  // fallbacks: errorName: first?.code ?? 'DEVICE_INVALID', name || 'UnknownImportError'
  /(?:\?\?|\|\|)\s*'([A-Z][A-Za-z0-9_]{3,})'/g,
  // ignored(path, 'MACHINE_SETTINGS_INVALID', ...)
  /\bignored\([^,()]+,\s*'([A-Z][A-Z0-9_]+)'/g,
];

export interface StationCodes {
  /** String codes and names (finding codes, file errors, station errors, Graph error names). */
  names: string[];
  /** Intune import error numbers (801-814). */
  numbers: number[];
}

export function collectStationCodes(): StationCodes {
  const names = new Set<string>();
  for (const file of files(ROOT)) {
    const text = readFileSync(file, 'utf8');
    for (const re of PATTERNS) for (const m of text.matchAll(re)) names.add(m[1]!);
  }
  // The import errors' table: numbers and the service's names for them.
  const advice = readFileSync(path.join(ROOT, 'queue', 'errorAdvice.ts'), 'utf8');
  const numbers = [...advice.matchAll(/^\s*(8\d\d):\s*\{\s*name:\s*'(\w+)'/gm)].map((m) => {
    names.add(m[2]!);
    return Number(m[1]);
  });
  for (const m of advice.matchAll(/^\s*(\w+):\s*\{\s*name:\s*'(\w+)'/gm)) names.add(m[2]!);
  return { names: [...names].sort(), numbers: numbers.sort() };
}

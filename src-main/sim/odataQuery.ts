/**
 * The few OData query options these endpoints take, parsed strictly: `$filter` with `importId eq '...'`
 * or `contains(serialNumber,'...')`, `$top`, `$skiptoken` (opaque, made by the sim) and `$select`.
 */
export type Filter =
  | { kind: 'none' }
  | { kind: 'eq'; property: string; value: string }
  | { kind: 'contains'; property: string; value: string };

export type QueryParse<T> = { ok: true; value: T } | { ok: false; message: string };

// An OData string literal: quotes doubled inside.
const LITERAL = "'((?:[^']|'')*)'";
const EQ = new RegExp(`^\\s*([A-Za-z]+)\\s+eq\\s+${LITERAL}\\s*$`);
const CONTAINS = new RegExp(`^\\s*contains\\s*\\(\\s*([A-Za-z]+)\\s*,\\s*${LITERAL}\\s*\\)\\s*$`, 'i');

export function parseFilter(text: string | null): QueryParse<Filter> {
  if (text === null || text.trim() === '') return { ok: true, value: { kind: 'none' } };
  let m = EQ.exec(text);
  if (m) return { ok: true, value: { kind: 'eq', property: m[1]!, value: m[2]!.replace(/''/g, "'") } };
  m = CONTAINS.exec(text);
  if (m) return { ok: true, value: { kind: 'contains', property: m[1]!, value: m[2]!.replace(/''/g, "'") } };
  return { ok: false, message: `Invalid filter clause: the query specified in the URI is not valid. '${text}'` };
}

export function parseTop(text: string | null, max = 1000): QueryParse<number | undefined> {
  if (text === null) return { ok: true, value: undefined };
  if (!/^\d+$/.test(text.trim()))
    return { ok: false, message: `Invalid $top value '${text}'. It must be a non-negative integer.` };
  return { ok: true, value: Math.min(Number(text), max) };
}

export function encodeSkipToken(offset: number): string {
  return Buffer.from(`sim:${offset}`).toString('base64url');
}

export function parseSkipToken(text: string | null): QueryParse<number> {
  if (text === null) return { ok: true, value: 0 };
  const m = /^sim:(\d+)$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!m) return { ok: false, message: 'The skip token is invalid or expired.' };
  return { ok: true, value: Number(m[1]) };
}

export function parseSelect(text: string | null): string[] | undefined {
  if (!text) return undefined;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

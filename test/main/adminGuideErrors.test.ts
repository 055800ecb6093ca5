import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMPORT_ERROR_TABLE, type ImportErrorKind } from '../../src-main/contract/importErrors.ts';

const repo = path.resolve(import.meta.dirname, '..', '..');

/**
 * The admin guide's table of Intune's import errors (docs/admin-guide.md#7-what-each-error-means) against
 * IMPORT_ERROR_TABLE (src-main/contract/importErrors.ts): every row of the code's table has a row in the guide with
 * its code, its name and its kind, and the guide names no code the table lacks. The words "what to do" are the
 * guide's own; the kind is what the queue's badge shows, so it must agree.
 */

interface GuideRow {
  /** The code cell: a number, or undefined for "—" (a name-only error) and "unknown code". */
  code: number | undefined;
  /** The name cell's first word (later words list other spellings). */
  name: string;
  /** The kind cell without its backticks. */
  kind: string;
}

/** The rows of the first markdown table after `heading` (a `#` line), header and separator skipped. */
function tableAfter(markdown: string, heading: string): string[][] {
  const lines = markdown.split(/\r?\n/);
  const at = lines.indexOf(heading);
  if (at < 0) throw new Error(`no heading "${heading}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(at + 1)) {
    if (line.startsWith('#')) break;
    if (!line.startsWith('|')) {
      if (rows.length) break;
      continue;
    }
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows.slice(2);
}

/** The guide's import-error rows, read from the table's code, name and kind columns. */
function guideRows(markdown: string): GuideRow[] {
  return tableAfter(markdown, '### Import errors (from Intune, per device)').map(([code, name, kind]) => ({
    code: /^\d+$/.test(code ?? '') ? Number(code) : undefined,
    name: (name ?? '').split(/\s/)[0]!,
    kind: (kind ?? '').replace(/`/g, ''),
  }));
}

/**
 * docs/domain.md's table of import errors (docs/domain.md#import-errors: code, name, source, reading): the code and
 * name columns, read like the guide's.
 */
function domainRows(markdown: string): GuideRow[] {
  return tableAfter(markdown, '## Import errors').map(([code, name]) => ({
    code: /^\d+$/.test(code ?? '') ? Number(code) : undefined,
    name: (name ?? '').split(/\s/)[0]!,
    kind: '',
  }));
}

/** What domain.md's table gets wrong against IMPORT_ERROR_TABLE: a row missing or misnamed, a code it alone has. */
function domainDisagreements(rows: GuideRow[], table: readonly { code?: number; name: string }[]): string[] {
  const wrong: string[] = [];
  for (const e of table) {
    const row = rows.find((r) =>
      e.code !== undefined ? r.code === e.code : r.code === undefined && r.name === e.name,
    );
    const label = `${e.code ?? '—'} ${e.name}`;
    if (!row) wrong.push(`${label}: no row in domain.md`);
    else if (row.name !== e.name) wrong.push(`${label}: domain.md names it ${row.name}`);
  }
  for (const r of rows)
    if (r.code !== undefined && !table.some((e) => e.code === r.code))
      wrong.push(`${r.code}: in domain.md, not in the table`);
  return wrong;
}

/** What the guide gets wrong against the table, one line each (empty when they agree). */
function disagreements(
  rows: GuideRow[],
  table: readonly { code?: number; name: string; kind: ImportErrorKind }[],
): string[] {
  const wrong: string[] = [];
  for (const e of table) {
    const row = rows.find((r) =>
      e.code !== undefined ? r.code === e.code : r.code === undefined && r.name === e.name,
    );
    const label = `${e.code ?? '—'} ${e.name}`;
    if (!row) wrong.push(`${label}: no row in the guide`);
    else if (row.name !== e.name) wrong.push(`${label}: the guide names it ${row.name}`);
    else if (row.kind !== e.kind) wrong.push(`${label}: the guide says ${row.kind}, the table ${e.kind}`);
  }
  for (const r of rows) {
    if (r.code !== undefined && !table.some((e) => e.code === r.code))
      wrong.push(`${r.code}: in the guide, not in the table`);
  }
  return wrong;
}

describe("the admin guide's import errors agree with IMPORT_ERROR_TABLE", () => {
  const guide = fs.readFileSync(path.join(repo, 'docs', 'admin-guide.md'), 'utf8');

  it('lists every code and name-only error with its kind, and no other code', () => {
    const rows = guideRows(guide);
    expect(rows.length).toBeGreaterThanOrEqual(IMPORT_ERROR_TABLE.length);
    expect(disagreements(rows, IMPORT_ERROR_TABLE), 'fix the table in docs/admin-guide.md §7').toEqual([]);
  });

  it('the check can fail: a missing row, a wrong kind, a code the table lacks', () => {
    const table = [
      { code: 806, name: 'ZtdDeviceAlreadyAssigned', kind: 'done' as const },
      { name: 'ZtdDeviceDuplicated', kind: 'fix' as const },
    ];
    const planted = [
      '### Import errors (from Intune, per device)',
      '',
      '| code | name | kind | meaning | what to do |',
      '|---|---|---|---|---|',
      '| 806 | ZtdDeviceAlreadyAssigned | `retry` | here | nothing |',
      '| 899 | ZtdNotARealCodeForTests | `fix` | x | y |',
      '',
      '### Next',
    ].join('\n');
    expect(disagreements(guideRows(planted), table)).toEqual([
      '806 ZtdDeviceAlreadyAssigned: the guide says retry, the table done',
      '— ZtdDeviceDuplicated: no row in the guide',
      '899: in the guide, not in the table',
    ]);
  });
});

describe("domain.md's import errors name every row of IMPORT_ERROR_TABLE (each code's source is there)", () => {
  const domain = fs.readFileSync(path.join(repo, 'docs', 'domain.md'), 'utf8');

  it('lists every code and name-only error, and no other code', () => {
    const rows = domainRows(domain);
    expect(rows.length).toBeGreaterThanOrEqual(IMPORT_ERROR_TABLE.length);
    expect(domainDisagreements(rows, IMPORT_ERROR_TABLE), 'fix the table in docs/domain.md#import-errors').toEqual([]);
  });

  it('the check can fail: a missing row, another name, a code the table lacks', () => {
    const table = [
      { code: 806, name: 'ZtdDeviceAlreadyAssigned' },
      { code: 808, name: 'ZtdDeviceAssignedToOtherTenant' },
      { name: 'StorageError' },
    ];
    const planted = [
      '## Import errors',
      '',
      'The codes the station knows.',
      '',
      "| code | name | source | station's reading |",
      '|---|---|---|---|',
      '| 806 | ZtdDeviceAlreadyAssigned | Microsoft | done |',
      '| 808 | ZtdDeviceAssignedToAnotherTenant | Microsoft | stop |',
      '| 899 | ZtdNotARealCodeForTests | nowhere | x |',
      '',
      '### 806: already registered here',
    ].join('\n');
    expect(domainDisagreements(domainRows(planted), table)).toEqual([
      '808 ZtdDeviceAssignedToOtherTenant: domain.md names it ZtdDeviceAssignedToAnotherTenant',
      '— StorageError: no row in domain.md',
      '899: in domain.md, not in the table',
    ]);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '..', '..');

/**
 * Comments and docs point into the repository: a file may cite a heading of docs/architecture.md,
 * docs/domain.md, docs/admin-guide.md or README.md by its anchor (the file's path, `#`, the anchor GitHub gives
 * the heading), and each anchor must be a heading that exists. Design notes and issue numbers kept outside the
 * repository are not citations a reader can follow, so naming them fails (the fact goes into the comment or into
 * docs/, see the introduction of docs/domain.md#domain-facts).
 */

/** Folders and root files that hold source, tests, benches and scripts (relative to the repository). */
const SCANNED_DIRS = ['src-main', 'src-renderer', 'test', 'bench', 'scripts', 'bin'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'results', 'test-results']);
const TEXT_FILE = /\.(ts|svelte|js|cjs|mjs|css|html|json|md|yml)$/;

// Built from parts so this file does not cite what it forbids.
const OUTSIDE_NOTE = new RegExp(`\\b(?:${['DESIGN', 'DOMAIN'].join('|')})\\.md\\b|\\b[Ii]ssue #?[0-9]+`, 'g');

/** The outside notes a text names, one entry per occurrence (the matched text). */
function outsideCitations(text: string): string[] {
  return [...text.matchAll(OUTSIDE_NOTE)].map((m) => m[0]);
}

/**
 * The anchor GitHub gives a heading: inline markdown reduced to its text, lower case, punctuation other than
 * `-` and `_` removed, each space a `-` (github-slugger's rule). Repeated headings get `-1`, `-2`… in `seen`.
 */
function githubAnchor(heading: string, seen: Map<string, number> = new Map()): string {
  const text = heading.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '');
  const base = text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
  const n = seen.get(base) ?? 0;
  seen.set(base, n + 1);
  return n === 0 ? base : `${base}-${n}`;
}

/** The anchors of a markdown text: its ATX headings outside fenced code, plus explicit `<a id|name="…">`. */
function markdownAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | null = null;
  for (const line of markdown.split(/\r?\n/)) {
    const opens = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (opens) {
      if (fence === null) fence = opens[1]!.slice(0, 3);
      else if (opens[1]!.startsWith(fence)) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (heading) anchors.add(githubAnchor(heading[1]!, seen));
    for (const a of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(a[1]!);
  }
  return anchors;
}

/** The documents a link may name, by file name (relative links from any folder resolve to these). */
const DOCUMENTS: Record<string, string> = {
  'architecture.md': 'docs/architecture.md',
  'domain.md': 'docs/domain.md',
  'admin-guide.md': 'docs/admin-guide.md',
  'README.md': 'README.md',
};
const DOC_LINK = /(?<![\w-])(architecture|domain|admin-guide|README)\.md#([\w-]*)/g;
const SAME_FILE_LINK = /\]\(#([^)\s]*)\)/g;

/** Links in `text` (the file `rel`) whose anchor `anchorsOf(document)` lacks, as `rel: document#anchor`. */
function brokenLinks(rel: string, text: string, anchorsOf: (doc: string) => Set<string>): string[] {
  const broken: string[] = [];
  for (const m of text.matchAll(DOC_LINK)) {
    const doc = DOCUMENTS[`${m[1]}.md`]!;
    if (!anchorsOf(doc).has(m[2]!)) broken.push(`${rel}: ${doc}#${m[2]}`);
  }
  if (rel.endsWith('.md') && DOCUMENTS[path.basename(rel)] === rel) {
    for (const m of text.matchAll(SAME_FILE_LINK)) if (!anchorsOf(rel).has(m[1]!)) broken.push(`${rel}: #${m[1]}`);
  }
  return broken;
}

function scannedFiles(): string[] {
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(repo, rel), { withFileTypes: true })) {
      const child = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(child);
      } else if (TEXT_FILE.test(entry.name)) files.push(child);
    }
  };
  for (const dir of SCANNED_DIRS) walk(dir);
  for (const entry of fs.readdirSync(repo, { withFileTypes: true })) {
    if (entry.isFile() && /\.(ts|js|cjs|mjs|yml)$|^README\.md$/.test(entry.name)) files.push(entry.name);
  }
  return files;
}

const read = (rel: string) => fs.readFileSync(path.join(repo, rel), 'utf8');
const anchorCache = new Map<string, Set<string>>();
const repoAnchors = (doc: string) => {
  if (!anchorCache.has(doc)) anchorCache.set(doc, markdownAnchors(read(doc)));
  return anchorCache.get(doc)!;
};

describe('comments and docs point into the repository', () => {
  const files = scannedFiles();

  it('scans the source, the tests, the benches and the scripts', () => {
    for (const expected of ['src-main/main.ts', 'src-renderer/App.svelte', 'bench/run.ts', '.dependency-cruiser.cjs']) {
      expect(files).toContain(expected);
    }
    expect(files.length).toBeGreaterThan(300);
  });

  it('no file cites design notes or issue numbers kept outside the repository', () => {
    const citing = files.flatMap((rel) => outsideCitations(read(rel)).map((c) => `${rel}: ${c}`));
    expect(citing).toEqual([]);
  });

  it('every docs anchor a file links to is a heading of that document', () => {
    const docs = fs.readdirSync(path.join(repo, 'docs')).filter((f) => f.endsWith('.md'));
    const all = [...files, ...docs.map((f) => `docs/${f}`)];
    expect(all.flatMap((rel) => brokenLinks(rel, read(rel), repoAnchors))).toEqual([]);
  });

  it('the checks can fail: a planted citation, a planted broken anchor, GitHub anchors of real headings', () => {
    const [note, issue] = [`${'DOMAIN'}.md`, `${'issue'} 18`];
    expect(outsideCitations(`see ${note} and (${issue}), not tissue 5 or issues`)).toEqual([note, issue]);
    expect(githubAnchor("The Graph client's policies")).toBe('the-graph-clients-policies');
    expect(githubAnchor('1. Register the app in Entra ID')).toBe('1-register-the-app-in-entra-id');
    expect(githubAnchor('808-811: owned by another tenant')).toBe('808-811-owned-by-another-tenant');
    expect(githubAnchor('`OA3.xml` and [its tool](https://example.test)')).toBe('oa3xml-and-its-tool');
    const anchors = markdownAnchors('# Top\n```\n# not a heading\n```\n## Top\n## Sync and its 10-minute rule\n');
    expect([...anchors]).toEqual(['top', 'top-1', 'sync-and-its-10-minute-rule']);
    const planted = (doc: string) => (doc === 'docs/domain.md' ? anchors : new Set<string>());
    const link = (anchor: string) => `docs/domain.${'md'}#${anchor}`;
    expect(brokenLinks('x.ts', `// ${link('top-1')}, ${link('no-such-heading')}.`, planted)).toEqual([
      `x.ts: ${link('no-such-heading')}`,
    ]);
    expect(brokenLinks('docs/domain.md', '[a](#top) [b](#nowhere)', planted)).toEqual(['docs/domain.md: #nowhere']);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import App from '../../src-renderer/App.svelte';
import { attentionText } from '../../src-renderer/lib/stores/notifier.svelte.ts';
import { FakeStationApi } from './fakeStationApi.ts';
import { seedQueue } from './seedQueue.ts';
import { hasWords, wordCode } from '../../src-renderer/lib/codes.ts';
import { en } from '../../src-renderer/lib/i18n/en.ts';
import { ja } from '../../src-renderer/lib/i18n/ja.ts';
import { i18n } from '../../src-renderer/lib/i18n/i18n.svelte.ts';
import { collectCodeSites } from './stationCodes.ts';

/**
 * "This bench cannot resolve {host} ({reason})." reached the screens. Every code is worded,
 * in both languages, with exactly the params main sends beside it (read from src-main's source), and
 * no "{name}" may be left over.
 */
const LEFTOVER = /\{\w+\}/;

afterEach(() => i18n.setLocale('en'));

describe('every code is worded with the params main really sends', () => {
  const sites = collectCodeSites();

  it('finds the sites and their params (the walk itself works)', () => {
    expect(sites.length).toBeGreaterThan(150);
    expect(sites.find((s) => s.code === 'CHECK_DNS_FAILED')?.params).toEqual(['host', 'reason']);
    expect(sites.find((s) => s.code === 'CSV_GROUP_TAG_TOO_LONG')?.params).toEqual(['line', 'length', 'max']);
    // Every site's params are read (a literal, or the function's own `const params = {…}`).
    expect(sites.filter((s) => s.params === undefined)).toEqual([]);
    expect(sites.find((s) => s.code === 'CHECK_CLOCK_SKEW')?.params).toEqual(['skewS', 'source']);
  });

  it.each(['en', 'ja'] as const)('%s: no placeholder is left unfilled, for any site of any code', (lang) => {
    i18n.setLocale(lang);
    const leftovers: string[] = [];
    for (const site of sites) {
      if (!site.params || !hasWords(site.code)) continue;
      const params = Object.fromEntries(site.params.map((p) => [p, `<${p}>`]));
      for (const words of [
        wordCode(site.code, params),
        i18n.has(`code.${site.code}.action`) ? i18n.t(`code.${site.code}.action` as never, params) : '',
      ]) {
        if (LEFTOVER.test(words))
          leftovers.push(`${site.code} (${site.file}:${site.line}, sends ${JSON.stringify(site.params)}): ${words}`);
      }
    }
    expect(leftovers).toEqual([]);
  });

  it("every placeholder a code's words use is a param some site sends (a misnamed one is never filled)", () => {
    const unknown: string[] = [];
    const byCode = new Map<string, Set<string> | undefined>();
    for (const s of sites) {
      if (!byCode.has(s.code)) byCode.set(s.code, new Set());
      const set = byCode.get(s.code);
      if (!set || !s.params) byCode.set(s.code, undefined);
      else for (const p of s.params) set.add(p);
    }
    for (const [code, sent] of byCode) {
      if (!sent) continue;
      for (const key of [`code.${code}`, `code.${code}.action`]) {
        for (const dictionary of [en, ja] as Record<string, string>[]) {
          for (const m of (dictionary[key] ?? '').matchAll(/\{(\w+)\}/g))
            if (!sent.has(m[1]!)) unknown.push(`${key} uses {${m[1]}}; main sends ${JSON.stringify([...sent])}`);
        }
      }
    }
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('a code no site gives params to words well without any', () => {
    const withParams = new Set(sites.filter((s) => s.params === undefined || s.params.length > 0).map((s) => s.code));
    const leftovers: string[] = [];
    for (const lang of ['en', 'ja'] as const) {
      i18n.setLocale(lang);
      for (const key of Object.keys(en)) {
        const m = /^(?:code|finding)\.([A-Z][A-Z0-9_]+)$/.exec(key);
        if (!m || withParams.has(m[1]!) || !sites.some((s) => s.code === m[1])) continue;
        const words = wordCode(m[1]!);
        if (LEFTOVER.test(words)) leftovers.push(`${lang} ${key}: ${words}`);
      }
    }
    expect(leftovers).toEqual([]);
  });
});

describe('a row and a toast are worded with the params that came with their code', () => {
  const NOW = Date.parse('2026-11-23T10:00:00Z');
  const params = { host: 'login.microsoftonline.com', reason: 'ENOTFOUND' };

  it.each([
    ['en', 'This bench cannot resolve login.microsoftonline.com (ENOTFOUND).'],
    ['ja', 'このベンチは login.microsoftonline.com の名前を解決できません (ENOTFOUND)。'],
  ] as const)('%s: a row waiting with no network names the host and the reason', async (lang, words) => {
    i18n.setLocale(lang);
    const [seeded] = seedQueue(1, NOW);
    seeded!.row = { ...seeded!.row, state: 'queued', errorName: 'CHECK_DNS_FAILED', errorParams: params };
    seeded!.detail = { ...seeded!.detail, row: seeded!.row };
    const fake = new FakeStationApi({ now: () => NOW, devices: [seeded!] });
    render(App, { props: { api: fake.api, initialScreen: 'queue' } });
    const row = await screen.findByTestId('queue-row');
    await waitFor(() => expect(within(row).getByTestId('error-advice').textContent).toContain(words));
    expect(row.textContent).not.toMatch(LEFTOVER);
    expect(
      attentionText({
        kind: 'device-needs-attention',
        deviceIds: ['a', 'b'],
        message: 'x',
        waiting: true,
        errorName: 'CHECK_DNS_FAILED',
        params,
      }),
    ).toContain(words);
  });
});

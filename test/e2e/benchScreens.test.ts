import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { harnessInChromium } from './harnessServer.ts';
import { SCREENSHOT_DIR } from './support.ts';

/**
 * What a technician trial found on the bench screens (1024×768 and 1366×768, English and Japanese), measured in
 * Chromium through the screen harness: the header on one line, file names wrapped at their separators, Settings'
 * selects wide enough for their longest option, a reason beside every disabled control, and a history that lists
 * no change from a state to the same state.
 */
describe('bench screens in Chromium (harness)', () => {
  const chromium = harnessInChromium();
  const BENCH = [
    { width: 1024, height: 768 },
    { width: 1366, height: 768 },
  ] as const;

  async function open(fragment: string, viewport: { width: number; height: number }): Promise<Page> {
    const page = await chromium.newPage({ viewport });
    await page.goto(`${chromium.url}#${fragment}`);
    return page;
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOT_DIR, `bench-${name}.png`) });

  for (const lang of ['en', 'ja'] as const) {
    // Counts in the hundreds (400 devices) and in the thousands (10,000), with the corporate identifier counter
    // showing.
    for (const n of [400, 10_000]) {
      for (const size of [...BENCH, { width: 1280, height: 800 }, { width: 1920, height: 1080 }]) {
        it(`header (${lang}, ${n} devices, ${size.width}×${size.height}): one line with the corporate identifier counter, nothing cut`, async () => {
          const page = await open(`screen=queue&lang=${lang}&n=${n}&corp=1`, size);
          await page.getByTestId('count-corporate').waitFor();
          const header = await page.locator('header.top').evaluate((h) => {
            const items = [...h.children]
              .map((c) => c.getBoundingClientRect())
              .filter((r) => r.width > 1 && r.height > 1);
            const cut = [...h.querySelectorAll<HTMLElement>('.count, h1, .top-controls > *')]
              .filter((e) => e.getBoundingClientRect().width > 1 && e.scrollWidth > e.clientWidth + 1)
              .map((e) => e.textContent);
            return {
              oneRow: Math.max(...items.map((r) => r.top)) < Math.min(...items.map((r) => r.bottom)),
              cut,
              overflow: h.scrollWidth > h.clientWidth + 1,
            };
          });
          // Counts in the thousands may take a second line on the narrowest screens; nothing is ever cut.
          expect(header).toEqual({ oneRow: n < 1000 ? true : header.oneRow, cut: [], overflow: false });
          // Shortened or not, the counter's whole sentence is at hand in its tooltip.
          const title = await page.getByTestId('count-corporate').getAttribute('title');
          expect(title).toMatch(lang === 'en' ? /Added.*Waiting.*Failed/i : /追加済み.*待機中.*失敗/);
          // A number and its word, when shown, are apart.
          expect(await page.getByTestId('count-corporate').innerText()).not.toMatch(/\d\p{L}/u);
          if (n === 400 && size.height === 768) await shot(page, `header-${size.width}-${lang}`);
          await page.close();
        });
      }
    }

    for (const size of BENCH) {
      const tag = `${size.width}-${lang}`;

      it(`import (${tag}): long file names wrap at their separators, serials do not overflow`, async () => {
        const page = await open(`screen=import&lang=${lang}&n=50`, size);
        const hash = (m: string, model: string, s: string) =>
          Buffer.from(`FAKEHASH|${m}|${model}|${s}`).toString('base64');
        const csv = (rows: string[]) =>
          Buffer.from(
            ['Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User', ...rows].join('\r\n'),
          );
        await page.getByTestId('import-files').setInputFiles([
          {
            name: 'Contoso-Autopilot-hardware-hashes_2026-11-23_Tokyo-Floor3-Bench01_batch-0001.csv',
            mimeType: 'text/csv',
            buffer: csv([
              `SN1001,,${hash('Fabrikam', 'EliteBook 840 G11', 'SN1001')},,`,
              `SN2001,,${hash('Litware', 'ThinkPad T14', 'SN9999')},,`,
              'SN1003,only-two',
            ]),
          },
          {
            name: '東京オフィス_オートパイロット_ハッシュ一覧_2026年11月23日_3階ベンチ.csv',
            mimeType: 'text/csv',
            buffer: csv([`${'X'.repeat(70)},,${hash('Fabrikam', 'EliteBook 840 G11', 'SN3001')},,`]),
          },
        ]);
        await page.getByTestId('bad-rows').waitFor();
        const found = await page.locator('section.screen').evaluate((section) => {
          const SEPARATOR = /[-_.\s\\/]/;
          const CJK = /[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]/;
          const midWord: string[] = [];
          const cells = [
            ...section.querySelectorAll<HTMLElement>(
              '[data-testid="import-files-table"] tbody td:first-child, [data-testid="bad-rows"] tbody td:first-child',
            ),
          ];
          for (const cell of cells) {
            // Each character's line (its top); a new line must start after a separator or beside a Japanese character.
            const chars: { ch: string; top: number }[] = [];
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              for (let i = 0; i < node.textContent!.length; i++) {
                const range = document.createRange();
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                const r = range.getClientRects()[0];
                if (r) chars.push({ ch: node.textContent![i]!, top: r.top });
              }
            }
            for (let i = 1; i < chars.length; i++) {
              const [a, b] = [chars[i - 1]!, chars[i]!];
              if (b.top > a.top + 2 && !SEPARATOR.test(a.ch) && !CJK.test(a.ch) && !CJK.test(b.ch))
                midWord.push(`${cell.textContent}: …${a.ch}|${b.ch}…`);
            }
          }
          const box = section.getBoundingClientRect();
          const overflowing = [...section.querySelectorAll('table')]
            .filter((t) => t.getBoundingClientRect().right > box.right + 1)
            .map((t) => t.className || t.dataset.testid);
          return { cells: cells.length, midWord, overflowing };
        });
        expect(found).toEqual({ cells: 5, midWord: [], overflowing: [] });
        await page.getByTestId('bad-rows').scrollIntoViewIfNeeded();
        await shot(page, `import-file-names-${tag}`);
        await page.close();
      });

      it(`settings (${tag}): every select fits its longest option, and every disabled control says why`, async () => {
        for (const fragment of [
          'screen=settings&n=10&mode=tenant',
          'screen=settings&n=10&mode=tenant&locked=cloud,apiVersion,authMode,waitFor,registrationTargets,batchSize',
        ]) {
          const page = await open(`${fragment}&lang=${lang}`, size);
          await page.getByTestId('settings-form').waitFor();
          const tooNarrow = await page.locator('.settings-form select').evaluateAll((els) =>
            els.flatMap((el) => {
              const s = el as HTMLSelectElement;
              // Chromium's own width for a select showing just that option (its text, padding and arrow).
              const probe = document.createElement('select');
              probe.className = s.className;
              probe.style.cssText = `position: absolute; width: auto; max-width: none; font: ${getComputedStyle(s).font}`;
              s.parentElement!.append(probe);
              const cut = [...s.options].filter((o) => {
                probe.replaceChildren(new Option(o.textContent ?? ''));
                return probe.getBoundingClientRect().width > s.getBoundingClientRect().width + 0.5;
              });
              probe.remove();
              return cut.map((o) => `${s.id}: ${o.textContent}`);
            }),
          );
          expect(tooNarrow).toEqual([]);
          const unexplained = await page.locator('.settings-form').evaluate((form) =>
            [...form.querySelectorAll<HTMLInputElement>('input:disabled, select:disabled, button:disabled')].flatMap(
              (control) => {
                const ids = [control, control.closest('fieldset')]
                  .flatMap((e) => (e?.getAttribute('aria-describedby') ?? '').split(/\s+/))
                  .filter(Boolean);
                const said = ids
                  .map((id) => document.getElementById(id))
                  .filter((e): e is HTMLElement => !!e && e.getClientRects().length > 0 && !!e.textContent?.trim());
                return said.length ? [] : [control.id || control.dataset.testid || control.name || control.value];
              },
            ),
          );
          expect(unexplained).toEqual([]);
          await page.getByTestId('registration-targets').scrollIntoViewIfNeeded();
          await shot(page, `settings-${fragment.includes('locked') ? 'locked-' : ''}${tag}`);
          await page.close();
        }
      });

      it(`device history (${tag}): a note on the same state is not listed as a change to that state`, async () => {
        const page = await open(`screen=queue&lang=${lang}&n=400&device=dev-8`, size);
        await page.getByTestId('detail-events').waitFor();
        const changes = await page.getByTestId('detail-events').locator('tbody tr td:nth-child(2)').allInnerTexts();
        expect(changes.length).toBeGreaterThan(3);
        expect(changes.filter((c) => /^(.+) → \1$/.test(c.trim()))).toEqual([]);
        // The seeded history has the send stage's note on 'importing' (Batch sent to Intune): shown as the state once.
        expect(await page.getByTestId('event-same-state').count()).toBeGreaterThan(0);
        await page.getByTestId('detail-events').scrollIntoViewIfNeeded();
        await shot(page, `history-${tag}`);
        await page.close();
      });
    }
  }
});

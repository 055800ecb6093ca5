/**
 * The queue's buttons follow main's verdicts (QueueRow.actions, src-main/queue/deviceActions.ts): a failed 808
 * offers no Retry and says why, a failed 802 (Intune refused the hash) offers neither Retry nor Register again and
 * says to capture the hash again, a failed StorageError offers Retry, an import offers nothing yet, a registered
 * device offers Register again (asked first). Screen harness (its station answers with main's rules) in Chromium, at a
 * bench's 1024×768 and 1366×768, in English and Japanese; screenshots in test-results/screenshots.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SCREENSHOT_DIR } from './support.ts';
import { harnessInChromium } from './harnessServer.ts';
import { seedQueue } from '../renderer/seedQueue.ts';

const N = 60;
const NOW = Date.parse('2026-11-23T10:00:00Z');
const seeded = seedQueue(N, NOW).map((d) => d.row);
const pick = (what: string, test: (r: (typeof seeded)[number]) => boolean) => {
  const row = seeded.find(test);
  if (!row) throw new Error(`the seeded queue has no ${what}`);
  return row;
};
const CASES = [
  {
    name: '808',
    row: pick('808', (r) => r.state === 'failed' && r.errorCode === 808),
    retry: false,
    reregister: true,
    remove: true,
  },
  {
    name: '802',
    row: pick('802', (r) => r.state === 'failed' && r.errorCode === 802),
    retry: false,
    reregister: false,
    remove: true,
  },
  {
    name: 'storage',
    row: pick('StorageError', (r) => r.state === 'failed' && r.errorName === 'StorageError'),
    retry: true,
    reregister: true,
    remove: true,
  },
  {
    name: 'importing',
    row: pick('recent import', (r) => r.state === 'importing' && NOW - Date.parse(r.stateSince) < 4 * 60_000),
    retry: false,
    reregister: false,
    remove: false,
  },
  {
    name: 'registered',
    row: pick('registered device', (r) => r.state === 'registered'),
    retry: false,
    reregister: true,
    remove: true,
  },
];

const harness = harnessInChromium();

async function shown(page: Page, testId: string): Promise<boolean> {
  return (await page.getByTestId(testId).count()) > 0;
}

describe('the device detail shows the actions main allows, and why not the others', () => {
  for (const [lang, width] of [
    ['en', 1024],
    ['en', 1366],
    ['ja', 1024],
    ['ja', 1366],
  ] as const) {
    it(`${lang} at ${width}×768`, async () => {
      const page = await harness.newPage({ viewport: { width, height: 768 } });
      try {
        await page.goto(`${harness.url}#screen=queue&n=${N}&lang=${lang}&now=${new Date(NOW).toISOString()}`);
        await page.getByTestId('queue-row').first().waitFor();
        // The bulk Retry follows the selected rows' verdicts: not for an 808 or an 802, yes once a StorageError is
        // selected too.
        const select = (serial: string) =>
          page.getByTestId('queue-row').filter({ hasText: serial }).locator('input[type="checkbox"]').check();
        await select(CASES[0]!.row.serialNumber);
        expect(await page.getByTestId('bulk-retry').isDisabled()).toBe(true);
        expect(await page.getByTestId('bulk-remove').isDisabled()).toBe(false);
        await select(CASES[1]!.row.serialNumber);
        expect(await page.getByTestId('bulk-retry').isDisabled()).toBe(true);
        await select(CASES[2]!.row.serialNumber);
        expect(await page.getByTestId('bulk-retry').isDisabled()).toBe(false);
        await page.screenshot({ path: path.join(SCREENSHOT_DIR, `actions-queue-${lang}-${width}.png`) });
        // The waiting rows (importing, registered): an import alone offers neither Retry nor Remove yet.
        await page.getByTestId('queue-filter').selectOption('waiting');
        await page.getByTestId('queue-row').first().waitFor();
        await page.getByRole('button', { name: lang === 'en' ? 'Clear selection' : '選択を解除' }).click();
        await select(CASES[3]!.row.serialNumber);
        expect(await page.getByTestId('bulk-retry').isDisabled()).toBe(true);
        expect(await page.getByTestId('bulk-remove').isDisabled()).toBe(true);
        await page.screenshot({ path: path.join(SCREENSHOT_DIR, `actions-queue-waiting-${lang}-${width}.png`) });
        for (const c of CASES) {
          // The hash is read once at start: a new address, then a reload, opens this device's detail.
          await page.goto(
            `${harness.url}#screen=queue&n=${N}&lang=${lang}&now=${new Date(NOW).toISOString()}&device=${c.row.id}`,
          );
          await page.reload();
          const detail = page.getByTestId('device-detail');
          await detail.getByTestId('detail-events').waitFor();
          expect(
            {
              retry: await shown(page, 'detail-retry'),
              reregister: await shown(page, 'detail-reregister'),
              remove: await shown(page, 'detail-remove'),
            },
            `${c.name} ${c.row.id}`,
          ).toEqual({
            retry: c.retry,
            reregister: c.reregister,
            remove: c.remove,
          });
          // Every action not offered is listed with main's reason, in the page's language.
          const whyNot = (await shown(page, 'detail-why-not'))
            ? await page.getByTestId('detail-why-not').innerText()
            : '';
          expect(whyNot.split('\n').filter(Boolean)).toHaveLength(
            [c.retry, c.reregister, c.remove].filter((x) => !x).length,
          );
          if (c.name === '808')
            expect(whyNot).toMatch(
              lang === 'en'
                ? /Registered to another tenant \(error 808\)/
                : /別のテナントに登録されています \(エラー 808\)/,
            );
          if (c.name === '802')
            expect(whyNot).toMatch(
              lang === 'en'
                ? /refused this device's hash \(error 802\)[^\n]*Capture the hash again/
                : /ハッシュを拒否しました \(エラー 802\)[^\n]*取得し直す/,
            );
          await detail.scrollIntoViewIfNeeded();
          await page
            .getByTestId('detail-why-not')
            .or(page.getByTestId('detail-remove'))
            .first()
            .scrollIntoViewIfNeeded();
          await page.screenshot({ path: path.join(SCREENSHOT_DIR, `actions-detail-${c.name}-${lang}-${width}.png`) });
        }
      } finally {
        await page.close();
      }
    }, 120_000);
  }
});

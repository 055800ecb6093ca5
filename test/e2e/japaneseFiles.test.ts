/**
 * End to end: a Japanese bench's files (Excel's Shift_JIS CSV with Japanese group tags, a
 * spreadsheet with Japanese column names, serials typed in full width, PowerShell's Export-Csv with its
 * #TYPE line, a serial no label has) dropped on the Import screen of the built renderer in Chromium,
 * served by the real browser host and station in training mode; then imported into the training tenant.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { createStation, type Station } from '../../src-main/app/createStation.ts';
import { createLogger } from '../../src-main/kernel/logger.ts';
import { devices, hashOf } from '../fixtures/capture/fixtureFiles.ts';
import { openStationPage, SCREENSHOT_DIR } from './support.ts';

const GOOD = path.resolve('test', 'fixtures', 'capture', 'good');
const FILES = [
  'excel-shift-jis-japanese-tags.csv',
  'excel-shift-jis-japanese-header.csv',
  'full-width-serial-utf8bom.csv',
  'export-csv-type-line.csv',
];

let station: Station;
let screens: Awaited<ReturnType<typeof openStationPage>> | undefined;
let page: Page;
let dataDir: string;
let folder: string;
const logger = createLogger(() => {}, {}, 'error');

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-jp-e2e-'));
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'jp-folder-'));
  for (const name of FILES) fs.copyFileSync(path.join(GOOD, name), path.join(folder, name));
  // Katakana typed into the serial column of a sheet: the hash's own serial is offered.
  fs.writeFileSync(
    path.join(folder, 'typed-serial.csv'),
    `Device Serial Number,Windows Product ID,Hardware Hash,Group Tag\r\nシリアル１２,,${hashOf(devices.surface)},東京本社\r\n`,
  );
  station = createStation({
    host: 'browser',
    dataDir,
    logger,
    clock: scaledClock(40),
    serialPort: { readSerials: async () => ({ system: 'PF0BENCH' }) },
  });
  screens = await openStationPage(station, logger, { width: 1366, height: 768 });
  page = screens.page;
}, 60_000);

afterAll(async () => {
  await screens?.close();
  await station?.close();
  for (const d of [dataDir, folder]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

describe("a Japanese bench's files on the Import screen", () => {
  it("reads every file whole, in Japanese too, and offers the hash's serial for one no label has", async () => {
    await page.getByTestId('language').selectOption('ja');
    await page.keyboard.press('Alt+2');
    await page.getByTestId('import-folder').setInputFiles(folder);
    await expect.poll(() => page.getByTestId('import-file-row').count(), { timeout: 20_000 }).toBe(5);
    const text = await page.getByTestId('import-files-table').innerText();
    // Nothing refused as damaged or blamed on the encoding.
    expect(text).not.toMatch(/文字を読み取れません|壊れ/);
    const bad = page.getByTestId('bad-rows');
    expect(await bad.innerText()).toMatch(
      /typed-serial\.csv[\s\S]*シリアル12[\s\S]*シリアル ラベルにない文字[\s\S]*0F1234567890AB/,
    );
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'japanese-files-import-ja.png') });
    await page.getByTestId('use-hash-serial').click();
    // Judged again by the station under the hash's serial: no longer a row with a problem.
    await expect.poll(() => page.getByTestId('use-hash-serial').count()).toBe(0);
    expect((await page.getByTestId('bad-rows').allInnerTexts()).join('')).not.toContain('シリアル12');
  }, 60_000);

  it("queues them under a Japanese session tag, keeps each file's own tag and user, and the training tenant imports them", async () => {
    await page.locator('#import-group-tag').fill('大阪支店');
    await page.getByTestId('queue-good').click();
    await expect.poll(() => page.getByTestId('import-result').isVisible(), { timeout: 20_000 }).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'japanese-files-queued-ja.png') });
    const rows = (await station.handlers.listQueue({ offset: 0, limit: 50 })).rows;
    const tags = Object.fromEntries(rows.map((r) => [r.serialNumber, [r.groupTag, r.assignedUser]]));
    expect(tags).toEqual({
      PF3ABC12: ['東京本社', 'aiko.tanaka@contoso.com'],
      N5NRKD001234567: ['大阪支店 テスト', ''],
      '5CG1234XYZ': ['テスト', 'kenji.sato@contoso.com'],
      JX0K2M3: ['Warehouse', ''],
      '0F1234567890AB': ['東京本社', ''],
    });
    // The training tenant takes them with their Japanese tags (its pace is scaled ×40 here).
    await expect
      .poll(
        async () =>
          (await station.handlers.listQueue({ offset: 0, limit: 50 })).rows.filter((r) =>
            ['imported', 'registered', 'assigned'].includes(r.state),
          ).length,
        { timeout: 40_000, interval: 500 },
      )
      .toBe(5);
    await page.keyboard.press('Alt+3');
    await expect.poll(() => page.getByTestId('queue-row').filter({ hasText: '東京本社' }).count()).toBe(2);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'japanese-files-queue-ja.png') });
    await page.getByTestId('language').selectOption('en');
  }, 90_000);
});

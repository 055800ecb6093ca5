/**
 * End to end: a technician drops a mixed folder (a ConfigMgr report, a Partner Center file, a
 * VM's serial, an OA3.xml with a licence key, a PKID-only row, a CSV saved in Excel, a reseller's file
 * with its own tags, an Excel workbook) on the Import screen of the built renderer in Chromium, served
 * by the real browser host and station in training mode. Each file shows its own result; what is
 * queued, kept and sent is then read back through the contract and the queue database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { createStation, type Station } from '../../src-main/app/createStation.ts';
import { createLogger } from '../../src-main/kernel/logger.ts';
import { hashOf, hp, numeric } from '../fixtures/capture/fieldKinds.ts';
import { openStationPage, SCREENSHOT_DIR } from './support.ts';

const FIELD = path.resolve('test', 'fixtures', 'field-cases');

let station: Station;
let screens: Awaited<ReturnType<typeof openStationPage>> | undefined;
let page: Page;
let dataDir: string;
let folder: string;
const logLines: string[] = [];
const logger = createLogger((line) => logLines.push(line), {}, 'debug');

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-field-e2e-'));
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'field-folder-'));
  for (const name of [
    'c02_configmgr_report.csv',
    'c03_partner_center_header.csv',
    'c08_vmware_serial_spaces.csv',
    'c11_OA3_utf16_wrapped.xml',
    'c23b_mixed_good_and_pkid_row.csv',
  ]) {
    fs.copyFileSync(path.join(FIELD, name), path.join(folder, name));
  }
  // Saved in Excel: the leading zeros of 00123456 are gone.
  fs.writeFileSync(
    path.join(folder, 'saved-in-excel.csv'),
    `Device Serial Number,Windows Product ID,Hardware Hash\r\n123456,,${hashOf(numeric)}\r\n`,
  );
  // A reseller's file with the customer's tag on one row.
  fs.writeFileSync(
    path.join(folder, 'reseller.csv'),
    `Device Serial Number,Windows Product ID,Hardware Hash,Group Tag\r\n${hp.serialNumber},,${hashOf(hp)},Site-Osaka\r\n`,
  );
  fs.writeFileSync(
    path.join(folder, 'devices.xlsx'),
    Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(400, 3)]),
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

const fileRow = (name: string) => page.getByTestId('import-file-row').filter({ hasText: name });

describe('a mixed folder of the files technicians bring, on the Import screen', () => {
  it("shows each file's own result, names the workbook, offers the hash's serial, keeps per-row tags", async () => {
    await page.keyboard.press('Alt+2');
    await page.getByTestId('import-folder').setInputFiles(folder);
    await expect.poll(() => page.getByTestId('import-file-row').count(), { timeout: 20_000 }).toBe(8);
    expect(await fileRow('c02_configmgr_report.csv').innerText()).toMatch(/2 good, 0 bad/);
    expect(await fileRow('c03_partner_center_header.csv').innerText()).toMatch(/1 good, 0 bad/);
    expect(await fileRow('c08_vmware_serial_spaces.csv').innerText()).toMatch(
      /1 good, 0 bad[\s\S]*A virtual machine: its own serial "VMware-56 4d 12 ab cd ef 01 23-45 67 89 ab cd ef 01 23"/,
    );
    expect(await fileRow('c11_OA3_utf16_wrapped.xml').innerText()).toMatch(
      /1 good, 0 bad[\s\S]*licence key \(25 characters\) was found and dropped/,
    );
    expect(await fileRow('c23b_mixed_good_and_pkid_row.csv').innerText()).toMatch(/1 good, 1 bad/);
    expect(await fileRow('reseller.csv').innerText()).toMatch(/1 good, 0 bad · rows with their own group tag: 1/);
    expect(await fileRow('devices.xlsx').innerText()).toMatch(
      /0 good, 1 bad[\s\S]*Excel workbook[\s\S]*CSV \(Comma delimited\)/,
    );
    const bad = page.getByTestId('bad-rows');
    expect(await bad.innerText()).toMatch(
      /c23b_mixed_good_and_pkid_row\.csv\s+Line 3\s+PFBPK001\s+This row has a Windows Product ID \(PKID\) but no hardware hash/,
    );
    expect(await bad.innerText()).toMatch(
      /saved-in-excel\.csv\s+Line 2\s+123456\s+The serial "123456" is the hash's serial "00123456" as a spreadsheet changed it/,
    );
    // The screen scrolls inside the app: one 1366×768 shot of the per-file results, one of the rows with problems.
    await page.getByTestId('import-files-table').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'field-cases-import.png') });
    await bad.evaluate((el) => el.scrollIntoView({ block: 'end' }));
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'field-cases-bad-rows.png') });

    // The same rows in Japanese: every new code has its own wording.
    await page.getByTestId('language').selectOption('ja');
    expect(await bad.innerText()).toContain('プロダクト ID (PKID)');
    expect(await bad.innerText()).toContain('スプレッドシート');
    expect(await fileRow('devices.xlsx').innerText()).toContain('Excel ブック');
    await bad.evaluate((el) => el.scrollIntoView({ block: 'end' }));
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'field-cases-bad-rows-ja.png') });
    await page.getByTestId('language').selectOption('en');

    await page.getByTestId('use-hash-serial').click();
    await expect.poll(() => fileRow('saved-in-excel.csv').innerText()).toMatch(/1 good, 0 bad/);
    expect(await page.getByTestId('queue-good').innerText()).toMatch(/Queue 8 good devices/);
  }, 60_000);

  it("queues the good devices under the chosen tag, keeps the file's own tag, keeps the refused row, sends the PKID and never the licence key", async () => {
    await page.locator('#import-group-tag').fill('Bench');
    await page.getByTestId('queue-good').click();
    await expect
      .poll(() => page.getByTestId('import-result').innerText())
      .toMatch(
        /8 queued, 0 already in the queue, 0 kept as invalid\.\s*Refused rows kept in the queue as invalid: 1\./,
      );
    await page.getByTestId('import-result').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'field-cases-queued.png') });

    const rows = (await station.handlers.listQueue({ offset: 0, limit: 50 })).rows;
    const bySerial = (s: string) => rows.find((r) => r.serialNumber === s)!;
    expect(rows).toHaveLength(9);
    expect(bySerial(hp.serialNumber).groupTag).toBe('Site-Osaka');
    expect(bySerial('5CG1230AB1').groupTag).toBe('Bench');
    expect(bySerial('00123456').state).not.toBe('invalid');
    expect(bySerial('VMware-56 4d 12 ab cd ef 01 23-45 67 89 ab cd ef 01 23').state).not.toBe('invalid');
    expect(bySerial('PFBPK001')).toMatchObject({
      state: 'invalid',
      errorName: 'CSV_PKID_ONLY',
      flags: ['refused'],
      source: { path: 'c23b_mixed_good_and_pkid_row.csv', line: 3 },
    });
    expect((await station.handlers.getDevice({ id: bySerial('PF5OA301').id })).productKey).toBe('3301234567890');

    // The refused row is in the queue screen and the report, not in the Intune CSV.
    await page.keyboard.press('Alt+3');
    await expect.poll(() => page.getByTestId('queue-row').filter({ hasText: 'PFBPK001' }).count()).toBe(1);
    // It survives a reload of the page (it is a record in the queue, not a message of the import screen).
    await page.reload();
    await page.keyboard.press('Alt+3');
    await expect.poll(() => page.getByTestId('queue-row').filter({ hasText: 'PFBPK001' }).count()).toBe(1);
    const report = await station.handlers.exportQueue({ format: 'report' });
    expect(report[0]!.content).toMatch(/PFBPK001,.*invalid/);
    const intune = await station.handlers.exportQueue({ format: 'intune' });
    expect(intune.map((f) => f.content).join('')).not.toContain('PFBPK001');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'field-cases-queue.png') });

    const db = fs
      .readdirSync(dataDir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('queue.db') || f.endsWith('queue.db-wal'));
    const stored = db.map((f) => fs.readFileSync(path.join(dataDir, f)).toString('latin1')).join('');
    expect(stored).toContain('3301234567890');
    for (const text of [stored, logLines.join('\n'), JSON.stringify(rows), intune.map((f) => f.content).join('')])
      expect(text).not.toContain('XXXXX-XXXXX');
  }, 60_000);
});

describe('scanners set to end with Tab or with nothing, in Chromium', () => {
  /**
   * A scanner through Chrome's input pipeline: the label's keys 4 ms apart (by their own timestamps), then the suffix
   * if any.
   */
  async function scanLabel(label: string, suffix: 'Tab' | 'Enter' | undefined): Promise<void> {
    const cdp = await page.context().newCDPSession(page);
    const t0 = Date.now() / 1000;
    const keys = [...label, ...(suffix ? [suffix] : [])];
    for (const [i, ch] of keys.entries()) {
      const special =
        ch === 'Tab'
          ? { code: 'Tab', text: '\t', vk: 9 }
          : ch === 'Enter'
            ? { code: 'Enter', text: '\r', vk: 13 }
            : undefined;
      const key = {
        key: ch,
        code: special?.code ?? (/\d/.test(ch) ? `Digit${ch}` : `Key${ch.toUpperCase()}`),
        windowsVirtualKeyCode: special?.vk ?? ch.toUpperCase().charCodeAt(0),
      };
      await cdp.send('Input.dispatchKeyEvent', {
        type: 'keyDown',
        ...key,
        text: special?.text ?? ch,
        timestamp: t0 + i * 0.004,
      });
      await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...key, timestamp: t0 + i * 0.004 + 0.001 });
    }
    await cdp.detach();
  }

  it.each([
    ['Tab', 'PF9TAB01'],
    [undefined, 'PF9NOSUF'],
  ] as const)(
    'a label ending with %s, scanned with focus on no field, lands in the serial (a field with focus keeps its scan)',
    async (suffix, label) => {
      await page.keyboard.press('Alt+1');
      const tag = page.getByTestId('group-tag-input');
      await tag.fill('Sales');
      await page.getByTestId('tab-capture').focus();
      await scanLabel(label, suffix);
      await expect.poll(() => page.getByTestId('serial-input').inputValue(), { timeout: 5000 }).toBe(label);
      expect(await tag.inputValue()).toBe('Sales');
    },
    30_000,
  );
});

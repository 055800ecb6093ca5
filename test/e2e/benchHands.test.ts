/**
 * The bench's hands: a technician with a keyboard and a barcode scanner, no mouse, in training
 * mode end to end (built renderer in Chromium, real browser host, station, SQLite queue). The scanner is
 * Playwright's keyboard at 10 ms a key with a Tab suffix, into every field the bench uses: the serial (and
 * from no field at all), the hash file step, Capture's group tag and assigned user, Import's group tag,
 * the queue search and a setting; in English and Japanese, at 1024×768 and 1366×768. Then the device
 * dialog keeps Tab inside it. Screenshots land in test-results/screenshots/hands-*.png.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FileChooser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { createStation, type Station } from '../../src-main/app/createStation.ts';
import { createLogger } from '../../src-main/kernel/logger.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { openStationPage, SCREENSHOT_DIR } from './support.ts';

let station: Station;
let screens: Awaited<ReturnType<typeof openStationPage>> | undefined;
let page: Page;
let dataDir: string;
let files: string;
const logger = createLogger(() => {}, {}, 'warn');
let nextChooser: ((chooser: FileChooser) => void) | undefined;

const hashOf = (serialNumber: string) =>
  encodeHardwareHash({ serialNumber, manufacturer: 'LENOVO', model: '21CB004LUS', totalBytes: 2998 });
const oa3 = (serial: string) =>
  `<?xml version="1.0" encoding="utf-8"?>\r\n<Key>\r\n  <ProductKey></ProductKey>\r\n  <HardwareHash>${hashOf(serial)}</HardwareHash>\r\n</Key>\r\n`;
const csv = (serials: string[]) =>
  `Device Serial Number,Windows Product ID,Hardware Hash\r\n${serials.map((s) => `${s},,${hashOf(s)}`).join('\r\n')}\r\n`;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-hands-e2e-'));
  files = fs.mkdtempSync(path.join(os.tmpdir(), 'hands-files-'));
  // Training mode, no firmware serial: the bench's serial comes from the label.
  station = createStation({
    host: 'browser',
    dataDir,
    logger,
    clock: scaledClock(40),
    serialPort: { readSerials: async () => ({}) },
  });
  screens = await openStationPage(station, logger, { width: 1366, height: 768 });
  page = screens.page;
  // One listener for the whole run: Playwright turns file-chooser interception on and off with its listeners,
  // and a chooser opened while it switches is lost (waitForEvent per chooser missed one in three here).
  page.on('filechooser', (chooser) => nextChooser?.(chooser));
}, 60_000);

afterAll(async () => {
  await screens?.close();
  await station?.close();
  for (const d of [dataDir, files]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

/** A barcode scanner set to 10 ms a key and a Tab suffix. */
async function scan(label: string): Promise<void> {
  await page.keyboard.type(label, { delay: 10 });
  await page.keyboard.press('Tab');
}

/**
 * The same scanner where only its timing can tell it from a person (focus on no field): its keys go through
 * Chromium's input pipeline stamped 10 ms apart, as HID reports are, so a loaded test machine cannot stretch the
 * burst (Playwright's own typing reaches the page 10–200 ms apart here).
 */
async function scanStamped(label: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const t0 = Date.now() / 1000;
  for (const [i, ch] of [...label, 'Tab'].entries()) {
    const tab = ch === 'Tab';
    const key = {
      key: ch,
      code: tab ? 'Tab' : /\d/.test(ch) ? `Digit${ch}` : `Key${ch.toUpperCase()}`,
      windowsVirtualKeyCode: tab ? 9 : ch.toUpperCase().charCodeAt(0),
    };
    await cdp.send('Input.dispatchKeyEvent', {
      type: 'keyDown',
      ...key,
      text: tab ? '\t' : ch,
      timestamp: t0 + i * 0.01,
    });
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...key, timestamp: t0 + i * 0.01 + 0.002 });
  }
  await cdp.detach();
}

const focused = () =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return el ? (el.dataset.testid ?? el.id ?? el.tagName) : '';
  });

/** Tab (only Tab) until the element matching `selector` has focus: every step a technician's finger. */
async function tabTo(selector: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => !!document.activeElement?.matches(s), selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} is not reachable with Tab (focus ended on ${await focused()})`);
}

/** Enter on a focused file input opens the chooser; the test stands in for the OS dialog. */
async function enterOpensChooser(file: string | string[]): Promise<void> {
  const before = await focused();
  const chooser = new Promise<FileChooser | undefined>((resolve) => {
    nextChooser = resolve;
    setTimeout(() => resolve(undefined), 5000);
  });
  await page.keyboard.press('Enter');
  const opened = await chooser;
  if (!opened) throw new Error(`Enter on ${before} opened no file chooser in 5 s (focus now on ${await focused()})`);
  await opened.setFiles(file);
}

const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOT_DIR, `hands-${name}.png`) });
const byId = (sel: string) => page.locator(sel);

const COMBOS = [
  { lang: 'en', width: 1024 },
  { lang: 'en', width: 1366 },
  { lang: 'ja', width: 1024 },
  { lang: 'ja', width: 1366 },
] as const;

describe('keyboard and scanner only: capture → queue → import, every field scanned whole', () => {
  COMBOS.forEach(({ lang, width }, n) => {
    it(`${lang} at ${width}×768`, async () => {
      const serial = `PFH${n}${width}Q`;
      const imported = [`PFI${n}A${width}`, `PFI${n}B${width}`];
      const hashFile = path.join(files, `OA3-${serial}.xml`);
      fs.writeFileSync(hashFile, oa3(serial));
      const importFile = path.join(files, `bench-${n}.csv`);
      fs.writeFileSync(importFile, csv(imported));
      await page.setViewportSize({ width, height: 768 });
      await page.getByTestId('language').selectOption(lang);
      await page.keyboard.press('Alt+1');

      // A scan with focus on no field (here the Capture tab) is the serial; the hash-file step is then one key away.
      await tabTo('[data-testid="tab-capture"]');
      const fileButtonY = () =>
        page.locator('.capture-form .file-button').evaluate((el) => Math.round(el.getBoundingClientRect().top));
      const yBefore = await fileButtonY();
      await scanStamped(serial);
      await expect.poll(() => page.getByTestId('serial-input').inputValue()).toBe(serial);
      await expect.poll(focused).toBe('hash-file');
      // The serial's hint changed (scanner help gone, "typed or scanned" shown): "Choose a file…" did not move.
      expect(await fileButtonY()).toBe(yBefore);
      // Scanned into the serial field itself: the new label replaces it, and Tab goes to the hash file, not to the
      // button beside.
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Shift+Tab');
      expect(await focused()).toBe('serial-input');
      await page.keyboard.press('Control+a');
      await scan(serial);
      expect(await page.getByTestId('serial-input').inputValue()).toBe(serial);
      await expect.poll(focused).toBe('hash-file');
      await enterOpensChooser(hashFile);
      await expect.poll(() => page.getByTestId('decoded-manufacturer').innerText()).toBe('LENOVO');

      // Into Capture's group tag and Assigned user: each scan stays in its field, whole; the serial does not move.
      await tabTo('#capture-group-tag');
      await scan('BENCH-07');
      await tabTo('#assigned-user');
      await scan('tm.sato@contoso.com');
      await page.waitForTimeout(300); // a scan's idle check runs ~100 ms after its last key: let it have its say
      expect(await byId('#capture-group-tag').inputValue()).toBe('BENCH-07');
      expect(await byId('#assigned-user').inputValue()).toBe('tm.sato@contoso.com');
      expect(await page.getByTestId('serial-input').inputValue()).toBe(serial);
      await expect.poll(() => page.locator('[data-code="SERIAL_MISMATCH"]').count()).toBe(0);
      await shot(`capture-${lang}-${width}`);
      await page.keyboard.press('Control+Enter');
      await expect.poll(() => page.getByTestId('capture-result').getAttribute('data-kind')).toBe('queued');

      // Import files: Enter opens "Choose files…"; a scan into its group tag stays there (it used to jump to
      // Capture).
      await page.keyboard.press('Alt+2');
      await tabTo('[data-testid="import-files"]');
      await enterOpensChooser(importFile);
      await page.getByTestId('import-file-row').first().waitFor();
      await tabTo('#import-group-tag');
      await scan('IMPORT-07');
      await page.waitForTimeout(300);
      expect(await byId('#import-group-tag').inputValue()).toBe('IMPORT-07');
      expect(await page.getByTestId('screen-import').count()).toBe(1);
      await shot(`import-${lang}-${width}`);
      await tabTo('[data-testid="queue-good"]');
      await page.keyboard.press('Enter');
      await page.getByTestId('import-result').waitFor();

      // Settings: a scanned tag stays in the setting's field (not saved: the next run starts the same).
      await page.keyboard.press('Alt+4');
      await tabTo('#s-tag');
      await page.keyboard.press('Control+a');
      await scan('DEFAULT-07');
      await page.waitForTimeout(300);
      expect(await byId('#s-tag').inputValue()).toBe('DEFAULT-07');
      expect(await page.getByTestId('screen-settings').count()).toBe(1);

      // The queue: "/" then a scan searches; Enter opens the device; Tab stays in the dialog.
      await page.keyboard.press('Alt+3');
      await page.getByTestId('queue-table').waitFor();
      await page.keyboard.press('/');
      await scan(serial);
      await page.waitForTimeout(300);
      expect(await page.getByTestId('queue-search').inputValue()).toBe(serial);
      await expect.poll(() => page.getByTestId('queue-row').count()).toBe(1);
      await tabTo('[data-testid="queue-table"]');
      await page.keyboard.press('Enter');
      const dialog = page.getByTestId('device-detail');
      await dialog.waitFor();
      await expect.poll(() => dialog.innerText()).toContain('tm.sato@contoso.com');
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press(i % 5 === 4 ? 'Shift+Tab' : 'Tab');
        const inside = await page.evaluate(() => !!document.activeElement?.closest('[data-testid="device-detail"]'));
        expect(inside, `Tab #${i + 1} left the dialog (focus on ${await focused()})`).toBe(true);
      }
      await shot(`detail-${lang}-${width}`);
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.count()).toBe(0);
      await page.keyboard.press('/');
      await page.keyboard.press('Control+a');
      await page.keyboard.press('Backspace');

      // What the station stored is what was scanned, whole.
      const { rows } = await station.handlers.listQueue({ offset: 0, limit: 1000 });
      expect(rows.find((r) => r.serialNumber === serial)).toMatchObject({
        groupTag: 'BENCH-07',
        assignedUser: 'tm.sato@contoso.com',
      });
      for (const s of imported) expect(rows.find((r) => r.serialNumber === s)).toMatchObject({ groupTag: 'IMPORT-07' });
      expect(rows.some((r) => /BENCH|IMPORT|DEFAULT|tm\./.test(r.serialNumber))).toBe(false);
    }, 120_000);
  });
});

describe('the sticky Save row never covers the field being filled in', () => {
  for (const { lang, width } of COMBOS) {
    it(`Settings, ${lang} at ${width}×768: every field reached with Tab is in view above the Save row`, async () => {
      await page.setViewportSize({ width, height: 768 });
      await page.getByTestId('language').selectOption(lang);
      await page.keyboard.press('Alt+4');
      await tabTo('#s-tenant');
      const seen: string[] = [];
      for (let i = 0; i < 40; i++) {
        const where = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement;
          const save = document.querySelector('.save-row');
          if (!save || !el.closest('form')?.contains(save) || el.closest('.save-row')) return undefined;
          const r = el.getBoundingClientRect();
          return {
            id: el.id || el.tagName,
            bottom: r.bottom,
            saveTop: save.getBoundingClientRect().top,
            viewport: innerHeight,
          };
        });
        if (where) {
          seen.push(where.id);
          expect(where.bottom, `${where.id} is under the Save row`).toBeLessThanOrEqual(where.saveTop + 0.5);
          expect(where.bottom).toBeLessThanOrEqual(where.viewport);
        }
        await page.keyboard.press('Tab');
      }
      expect(seen).toContain('s-batch');
      if (width === 1024)
        await page.screenshot({ path: path.join(SCREENSHOT_DIR, `hands-settings-${lang}-${width}.png`) });
    }, 60_000);
  }
});

describe('a Japanese IME left on while the scanner types (its keys reach the page as "Process")', () => {
  /**
   * The scanner through an IME: each key a 'Process' keydown stamped 10 ms apart, the IME's full-width text composed,
   * Tab commits it.
   */
  async function scanThroughIme(label: string): Promise<void> {
    const cdp = await page.context().newCDPSession(page);
    const code = (ch: string) =>
      ch === '@'
        ? 'Digit2'
        : ch === '.'
          ? 'Period'
          : ch === '-'
            ? 'Minus'
            : /\d/.test(ch)
              ? `Digit${ch}`
              : `Key${ch.toUpperCase()}`;
    const fullWidth = (ch: string) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0);
    const t0 = Date.now() / 1000;
    let composed = '';
    for (const [i, ch] of [...label].entries()) {
      composed += fullWidth(ch);
      const shift = /[A-Z@]/.test(ch) ? 8 : 0;
      await cdp.send('Input.dispatchKeyEvent', {
        type: 'rawKeyDown',
        key: 'Process',
        code: code(ch),
        windowsVirtualKeyCode: 229,
        modifiers: shift,
        timestamp: t0 + i * 0.01,
      });
      await cdp.send('Input.imeSetComposition', {
        text: composed,
        selectionStart: composed.length,
        selectionEnd: composed.length,
      });
      await cdp.send('Input.dispatchKeyEvent', {
        type: 'keyUp',
        key: ch,
        code: code(ch),
        modifiers: shift,
        timestamp: t0 + i * 0.01 + 0.002,
      });
    }
    await cdp.send('Input.dispatchKeyEvent', {
      type: 'rawKeyDown',
      key: 'Process',
      code: 'Tab',
      windowsVirtualKeyCode: 229,
      timestamp: t0 + label.length * 0.01,
    });
    await cdp.send('Input.insertText', { text: composed }); // the IME commits what it composed
    await cdp.detach();
  }

  it("the serial and Assigned user get the label the scanner sent, not the IME's full-width text", async () => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.getByTestId('language').selectOption('ja');
    await page.keyboard.press('Alt+1');
    await tabTo('[data-testid="serial-input"]');
    await page.keyboard.press('Control+a');
    await scanThroughIme('PFIME001');
    await expect.poll(() => page.getByTestId('serial-input').inputValue()).toBe('PFIME001');
    await expect.poll(focused).toBe('hash-file');
    await tabTo('#assigned-user');
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Backspace');
    await scanThroughIme('tm.sato@contoso.com');
    await expect.poll(() => byId('#assigned-user').inputValue()).toBe('tm.sato@contoso.com');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'hands-ime-ja-1024.png') });
  }, 60_000);
});

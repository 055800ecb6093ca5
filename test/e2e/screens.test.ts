import path from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { relaunchingChromium, SCREENSHOT_DIR } from './support.ts';
import { serveHarness } from './harnessServer.ts';

/** Every screen in English and Japanese, in Chromium, through the screen harness (fake station, 10,000 devices). */
describe('screens in Chromium (harness)', () => {
  const browser = relaunchingChromium();
  let harness: Awaited<ReturnType<typeof serveHarness>>;

  beforeAll(async () => {
    harness = await serveHarness();
  });
  afterAll(async () => {
    await browser.close();
    await harness?.close();
  });

  async function open(fragment: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.page({ viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    page.on(
      'console',
      (m) => (m.type() === 'error' || /Content Security Policy/i.test(m.text())) && problems.push(m.text()),
    );
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${harness.url}#${fragment}`);
    return { page, problems };
  }

  async function shot(page: Page, name: string): Promise<void> {
    const file = path.join(SCREENSHOT_DIR, `${name}.png`);
    await page.screenshot({ path: file });
    expect(existsSync(file) && statSync(file).size > 10_000).toBe(true);
  }

  /**
   * A barcode scanner: real key events through Chromium's input pipeline, stamped 4 ms apart like HID
   * reports (the detector reads event.timeStamp), so a loaded test machine cannot stretch the burst.
   */
  async function scanLabel(page: Page, label: string): Promise<void> {
    const cdp = await page.context().newCDPSession(page);
    const t0 = Date.now() / 1000;
    let i = 0;
    for (const ch of [...label, 'Enter']) {
      const enter = ch === 'Enter';
      const key = {
        key: ch,
        code: enter ? 'Enter' : `Key${ch}`,
        text: enter ? '\r' : ch,
        windowsVirtualKeyCode: enter ? 13 : ch.charCodeAt(0),
      };
      await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', ...key, timestamp: t0 + i * 0.004 });
      await cdp.send('Input.dispatchKeyEvent', {
        type: 'keyUp',
        key: key.key,
        code: key.code,
        windowsVirtualKeyCode: key.windowsVirtualKeyCode,
        timestamp: t0 + i * 0.004 + 0.001,
      });
      i++;
    }
    await cdp.detach();
  }

  const csv = (rows: string[]) =>
    Buffer.from(
      ['Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User', ...rows].join('\r\n'),
    );
  const hash = (m: string, model: string, s: string) => Buffer.from(`FAKEHASH|${m}|${model}|${s}`).toString('base64');

  for (const lang of ['en', 'ja'] as const) {
    it(`capture (${lang}): read this device, pick a hash file, findings, queue with one keystroke`, async () => {
      const { page, problems } = await open(`screen=capture&lang=${lang}&n=200`);
      await page.getByTestId('read-this-device').click();
      await expect.poll(() => page.getByTestId('serial-input').inputValue()).toBe('PF4XK2QZ');
      await page.getByTestId('hash-file').setInputFiles({
        name: 'PF4XK2QZ.csv',
        mimeType: 'text/csv',
        buffer: csv([`PF4XK2QZ,,${hash('Contoso', 'Surface Laptop 6', 'PF4XK2QZ')},,`]),
      });
      await expect.poll(() => page.getByTestId('decoded-model').textContent()).toBe('Surface Laptop 6');
      await page.getByTestId('group-tag-input').fill('Sales-Tokyo');
      await shot(page, `capture-${lang}`);
      // A scanner burst with focus on no field (here the Capture tab) ends up in the serial; the tag is untouched.
      await page.getByTestId('tab-capture').focus();
      await scanLabel(page, 'XYZ98765');
      await expect.poll(() => page.getByTestId('serial-input').inputValue()).toBe('XYZ98765');
      expect(await page.getByTestId('group-tag-input').inputValue()).toBe('Sales-Tokyo');
      await expect.poll(() => page.locator('[data-code="SERIAL_MISMATCH"]').count()).toBe(1);
      await shot(page, `capture-mismatch-${lang}`);
      expect(problems).toEqual([]);
      await page.close();
    });

    it(`capture (${lang}): a placeholder serial asks for a scan`, async () => {
      const { page } = await open(`screen=capture&lang=${lang}&n=10&noserial=1&theme=dark`);
      await page.getByTestId('read-this-device').click();
      await page.locator('#serial-help strong').waitFor();
      await shot(page, `capture-needs-serial-dark-${lang}`);
      await page.close();
    });

    it(`import (${lang}): many files, bad rows with line and reason, good rows queued`, async () => {
      const { page, problems } = await open(`screen=import&lang=${lang}&n=200`);
      await page.getByTestId('import-files').setInputFiles([
        {
          name: 'batch-1.csv',
          mimeType: 'text/csv',
          buffer: csv([
            `SN1001,,${hash('Fabrikam', 'EliteBook 840 G11', 'SN1001')},Kiosk,`,
            `SN1002,,${hash('Fabrikam', 'EliteBook 840 G11', 'SN1002')},,`,
            'SN1003,only-two',
          ]),
        },
        {
          name: 'batch-2.csv',
          mimeType: 'text/csv',
          buffer: csv([
            `SN2001,,${hash('Litware', 'ThinkPad T14', 'SN9999')},,`,
            `SN2002,,${hash('Litware', 'ThinkPad T14', 'SN2002')},,`,
          ]),
        },
        {
          name: 'OA3.xml',
          mimeType: 'text/xml',
          buffer: Buffer.from(
            `<?xml version="1.0"?><Key><HardwareHash>${hash('Northwind', 'Latitude 7450', 'NW777')}</HardwareHash></Key>`,
          ),
        },
      ]);
      await page.getByTestId('bad-rows').waitFor();
      expect(await page.getByTestId('bad-rows').locator('tbody tr').count()).toBe(2);
      await shot(page, `import-${lang}`);
      await page.getByTestId('queue-good').click();
      await page.getByTestId('import-result').waitFor();
      expect(await page.getByTestId('import-result').textContent()).toMatch(/4/);
      await shot(page, `import-queued-${lang}`);
      expect(problems).toEqual([]);
      await page.close();
    });

    it(`queue (${lang}): 10,000 devices, virtualized, filter and search, bulk bar`, async () => {
      const { page, problems } = await open(`screen=queue&lang=${lang}&n=10000`);
      await page.getByTestId('queue-row').first().waitFor();
      expect(await page.getByTestId('queue-row').count()).toBeLessThan(60);
      await shot(page, `queue-${lang}`);
      await page.getByTestId('queue-filter').selectOption('failed');
      await page.getByTestId('queue-table').focus();
      await page.keyboard.press('Space');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Space');
      expect(await page.getByTestId('selected-count').textContent()).toMatch(/2/);
      await shot(page, `queue-failed-${lang}`);
      const download = page.waitForEvent('download');
      await page.getByTestId('export-intune').click();
      const file = await download;
      expect(file.suggestedFilename()).toBe('autopilot-devices.csv');
      const csvText = await new Promise<string>((resolve, reject) => {
        void file.createReadStream().then((stream) => {
          let text = '';
          stream.on('data', (c) => (text += c));
          stream.on('end', () => resolve(text));
          stream.on('error', reject);
        }, reject);
      });
      expect(csvText.split('\r\n')[0]).toBe(
        'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User',
      );
      // An invalid device is never put into an upload file, even when selected.
      const invalidSelected = await page.locator('.qrow.selected [data-state="invalid"]').count();
      expect(csvText.trim().split('\r\n')).toHaveLength(3 - invalidSelected);
      await page.getByTestId('queue-search').fill('PF1');
      await shot(page, `queue-search-${lang}`);
      expect(problems).toEqual([]);
      await page.close();
    });

    it(`device detail (${lang}): history with request ids, hash fields, actions`, async () => {
      const { page, problems } = await open(`screen=queue&lang=${lang}&n=10000&device=dev-8`);
      await page.getByTestId('detail-events').waitFor();
      await shot(page, `detail-${lang}`);
      await page.getByTestId('detail-events').scrollIntoViewIfNeeded();
      await shot(page, `detail-history-${lang}`);
      expect(problems).toEqual([]);
      await page.close();
    });

    it(`settings (${lang}): locked settings, device code shown large`, async () => {
      const { page, problems } = await open(
        `screen=settings&lang=${lang}&n=100&mode=tenant&auth=device-code&locked=tenantId,cloud`,
      );
      await page.getByTestId('sign-in').click();
      await page.getByTestId('device-code').waitFor();
      await shot(page, `settings-device-code-${lang}`);
      await page.evaluate(() =>
        (window as unknown as { __harness: { fake: { completeSignIn(): void } } }).__harness.fake.completeSignIn(),
      );
      await expect.poll(() => page.getByTestId('auth-state').textContent()).toContain('tech@contoso.com');
      await shot(page, `settings-signed-in-${lang}`);
      expect(problems).toEqual([]);
      await page.close();
    });

    it(`attention and shortcuts (${lang}, dark)`, async () => {
      const { page } = await open(`screen=queue&lang=${lang}&n=10000&theme=dark`);
      await page.getByTestId('queue-row').first().waitFor();
      await page.evaluate(() => {
        const h = (window as unknown as { __harness: { fake: { emit(n: string, p: unknown): void } } }).__harness;
        h.fake.emit('attention', {
          kind: 'device-needs-attention',
          deviceIds: ['dev-8'],
          message: 'PF1R3G8 808 ZtdDeviceAssignedToOtherTenant',
        });
        h.fake.emit('attention', { kind: 'batch-finished', deviceIds: [], message: '100 / 100' });
      });
      await page.getByTestId('toast-count').waitFor();
      expect(await page.getByTestId('toast-count').textContent()).toMatch(/2/);
      // The stack keeps the screen clear: the queue's rows end above it.
      await expect
        .poll(async () => {
          const rows = (await page.getByTestId('queue-viewport').boundingBox())!;
          const stack = (await page.getByTestId('toasts').boundingBox())!;
          return rows.y + rows.height <= stack.y + 1;
        })
        .toBe(true);
      await shot(page, `queue-dark-toasts-${lang}`);
      await page.getByTestId('toast-expand').click();
      expect(await page.getByTestId('toasts').locator('.toast').count()).toBe(2);
      await shot(page, `queue-dark-toasts-expanded-${lang}`);
      await page.getByTestId('toast-dismiss-all').click();
      expect(await page.getByTestId('toasts').locator('.toast').count()).toBe(0);
      await page.keyboard.press('F1');
      await page.getByTestId('shortcuts').waitFor();
      await shot(page, `shortcuts-dark-${lang}`);
      await page.close();
    });
  }

  // ---------- Fits the bench: every screen at three bench sizes, both languages, both themes ----------

  const SIZES = [
    { width: 1024, height: 768 },
    { width: 1280, height: 800 },
    { width: 1366, height: 768 },
    { width: 1920, height: 1080 },
  ] as const;
  /**
   * Four or more Latin words in a row: an English sentence. Codes (ZtdDeviceAssignedToOtherTenant), file names and
   * GUIDs are single words.
   */
  const LATIN_SENTENCE = /[A-Za-z]{2,}(?:[ ,.:;'()-]+[A-Za-z]{2,}){3,}/;

  async function inViewport(page: Page, testId: string): Promise<void> {
    const box = await page.getByTestId(testId).first().boundingBox();
    const vp = page.viewportSize()!;
    expect(box, `${testId} is on screen`).not.toBeNull();
    expect(box!.y + box!.height, `${testId} bottom inside ${vp.width}x${vp.height}`).toBeLessThanOrEqual(vp.height);
    expect(box!.x + box!.width, `${testId} right edge inside ${vp.width}x${vp.height}`).toBeLessThanOrEqual(vp.width);
    expect(box!.y).toBeGreaterThanOrEqual(0);
  }

  /** Text the technician must read in error areas; in Japanese none of it may be an English sentence. */
  async function englishInErrorAreas(page: Page): Promise<string[]> {
    const texts = await page
      .locator('.error-area, [role="alert"], [data-testid="error-advice"], .toast')
      .allTextContents();
    return texts.filter((x) => LATIN_SENTENCE.test(x));
  }

  for (const size of SIZES) {
    for (const lang of ['en', 'ja'] as const) {
      for (const theme of ['light', 'dark'] as const) {
        const tag = `${size.width}x${size.height}-${lang}-${theme}`;
        it(`bench fit ${tag}: capture, import, queue, settings, device`, async () => {
          const page = await browser.page({ viewport: size });
          const problems: string[] = [];
          page.on('pageerror', (e) => problems.push(e.message));
          const go = async (fragment: string) => {
            await page.goto('about:blank');
            await page.goto(`${harness.url}#${fragment}&lang=${lang}&theme=${theme}`);
          };

          // Capture with a device read and a mismatching hash: the group tag and the Queue button stay in view.
          await go('screen=capture&n=200');
          await page.getByTestId('read-this-device').click();
          await page.getByTestId('hash-file').setInputFiles({
            name: 'OA3.csv',
            mimeType: 'text/csv',
            buffer: csv([`PF4XK2QZ,,${hash('Contoso', 'Surface Laptop 6', 'PF9OTHER')},,`]),
          });
          await page.locator('[data-code="SERIAL_MISMATCH"]').waitFor();
          await inViewport(page, 'group-tag-input');
          await inViewport(page, 'queue-device');
          await page.getByTestId('group-tag-input').fill('Sales-Tokyo');
          await page.getByTestId('queue-device').click();
          // A device the station knows is wrong asks a second time, next to the button.
          await page.getByTestId('capture-confirm').waitFor();
          await inViewport(page, 'capture-confirm-yes');
          await shot(page, `fit-capture-confirm-${tag}`);
          await page.getByTestId('capture-confirm-yes').click();
          await page.getByTestId('capture-result').waitFor();
          expect(await page.getByTestId('capture-result').getAttribute('data-kind')).toBe('invalid');
          await inViewport(page, 'capture-result');
          // The findings stay until the technician moves on.
          expect(await page.locator('[data-code="SERIAL_MISMATCH"]').count()).toBe(1);
          await page.getByTestId('read-drop-folder').click();
          await page.getByTestId('drop-folder-result').waitFor();
          await shot(page, `fit-capture-${tag}`);
          if (lang === 'ja') expect(await englishInErrorAreas(page)).toEqual([]);

          // Import: a bad row, a file that is not a hash file.
          await go('screen=import&n=200');
          await page.getByTestId('import-files').setInputFiles([
            {
              name: 'batch-1.csv',
              mimeType: 'text/csv',
              buffer: csv([
                `SN1001,,${hash('Fabrikam', 'EliteBook 840 G11', 'SN1001')},Kiosk,`,
                `SN2001,,${hash('Litware', 'ThinkPad T14', 'SN9999')},,`,
                'SN1003,only-two',
              ]),
            },
            { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a hash file') },
          ]);
          await page.getByTestId('bad-rows').waitFor();
          await page.getByTestId('import-not-read').waitFor();
          expect(await page.getByTestId('import-not-read').textContent()).toContain('notes.txt');
          // Picking is over: the drop zone is not left highlighted.
          expect(
            await page
              .getByTestId('dropzone')
              .evaluate((el) => el.classList.contains('dragging') || el.contains(document.activeElement)),
          ).toBe(false);
          await inViewport(page, 'queue-good');
          await shot(page, `fit-import-${tag}`);
          if (lang === 'ja') expect(await englishInErrorAreas(page)).toEqual([]);

          // Queue, failed devices: serial, state and the whole advice, nothing cut.
          await go('screen=queue&n=400');
          await page.getByTestId('queue-row').first().waitFor();
          await page.getByTestId('queue-filter').selectOption('failed');
          await shot(page, `fit-queue-${tag}`);
          const cut = await page.locator('[data-testid="queue-row"]').evaluateAll((rows) => {
            const out: string[] = [];
            const viewport = document.querySelector('[data-testid="queue-viewport"]')!.getBoundingClientRect();
            for (const row of rows) {
              const r = row.getBoundingClientRect();
              if (r.bottom > viewport.bottom || r.top < viewport.top) continue; // only rows in view
              const cells = row.querySelectorAll('[role="gridcell"]');
              const serial = cells[1] as HTMLElement;
              const state = row.querySelector('.state-name') as HTMLElement;
              const advice = row.querySelector('.c-error') as HTMLElement;
              for (const [what, el] of [
                ['serial', serial],
                ['state', state],
                ['advice', advice],
              ] as const) {
                if (!el || el.getClientRects().length === 0) out.push(`${what} hidden`);
                else if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
                  out.push(`${what} cut: ${el.textContent}`);
              }
            }
            return out;
          });
          expect(cut).toEqual([]);
          if (lang === 'ja') expect(await englishInErrorAreas(page)).toEqual([]);

          // Device panel of an invalid device: its finding in the same words as on the Capture screen.
          await go('screen=queue&n=400&device=dev-3');
          await page.getByTestId('detail-findings').waitFor();
          await shot(page, `fit-detail-invalid-${tag}`);
          if (lang === 'ja') expect(await englishInErrorAreas(page)).toEqual([]);

          // Settings: a tenant id that is neither a GUID nor a domain is marked, said, and in view; selects are not
          // cut.
          await go('screen=settings&n=10&mode=tenant');
          await page.getByTestId('settings-tenant').fill('not a tenant');
          await page.getByTestId('save-settings').click();
          await page.getByTestId('settings-fix').waitFor();
          expect(await page.getByTestId('settings-tenant').getAttribute('aria-invalid')).toBe('true');
          await inViewport(page, 'settings-tenant-help');
          const selects = await page.locator('.settings-form select').evaluateAll((els) =>
            els.map((el) => {
              const s = el as HTMLSelectElement;
              const form = s.closest('form')!.getBoundingClientRect();
              const r = s.getBoundingClientRect();
              // The chosen option's text must fit: measure it with the select's font.
              const probe = document.createElement('span');
              probe.style.font = getComputedStyle(s).font;
              probe.style.position = 'absolute';
              probe.textContent = s.selectedOptions[0]?.textContent ?? '';
              document.body.append(probe);
              const need = probe.getBoundingClientRect().width;
              probe.remove();
              return { id: s.id, fits: r.right <= form.right + 1 && r.width >= need + 24 };
            }),
          );
          expect(selects.filter((x) => !x.fits)).toEqual([]);
          await shot(page, `fit-settings-${tag}`);
          if (lang === 'ja') expect(await englishInErrorAreas(page)).toEqual([]);
          expect(problems).toEqual([]);
          await page.close();
        });
      }
    }
  }
});

/**
 * At a bench's 1024×768 and 1366×768, with a toast up, the rows that failed are the first rows of the
 * queue, in view, and no toast lies over them. Screen harness (fake station, 400 devices) in Chromium.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCREENSHOT_DIR } from './support.ts';
import { harnessInChromium } from './harnessServer.ts';

const harness = harnessInChromium();

describe('what failed is in view, not under a toast', () => {
  for (const [lang, width] of [
    ['en', 1366],
    ['ja', 1024],
    ['en', 1024],
    ['ja', 1366],
  ] as const) {
    it(`${lang} at ${width}×768`, async () => {
      const page = await harness.newPage({ viewport: { width, height: 768 } });
      try {
        await page.goto(`${harness.url}#screen=queue&n=400&lang=${lang}`);
        await page.getByTestId('queue-row').first().waitFor();
        // A toast, as a scan from a button raises one ("Scanned serial …"), then back to the queue.
        await page.getByTestId('tab-queue').focus();
        const cdp = await page.context().newCDPSession(page);
        const t0 = Date.now() / 1000;
        for (const [i, ch] of [...'PF7TOAST', 'Enter'].entries()) {
          const enter = ch === 'Enter';
          const key = {
            key: ch,
            code: enter ? 'Enter' : /\d/.test(ch) ? `Digit${ch}` : `Key${ch}`,
            windowsVirtualKeyCode: enter ? 13 : ch.charCodeAt(0),
          };
          await cdp.send('Input.dispatchKeyEvent', {
            type: 'keyDown',
            ...key,
            text: enter ? '\r' : ch,
            timestamp: t0 + i * 0.01,
          });
          await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...key, timestamp: t0 + i * 0.01 + 0.002 });
        }
        await cdp.detach();
        await page.locator('.toast').first().waitFor();
        await page.keyboard.press('Alt+3');
        await page.getByTestId('queue-row').first().waitFor();
        const layout = await page.evaluate(() => {
          const toastTop = Math.min(
            ...[...document.querySelectorAll('.toasts > *')].map((t) => t.getBoundingClientRect().top),
            innerHeight,
          );
          const rows = [...document.querySelectorAll('[data-testid="queue-row"]')].map((r) => ({
            bottom: r.getBoundingClientRect().bottom,
            state: r.querySelector('[data-state]')?.getAttribute('data-state'),
          }));
          return { toastTop, rows };
        });
        const inView = layout.rows.filter((r) => r.bottom <= layout.toastTop);
        expect(inView.length).toBeGreaterThanOrEqual(3);
        // Every row in view above the toast is one that needs the technician (400 seeded: 120 failed, invalid or timed
        // out).
        for (const r of inView) expect(['failed', 'invalid', 'timed-out']).toContain(r.state);
        await page.screenshot({ path: path.join(SCREENSHOT_DIR, `hands-queue-toast-${lang}-${width}.png`) });
      } finally {
        await page.close();
      }
    }, 60_000);
  }
});

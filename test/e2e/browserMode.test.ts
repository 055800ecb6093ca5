import path from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, SCREENSHOT_DIR, startServedStation, type ServedStation } from './support.ts';

describe('browser mode in Chromium', () => {
  let station: ServedStation;
  let browser: Browser;

  beforeAll(async () => {
    station = await startServedStation();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await station?.stop();
  });

  it('loads the renderer, shows station.info() and takes the token out of the address bar', async () => {
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(station.url);
    await page.getByTestId('station-info').waitFor();
    expect(await page.getByTestId('info-mode').textContent()).toBe('Training');
    expect(await page.getByTestId('info-version').textContent()).toMatch(/^\d+\.\d+\.\d+/);
    expect(await page.getByTestId('training-banner').isVisible()).toBe(true);
    expect(page.url()).not.toContain('token=');
    const file = path.join(SCREENSHOT_DIR, 'skeleton-info.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file) && statSync(file).size > 5_000).toBe(true);
    expect(consoleErrors).toEqual([]);
  });

  it('keeps working after a reload: the session is an HttpOnly SameSite=Strict cookie the page cannot read, and the address carries no token', async () => {
    const page = await browser.newPage();
    await page.goto(station.url);
    await page.getByTestId('station-info').waitFor();
    expect(page.url()).toBe(`${station.origin}/`);
    const cookies = await page.context().cookies(station.origin);
    expect(cookies).toEqual([expect.objectContaining({ httpOnly: true, sameSite: 'Strict', path: '/' })]);
    expect(cookies[0]!.value).not.toBe(new URL(station.url).searchParams.get('token'));
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await page.evaluate(() => JSON.stringify({ ...sessionStorage }))).not.toContain(
      new URL(station.url).searchParams.get('token')!,
    );
    await page.reload();
    await page.getByTestId('station-info').waitFor();
  });

  it('a page without the session gets no data', async () => {
    const page = await browser.newPage();
    await page.goto(`${station.origin}/`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('no session');
  });
});

/**
 * Settings' "Check connection" in Chromium, in English and Japanese: the built renderer, the real
 * browser host and contract, msal-node and Graph over HTTPS against a simulated tenant that is first
 * good, then loses its Intune licence.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { createStation, type Station } from '../../src-main/app/createStation.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { trainingConnectionOf } from '../../src-main/tenant/trainingTenant.ts';
import { startSimulatedTenant, type SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';
import { openStationPage, SCREENSHOT_DIR } from './support.ts';

let sim: SimTenant;
let station: Station;
let screens: Awaited<ReturnType<typeof openStationPage>> | undefined;
let page: Page;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-check-e2e-'));
  const clock = scaledClock(20);
  sim = await startSimulatedTenant({ clock, timeScale: 20, scenario: 'training' });
  station = createStation({
    host: 'browser',
    dataDir,
    logger: silentLogger,
    clock,
    serialPort: { readSerials: async () => ({ system: 'PF3TRN01' }) },
    startTraining: async () => ({ ...trainingConnectionOf(sim), close: async () => {} }),
    queue: { worker: false },
  });
  screens = await openStationPage(station, silentLogger, { width: 1366, height: 1100 });
  page = screens.page;
  await page.keyboard.press('Alt+4');
}, 60_000);

afterAll(async () => {
  await screens?.close();
  await station?.close();
  await sim?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function runCheck(): Promise<void> {
  await page.getByTestId('check-run').click();
  await page.getByTestId('check-summary').waitFor({ timeout: 30_000 });
  await page.getByTestId('check-connection').scrollIntoViewIfNeeded();
}

describe('Check connection in Settings', () => {
  it('English, a good tenant: every check OK, with what was seen and no write', async () => {
    await page.getByTestId('language').selectOption('en');
    await runCheck();
    await expect.poll(() => page.getByTestId('check-summary').innerText()).toBe('Everything is ready for importing.');
    for (const id of ['authority', 'graph', 'clock', 'tenant', 'sign-in', 'permission', 'intune', 'features']) {
      expect(await page.getByTestId(`check-${id}`).getAttribute('data-status')).toBe('ok');
    }
    expect(await page.getByTestId('check-permission').innerText()).toContain(
      'DeviceManagementServiceConfig.ReadWrite.All (application)',
    );
    expect(await page.getByTestId('check-intune').innerText()).toMatch(/request-id [0-9a-f-]{36}/);
    expect(await page.getByTestId('check-requests').innerText()).toMatch(/to Graph \(0 writes\)/);
    await page.getByTestId('check-requests').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'check-connection-ok-en.png') });
  });

  it('Japanese, the tenant lost its Intune licence: the failure and what to do, in Japanese', async () => {
    sim.scenario.intuneLicensed = false;
    await page.getByTestId('language').selectOption('ja');
    await runCheck();
    await expect
      .poll(() => page.getByTestId('check-summary').innerText())
      .toBe('失敗した項目を直すまで、インポートは失敗します。');
    const intune = page.getByTestId('check-intune');
    expect(await intune.getAttribute('data-status')).toBe('failed');
    const text = await intune.innerText();
    expect(text).toContain('Intune ライセンスと読み取りアクセス');
    expect(text).toContain('有効な Microsoft Intune ライセンスがない');
    expect(text).toContain('Microsoft 365 管理センター');
    expect(await page.getByTestId('check-features').innerText()).toContain(
      '未確認: 先に「Intune ライセンスと読み取りアクセス」が成功する必要があります。',
    );
    expect(await page.getByTestId('check-sign-in').getAttribute('data-status')).toBe('ok');
    await page.getByTestId('check-requests').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'check-connection-no-licence-ja.png') });
  });

  it("the last check stays on show after the station's page is reloaded", async () => {
    await page.reload();
    await page.getByTestId('training-banner').waitFor();
    await page.keyboard.press('Alt+4');
    await expect.poll(() => page.getByTestId('check-intune').getAttribute('data-status')).toBe('failed');
    expect(await page.getByTestId('check-when').innerText()).toMatch(/^確認日時: /);
  });
});

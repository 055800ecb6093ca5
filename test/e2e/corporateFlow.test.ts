/**
 * Corporate identifiers as a technician meets them in training mode: the built renderer in Chromium,
 * the real browser host, queue, worker and corporate stage, msal-node signing in to the in-process
 * simulated tenant, Graph over HTTPS. The registration target is chosen in Settings like any setting.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { createStation, type Station } from '../../src-main/app/createStation.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { openStationPage, SCREENSHOT_DIR } from './support.ts';

let station: Station;
let screens: Awaited<ReturnType<typeof openStationPage>> | undefined;
let page: Page;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-corporate-e2e-'));
  station = createStation({
    host: 'browser',
    dataDir,
    logger: silentLogger,
    clock: scaledClock(40),
    serialPort: { readSerials: async () => ({ system: 'PF3TRN01' }) },
  });
  screens = await openStationPage(station, silentLogger, { width: 1366, height: 800 });
  page = screens.page;
}, 60_000);

afterAll(async () => {
  await screens?.close();
  await station?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('corporate identifiers, end to end in browser mode', () => {
  it('the target chosen in Settings applies: queued devices get both registrations, shown in the queue, the header and the device panel', async () => {
    await page.keyboard.press('Alt+4');
    // One box per target; the only one checked (Autopilot, the default) cannot be unchecked.
    const box = (target: string) => page.getByTestId(`registration-target-${target}`);
    expect(await box('autopilot').isChecked()).toBe(true);
    expect(await box('autopilot').isDisabled()).toBe(true);
    await box('corporate').check();
    expect(await box('autopilot').isDisabled()).toBe(false);
    await page.getByTestId('registration-targets').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'corporate-settings-targets.png') });
    await page.getByTestId('save-settings').click();
    await page.getByText('Settings saved.').waitFor();
    expect((await station.handlers.getSettings({})).registrationTargets).toEqual(['autopilot', 'corporate']);

    // What the capture and import screens send (their own flows are covered by trainingFlow.test.ts).
    const dev = (serialNumber: string, model?: string) => ({
      serialNumber,
      hardwareHash: encodeHardwareHash({ serialNumber, manufacturer: 'LENOVO', ...(model ? { model } : {}) }),
      source: { kind: 'file' as const, path: 'bench.csv' },
    });
    await station.handlers.queueDevices({
      devices: [dev('PF3CORP1', '21HD0042US'), dev('PF3CORP2', '21HD0042US'), dev('PF3NOMOD')],
      groupTag: 'Training',
    });

    await page.keyboard.press('Alt+3');
    const row = (serial: string) => page.getByTestId('queue-row').filter({ hasText: serial });
    await expect
      .poll(() => row('PF3CORP1').locator('[data-testid="corporate-badge"]').getAttribute('data-corporate-state'), {
        timeout: 30_000,
      })
      .toBe('done');
    await expect
      .poll(() => row('PF3NOMOD').locator('[data-testid="corporate-badge"]').getAttribute('data-corporate-state'), {
        timeout: 30_000,
      })
      .toBe('unavailable');
    await expect
      .poll(() => page.getByTestId('count-corporate').innerText(), { timeout: 30_000 })
      .toMatch(/Corp\. ID:\s*2 Added\s*·\s*1 Failed/);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'corporate-training-queue.png') });

    await row('PF3NOMOD').click();
    const panel = page.getByTestId('detail-corporate');
    await expect.poll(() => panel.innerText()).toContain('The hardware hash has no model');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'corporate-training-detail.png') });
  }, 90_000);
});

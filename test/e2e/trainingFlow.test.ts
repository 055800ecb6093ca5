/**
 * The whole station as a technician meets it in training mode: the built renderer in Chromium, the
 * real browser host and contract, the capture readers, the SQLite queue and its worker, msal-node
 * signing in to the in-process simulated tenant and Graph over HTTPS. Only time is faster: the
 * station and its training tenant share a clock running 40 times real time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { createStation, type Station } from '../../src-main/app/createStation.ts';
import { createLogger } from '../../src-main/kernel/logger.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { startBrowserHost, type BrowserHost } from '../../src-main/host/browserHost.ts';
import { browserModeDispatch, stationDropArea } from '../../src-main/host/browserConfinement.ts';
import { TRAINING_SAMPLES_DIR } from '../../src-main/sim/startSimulatedTenant.ts';
import { readZip } from '../support/readZip.ts';
import { launchChromium, SCREENSHOT_DIR } from './support.ts';

const OA3 = path.join(TRAINING_SAMPLES_DIR, 'OA3-PF3TRN01.xml');
const CSV = path.join(TRAINING_SAMPLES_DIR, 'training-devices.csv');

let station: Station;
let host: BrowserHost;
let browser: Browser;
let page: Page;
let dataDir: string;
// Every line the station logs during the run, at debug level: checked for secrets at the end.
const logLines: string[] = [];
const logger = createLogger((line) => logLines.push(line), {}, 'debug');

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-training-e2e-'));
  station = createStation({
    host: 'browser',
    dataDir,
    logger,
    clock: scaledClock(40),
    // This bench machine's firmware says PF3TRN01, the serial inside the training OA3.xml.
    serialPort: { readSerials: async () => ({ system: 'PF3TRN01' }) },
  });
  host = await startBrowserHost({
    dispatch: browserModeDispatch(station.handlers, { logger, dataDir }),
    bus: station.bus,
    staticDir: path.resolve('dist', 'renderer'),
    logger,
    port: 0,
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
  await page.goto(host.url);
  await page.getByTestId('training-banner').waitFor();
  // As a technician would: follow devices until ready to deploy (the profile is assigned), not only registered.
  await page.keyboard.press('Alt+4');
  await page.locator('#s-wait').selectOption('assigned');
  await page.getByTestId('save-settings').click();
  await page.getByText('Settings saved.').waitFor();
  if ((await station.handlers.getSettings({})).waitFor !== 'assigned')
    throw new Error('the waitFor setting was not saved');
  await page.keyboard.press('Alt+1');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await station?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOT_DIR, `training-${name}.png`) });
const count = async (which: 'ready' | 'waiting' | 'failed') =>
  Number(await page.getByTestId(`count-${which}`).innerText());

describe('training mode, end to end in browser mode', () => {
  it('captures this device: serial from the firmware, hash from its OA3.xml, queued under a group tag', async () => {
    await page.getByTestId('read-this-device').click();
    await expect.poll(() => page.getByTestId('serial-input').inputValue()).toBe('PF3TRN01');
    await page.getByTestId('hash-file').setInputFiles(OA3);
    await expect.poll(() => page.getByTestId('decoded-manufacturer').innerText()).toBe('LENOVO');
    await page.getByRole('button', { name: 'Training', exact: true }).click();
    await page.getByTestId('queue-device').click();
    await page.getByTestId('capture-result').waitFor();
    await expect.poll(() => count('waiting')).toBe(1);
    await shot('capture');
  });

  it('imports the samples folder: good rows queued, the bad row reported with its line, the captured device (also in the folder as OA3.xml) not queued again', async () => {
    await page.keyboard.press('Alt+2');
    await page.getByTestId('import-folder').setInputFiles(TRAINING_SAMPLES_DIR);
    const bad = page.getByTestId('bad-rows');
    await bad.waitFor();
    expect(await bad.innerText()).toMatch(/Line 8[\s\S]*NOMFR802[\s\S]*802/);
    await page.getByRole('button', { name: 'Training', exact: true }).click();
    await page.getByTestId('queue-good').click();
    // PF3TRN01 is in the folder twice (its OA3.xml and a CSV row): sent once, and already in the queue from Capture.
    expect(await page.getByTestId('also-in-row').innerText()).toMatch(/PF3TRN01[\s\S]*The same device as in/);
    await expect.poll(() => page.getByTestId('import-result').innerText()).toMatch(/5 queued, 1 already in the queue/);
    await shot('import');
  });

  it('follows every device to its end: ready to deploy (profile assigned), 806 counted as done, 808 failed with what to do', async () => {
    await page.keyboard.press('Alt+3');
    await expect.poll(() => count('waiting'), { timeout: 60_000, interval: 500 }).toBe(0);
    expect(await count('ready')).toBe(5);
    // The 808 device, and the row refused before upload (802), kept in the queue as invalid (everything captured is a
    // record).
    expect(await count('failed')).toBe(2);
    const rows = page.getByTestId('queue-row');
    const other = rows.filter({ hasText: 'MXL9808TRN' });
    expect(await other.innerText()).toMatch(/808[\s\S]*deregister/);
    expect(await rows.filter({ hasText: 'PF3REG01' }).innerText()).toMatch(/806/);
    expect(await rows.filter({ hasText: 'TRN-2024-17' }).innerText()).toMatch(/Ready to deploy/);
    await shot('queue-done');
    // The same facts in the queue database, read through the contract.
    const page1 = await station.handlers.listQueue({ offset: 0, limit: 50 });
    expect(page1.rows.map((r) => `${r.serialNumber}:${r.state}`).sort()).toEqual(
      [
        '5CG2041TRN:assigned',
        'MXL9808TRN:failed',
        'NOMFR802:invalid',
        'PF3REG01:already-registered',
        'PF3TRN01:assigned',
        'PF3TRN02:assigned',
        'TRN-2024-17:assigned',
      ].sort(),
    );
  }, 90_000);

  it('opens the failed device and shows its history and advice; the whole station reads in Japanese', async () => {
    await page.getByTestId('queue-row').filter({ hasText: 'MXL9808TRN' }).click();
    const detail = page.getByTestId('device-detail');
    await detail.waitFor();
    // The dialog opens at once and fills when getDevice answers: on a loaded machine it still says "Loading".
    await expect.poll(() => detail.innerText()).toMatch(/808/);
    await shot('detail-808');
    await page.keyboard.press('Escape');
    await page.getByTestId('language').selectOption('ja');
    await expect.poll(() => page.getByTestId('training-banner').innerText()).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    expect(await page.getByTestId('screen-queue').innerText()).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    // The 808 alert stays until dismissed, and is worded again in Japanese.
    expect(await page.getByTestId('toasts').innerText()).toContain('MXL9808TRN は対応が必要です');
    await shot('queue-ja');
  });

  it('reads the drop folder chosen in Settings: a file the OEM tool writes there shows up in Import files by itself', async () => {
    await page.getByTestId('language').selectOption('en');
    // Browser mode chooses drop folders inside the station's own drop area (or the admin's).
    const drop = path.join(stationDropArea(dataDir), 'oem-drop');
    fs.mkdirSync(drop);
    await page.keyboard.press('Alt+4');
    await page.locator('#s-drop').fill(drop);
    await page.getByTestId('save-settings').click();
    await expect.poll(async () => (await station.handlers.getSettings({})).dropFolder).toBe(drop);
    // Written the way OEM tools do: Windows PowerShell 5.1's UTF-16LE with BOM.
    const hash = encodeHardwareHash({ serialNumber: 'PF3DROP01', manufacturer: 'LENOVO', model: '21CB004LUS' });
    const csv = `Device Serial Number,Windows Product ID,Hardware Hash\r\nPF3DROP01,,${hash}\r\n`;
    fs.writeFileSync(
      path.join(drop, 'AutopilotHWID.csv'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, 'utf16le')]),
    );
    await page.keyboard.press('Alt+2');
    await expect
      .poll(() => page.getByTestId('import-files-table').innerText(), { timeout: 20_000, interval: 500 })
      .toMatch(/AutopilotHWID\.csv\s+1 good, 0 bad/);
    await shot('drop-folder');
  }, 30_000);

  it('saves diagnostics from Settings as a zip download, with the queue and without any full hardware hash', async () => {
    await page.keyboard.press('Alt+4');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-diagnostics').click()]);
    const zip = fs.readFileSync((await download.path())!);
    expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
    await expect.poll(() => page.getByTestId('diagnostics-result').innerText()).toMatch(/downloaded/);
    const entries = readZip(zip);
    expect(entries.get('queue.json')?.toString()).toContain('MXL9808TRN');
    const everything = [...entries.values()].map((b) => b.toString()).join('\n');
    const hash = fs.readFileSync(OA3, 'utf8').match(/<HardwareHash>([^<]+)</)![1]!;
    expect(everything).not.toContain(hash.slice(0, 120));
    await shot('support');
  });

  it('logged nothing secret: no session token, access or refresh token, certificate key or full hardware hash in any line', async () => {
    expect(logLines.length).toBeGreaterThan(20);
    const all = logLines.join('\n');
    const sessionToken = new URL(host.url).searchParams.get('token') ?? '';
    expect(sessionToken.length).toBeGreaterThan(20);
    expect(all).not.toContain(sessionToken);
    // JWTs (access and id tokens) start with a base64url JSON header.
    expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
    expect(all).not.toMatch(/refresh_token|BEGIN (RSA |EC )?PRIVATE KEY/);
    const files = [OA3, CSV].map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    const hashes = files.match(/[A-Za-z0-9+/=]{400,}/g) ?? [];
    expect(hashes.length).toBeGreaterThanOrEqual(7);
    for (const h of hashes) expect(all).not.toContain(h.slice(0, 100));
  });
});

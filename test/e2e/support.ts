import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Station } from '../../src-main/app/createStation.ts';
import { startBrowserHost } from '../../src-main/host/browserHost.ts';
import { createDispatcher } from '../../src-main/ipc/dispatch.ts';
import type { Logger } from '../../src-main/kernel/logger.ts';

export const SCREENSHOT_DIR = path.resolve('test-results', 'screenshots');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium, headless, with the flags that keep it off the (closed) network. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH} (apt-get install -y chromium).`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

/**
 * One Chromium for a whole test file that comes back when it goes away: a browser process that
 * crashes (or is killed by a loaded machine) fails the test it was in, not every test after it.
 */
export function relaunchingChromium(): {
  page(options?: Parameters<Browser['newPage']>[0]): Promise<Page>;
  relaunches(): number;
  close(): Promise<void>;
} {
  let browser: Promise<Browser> | undefined;
  let relaunches = 0;
  const current = async (): Promise<Browser> => {
    if (browser) {
      const b = await browser.catch(() => undefined);
      if (b?.isConnected()) return b;
      relaunches++;
    }
    browser = launchChromium();
    return browser;
  };
  return {
    page: async (options) => (await current()).newPage(options),
    relaunches: () => relaunches,
    close: async () => {
      const b = await browser?.catch(() => undefined);
      await b?.close();
    },
  };
}

export interface ServedStation {
  url: string;
  origin: string;
  dataDir: string;
  process: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

/** `autopilot-station serve` as a real child process, exactly as `npm run serve` starts it. */
export async function startServedStation(
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<ServedStation> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'station-e2e-'));
  const child = spawn(process.execPath, ['bin/autopilot-station.js', 'serve', '--json', ...extraArgs], {
    env: { ...process.env, STATION_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (c) => (err += c));
  const first = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start in 60 s: ${err}`)), 60_000);
    child.stdout!.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  const { url, origin } = JSON.parse(first) as { url: string; origin: string };
  return {
    url,
    origin,
    dataDir,
    process: child,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * An in-process station's screens in Chromium: the real browser host over the station's contract, the
 * built renderer, a page at `viewport` once the training banner shows. `close` ends page, browser and host.
 */
export async function openStationPage(
  station: Station,
  logger: Logger,
  viewport: { width: number; height: number },
): Promise<{ page: Page; close(): Promise<void> }> {
  const host = await startBrowserHost({
    dispatch: createDispatcher(station.handlers, logger),
    bus: station.bus,
    staticDir: path.resolve('dist', 'renderer'),
    logger,
    port: 0,
  });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport });
  await page.goto(host.url);
  await page.getByTestId('training-banner').waitFor();
  return {
    page,
    close: async () => {
      await browser.close();
      await host.close();
    },
  };
}

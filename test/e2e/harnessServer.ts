import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

/**
 * Builds the screen harness (vite.harness.config.ts) and serves it on loopback; module scripts need http, not file://.
 */
export async function serveHarness(): Promise<{ url: string; close: () => Promise<void> }> {
  await build({ configFile: path.resolve('vite.harness.config.ts'), logLevel: 'warn' });
  const root = path.resolve('dist/harness');
  const server: Server = createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (rel === '/favicon.ico') return void res.writeHead(204).end();
    const file = path.join(root, rel);
    if (!file.startsWith(root)) return void res.writeHead(403).end();
    readFile(file).then(
      (body) =>
        res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/dev/harness.html`, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * The screen harness served and one Chromium launched for a test file (vitest's beforeAll/afterAll registered
 * here): `url` and `newPage` are ready inside the file's tests, and both are closed after them.
 */
export function harnessInChromium(): {
  readonly url: string;
  newPage(options?: Parameters<Browser['newPage']>[0]): Promise<Page>;
} {
  let browser: Browser | undefined;
  let harness: Awaited<ReturnType<typeof serveHarness>> | undefined;
  beforeAll(async () => {
    harness = await serveHarness();
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });
  return {
    get url() {
      if (!harness) throw new Error('the harness is served in beforeAll: use it inside a test');
      return harness.url;
    },
    newPage(options) {
      if (!browser) throw new Error('Chromium is launched in beforeAll: use it inside a test');
      return browser.newPage(options);
    },
  };
}

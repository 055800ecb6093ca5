import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'vite';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

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
      (body) => res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/dev/harness.html`, close: () => new Promise((r) => server.close(() => r())) };
}

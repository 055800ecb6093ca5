/**
 * Browser mode across restarts: `serve` reuses its last port and session token when the port is
 * free (an open tab keeps working, with its theme and language, which the browser keeps per
 * address), and takes another port with a new token when it is not. Real HTTP on loopback.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStation } from '../../src-main/app/createStation.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { startBrowserMode } from '../../src-main/cli/serveCommand.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function run(dataDir: string) {
  const station = createStation({ host: 'browser', dataDir, logger: silentLogger, queue: { worker: false }, serialPort: { readSerials: async () => ({ system: 'X' }) } });
  const host = await startBrowserMode({ station, logger: silentLogger, dataDir, staticDir: path.join(dataDir, 'none') });
  return { station, host, stop: async () => (await host.close(), await station.close()) };
}

const info = (origin: string, token: string) => fetch(`${origin}/api/call/getInfo`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, Origin: origin, 'Content-Type': 'application/json' }, body: '{}' });

describe('browser mode across restarts', () => {
  it('comes back on the same address with the same session, so an open tab keeps working', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-restart-'));
    dirs.push(dataDir);
    const a = await run(dataDir);
    const { origin, token } = a.host;
    expect((await info(origin, token)).status).toBe(200);
    await a.stop();
    expect(fs.statSync(path.join(dataDir, 'browser-mode.json')).mode & 0o077).toBe(0);
    const b = await run(dataDir);
    expect(b.host.origin).toBe(origin);
    expect((await info(origin, token)).status).toBe(200);
    await b.stop();
  });

  it('takes another port and a new session when the last one is in use', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-restart-'));
    dirs.push(dataDir);
    const a = await run(dataDir);
    const { port, token } = a.host;
    await a.stop();
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', () => r()));
    const b = await run(dataDir);
    expect(b.host.port).not.toBe(port);
    expect(b.host.token).not.toBe(token);
    expect((await info(b.host.origin, token)).status).toBe(401);
    await b.stop();
    squatter.close();
  });
});

/**
 * Browser mode across restarts: `serve` reuses its last port when it is free (an open tab keeps its
 * address, theme and language, which the browser keeps per address) and takes another port when it
 * is not; the session is new at every start and never written to disk, so the last run's token and
 * cookie open nothing, and the tab reconnects once the new address was opened in its browser (the
 * cookie jar is shared by the tabs of a browser). Real HTTP on loopback.
 */
import fs from 'node:fs';
import http from 'node:http';
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
  const station = createStation({
    host: 'browser',
    dataDir,
    logger: silentLogger,
    queue: { worker: false },
    serialPort: { readSerials: async () => ({ system: 'X' }) },
  });
  const host = await startBrowserMode({
    station,
    logger: silentLogger,
    dataDir,
    staticDir: path.join(dataDir, 'none'),
  });
  return { station, host, stop: async () => (await host.close(), await station.close()) };
}

/**
 * One request on a connection of its own (a restarted server on the same port must not meet a pooled socket of the last
 * run).
 */
function send(url: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; json: () => unknown }>((resolve, reject) => {
    const req = http.request(url, { method: o.method ?? 'GET', headers: o.headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: () => JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}
const info = (origin: string, auth: { token?: string; cookie?: string | undefined }) =>
  send(`${origin}/api/call/getInfo`, {
    method: 'POST',
    headers: {
      ...(auth.token ? { Authorization: `Bearer ${auth.token}` } : {}),
      ...(auth.cookie ? { Cookie: auth.cookie } : {}),
      Origin: origin,
      'Content-Type': 'application/json',
    },
    body: '{}',
  });
/**
 * Opens the printed address as a browser does (typed or pasted; the redirect not followed): the session cookie it sets.
 */
const openAddress = async (url: string) => {
  const res = await send(url, { headers: { 'Sec-Fetch-Site': 'none' } });
  expect(res.status).toBe(303);
  return res.headers['set-cookie']?.[0]?.split(';')[0];
};

describe('browser mode across restarts', () => {
  it('comes back on the same address with a new session: the old cookie and token open nothing, the new address gives the open tab a session again', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-restart-'));
    dirs.push(dataDir);
    const a = await run(dataDir);
    const { origin, token } = a.host;
    const cookie = await openAddress(a.host.url);
    expect(cookie).toBeDefined();
    expect((await info(origin, { cookie })).status).toBe(200);
    await a.stop();
    const saved = fs.readFileSync(path.join(dataDir, 'browser-mode.json'), 'utf8');
    expect(fs.statSync(path.join(dataDir, 'browser-mode.json')).mode & 0o077).toBe(0);
    // Only the port is remembered: no token on disk.
    expect(JSON.parse(saved)).toEqual({ port: a.host.port });
    expect(saved).not.toContain(token);
    const b = await run(dataDir);
    expect(b.host.origin).toBe(origin);
    expect(b.host.token).not.toBe(token);
    expect(b.host.url).not.toContain(token);
    // The open tab's cookie and the old address are refused: the tab says "open the new address".
    const refused = await info(origin, { cookie });
    expect(refused.status).toBe(401);
    expect((refused.json() as { error: { code: string } }).error.code).toBe('SESSION_TOKEN_MISSING');
    expect(await openAddress(a.host.url)).toBeUndefined();
    // The technician opens the new address in the same browser: the tab's next call carries the new cookie.
    const renewed = await openAddress(b.host.url);
    expect((await info(origin, { cookie: renewed })).status).toBe(200);
    await b.stop();
  });

  it('a token an earlier version saved in browser-mode.json is never used again, and is dropped from the file', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-restart-'));
    dirs.push(dataDir);
    const a = await run(dataDir);
    const port = a.host.port;
    await a.stop();
    const old = 'A'.repeat(43);
    fs.writeFileSync(path.join(dataDir, 'browser-mode.json'), JSON.stringify({ port, token: old }), { mode: 0o600 });
    const b = await run(dataDir);
    expect(b.host.port).toBe(port);
    expect(b.host.token).not.toBe(old);
    expect((await info(b.host.origin, { token: old })).status).toBe(401);
    expect(fs.readFileSync(path.join(dataDir, 'browser-mode.json'), 'utf8')).not.toContain(old);
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
    expect((await info(b.host.origin, { token })).status).toBe(401);
    await b.stop();
    squatter.close();
  });
});

import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStation } from '../../src-main/app/createStation.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { sessionCookieName, startBrowserHost, type BrowserHost } from '../../src-main/host/browserHost.ts';
import { createDispatcher } from '../../src-main/ipc/dispatch.ts';

/** Raw requests: fetch() would not let us forge Host headers. */
function request(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

describe('browser host', () => {
  let host: BrowserHost;
  const station = createStation({ host: 'browser', dataDir: '/nonexistent', logger: silentLogger });
  const staticDir = mkdtempSync(path.join(os.tmpdir(), 'station-static-'));
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>');

  beforeAll(async () => {
    host = await startBrowserHost({
      dispatch: createDispatcher(station.handlers, silentLogger),
      bus: station.bus,
      staticDir,
      logger: silentLogger,
    });
  });
  afterAll(async () => host.close());

  const call = (headers: Record<string, string>, body = '{}') =>
    request(host.port, {
      method: 'POST',
      path: '/api/call/getInfo',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    });
  const good = () => ({ Authorization: `Bearer ${host.token}`, Origin: host.origin });

  it('listens on 127.0.0.1 with a long random launch token in the printed address', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.token.length).toBeGreaterThanOrEqual(40);
    expect(host.url).toBe(`${host.origin}/?token=${host.token}`);
  });

  /**
   * Opens the printed address as a browser would (typed or pasted: Sec-Fetch-Site none); the session cookie it got, if
   * any.
   */
  const open = async (pathWithQuery: string, headers: Record<string, string> = {}) => {
    const r = await request(host.port, { path: pathWithQuery, headers: { 'Sec-Fetch-Site': 'none', ...headers } });
    const set = r.headers['set-cookie']?.[0];
    return { ...r, setCookie: set, cookie: set ? set.split(';')[0]! : undefined };
  };

  it("exchanges the address's token for an HttpOnly SameSite=Strict cookie and redirects to the bare address (no token in the address bar or history entry it lands on)", async () => {
    const r = await open(`/?token=${host.token}`);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.setCookie).toMatch(
      new RegExp(`^${sessionCookieName(host.port)}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/$`),
    );
    // The cookie is a session id of its own, not the token: the token never reaches the page.
    expect(r.cookie).not.toContain(host.token);
    // The cookie opens calls and the event stream; nothing else is needed.
    const call = await request(host.port, {
      method: 'POST',
      path: '/api/call/getInfo',
      headers: { Cookie: r.cookie!, Origin: host.origin, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(call.status).toBe(200);
    const events = await new Promise<number>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port: host.port, path: '/api/events', headers: { Cookie: r.cookie! } },
        (res) => {
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', reject);
    });
    expect(events).toBe(200);
    // Each opening gets a session of its own (another browser, a private window).
    expect((await open(`/?token=${host.token}`)).cookie).not.toBe(r.cookie);
  });

  it("a wrong token, a forged cookie, a token in the event stream's query or a cross-site navigation get no session", async () => {
    const wrong = await open(`/?token=${host.token}x`);
    expect(wrong.status).toBe(303);
    expect(wrong.headers.location).toBe('/');
    expect(wrong.setCookie).toBeUndefined();
    expect((await open(`/?token=${host.token}`, { 'Sec-Fetch-Site': 'cross-site' })).setCookie).toBeUndefined();
    const forged = `${sessionCookieName(host.port)}=${host.token}`;
    expect((await call({ Origin: host.origin, Cookie: forged })).status).toBe(401);
    expect((await request(host.port, { path: `/api/events?token=${host.token}` })).status).toBe(401);
    // Another station's cookie (another port) is not this one's.
    const mine = (await open(`/?token=${host.token}`)).cookie!;
    expect(
      (
        await call({
          Origin: host.origin,
          Cookie: mine.replace(sessionCookieName(host.port), sessionCookieName(host.port + 1)),
        })
      ).status,
    ).toBe(401);
  });

  it("a restart ends every session: the last run's token and cookie open nothing on the same port", async () => {
    const dispatch = createDispatcher(station.handlers, silentLogger);
    const first = await startBrowserHost({ dispatch, bus: station.bus, staticDir, logger: silentLogger });
    const exchanged = await request(first.port, {
      path: `/?token=${first.token}`,
      headers: { 'Sec-Fetch-Site': 'none' },
    });
    const cookie = exchanged.headers['set-cookie']![0]!.split(';')[0]!;
    const ask = (port: number, headers: Record<string, string>) =>
      request(port, {
        method: 'POST',
        path: '/api/call/getInfo',
        headers: { Origin: `http://127.0.0.1:${port}`, 'Content-Type': 'application/json', ...headers },
        body: '{}',
      });
    expect((await ask(first.port, { Cookie: cookie })).status).toBe(200);
    await first.close();
    const second = await startBrowserHost({
      dispatch,
      bus: station.bus,
      staticDir,
      logger: silentLogger,
      port: first.port,
    });
    try {
      expect(second.port).toBe(first.port);
      expect(second.token).not.toBe(first.token);
      expect((await ask(second.port, { Cookie: cookie })).status).toBe(401);
      expect((await ask(second.port, { Authorization: `Bearer ${first.token}` })).status).toBe(401);
      const again = await request(second.port, {
        path: `/?token=${first.token}`,
        headers: { 'Sec-Fetch-Site': 'none' },
      });
      expect(again.headers['set-cookie']).toBeUndefined();
      // The new address gives a session the open tab's browser then sends with every call.
      const fresh = await request(second.port, {
        path: `/?token=${second.token}`,
        headers: { 'Sec-Fetch-Site': 'none' },
      });
      expect((await ask(second.port, { Cookie: fresh.headers['set-cookie']![0]!.split(';')[0]! })).status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('answers a call with the right token, Origin and Host', async () => {
    const r = await call(good());
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ ok: true, value: { name: 'Autopilot Station', host: 'browser' } });
  });

  it('refuses calls without a token or with a wrong one (401)', async () => {
    expect((await call({ Origin: host.origin })).status).toBe(401);
    expect((await call({ Origin: host.origin, Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await call({ Origin: host.origin, Authorization: `Bearer ${host.token}x` })).status).toBe(401);
    expect((await request(host.port, { path: '/api/events' })).status).toBe(401);
  });

  it('refuses a foreign Origin, a missing Origin on POST and cross-site fetches (403)', async () => {
    expect((await call({ ...good(), Origin: 'http://evil.example' })).status).toBe(403);
    expect((await call({ ...good(), Origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect((await call({ Authorization: `Bearer ${host.token}` })).status).toBe(403);
    expect((await call({ ...good(), 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
  });

  it('refuses a foreign Host header, as a DNS-rebinding page would send (403)', async () => {
    const r = await call({ ...good(), Host: `evil.example:${host.port}` });
    expect(r.status).toBe(403);
    const page = await request(host.port, { path: '/', headers: { Host: 'attacker.test' } });
    expect(page.status).toBe(403);
  });

  it('parses input with the contract: bad JSON and bad shapes are clear errors', async () => {
    const notJson = await call(good(), '{not json');
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body).error.code).toBe('INPUT_NOT_JSON');
    const badShape = await call(good(), '{"unexpected":true}');
    expect(JSON.parse(badShape.body)).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID' } });
    const unknown = await request(host.port, {
      method: 'POST',
      path: '/api/call/noSuchCall',
      headers: good(),
      body: '{}',
    });
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'CALL_UNKNOWN' } });
  });

  it('serves the renderer with a strict CSP and never outside its folder', async () => {
    const page = await request(host.port, { path: '/' });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe-eval');
    expect((await request(host.port, { path: '/../../etc/passwd' })).status).toBe(404);
    expect((await request(host.port, { path: '/%2e%2e/%2e%2e/etc/passwd' })).status).toBe(404);
  });

  it('pushes contract events over server-sent events to session holders', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port: host.port, path: '/api/events', headers: { Authorization: `Bearer ${host.token}` } },
        (res) => {
          expect(res.statusCode).toBe(200);
          let buffer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => {
            buffer += chunk;
            if (buffer.includes('data: ')) {
              req.destroy();
              resolve(buffer);
            } else {
              station.bus.emit('queueChanged', { deviceIds: ['d1'], at: '2026-01-01T00:00:00.000Z' });
            }
          });
        },
      );
      req.on('error', reject);
    });
    const line = received.split('\n').find((l) => l.startsWith('data: '))!;
    expect(JSON.parse(line.slice(6))).toEqual({
      name: 'queueChanged',
      payload: { deviceIds: ['d1'], at: '2026-01-01T00:00:00.000Z' },
    });
  });

  it('refuses to bind anywhere but loopback', async () => {
    for (const bad of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      await expect(
        startBrowserHost({
          dispatch: createDispatcher(station.handlers, silentLogger),
          bus: station.bus,
          staticDir,
          logger: silentLogger,
          host: bad,
        }),
      ).rejects.toMatchObject({ code: 'HOST_NOT_LOOPBACK' });
    }
  });
});

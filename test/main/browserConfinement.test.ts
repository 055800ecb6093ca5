import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStation, type Station } from '../../src-main/app/createStation.ts';
import { createLogger } from '../../src-main/kernel/logger.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { browserModeDispatch, isInside, stationDropArea } from '../../src-main/host/browserConfinement.ts';
import { refusalLog, startBrowserHost, type BrowserHost } from '../../src-main/host/browserHost.ts';

/**
 * Browser mode over real HTTP: whoever holds the session token may read files only inside the drop
 * folder, may choose a drop folder only inside the allowed roots, and every refusal is logged.
 */
describe('browser mode cannot probe the disk', () => {
  let dataDir: string;
  let outside: string;
  let station: Station;
  let host: BrowserHost;
  const logged: { message: string; fields?: Record<string, unknown> }[] = [];
  const csv = (serial: string) =>
    `Device Serial Number,Windows Product ID,Hardware Hash\r\n${serial},,${encodeHardwareHash({ serialNumber: serial, manufacturer: 'LENOVO', model: '21CB' })}\r\n`;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-confine-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'station-outside-'));
    fs.writeFileSync(path.join(outside, 'secret.csv'), csv('OUTSIDE01'));
    const logger = createLogger((_line, record) => logged.push(record));
    station = createStation({
      host: 'browser',
      dataDir,
      logger,
      serialPort: { readSerials: async () => ({ system: 'PF3CONF01' }) },
      queue: { worker: false },
    });
    const staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-static-'));
    host = await startBrowserHost({
      dispatch: browserModeDispatch(station.handlers, {
        logger,
        dataDir,
        adminDropFolder: path.join(outside, 'admin-drop'),
      }),
      bus: station.bus,
      staticDir,
      logger,
    });
  });
  afterAll(async () => {
    await host.close();
    await station.close();
  });

  const call = async (name: string, input: unknown) => {
    const r = await fetch(`${host.origin}/api/call/${name}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${host.token}`, Origin: host.origin, 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    });
    expect(r.status).toBe(200);
    return (await r.json()) as {
      ok: boolean;
      value?: unknown;
      error?: { code: string; params?: Record<string, unknown> };
    };
  };

  it('refuses readFiles and a hash file path outside the drop folder, with a code, its params and a log line', async () => {
    const secret = path.join(outside, 'secret.csv');
    const missing = path.join(outside, 'no-such-file.csv');
    for (const p of [secret, missing, '/etc/passwd']) {
      const r = await call('readFiles', { paths: [p] });
      // Same answer whether the file exists or not: nothing learnt about the disk.
      expect(r).toMatchObject({
        ok: false,
        error: { code: 'PATH_NOT_ALLOWED', params: { call: 'readFiles', path: p, allowed: '' } },
      });
    }
    const capture = await call('captureThisDevice', { hashFilePath: secret });
    expect(capture).toMatchObject({
      ok: false,
      error: { code: 'PATH_NOT_ALLOWED', params: { call: 'captureThisDevice', setting: 'hashFilePath' } },
    });
    const lines = logged.filter((l) => l.message.startsWith('browser call refused'));
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines[0]!.fields).toMatchObject({ call: 'readFiles', path: secret, host: 'browser' });
  });

  it('refuses a drop folder outside the allowed roots and a new certificate path; keeps unchanged and cleared values', async () => {
    const bad = await call('updateSettings', { patch: { dropFolder: outside } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'PATH_NOT_ALLOWED', params: { setting: 'dropFolder' } } });
    expect(String(bad.error!.params!.allowed)).toContain(stationDropArea(dataDir));
    // "..": written inside, resolves outside.
    const dotdot = await call('updateSettings', {
      patch: { dropFolder: path.join(stationDropArea(dataDir), '..', '..') },
    });
    expect(dotdot.error?.code).toBe('PATH_NOT_ALLOWED');
    const cert = await call('updateSettings', { patch: { certificatePath: path.join(outside, 'bench.pfx') } });
    expect(cert).toMatchObject({
      ok: false,
      error: { code: 'PATH_NOT_ALLOWED', params: { setting: 'certificatePath' } },
    });
    // The shared training tenant's CA file is refused the same way (a path anywhere on the disk).
    const ca = await call('updateSettings', {
      patch: { tenantUrl: 'https://trainer-pc:8443', caFile: path.join(outside, 'sim-ca.pem') },
    });
    expect(ca).toMatchObject({ ok: false, error: { code: 'PATH_NOT_ALLOWED', params: { setting: 'caFile' } } });
    expect((await station.handlers.getSettings({})).dropFolder).toBeUndefined();
    // The settings screen sends every field: empty paths and other settings pass.
    expect(
      await call('updateSettings', { patch: { dropFolder: '', certificatePath: '', defaultGroupTag: 'Bench' } }),
    ).toMatchObject({ ok: true });
  });

  it('accepts a drop folder in the station drop area or the admin one, then reads files inside it and nothing else', async () => {
    const drop = path.join(stationDropArea(dataDir), 'oem');
    fs.mkdirSync(drop, { recursive: true });
    expect(
      await call('updateSettings', { patch: { dropFolder: path.join(outside, 'admin-drop', 'line2') } }),
    ).toMatchObject({ ok: true });
    expect(await call('updateSettings', { patch: { dropFolder: drop } })).toMatchObject({
      ok: true,
      value: { dropFolder: drop },
    });
    fs.writeFileSync(path.join(drop, 'hwid.csv'), csv('PF3CONF01'));
    const inside = await call('readFiles', { paths: [path.join(drop, 'hwid.csv')] });
    expect(inside).toMatchObject({ ok: true, value: [{ devices: [{ serialNumber: 'PF3CONF01' }] }] });
    const captured = await call('captureThisDevice', { hashFilePath: path.join(drop, 'hwid.csv') });
    expect(captured.ok).toBe(true);
    // Escapes: "..", a sibling whose name starts like the folder, and a link inside the folder pointing out.
    fs.symlinkSync(path.join(outside, 'secret.csv'), path.join(drop, 'link.csv'));
    for (const p of [
      path.join(drop, '..', '..', '..', path.basename(outside), 'secret.csv'),
      `${drop}-other/x.csv`,
      path.join(drop, 'link.csv'),
    ]) {
      expect((await call('readFiles', { paths: [p] })).error?.code, p).toBe('PATH_NOT_ALLOWED');
    }
    // Uploaded files carry their bytes, not a path: always read.
    const uploaded = await call('readFileContents', {
      files: [{ name: 'up.csv', base64: Buffer.from(csv('UPLOAD01')).toString('base64') }],
    });
    expect(uploaded).toMatchObject({ ok: true, value: [{ devices: [{ serialNumber: 'UPLOAD01' }] }] });
  });

  it('logs refused requests at the door (token, origin), without the token', async () => {
    await fetch(`${host.origin}/api/call/getInfo`, {
      method: 'POST',
      headers: { Authorization: 'Bearer wrong-token-value', Origin: host.origin },
      body: '{}',
    });
    const line = logged.find((l) => l.message === 'browser request refused');
    expect(line?.fields).toMatchObject({ code: 'SESSION_TOKEN_MISSING', path: '/api/call/getInfo', method: 'POST' });
    expect(JSON.stringify(logged)).not.toContain(host.token);
    expect(JSON.stringify(logged)).not.toContain('wrong-token-value');
  });
});

describe('isInside', () => {
  it('judges folders as written and after links are followed', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'station-inside-'));
    expect(isInside(root, path.join(root, 'a', 'b.csv'), false)).toBe(true);
    expect(isInside(root, root, false)).toBe(false);
    expect(isInside(root, root, true)).toBe(true);
    expect(isInside(root, path.join(root, '..', 'x'), true)).toBe(false);
    expect(isInside(root, `${root}-sibling`, true)).toBe(false);
    fs.mkdirSync(path.join(root, '..inner'));
    expect(isInside(root, path.join(root, '..inner', 'x.csv'), false)).toBe(true);
    expect(isInside(root, 'relative/x.csv', true)).toBe(false);
    fs.symlinkSync(os.tmpdir(), path.join(root, 'up'));
    expect(isInside(root, path.join(root, 'up', 'new-file.csv'), false)).toBe(false);
  });
});

describe('refusal log', () => {
  it('logs at most 20 refusals a minute, then how many it did not log one by one', () => {
    const lines: { message: string; fields?: Record<string, unknown> }[] = [];
    let now = 0;
    const log = refusalLog(
      createLogger((_l, r) => lines.push(r)),
      20,
      () => now,
    );
    const req = {
      method: 'POST',
      url: '/api/call/readFiles?x=1',
      headers: { host: '127.0.0.1:1', origin: 'http://evil.example' },
    };
    for (let i = 0; i < 25; i++) log.note('ORIGIN_REFUSED', req);
    expect(lines).toHaveLength(20);
    expect(lines[0]!.fields).toEqual({
      code: 'ORIGIN_REFUSED',
      method: 'POST',
      path: '/api/call/readFiles',
      host: '127.0.0.1:1',
      origin: 'http://evil.example',
    });
    now = 60_000;
    log.note('HOST_REFUSED', req);
    expect(lines.slice(20).map((l) => [l.message, l.fields?.count ?? l.fields?.code])).toEqual([
      ['browser requests refused (not logged one by one)', 5],
      ['browser request refused', 'HOST_REFUSED'],
    ]);
  });
});

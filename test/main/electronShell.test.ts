import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// The electron module is replaced by a test double: these tests read what our code asks Electron for.
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: { invoke: vi.fn(), on: vi.fn(), removeListener: vi.fn() },
}));

import { createStation } from '../../src-main/app/createStation.ts';
import { createLogger, silentLogger } from '../../src-main/kernel/logger.ts';
import { CALL_CHANNEL_PREFIX, EVENT_CHANNEL, callNames } from '../../src-main/contract/contract.ts';
import { createDispatcher } from '../../src-main/ipc/dispatch.ts';
import { createSenderCheck, registerIpcHandlers, type SenderFacts } from '../../src-main/ipc/registerIpc.ts';
import { buildBridge } from '../../src-main/preload.ts';
import {
  APP_ENTRY,
  createMainWindow,
  isAllowedExternalUrl,
  isAllowedPageRequest,
  isLoopbackHttpsUrl,
  lockDownContents,
  lockDownSession,
  mainWindowOptions,
} from '../../src-main/window.ts';
import { createAppProtocolHandler } from '../../src-main/appProtocol.ts';
import { CONTENT_SECURITY_POLICY } from '../../src-main/kernel/csp.ts';

type Handler = (event: unknown, input: unknown) => unknown;

function fakeIpcMain() {
  const handlers = new Map<string, Handler>();
  return {
    handlers,
    handle: (channel: string, fn: Handler) => void handlers.set(channel, fn),
    removeHandler: (channel: string) => void handlers.delete(channel),
  };
}

const trusted = (overrides: Partial<SenderFacts> = {}): SenderFacts => ({
  sender: { id: 7 },
  senderFrame: { url: 'app://station/index.html', parent: null },
  ...overrides,
});

describe('ipc registration', () => {
  const station = createStation({ host: 'electron', dataDir: '/x', logger: silentLogger });
  const ipc = fakeIpcMain();
  const check = createSenderCheck(() => new Set([7]));
  const logged: string[] = [];
  registerIpcHandlers(
    ipc as never,
    createDispatcher(station.handlers, silentLogger),
    check,
    createLogger((line) => logged.push(line)),
  );

  it('registers exactly one channel per contract call', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual(callNames.map((n) => `${CALL_CHANNEL_PREFIX}${n}`).sort());
  });

  it('answers the top frame of our window on app://station', async () => {
    const r = await ipc.handlers.get(`${CALL_CHANNEL_PREFIX}getInfo`)!(trusted(), {});
    expect(r).toMatchObject({ ok: true, value: { host: 'electron' } });
  });

  it('refuses subframes, other windows, other origins and missing frames before parsing input', async () => {
    const handler = ipc.handlers.get(`${CALL_CHANNEL_PREFIX}getInfo`)!;
    const cases: SenderFacts[] = [
      trusted({ senderFrame: { url: 'app://station/index.html', parent: {} } }),
      trusted({ sender: { id: 8 } }),
      trusted({ senderFrame: { url: 'https://evil.example/', parent: null } }),
      trusted({ senderFrame: { url: 'file:///C:/index.html', parent: null } }),
      trusted({ senderFrame: { url: 'not a url', parent: null } }),
      trusted({ senderFrame: null }),
    ];
    for (const event of cases) {
      // Deliberately malformed input: the sender check must answer first.
      expect(await handler(event, 'garbage')).toMatchObject({ ok: false, error: { code: 'SENDER_REFUSED' } });
    }
    // Each refusal is in the log with who asked (as VS Code does), never with the input.
    const refusals = logged.map((l) => JSON.parse(l)).filter((r) => r.message.startsWith('ipc call refused'));
    expect(refusals).toHaveLength(cases.length);
    expect(refusals[2].fields).toMatchObject({
      call: 'getInfo',
      webContentsId: 7,
      frameOrigin: 'https://evil.example',
      topFrame: true,
    });
    expect(logged.join('\n')).not.toContain('garbage');
  });
});

describe('preload bridge', () => {
  it('has one wrapper per call that invokes its own channel, plus a filtered event subscription', async () => {
    const invoke = vi.fn(async () => ({ ok: true, value: 'v' }));
    const on = vi.fn();
    const removeListener = vi.fn();
    const bridge = buildBridge({ invoke, on, removeListener } as never);
    expect(Object.keys(bridge).sort()).toEqual([...callNames, 'on'].sort());
    await (bridge.getInfo as () => Promise<unknown>)();
    expect(invoke).toHaveBeenCalledWith(`${CALL_CHANNEL_PREFIX}getInfo`, {});

    const listener = vi.fn();
    const off = (bridge.on as (n: string, l: unknown) => () => void)('queueChanged', listener);
    const [[channel, handler]] = on.mock.calls as unknown as [[string, (e: unknown, m: unknown) => void]];
    expect(channel).toBe(EVENT_CHANNEL);
    handler({ senderId: 1 }, { name: 'queueChanged', payload: { deviceIds: [] } });
    handler({ senderId: 1 }, { name: 'other', payload: 1 });
    // The ipc event object never reaches the page: only the payload does.
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenCalledWith({ deviceIds: [] });
    off();
    expect(removeListener).toHaveBeenCalledWith(EVENT_CHANNEL, handler);
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('refuses subscriptions to events that are not in the contract, and non-function listeners', () => {
    const on = vi.fn();
    const bridge = buildBridge({ invoke: vi.fn(), on, removeListener: vi.fn() } as never);
    const subscribe = bridge.on as (n: unknown, l: unknown) => () => void;
    expect(() => subscribe('station:event', () => {})).toThrow(/unknown station event/);
    expect(() => subscribe('__proto__', () => {})).toThrow(/unknown station event/);
    expect(() => subscribe('queueChanged', 'not a function')).toThrow(/listener/);
    expect(on).not.toHaveBeenCalled();
  });

  it('sends an empty object when a call is made without input, and the input unchanged otherwise', async () => {
    const invoke = vi.fn(async () => ({ ok: true, value: null }));
    const bridge = buildBridge({ invoke, on: vi.fn(), removeListener: vi.fn() } as never);
    await (bridge.listQueue as (i?: unknown) => Promise<unknown>)({ offset: 5 });
    await (bridge.saveDiagnostics as (i?: unknown) => Promise<unknown>)();
    expect(invoke.mock.calls).toEqual([
      [`${CALL_CHANNEL_PREFIX}listQueue`, { offset: 5 }],
      [`${CALL_CHANNEL_PREFIX}saveDiagnostics`, {}],
    ]);
  });
});

describe('window hardening', () => {
  it('uses the security checklist options', () => {
    const options = mainWindowOptions('/app/preload.cjs', false);
    expect(options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
  });

  it('allows devtools only when asked (development), and always sets the preload', () => {
    expect(mainWindowOptions('/app/preload.cjs', true).webPreferences).toMatchObject({
      devTools: true,
      preload: '/app/preload.cjs',
    });
    expect(mainWindowOptions('/app/preload.cjs', false).webPreferences?.enableBlinkFeatures).toBeUndefined();
    expect(mainWindowOptions('/app/preload.cjs', false).webPreferences?.experimentalFeatures).toBe(false);
  });

  it('creates the window with those options, guards its contents and loads app://station/index.html', () => {
    const created: {
      options: unknown;
      contents: FakeContents;
      loaded: string[];
      once: Map<string, () => void>;
      shown: number;
    }[] = [];
    class FakeWindow {
      webContents = fakeContents();
      loaded: string[] = [];
      onceHandlers = new Map<string, () => void>();
      shown = 0;
      constructor(options: unknown) {
        created.push({ options, contents: this.webContents, loaded: this.loaded, once: this.onceHandlers, shown: 0 });
      }
      once(name: string, fn: () => void) {
        this.onceHandlers.set(name, fn);
      }
      show() {
        this.shown++;
      }
      loadURL(url: string) {
        this.loaded.push(url);
        return Promise.resolve();
      }
    }
    const openExternal = vi.fn(async () => {});
    const win = createMainWindow(
      FakeWindow as never,
      { openExternal },
      '/app/preload.cjs',
      false,
    ) as unknown as FakeWindow;
    expect(created[0]!.options).toEqual(mainWindowOptions('/app/preload.cjs', false));
    expect(win.loaded).toEqual([APP_ENTRY]);
    expect(APP_ENTRY).toBe('app://station/index.html');
    expect(win.webContents.navigate('https://evil.example/')).toBe(true);
    expect(win.shown).toBe(0);
    win.onceHandlers.get('ready-to-show')!();
    expect(win.shown).toBe(1);
  });
});

type Listener = (...args: any[]) => void;
interface FakeContents {
  listeners: Map<string, Listener[]>;
  openHandler?: (d: { url: string }) => { action: string };
  closeDevTools: ReturnType<typeof vi.fn>;
  on(name: string, l: Listener): FakeContents;
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }): void;
  /** Emits will-navigate; true when the navigation was prevented. */
  navigate(url: string, event?: string): boolean;
  frameNavigate(url: string): boolean;
}
function fakeContents(): FakeContents {
  const c: FakeContents = {
    listeners: new Map(),
    closeDevTools: vi.fn(),
    on(name, l) {
      c.listeners.set(name, [...(c.listeners.get(name) ?? []), l]);
      return c;
    },
    setWindowOpenHandler(h) {
      c.openHandler = h;
    },
    navigate(url, event = 'will-navigate') {
      const preventDefault = vi.fn();
      for (const l of c.listeners.get(event) ?? []) l({ preventDefault, url }, url);
      return preventDefault.mock.calls.length > 0;
    },
    frameNavigate(url) {
      const preventDefault = vi.fn();
      for (const l of c.listeners.get('will-frame-navigate') ?? []) l({ preventDefault, url, isMainFrame: false });
      return preventDefault.mock.calls.length > 0;
    },
  };
  return c;
}

function fakeSession() {
  const s = {
    request: undefined as undefined | ((wc: unknown, p: string, cb: (ok: boolean) => void, d?: unknown) => void),
    check: undefined as undefined | ((...a: unknown[]) => boolean),
    device: undefined as undefined | ((d: unknown) => boolean),
    display: undefined as undefined | ((r: unknown, cb: (streams: unknown) => void) => void),
    beforeRequest: undefined as
      undefined | ((d: { url: string; webContentsId?: number }, cb: (r: { cancel?: boolean }) => void) => void),
    setPermissionRequestHandler: (h: never) => void (s.request = h),
    setPermissionCheckHandler: (h: never) => void (s.check = h),
    setDevicePermissionHandler: (h: never) => void (s.device = h),
    setDisplayMediaRequestHandler: (h: never) => void (s.display = h),
    webRequest: { onBeforeRequest: (h: never) => void (s.beforeRequest = h) },
    /** True when a request from a page to this URL is cancelled. */
    cancels(url: string, fromPage = true): boolean {
      let answer: { cancel?: boolean } | undefined;
      s.beforeRequest!({ url, ...(fromPage ? { webContentsId: 1 } : {}) }, (r) => (answer = r));
      return answer!.cancel === true;
    },
  };
  return s;
}

describe('session lockdown', () => {
  it('denies every permission request and check, device access and screen capture', () => {
    const s = fakeSession();
    lockDownSession(s as never);
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'fullscreen',
      'hid',
      'serial',
      'usb',
    ]) {
      const answer = vi.fn();
      s.request!({}, permission, answer, {});
      expect(answer).toHaveBeenCalledWith(false);
      expect(s.check!({}, permission, 'app://station', {})).toBe(false);
    }
    expect(s.device!({ deviceType: 'usb', origin: 'app://station' })).toBe(false);
    const streams = vi.fn();
    s.display!({}, streams);
    expect(streams).toHaveBeenCalledWith({});
  });

  it('cancels every request from a page that is not app://station (no remote content)', () => {
    const s = fakeSession();
    lockDownSession(s as never, { devToolsAllowed: false });
    expect(s.cancels('app://station/index.html')).toBe(false);
    expect(s.cancels('app://station/assets/index-abc.js')).toBe(false);
    expect(s.cancels('data:image/png;base64,iVBORw0KGgo=')).toBe(false);
    for (const url of [
      'https://graph.microsoft.com/v1.0/me',
      'http://127.0.0.1:8080/',
      'wss://evil.example/',
      'file:///C:/Windows/win.ini',
      'app://station.evil/x',
      'app://other/index.html',
      'devtools://devtools/bundled/inspector.html',
      'ftp://x/',
    ]) {
      expect(s.cancels(url), url).toBe(true);
    }
    // Requests that are not a page's (main-process Electron net) are left alone.
    expect(s.cancels('https://graph.microsoft.com/v1.0/me', false)).toBe(false);
  });

  it('lets devtools load its own pages only in development', () => {
    const s = fakeSession();
    lockDownSession(s as never, { devToolsAllowed: true });
    expect(s.cancels('devtools://devtools/bundled/inspector.html')).toBe(false);
    expect(s.cancels('https://evil.example/')).toBe(true);
    expect(isAllowedPageRequest('devtools://x', false)).toBe(false);
  });
});

describe('contents lockdown (every webContents)', () => {
  it('blocks navigation and redirects away from app://station; allow-listed links open in the system browser', () => {
    const openExternal = vi.fn(async () => {});
    const c = fakeContents();
    lockDownContents(c as never, { openExternal });
    expect(c.navigate('app://station/index.html')).toBe(false);
    expect(c.navigate('https://evil.example/')).toBe(true);
    expect(c.navigate('file:///etc/passwd')).toBe(true);
    expect(c.navigate('app://station.evil.example/')).toBe(true);
    expect(c.navigate('javascript:alert(1)')).toBe(true);
    expect(openExternal).not.toHaveBeenCalled();
    expect(c.navigate('https://learn.microsoft.com/autopilot/troubleshooting')).toBe(true);
    expect(openExternal).toHaveBeenCalledWith('https://learn.microsoft.com/autopilot/troubleshooting');
    expect(c.navigate('https://evil.example/', 'will-redirect')).toBe(true);
    expect(c.navigate('app://station/index.html', 'will-redirect')).toBe(false);
    expect(c.frameNavigate('https://evil.example/')).toBe(true);
    expect(c.frameNavigate('app://station/index.html')).toBe(false);
    expect(openExternal).toHaveBeenCalledTimes(1);
  });

  it('denies every new window, opening only allow-listed Microsoft links outside', () => {
    const openExternal = vi.fn(async () => {});
    const c = fakeContents();
    lockDownContents(c as never, { openExternal });
    expect(c.openHandler!({ url: 'https://learn.microsoft.com/autopilot' })).toEqual({ action: 'deny' });
    expect(c.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(c.openHandler!({ url: 'app://station/index.html' })).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls).toEqual([['https://learn.microsoft.com/autopilot']]);
  });

  it('refuses webviews and closes devtools in packaged builds', () => {
    const c = fakeContents();
    lockDownContents(c as never, { openExternal: vi.fn() });
    expect(c.navigate('app://station/', 'will-attach-webview')).toBe(true);
    for (const l of c.listeners.get('devtools-opened')!) l();
    expect(c.closeDevTools).toHaveBeenCalledTimes(1);
    const dev = fakeContents();
    lockDownContents(dev as never, { openExternal: vi.fn() }, { devToolsAllowed: true });
    expect(dev.listeners.has('devtools-opened')).toBe(false);
  });

  it('guards a contents once even when asked twice (window creation and web-contents-created)', () => {
    const openExternal = vi.fn(async () => {});
    const c = fakeContents();
    lockDownContents(c as never, { openExternal });
    lockDownContents(c as never, { openExternal });
    expect(c.listeners.get('will-navigate')).toHaveLength(1);
    c.navigate('https://learn.microsoft.com/');
    expect(openExternal).toHaveBeenCalledTimes(1);
  });

  it('allow-lists external links by exact host or subdomain, https on the default port, no credentials', () => {
    const yes = [
      'https://learn.microsoft.com/x',
      'https://login.microsoftonline.us/',
      'https://aka.ms/autopilot',
      'https://intune.microsoft.us/',
      'https://portal.azure.cn/',
    ];
    const no = [
      'http://learn.microsoft.com/',
      'https://microsoft.com.evil.example/',
      'https://evilmicrosoft.com/',
      'https://learn.microsoft.com:8443/',
      'https://user:pw@learn.microsoft.com/',
      'https://login.microsoftonline.com@evil.example/',
      'javascript:alert(1)',
      'file:///C:/',
      'not a url',
    ];
    for (const u of yes) expect(isAllowedExternalUrl(u), u).toBe(true);
    for (const u of no) expect(isAllowedExternalUrl(u), u).toBe(false);
  });

  it("the training tenant's sign-in page is allowed only as HTTPS on 127.0.0.1", () => {
    expect(isLoopbackHttpsUrl('https://127.0.0.1:41234/6f1c3a52/oauth2/v2.0/authorize?x=1')).toBe(true);
    for (const u of [
      'http://127.0.0.1:41234/',
      'https://localhost:41234/',
      'https://127.0.0.1.evil.example/',
      'https://u:p@127.0.0.1:1/',
      'https://10.0.0.5/',
      'nope',
    ])
      expect(isLoopbackHttpsUrl(u), u).toBe(false);
  });
});

describe('app:// protocol handler', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'station-renderer-'));
  const rendererDir = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>station</title>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'outside the renderer folder');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const handle = createAppProtocolHandler(rendererDir);
  // The handler reads what Electron's protocol.handle gives it: the request's url and method.
  const get = (url: string, method = 'GET') => handle({ url, method } as Request);

  it('serves the renderer with the CSP and the other security headers', async () => {
    for (const url of ['app://station/', 'app://station/index.html']) {
      const r = await get(url);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await r.text()).toContain('<title>station</title>');
    }
    const js = await get('app://station/assets/app.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const head = await get('app://station/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers 404 outside the folder, for other hosts, folders, missing files and malformed paths', async () => {
    const refused = [
      'app://station/../secret.txt',
      'app://station/%2e%2e/secret.txt',
      'app://station/assets/%2e%2e/%2e%2e/secret.txt',
      'app://station/..%2fsecret.txt',
      'app://station/..%5csecret.txt',
      'app://station/assets%5c..%5c..%5csecret.txt',
      'app://station/index.html%00.js',
      'app://station/C:/Windows/win.ini',
      'app://station/%E0%A4%A',
      'app://station/assets',
      'app://station/assets/',
      'app://station/missing.js',
      'app://other/index.html',
      'app://station.evil/index.html',
      'app://user:pw@station/index.html',
      'app://station:8080/index.html',
      'file:///etc/passwd',
      'not a url',
    ];
    for (const url of refused) {
      const r = await get(url);
      expect(r.status, url).toBe(404);
      expect(r.headers.get('content-security-policy'), url).toBe(CONTENT_SECURITY_POLICY);
      expect(await r.text(), url).not.toContain('outside the renderer folder');
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await get('app://station/index.html', 'POST')).status).toBe(405);
  });
});

describe('content security policy', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k!, v]),
  );
  it('allows no eval, no inline script and nothing remote', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|unsafe-inline|wasm-unsafe-eval|\*|https?:/);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  });
});

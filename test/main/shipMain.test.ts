import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CALL_CHANNEL_PREFIX, callNames } from '../../src-main/contract/contract.ts';
import { CONTENT_SECURITY_POLICY } from '../../src-main/kernel/csp.ts';

/**
 * src-main/main.ts run against an Electron test double: every call the composition root makes is
 * recorded, in order, so the hardening steps can be checked without the Electron binary.
 */
const e = vi.hoisted(() => {
  type Fn = (...a: any[]) => any;
  const calls: string[] = [];
  const appListeners = new Map<string, Fn[]>();
  const state = { lock: true, packaged: true, userData: '', desktop: '', appPath: '' };
  let ready!: () => void;
  let whenReady = new Promise<void>((r) => (ready = r));
  const windows: any[] = [];
  const ipcHandlers = new Map<string, Fn>();
  const session = {
    permissionRequest: undefined as Fn | undefined,
    beforeRequest: undefined as Fn | undefined,
    setPermissionRequestHandler: (h: Fn) => {
      calls.push('session.setPermissionRequestHandler');
      session.permissionRequest = h;
    },
    setPermissionCheckHandler: () => calls.push('session.setPermissionCheckHandler'),
    setDevicePermissionHandler: () => calls.push('session.setDevicePermissionHandler'),
    setDisplayMediaRequestHandler: () => calls.push('session.setDisplayMediaRequestHandler'),
    webRequest: {
      onBeforeRequest: (h: Fn) => {
        calls.push('session.webRequest.onBeforeRequest');
        session.beforeRequest = h;
      },
    },
  };
  const makeContents = (id: number) => {
    const listeners = new Map<string, Fn[]>();
    return {
      id,
      listeners,
      openHandler: undefined as Fn | undefined,
      sent: [] as unknown[],
      on(name: string, l: Fn) {
        listeners.set(name, [...(listeners.get(name) ?? []), l]);
        return this;
      },
      setWindowOpenHandler(h: Fn) {
        this.openHandler = h;
      },
      closeDevTools: () => calls.push('closeDevTools'),
      send(channel: string, message: unknown) {
        this.sent.push({ channel, message });
      },
    };
  };
  class BrowserWindow {
    webContents = makeContents(100 + windows.length);
    loaded: string[] = [];
    constructor(public options: any) {
      calls.push('new BrowserWindow');
      windows.push(this);
    }
    once() {}
    show() {}
    loadURL(url: string) {
      this.loaded.push(url);
      return Promise.resolve();
    }
    isDestroyed = () => false;
    isMinimized = () => false;
    restore() {}
    focus() {}
  }
  const electron = {
    app: {
      get isPackaged() {
        return state.packaged;
      },
      enableSandbox: () => calls.push('app.enableSandbox'),
      requestSingleInstanceLock: () => {
        calls.push('app.requestSingleInstanceLock');
        return state.lock;
      },
      quit: () => calls.push('app.quit'),
      exit: (code: number) => calls.push(`app.exit(${code})`),
      whenReady: () => whenReady,
      getPath: (name: string) =>
        name === 'userData' ? state.userData : name === 'desktop' ? state.desktop : `/nonexistent/${name}`,
      getVersion: () => '0.1.0',
      getAppPath: () => state.appPath,
      on: (name: string, l: Fn) => appListeners.set(name, [...(appListeners.get(name) ?? []), l]),
    },
    BrowserWindow,
    dialog: { showErrorBox: (title: string, body: string) => calls.push(`dialog.showErrorBox ${title}: ${body}`) },
    ipcMain: {
      handle: (channel: string, h: Fn) => ipcHandlers.set(channel, h),
      removeHandler: (c: string) => ipcHandlers.delete(c),
    },
    Menu: { setApplicationMenu: (m: unknown) => calls.push(`Menu.setApplicationMenu(${m})`) },
    protocol: {
      schemes: [] as unknown[],
      handler: undefined as Fn | undefined,
      registerSchemesAsPrivileged(s: unknown[]) {
        calls.push('protocol.registerSchemesAsPrivileged');
        this.schemes = s;
      },
      handle(scheme: string, h: Fn) {
        calls.push(`protocol.handle(${scheme})`);
        this.handler = h;
      },
    },
    session: {
      defaultSession: session,
      // Graph and sign-in get a session of their own (Chromium's proxy/PAC/certificate store), apart from the window's.
      fromPartition: (partition: string) => {
        calls.push(`session.fromPartition(${partition})`);
        return { fetch: async () => new Response(null, { status: 204 }), resolveProxy: async () => 'DIRECT' };
      },
    },
    shell: { openExternal: vi.fn(async () => {}) },
    // The OS key store (DPAPI on Windows); the double only marks what it wrapped.
    safeStorage: {
      isEncryptionAvailable: () => true,
      // This test machine is Linux: a real secret store, not basic_text.
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (plain: string) => Buffer.from(`os-protected:${plain}`),
      decryptString: (data: Buffer) => data.toString().replace(/^os-protected:/, ''),
    },
  };
  return {
    electron,
    calls,
    state,
    windows,
    ipcHandlers,
    appListeners,
    session,
    makeContents,
    ready: () => ready(),
    reset() {
      calls.length = 0;
      appListeners.clear();
      windows.length = 0;
      ipcHandlers.clear();
      whenReady = new Promise<void>((r) => (ready = r));
    },
  };
});

vi.mock('electron', () => e.electron);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'station-main-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A packaged layout: resources/app.asar (here a folder) with the digests, app.asar.unpacked with the .node. */
const NODE_REL = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
function packagedApp(shipped: string, onDisk: string): string {
  const appPath = path.join(fs.mkdtempSync(path.join(root, 'resources-')), 'app.asar');
  fs.mkdirSync(path.join(appPath, 'dist/main'), { recursive: true });
  fs.mkdirSync(path.dirname(path.join(`${appPath}.unpacked`, NODE_REL)), { recursive: true });
  const sha = createHash('sha256').update(shipped).digest('hex');
  fs.writeFileSync(path.join(appPath, 'dist/main/native-modules.json'), JSON.stringify({ [NODE_REL]: sha }));
  fs.writeFileSync(path.join(`${appPath}.unpacked`, NODE_REL), onDisk);
  return appPath;
}

async function startMain(options: { packaged: boolean; lock?: boolean; nativeOnDisk?: string }) {
  e.reset();
  e.state.packaged = options.packaged;
  e.state.appPath = packagedApp('addon', options.nativeOnDisk ?? 'addon');
  e.state.lock = options.lock ?? true;
  e.state.userData = fs.mkdtempSync(path.join(root, 'userData-'));
  e.state.desktop = path.join(root, 'Desktop');
  vi.resetModules();
  await import('../../src-main/main.ts');
}

describe('main.ts (Electron composition root) with an electron double', () => {
  beforeEach(() => e.reset());

  it('the exe started with a command runs the command line and exits with its code: no lock, no protocol, no window', async () => {
    const argv = process.argv;
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const csv = path.join(process.cwd(), 'src-main/sim/scenarios/training-samples/training-devices.csv');
    try {
      // Packaged: argv is [exe, ...args] (process.defaultApp is unset).
      process.argv = ['C:\\Program Files\\Autopilot Station\\AutopilotStation.exe', 'inspect', csv, '--json'];
      await startMain({ packaged: true });
      await vi.waitFor(() => expect(e.calls.some((c) => c.startsWith('app.exit'))).toBe(true), { timeout: 20_000 });
    } finally {
      process.argv = argv;
      write.mockRestore();
    }
    // Line 8 of the training CSV has no manufacturer in its hash: inspect exits 1, as `node dist/main/cli.js` would.
    expect(e.calls.filter((c) => c.startsWith('app.exit'))).toEqual(['app.exit(1)']);
    expect(e.calls).not.toContain('app.requestSingleInstanceLock');
    expect(e.calls).not.toContain('protocol.registerSchemesAsPrivileged');
    expect(e.windows).toHaveLength(0);
    const report = JSON.parse(written.join('')) as { files: { format: string; devices: unknown[] }[] };
    expect(report.files[0]!.format).toBe('autopilot-csv');
    expect(report.files[0]!.devices.length).toBeGreaterThan(3);
  });

  it('a start without a command (or with Chromium switches only) opens the station as before', async () => {
    const { electronCliArgs } = await import('../../src-main/cli/commandNames.ts');
    expect(electronCliArgs(['AutopilotStation.exe'], undefined)).toBeUndefined();
    expect(electronCliArgs(['AutopilotStation.exe', '--no-sandbox'], undefined)).toBeUndefined();
    expect(electronCliArgs(['AutopilotStation.exe', 'check', '--tenant', 'sim'], undefined)).toEqual([
      'check',
      '--tenant',
      'sim',
    ]);
    expect(electronCliArgs(['electron', '.', 'export', '--help'], true)).toEqual(['export', '--help']);
    expect(electronCliArgs(['electron', '.'], true)).toBeUndefined();
    expect(electronCliArgs(['AutopilotStation.exe', '--help'], undefined)).toEqual(['--help']);
  });

  it('before ready: registers app:// as a secure standard scheme, sandboxes every renderer, takes the single-instance lock', async () => {
    await startMain({ packaged: true });
    expect(e.calls).toEqual([
      'protocol.registerSchemesAsPrivileged',
      'app.enableSandbox',
      'app.requestSingleInstanceLock',
    ]);
    expect(e.electron.protocol.schemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    e.ready();
    await vi.waitFor(() => expect(e.windows, e.calls.join('\n')).toHaveLength(1));
  });

  it('packaged: refuses to start when the unpacked native module is not the one it shipped (portable builds unpack into %TEMP%)', async () => {
    await startMain({ packaged: true, nativeOnDisk: 'a planted addon' });
    e.ready();
    await vi.waitFor(() => expect(e.calls.some((c) => c.startsWith('dialog.showErrorBox'))).toBe(true));
    expect(e.calls.find((c) => c.startsWith('dialog.showErrorBox'))).toMatch(
      /not the one this version shipped.*reinstall/,
    );
    expect(e.calls).toContain('app.exit(1)');
    expect(e.windows).toHaveLength(0);
  });

  it('a second instance quits at once and opens nothing', async () => {
    await startMain({ packaged: true, lock: false });
    e.ready();
    await new Promise((r) => setTimeout(r, 50));
    expect(e.calls).toContain('app.quit');
    expect(e.windows).toHaveLength(0);
    expect(e.ipcHandlers.size).toBe(0);
  });

  it('packaged: locks the session down before the window exists, guards every webContents, no devtools, no menu', async () => {
    await startMain({ packaged: true });
    e.ready();
    await vi.waitFor(() => expect(e.windows).toHaveLength(1));
    const order = (name: string) => e.calls.indexOf(name);
    for (const step of [
      'session.setPermissionRequestHandler',
      'session.setPermissionCheckHandler',
      'session.setDevicePermissionHandler',
      'session.setDisplayMediaRequestHandler',
      'session.webRequest.onBeforeRequest',
      'protocol.handle(app)',
    ]) {
      expect(order(step), step).toBeGreaterThan(-1);
      expect(order(step), step).toBeLessThan(order('new BrowserWindow'));
    }
    expect(e.calls).toContain('Menu.setApplicationMenu(null)');
    // An in-memory partition (no 'persist:'): the network session keeps no cookies or cache on disk.
    expect(e.calls.filter((c) => c.startsWith('session.fromPartition'))).toEqual([
      'session.fromPartition(station-network)',
    ]);

    const win = e.windows[0];
    expect(win.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      devTools: false,
      webviewTag: false,
    });
    expect(win.options.webPreferences.preload).toMatch(/preload\.cjs$/);
    expect(win.loaded).toEqual(['app://station/index.html']);

    // Any other webContents (a devtools host, a future window) is guarded on creation.
    const other = e.makeContents(999);
    for (const l of e.appListeners.get('web-contents-created')!) l({}, other);
    const preventDefault = vi.fn();
    for (const l of other.listeners.get('will-navigate')!) l({ preventDefault }, 'https://evil.example/');
    expect(preventDefault).toHaveBeenCalled();
    expect(other.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    for (const l of other.listeners.get('devtools-opened')!) l();
    expect(e.calls).toContain('closeDevTools');

    // Page requests to the network are cancelled; the permission handler says no.
    let verdict: { cancel?: boolean } | undefined;
    e.session.beforeRequest!(
      { url: 'https://evil.example/x.js', webContentsId: win.webContents.id },
      (r: { cancel?: boolean }) => (verdict = r),
    );
    expect(verdict).toEqual({ cancel: true });
    const answer = vi.fn();
    e.session.permissionRequest!({}, 'media', answer);
    expect(answer).toHaveBeenCalledWith(false);

    // The protocol serves with the CSP.
    const res: Response = await e.electron.protocol.handler!({ url: 'app://station/../../etc/passwd', method: 'GET' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('registers one ipc channel per call and answers only our window', async () => {
    await startMain({ packaged: true });
    e.ready();
    await vi.waitFor(() => expect(e.windows).toHaveLength(1));
    expect([...e.ipcHandlers.keys()].sort()).toEqual(callNames.map((n) => `${CALL_CHANNEL_PREFIX}${n}`).sort());
    const getInfo = e.ipcHandlers.get(`${CALL_CHANNEL_PREFIX}getInfo`)!;
    const ours = {
      sender: { id: e.windows[0].webContents.id },
      senderFrame: { url: 'app://station/index.html', parent: null },
    };
    expect(await getInfo(ours, {})).toMatchObject({ ok: true, value: { host: 'electron' } });
    expect(await getInfo({ ...ours, sender: { id: 999 } }, {})).toMatchObject({
      ok: false,
      error: { code: 'SENDER_REFUSED' },
    });
  });

  it('development: devtools allowed, default menu kept', async () => {
    await startMain({ packaged: false });
    e.ready();
    await vi.waitFor(() => expect(e.windows).toHaveLength(1));
    expect(e.windows[0].options.webPreferences.devTools).toBe(true);
    expect(e.calls.some((c) => c.startsWith('Menu.setApplicationMenu'))).toBe(false);
  });

  it('writes its log to userData/logs and saves diagnostics to the Desktop', async () => {
    await startMain({ packaged: true });
    e.ready();
    await vi.waitFor(() => expect(e.windows).toHaveLength(1));
    for (const l of e.appListeners.get('render-process-gone')!) l({}, {}, { reason: 'crashed', exitCode: 3 });
    const log = fs.readFileSync(path.join(e.state.userData, 'logs', 'station.log'), 'utf8');
    expect(log).toContain('"message":"station starting"');
    expect(log).toMatch(/"message":"window process gone","fields":\{"reason":"crashed","exitCode":3\}/);
    const save = e.ipcHandlers.get(`${CALL_CHANNEL_PREFIX}saveDiagnostics`)!;
    const r = await save(
      { sender: { id: e.windows[0].webContents.id }, senderFrame: { url: 'app://station/index.html', parent: null } },
      {},
    );
    expect(r.ok).toBe(true);
    expect(r.value.path.startsWith(e.state.desktop)).toBe(true);
    expect(fs.existsSync(r.value.path)).toBe(true);
  });
});

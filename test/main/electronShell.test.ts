import { describe, expect, it, vi } from 'vitest';

// The electron module is replaced by a test double: these tests read what our code asks Electron for.
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: { invoke: vi.fn(), on: vi.fn(), removeListener: vi.fn() },
}));

import { createStation } from '../../src-main/app/createStation.ts';
import { silentLogger } from '../../src-main/app/logger.ts';
import { CALL_CHANNEL_PREFIX, EVENT_CHANNEL, callNames } from '../../src-main/contract/contract.ts';
import { createDispatcher } from '../../src-main/ipc/dispatch.ts';
import { createSenderCheck, registerIpcHandlers, type SenderFacts } from '../../src-main/ipc/registerIpc.ts';
import { buildBridge } from '../../src-main/preload.ts';
import { isAllowedExternalUrl, lockDownContents, lockDownSession, mainWindowOptions } from '../../src-main/window.ts';

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
  registerIpcHandlers(ipc as never, createDispatcher(station.handlers, silentLogger), check);

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

  it('denies every permission request and check', () => {
    let request: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | undefined;
    let check: (() => boolean) | undefined;
    lockDownSession({ setPermissionRequestHandler: (h: never) => (request = h), setPermissionCheckHandler: (h: never) => (check = h) } as never);
    const answer = vi.fn();
    request!({}, 'media', answer);
    expect(answer).toHaveBeenCalledWith(false);
    expect(check!()).toBe(false);
  });

  it('blocks navigation away from app://station and opens only allow-listed links externally', () => {
    const listeners = new Map<string, (e: { preventDefault: () => void }, url: string) => void>();
    let openHandler: ((d: { url: string }) => { action: string }) | undefined;
    const openExternal = vi.fn(async () => {});
    lockDownContents({ on: (n: string, l: never) => listeners.set(n, l), setWindowOpenHandler: (h: never) => (openHandler = h) } as never, { openExternal });
    const nav = (url: string) => {
      const preventDefault = vi.fn();
      listeners.get('will-navigate')!({ preventDefault }, url);
      return preventDefault.mock.calls.length > 0;
    };
    expect(nav('https://evil.example/')).toBe(true);
    expect(nav('file:///etc/passwd')).toBe(true);
    expect(nav('app://station/index.html')).toBe(false);
    expect(openHandler!({ url: 'https://learn.microsoft.com/autopilot' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://learn.microsoft.com/autopilot');
    expect(openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledTimes(1);
    expect(isAllowedExternalUrl('http://learn.microsoft.com/')).toBe(false);
    expect(isAllowedExternalUrl('https://microsoft.com.evil.example/')).toBe(false);
  });
});

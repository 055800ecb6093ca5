import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CALL_CHANNEL_PREFIX, EVENT_CHANNEL, callNames, eventNames } from './contract/contract.ts';

/**
 * Bundled to CommonJS (sandboxed preloads cannot load ES modules). Exposes one wrapper per contract
 * call and a filtered event subscription; ipcRenderer itself and ipc events never reach the page.
 */
export function buildBridge(
  ipc: Pick<typeof ipcRenderer, 'invoke' | 'on' | 'removeListener'>,
): Record<string, unknown> {
  const bridge: Record<string, unknown> = {};
  for (const name of callNames) {
    bridge[name] = (input?: unknown) => ipc.invoke(`${CALL_CHANNEL_PREFIX}${name}`, input ?? {});
  }
  bridge.on = (eventName: string, listener: (payload: unknown) => void) => {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    // Only the contract's events: a typo fails loudly instead of waiting forever.
    if (!(eventNames as string[]).includes(eventName))
      throw new TypeError(`unknown station event "${String(eventName)}"`);
    const handler = (_event: IpcRendererEvent, message: { name?: unknown; payload?: unknown }) => {
      if (message && message.name === eventName) listener(message.payload);
    };
    ipc.on(EVENT_CHANNEL, handler);
    return () => {
      ipc.removeListener(EVENT_CHANNEL, handler);
    };
  };
  return Object.freeze(bridge);
}

if (process.contextIsolated) {
  contextBridge.exposeInMainWorld('station', buildBridge(ipcRenderer));
}

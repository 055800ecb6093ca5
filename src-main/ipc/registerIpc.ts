import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { CALL_CHANNEL_PREFIX, callNames } from '../contract/contract.ts';
import type { CallResult } from '../contract/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Dispatch } from './dispatch.ts';

/** The parts of an ipc event the sender check reads; lets tests pass plain objects. */
export interface SenderFacts {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/**
 * A call is trusted only when it comes from the top frame of one of our own windows showing our own
 * app:// page. Checked before the input is even parsed (Electron security checklist #17).
 */
export function createSenderCheck(
  trustedWebContentsIds: () => ReadonlySet<number>,
  appScheme = 'app:',
  appHost = 'station',
) {
  return (event: SenderFacts): boolean => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    if (!trustedWebContentsIds().has(event.sender.id)) return false;
    try {
      // URL.origin is "null" for custom schemes outside Electron, so compare scheme and host.
      const url = new URL(frame.url);
      return url.protocol === appScheme && url.host === appHost;
    } catch {
      return false;
    }
  };
}

const refused: CallResult<never> = {
  ok: false,
  error: { code: 'SENDER_REFUSED', message: 'This request did not come from the station window and was refused.' },
};

/** One ipc handler per contract call; the raw event never reaches a service or the renderer. */
export function registerIpcHandlers(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  dispatch: Dispatch,
  isTrustedSender: (event: SenderFacts) => boolean,
  logger: Logger,
): () => void {
  let logged = 0;
  for (const name of callNames) {
    ipcMain.handle(`${CALL_CHANNEL_PREFIX}${name}`, (event: IpcMainInvokeEvent, input: unknown) => {
      if (!isTrustedSender(event as unknown as SenderFacts)) {
        // As VS Code does: a refused sender is worth a line (at most 100 a session: a looping frame cannot flood the
        // log).
        if (logged++ < 100)
          logger.warn('ipc call refused: not from the station window', {
            call: name,
            ...senderSummary(event as unknown as SenderFacts),
          });
        return refused;
      }
      return dispatch(name, input);
    });
  }
  return () => {
    for (const name of callNames) ipcMain.removeHandler(`${CALL_CHANNEL_PREFIX}${name}`);
  };
}

function senderSummary(event: SenderFacts): Record<string, unknown> {
  const frame = event.senderFrame;
  let url: string;
  try {
    url = frame ? new URL(frame.url).origin : '';
  } catch {
    url = '(unreadable)';
  }
  return { webContentsId: event.sender.id, frameOrigin: url, topFrame: frame ? frame.parent === null : false };
}

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, protocol, session, shell } from 'electron';
import { createStation } from './app/createStation.ts';
import { createLogger } from './app/logger.ts';
import { createAppProtocolHandler } from './appProtocol.ts';
import { SafeStorageProtector } from './auth/safeStorageProtector.ts';
import { EVENT_CHANNEL } from './contract/contract.ts';
import { createDispatcher } from './ipc/dispatch.ts';
import { createSenderCheck, registerIpcHandlers } from './ipc/registerIpc.ts';
import { createMainWindow, lockDownContents, lockDownSession } from './window.ts';

// Electron composition root. Built by scripts/build-main.ts into dist/main/main.js.
const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(here, '..', 'renderer');
const preloadPath = path.join(here, 'preload.cjs');

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void start();
}

async function start(): Promise<void> {
  await app.whenReady();
  const logger = createLogger((line) => process.stdout.write(`${line}\n`));
  const station = createStation({
    host: 'electron',
    dataDir: app.getPath('userData'),
    logger,
    // The OS key store protects the token cache; without it (Linux without a keyring) the key file is used.
    ...(SafeStorageProtector.available() ? { tokenCacheProtector: new SafeStorageProtector() } : {}),
    openBrowser: (url) => shell.openExternal(url),
  });
  const windows = new Set<number>();

  lockDownSession(session.defaultSession);
  protocol.handle('app', createAppProtocolHandler(rendererDir));
  app.on('web-contents-created', (_e, contents) => lockDownContents(contents, shell));

  registerIpcHandlers(ipcMain, createDispatcher(station.handlers, logger), createSenderCheck(() => windows));

  const win = createMainWindow(BrowserWindow, shell, preloadPath, !app.isPackaged);
  windows.add(win.webContents.id);
  station.bus.subscribe((name, payload) => {
    if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, { name, payload });
  });

  app.on('second-instance', () => {
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => void station.close());
}

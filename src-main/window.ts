import type { BrowserWindow, BrowserWindowConstructorOptions, Session, Shell, WebContents } from 'electron';

export const APP_ORIGIN = 'app://station';
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** Hosts whose links may open in the system browser (sign-in help, Microsoft docs). Everything else is dropped. */
const EXTERNAL_ALLOWED_HOSTS = [
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.partner.microsoftonline.cn',
  'microsoft.com',
  'learn.microsoft.com',
  'intune.microsoft.com',
  'aka.ms',
];

export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:') return false;
  return EXTERNAL_ALLOWED_HOSTS.some((h) => url.hostname === h || url.hostname.endsWith(`.${h}`));
}

/** Every option Electron's security checklist asks for; kept as data so tests can read it. */
export function mainWindowOptions(preloadPath: string, devToolsAllowed: boolean): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    show: false,
    backgroundColor: '#101418',
    title: 'Autopilot Station',
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: devToolsAllowed,
      safeDialogs: true,
    },
  };
}

/** Deny every permission request and check (camera, notifications through the web API, geolocation...). */
export function lockDownSession(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** No navigation away from the app, no new windows, no webviews; allow-listed links go to the system browser. */
export function lockDownContents(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>, shell: Pick<Shell, 'openExternal'>): void {
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

export function createMainWindow(
  BrowserWindowCtor: typeof BrowserWindow,
  shell: Pick<Shell, 'openExternal'>,
  preloadPath: string,
  devToolsAllowed: boolean,
): BrowserWindow {
  const win = new BrowserWindowCtor(mainWindowOptions(preloadPath, devToolsAllowed));
  lockDownContents(win.webContents, shell);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_ENTRY);
  return win;
}

import type { BrowserWindow, BrowserWindowConstructorOptions, Session, Shell, WebContents } from 'electron';

export const APP_ORIGIN = 'app://station';
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/**
 * Hosts whose links may open in the system browser (sign-in help, Microsoft docs, admin centres of
 * the four clouds). A host matches itself and its subdomains. Everything else is dropped.
 */
export const EXTERNAL_ALLOWED_HOSTS = [
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.partner.microsoftonline.cn',
  'microsoft.com',
  'microsoft.us',
  'portal.azure.com',
  'portal.azure.us',
  'portal.azure.cn',
  'aka.ms',
];

/** The training tenant's sign-in page: HTTPS on this machine's loopback only. */
export function isLoopbackHttpsUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' && url.hostname === '127.0.0.1' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  // https only, default port, no user:password@ (phishing-shaped links).
  if (url.protocol !== 'https:' || url.port !== '' || url.username !== '' || url.password !== '') return false;
  return EXTERNAL_ALLOWED_HOSTS.some((h) => url.hostname === h || url.hostname.endsWith(`.${h}`));
}

/** Our own pages: app://station/... and nothing else (not app://station.evil/, not file://). */
export function isAppUrl(raw: string): boolean {
  return raw.startsWith(`${APP_ORIGIN}/`);
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

export interface HardeningOptions {
  /** False in packaged builds: devtools never open. */
  devToolsAllowed: boolean;
}

type LockableSession = Pick<
  Session,
  | 'setPermissionRequestHandler'
  | 'setPermissionCheckHandler'
  | 'setDevicePermissionHandler'
  | 'setDisplayMediaRequestHandler'
> & {
  webRequest: Pick<Session['webRequest'], 'onBeforeRequest'>;
};

/**
 * The session every window uses: every permission request and check denied (camera, notifications
 * through the web API, geolocation, USB/HID/serial, screen capture), and no request from a page to
 * anything but app://station (no remote content even if a bug put a URL in the page). Requests that
 * do not come from a page (main-process Electron net) are not this filter's business.
 */
export function lockDownSession(
  session: LockableSession,
  options: HardeningOptions = { devToolsAllowed: false },
): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.setDisplayMediaRequestHandler((_request, callback) => callback({}));
  session.webRequest.onBeforeRequest((details, callback) => {
    callback({
      cancel: details.webContentsId !== undefined && !isAllowedPageRequest(details.url, options.devToolsAllowed),
    });
  });
}

/** What a page may load: its own app:// files, inline data the CSP allows, and devtools' own pages in development. */
export function isAllowedPageRequest(url: string, devToolsAllowed: boolean): boolean {
  if (isAppUrl(url) || url.startsWith('data:') || url.startsWith('blob:app://station/')) return true;
  return devToolsAllowed && url.startsWith('devtools://');
}

const lockedDown = new WeakSet<object>();

/**
 * For every webContents (app.on('web-contents-created')): no navigation away from the app, no new
 * windows, no webviews, no devtools in packaged builds; allow-listed Microsoft links go to the
 * system browser instead. Safe to call twice on the same contents.
 */
export function lockDownContents(
  contents: Pick<WebContents, 'on' | 'setWindowOpenHandler' | 'closeDevTools'>,
  shell: Pick<Shell, 'openExternal'>,
  options: HardeningOptions = { devToolsAllowed: false },
): void {
  if (lockedDown.has(contents)) return;
  lockedDown.add(contents);
  const openOutside = (url: string) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
  };
  contents.on('will-navigate', (event, url) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    openOutside(url);
  });
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openOutside(url);
    return { action: 'deny' };
  });
  if (!options.devToolsAllowed) contents.on('devtools-opened', () => contents.closeDevTools());
}

export function createMainWindow(
  BrowserWindowCtor: typeof BrowserWindow,
  shell: Pick<Shell, 'openExternal'>,
  preloadPath: string,
  devToolsAllowed: boolean,
): BrowserWindow {
  const win = new BrowserWindowCtor(mainWindowOptions(preloadPath, devToolsAllowed));
  // Also done by web-contents-created in main.ts; repeated here so a window is never created unguarded.
  lockDownContents(win.webContents, shell, { devToolsAllowed });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_ENTRY);
  return win;
}

import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, session, shell } from 'electron';
import { createStation } from './app/createStation.ts';
import { createLogger, type LogSink } from './kernel/logger.ts';
import { machineSettingsPath, readMachineSettings } from './app/machineSettings.ts';
import { verifyNativeModules } from './app/nativeModuleIntegrity.ts';
import { createRotatingLogFile, teeSinks } from './app/rotatingLogFile.ts';
import { createAppProtocolHandler } from './appProtocol.ts';
import { SafeStorageProtector } from './auth/safeStorageProtector.ts';
import { createElectronNetwork } from './net/electronNetwork.ts';
import { nodeNetworkFactory } from './net/nodeNetwork.ts';
import { EVENT_CHANNEL } from './contract/contract.ts';
import { createDispatcher } from './ipc/dispatch.ts';
import { createSenderCheck, registerIpcHandlers } from './ipc/registerIpc.ts';
import {
  createMainWindow,
  isAllowedExternalUrl,
  isLoopbackHttpsUrl,
  lockDownContents,
  lockDownSession,
} from './window.ts';
import { electronCliArgs } from './cli/commandNames.ts';

// Electron composition root. Built by scripts/build-main.ts into dist/main/main.js.
const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(here, '..', 'renderer');
const preloadPath = path.join(here, 'preload.cjs');

// `"Autopilot Station.exe" check --tenant …`: the exe started with a command runs the command line
// (dist/main/cli.js, the same module `node dist/main/cli.js` runs) and exits, before any window,
// single-instance lock or protocol exists, so it runs beside an open station. Electron is the Node
// here (the runAsNode fuse is off): better-sqlite3 is the one built for it.
const cliArgs = electronCliArgs(process.argv, process.defaultApp);
if (cliArgs) {
  runCommandLine(cliArgs).then(
    (code) => app.exit(code),
    (err: unknown) => {
      process.stderr.write(`autopilot-station: ${err instanceof Error ? err.message : String(err)}\n`);
      app.exit(1);
    },
  );
} else {
  // Before ready: app:// behaves like https (standard, secure origin) so the CSP's 'self' means it.
  protocol.registerSchemesAsPrivileged([
    { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
  // Every renderer sandboxed, whatever a future BrowserWindow forgets to say.
  app.enableSandbox();

  if (!app.requestSingleInstanceLock()) {
    app.quit();
  } else {
    start().catch((err: unknown) => {
      dialog.showErrorBox(
        'Autopilot Station could not start',
        `${err instanceof Error ? err.message : String(err)}\n\nSave this message and send it to your admin.`,
      );
      app.exit(1);
    });
  }
}

/** Runs the built command line with `args`; resolves to its exit code once stdout and stderr are flushed. */
async function runCommandLine(args: string[]): Promise<number> {
  // A path built at run time: esbuild leaves the import alone, so main.js and cli.js stay two files
  // (dist/main/cli.js beside main.js; the source beside this file when main.ts runs unbuilt, in tests).
  const file = path.join(here, import.meta.url.endsWith('.ts') ? 'cli.ts' : 'cli.js');
  const cli = (await import(pathToFileURL(file).href)) as { runCli(argv: string[]): Promise<number> };
  const code = await cli.runCli(args);
  await Promise.all(
    [process.stdout, process.stderr].map(
      (s) => new Promise<void>((resolve) => (s.writableNeedDrain ? s.once('drain', () => resolve()) : resolve())),
    ),
  );
  return code;
}

async function start(): Promise<void> {
  await app.whenReady();
  const devToolsAllowed = !app.isPackaged;
  const userData = app.getPath('userData');

  const logFile = createRotatingLogFile({
    dir: path.join(userData, 'logs'),
    onError: (err) =>
      process.stderr.write(
        `log file write failed (retried on the next line): ${err instanceof Error ? err.message : String(err)}\n`,
      ),
  });
  const sinks: LogSink[] = [logFile.sink];
  if (!app.isPackaged) sinks.push((line) => process.stdout.write(`${line}\n`));
  const logger = createLogger(teeSinks(...sinks));
  logger.info('station starting', { version: app.getVersion(), packaged: app.isPackaged });
  // Crashes end up in the log file that "save diagnostics" collects (the monitor keeps Electron's own handling).
  process.on('uncaughtExceptionMonitor', (err) =>
    logger.error('uncaught exception', { error: err.message, stack: err.stack }),
  );
  process.on('unhandledRejection', (reason) =>
    logger.error('unhandled rejection', { error: reason instanceof Error ? reason.message : String(reason) }),
  );
  app.on('render-process-gone', (_e, _contents, details) =>
    logger.error('window process gone', { reason: details.reason, exitCode: details.exitCode }),
  );
  app.on('child-process-gone', (_e, details) =>
    logger.warn('helper process gone', { type: details.type, reason: details.reason, exitCode: details.exitCode }),
  );

  // Packaged: the unpacked native module must be the one this version shipped before anything loads it.
  if (app.isPackaged) {
    const natives = verifyNativeModules(
      path.join(app.getAppPath(), 'dist', 'main', 'native-modules.json'),
      `${app.getAppPath()}.unpacked`,
    );
    if (!natives.ok) {
      logger.error('native module refused', { problem: natives.problem });
      throw new Error(natives.problem);
    }
  }

  const machineSettings = readMachineSettings(machineSettingsPath());
  if (machineSettings.problem)
    logger.warn('pre-seeded settings ignored', {
      errorCode: machineSettings.problem.code,
      message: machineSettings.problem.message,
      path: machineSettings.path,
    });
  else if (machineSettings.found)
    logger.info('pre-seeded settings read', {
      path: machineSettings.path,
      keys: Object.keys(machineSettings.values),
      locked: machineSettings.locked,
    });

  const osProtector = SafeStorageProtector.choose(safeStorage, process.platform, logger);
  // Graph and sign-in go through Chromium's network stack (system proxy, PAC/WPAD, proxy sign-in,
  // the Windows certificate store) in a session of their own, in memory, apart from the window's.
  // Simulated tenants (training) keep Node's stack: their CA is trusted for that connection only.
  const networkSession = session.fromPartition('station-network');
  const nodeNetwork = nodeNetworkFactory({ logger });
  const network = {
    tenant: (t: { caFilePem?: string } = {}) => {
      if (t.caFilePem)
        logger.warn(
          "The CA file setting is not used for Microsoft's hosts in the app: it trusts the Windows certificate store (deploy the proxy's root there)",
        );
      logger.info('Network: Chromium stack (Windows proxy settings and certificate store)', { purpose: 'tenant' });
      return createElectronNetwork(networkSession);
    },
    simulated: nodeNetwork.simulated,
  };
  const station = createStation({
    host: 'electron',
    dataDir: userData,
    logger,
    logFiles: logFile.files,
    diagnosticsDir: app.getPath('desktop'),
    machineSettings,
    network,
    // The OS key store protects the token cache; without it (Linux without a keyring: basic_text) the key file is used.
    ...(osProtector ? { tokenCacheProtector: osProtector } : {}),
    // Sign-in pages open in the system browser, never in the station's window: Microsoft's sign-in
    // hosts of the four clouds, or the training tenant on this machine's loopback.
    openBrowser: async (url) => {
      if (!isAllowedExternalUrl(url) && !isLoopbackHttpsUrl(url))
        throw new Error('refused to open a sign-in page outside the allowed Microsoft hosts');
      await shell.openExternal(url);
    },
  });
  // Work left in the queue resumes at start, before any window asks for it (as browser mode does).
  station.queue();
  const windows = new Set<number>();

  lockDownSession(session.defaultSession, { devToolsAllowed });
  protocol.handle('app', createAppProtocolHandler(rendererDir));
  app.on('web-contents-created', (_e, contents) => lockDownContents(contents, shell, { devToolsAllowed }));
  // No default menu in packaged builds: it carries Reload and Toggle Developer Tools.
  if (app.isPackaged) Menu.setApplicationMenu(null);

  registerIpcHandlers(
    ipcMain,
    createDispatcher(station.handlers, logger),
    createSenderCheck(() => windows),
    logger.child({ host: 'electron' }),
  );

  const win = createMainWindow(BrowserWindow, shell, preloadPath, devToolsAllowed);
  windows.add(win.webContents.id);
  station.bus.subscribe((name, payload) => {
    if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, { name, payload });
  });

  app.on('second-instance', () => {
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => {
    void station.close().finally(() => logFile.close());
  });
}

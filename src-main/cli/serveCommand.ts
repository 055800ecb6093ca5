import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createStation, type Station } from '../app/createStation.ts';
import type { Logger } from '../kernel/logger.ts';
import { openDataDirLog } from '../app/dataDirLog.ts';
import { machineSettingsPath, readMachineSettings } from '../app/machineSettings.ts';
import { startBrowserHost, type BrowserHost } from '../host/browserHost.ts';
import { browserModeDispatch } from '../host/browserConfinement.ts';
import { usageError, type CliCommand } from './cliSupport.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function defaultDataDir(): string {
  return process.env.STATION_DATA_DIR ?? path.join(os.homedir(), '.autopilot-station');
}

/** `serve [--port N]`: browser mode on 127.0.0.1 with a per-run session token. Runs until interrupted. */
export const serveCommand: CliCommand = async (argv) => {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    throw usageError(`--port must be a number from 0 to 65535, not "${values.port}".`);
  const dataDir = defaultDataDir();
  // The same rotating JSON log as the app, in the data folder (and on stderr as before).
  const logs = openDataDirLog(dataDir, { stderrLevel: 'info' });
  const logger = logs.logger;
  // The admin's pre-seeded settings apply in browser mode too (a bench may run the station this way).
  const machineSettings = readMachineSettings(machineSettingsPath());
  if (machineSettings.problem)
    logger.warn('pre-seeded settings ignored', {
      errorCode: machineSettings.problem.code,
      message: machineSettings.problem.message,
    });
  const station = createStation({ host: 'browser', dataDir, logger, machineSettings, logFiles: logs.files });
  // Work left in the queue resumes now, whether or not a page is open.
  station.queue();
  const host = await startBrowserMode({
    station,
    logger,
    dataDir,
    adminDropFolder: machineSettings.values.dropFolder,
    staticDir: path.join(repoRoot, 'dist', 'renderer'),
    ...(port !== undefined ? { port } : {}),
  });
  if (values.json) process.stdout.write(`${JSON.stringify({ url: host.url, origin: host.origin, port: host.port })}\n`);
  else
    process.stdout.write(
      `Autopilot Station (browser mode) is ready. Open this address on this computer (a new one at every start; a tab left open reconnects once it is opened):\n  ${host.url}\n`,
    );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await host.close();
  await station.close();
  logs.close();
  return 0;
};

const BROWSER_MODE_FILE = 'browser-mode.json';

/**
 * Starts the browser host for a station. Without --port it reuses the last run's port when it is
 * free (kept in the data folder), so a tab left open keeps its address, theme and language (kept
 * per address by the browser). The session is new at every start (never written to disk): the open
 * tab says "the station restarted: open the address it printed", and as soon as that address is
 * opened in the same browser (any tab), the session cookie it sets lets the old tab reconnect by itself.
 */
export async function startBrowserMode(o: {
  station: Station;
  logger: Logger;
  dataDir: string;
  staticDir: string;
  port?: number;
  adminDropFolder?: string | undefined;
}): Promise<BrowserHost> {
  const file = path.join(o.dataDir, BROWSER_MODE_FILE);
  let last: { port?: unknown } = {};
  try {
    last = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof last;
  } catch {
    // first run
  }
  // Paths confined: whoever holds the session token cannot probe this computer's disk.
  const base = {
    dispatch: browserModeDispatch(o.station.handlers, {
      logger: o.logger,
      dataDir: o.dataDir,
      adminDropFolder: o.adminDropFolder,
    }),
    bus: o.station.bus,
    staticDir: o.staticDir,
    logger: o.logger,
  };
  const wanted = o.port ?? (typeof last.port === 'number' ? last.port : 0);
  let host: BrowserHost;
  try {
    host = await startBrowserHost({ ...base, port: wanted });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || o.port !== undefined) throw err;
    o.logger.info('The last browser-mode port is taken; using another one', { port: wanted });
    host = await startBrowserHost({ ...base, port: 0 });
  }
  try {
    fs.mkdirSync(o.dataDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    // The port only: a token kept on disk would outlive the run (earlier versions wrote one; this drops it).
    fs.writeFileSync(tmp, JSON.stringify({ port: host.port }), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch (err) {
    o.logger.warn('Could not remember the browser-mode address', { error: (err as Error).message });
  }
  o.logger.info('Browser mode listening', { origin: host.origin, reused: host.port === last.port });
  return host;
}

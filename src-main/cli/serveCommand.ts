import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createStation } from '../app/createStation.ts';
import { stderrLogger } from '../kernel/logger.ts';
import { machineSettingsPath, readMachineSettings } from '../app/machineSettings.ts';
import { startBrowserHost } from '../host/browserHost.ts';
import { browserModeDispatch } from '../host/browserConfinement.ts';
import { usageError, type CliCommand } from './cliSupport.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function defaultDataDir(): string {
  return process.env.STATION_DATA_DIR ?? path.join(os.homedir(), '.autopilot-station');
}

/** `serve [--port N]`: browser mode on 127.0.0.1 with a per-run session token. Runs until interrupted. */
export const serveCommand: CliCommand = async (argv) => {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string' }, json: { type: 'boolean' } }, strict: true });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port must be a number from 0 to 65535, not "${values.port}".`);
  const logger = stderrLogger('info');
  // The admin's pre-seeded settings apply in browser mode too (a bench may run the station this way).
  const machineSettings = readMachineSettings(machineSettingsPath());
  if (machineSettings.problem) logger.warn('pre-seeded settings ignored', { errorCode: machineSettings.problem.code, message: machineSettings.problem.message });
  const dataDir = defaultDataDir();
  const station = createStation({ host: 'browser', dataDir, logger, machineSettings });
  const host = await startBrowserHost({
    // Paths confined: whoever holds the session token cannot probe this computer's disk.
    dispatch: browserModeDispatch(station.handlers, { logger, dataDir, adminDropFolder: machineSettings.values.dropFolder }),
    bus: station.bus,
    staticDir: path.join(repoRoot, 'dist', 'renderer'),
    logger,
    port,
  });
  if (values.json) process.stdout.write(`${JSON.stringify({ url: host.url, origin: host.origin, port: host.port })}\n`);
  else process.stdout.write(`Autopilot Station (browser mode) is ready. Open this address on this computer:\n  ${host.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await host.close();
  await station.close();
  return 0;
};

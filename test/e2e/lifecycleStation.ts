/**
 * A browser-mode station as its own process for the lifecycle end-to-end test, so that the test can
 * SIGKILL it and start it again on the same data folder: the same composition as `serve`
 * (createStation + startBrowserMode, the log in the data folder), with a scaled service clock that
 * resumes across restarts, and optionally a cloud whose sign-in service never answers.
 * Prints one JSON line {url, origin, port} when ready.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createStation } from '../../src-main/app/createStation.ts';
import { openDataDirLog } from '../../src-main/app/dataDirLog.ts';
import { startBrowserMode } from '../../src-main/cli/serveCommand.ts';
import { customCloud } from '../../src-main/graph/clouds.ts';

export interface LifecycleStationConfig {
  dataDir: string;
  timeScale: number;
  /** https://127.0.0.1:<port> of a server that accepts connections and never answers. */
  silentAuthority?: string;
  contactMs?: number;
}

await main(process.argv[2]!);

async function main(configFile: string): Promise<void> {
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as LifecycleStationConfig;
  const logs = openDataDirLog(config.dataDir, { stderrLevel: 'warn' });
  const station = createStation({
    host: 'browser',
    dataDir: config.dataDir,
    logger: logs.logger,
    logFiles: logs.files,
    timeScale: config.timeScale,
    serialPort: { readSerials: async () => ({ system: 'PF3TRN01' }) },
    ...(config.silentAuthority
      ? { clouds: { global: customCloud(config.silentAuthority, config.silentAuthority, 'Unreachable cloud') } }
      : {}),
    ...(config.contactMs ? { signInDeadlines: { contactMs: config.contactMs } } : {}),
  });
  station.queue(); // as serve does: work resumes before any page is open
  const host = await startBrowserMode({
    station,
    logger: logs.logger,
    dataDir: config.dataDir,
    staticDir: path.resolve('dist', 'renderer'),
  });
  process.stdout.write(`${JSON.stringify({ url: host.url, origin: host.origin, port: host.port })}\n`);
  process.once('SIGTERM', () => {
    void host
      .close()
      .then(() => station.close())
      .then(() => process.exit(0));
  });
}

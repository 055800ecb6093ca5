import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createStation, type Station, type StationOptions } from '../app/createStation.ts';
import { stderrLogger } from '../kernel/logger.ts';
import { processIo, usageError, type CliCommand, type CliIo } from './cliSupport.ts';
import { defaultDataDir } from './serveCommand.ts';

export interface ExportCommandDeps {
  io: CliIo;
  dataDir: () => string;
  station: (options: StationOptions) => Station;
}

/**
 * `export --format intune|report [--out DIR]`: CSV files from the queue. Nothing is sent to Graph
 * (the worker stays off), so it works on an offline bench. Existing files are never overwritten.
 */
export function makeExportCommand(deps: ExportCommandDeps): CliCommand {
  return async (argv) => {
    const { values } = parseArgs({ args: argv, options: { format: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } }, strict: true });
    const format = values.format;
    if (format !== 'intune' && format !== 'report') throw usageError(`--format must be intune or report${format ? `, not "${format}"` : ''}.`);
    const out = path.resolve(values.out ?? '.');
    const station = deps.station({ host: 'browser', dataDir: deps.dataDir(), logger: stderrLogger(), queue: { worker: false } });
    try {
      const queue = station.queue();
      if (queue.problem) deps.io.stderr(`autopilot-station: ${queue.problem.message}\n`);
      const files = queue.service.exportQueue(format);
      await fs.mkdir(out, { recursive: true });
      const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
      const written: { path: string; rows: number }[] = [];
      for (const f of files) {
        const target = path.join(out, f.name.replace(/\.csv$/, `-${stamp}.csv`));
        await fs.writeFile(target, f.content, { encoding: 'utf8', flag: 'wx' });
        written.push({ path: target, rows: f.rows });
      }
      if (values.json) deps.io.stdout(`${JSON.stringify({ files: written })}\n`);
      else deps.io.stdout(written.length ? written.map((w) => `${w.path}  (${w.rows} device${w.rows === 1 ? '' : 's'})`).join('\n') + '\n' : 'The queue has no device to export.\n');
      if (!written.length) {
        deps.io.stderr('autopilot-station: the queue has no device to export.\n');
        return 1;
      }
      return 0;
    } finally {
      await station.close();
    }
  };
}

export const exportCommand = makeExportCommand({ io: processIo, dataDir: defaultDataDir, station: createStation });

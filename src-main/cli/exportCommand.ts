import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createStation } from '../app/createStation.ts';
import { openDataDirLog } from '../app/dataDirLog.ts';
import { corporateCsvFiles } from '../queue/corporateCsv.ts';
import { processIo, usageError, type CliCommand, type CliIo } from './cliSupport.ts';
import { defaultDataDir } from './serveCommand.ts';
import {
  inProcessSimulatedTenant,
  openTenantStation,
  parseTenantSelection,
  TENANT_SELECTION_OPTIONS,
  type TenantStationDeps,
} from './tenantSelection.ts';

export interface ExportCommandDeps extends TenantStationDeps {
  io: CliIo;
}

/**
 * `export --format intune|report|corporate [--out DIR] [--tenant sim|<id>] [--cloud C] [--tenant-url URL --ca F]`:
 * CSV files from the selected tenant's queue (the same selection as `import`). Nothing is sent to Graph
 * (the worker stays off) and the settings are not changed, so it works on an offline bench. Existing
 * files are never overwritten.
 */
export function makeExportCommand(deps: ExportCommandDeps): CliCommand {
  return async (argv) => {
    const { values } = parseArgs({
      args: argv,
      options: {
        format: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        ...TENANT_SELECTION_OPTIONS,
      },
      strict: true,
    });
    const selection = parseTenantSelection(values);
    const format = values.format;
    if (format !== 'intune' && format !== 'report' && format !== 'corporate')
      throw usageError(
        `--format must be intune or report, or corporate (corporate identifiers)${format ? `, not "${format}"` : ''}.`,
      );
    const out = path.resolve(values.out ?? '.');
    const logs = openDataDirLog(deps.dataDir());
    let opened;
    try {
      opened = await openTenantStation(selection, deps, { logger: logs.logger, readOnly: true });
    } catch (err) {
      logs.close();
      throw err;
    }
    const station = opened.station;
    try {
      const queue = station.queue();
      if (queue.problem) deps.io.stderr(`autopilot-station: ${queue.problem.message}\n`);
      // A file of nothing but left-out counts is not written.
      const files = queue.service.exportQueue(format).filter((f) => f.rows > 0 || format === 'report');
      if (format === 'corporate') {
        // Devices that cannot be written as a corporate identifier are named, not silently left out.
        for (const k of corporateCsvFiles(queue.service.allDevices().filter((d) => d.state !== 'invalid')).skipped) {
          deps.io.stderr(
            `autopilot-station: ${k.serialNumber}: not in the corporate identifier file (${k.code}${
              Object.keys(k.params).length
                ? ` ${Object.entries(k.params)
                    .map(([a, b]) => `${a}=${b}`)
                    .join(' ')}`
                : ''
            }).\n`,
          );
        }
      }
      await fs.mkdir(out, { recursive: true });
      const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
      const written: { path: string; rows: number }[] = [];
      for (const f of files) {
        const target = path.join(out, f.name.replace(/\.csv$/, `-${stamp}.csv`));
        await fs.writeFile(target, f.content, { encoding: 'utf8', flag: 'wx' });
        written.push({ path: target, rows: f.rows });
      }
      if (values.json) deps.io.stdout(`${JSON.stringify({ files: written })}\n`);
      else
        deps.io.stdout(
          written.length
            ? written.map((w) => `${w.path}  (${w.rows} device${w.rows === 1 ? '' : 's'})`).join('\n') + '\n'
            : 'The queue has no device to export.\n',
        );
      if (!written.length) {
        deps.io.stderr('autopilot-station: the queue has no device to export.\n');
        return 1;
      }
      return 0;
    } finally {
      await opened.close();
      logs.close();
    }
  };
}

export const exportCommand = makeExportCommand({
  io: processIo,
  dataDir: defaultDataDir,
  station: createStation,
  simulatedTenant: inProcessSimulatedTenant,
});

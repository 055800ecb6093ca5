import { failureLine, processIo, type CliCommand } from './cli/cliSupport.ts';
import { serveCommand } from './cli/serveCommand.ts';
import { inspectCommand } from './cli/inspectCommand.ts';
import { captureCommand } from './cli/captureCommand.ts';
import { importCommand } from './cli/importCommand.ts';
import { exportCommand } from './cli/exportCommand.ts';
import { simCommand } from './cli/simCommand.ts';
import { checkCommand } from './cli/checkCommand.ts';

/** The `autopilot-station` command. One line per command; each command lives in src-main/cli/. */
const commands: Record<string, { run: CliCommand; summary: string }> = {
  serve: { run: serveCommand, summary: 'serve [--port N]  browser mode on 127.0.0.1' },
  inspect: { run: inspectCommand, summary: 'inspect <file...> [--serial S] [--use-hash-serial] [--json]  read OEM hash files (OA3.xml, CSV) and report' },
  capture: { run: captureCommand, summary: 'capture [--hash-file F] [--serial S] [--json]  this machine as one device record' },
  import: {
    run: importCommand,
    summary:
      'import <file...> --group-tag T [--override-group-tag] [--assigned-user U] [--override-assigned-user] [--use-hash-serial] [--tenant sim|<tenant-id>] [--scenario F] [--tenant-url URL --ca FILE] [--cloud C] [--api v1.0|beta] [--wait imported|registered|assigned] [--register autopilot|corporate|both] [--timeout-s N] [--json]  queue and import, print each final state',
  },
  export: { run: exportCommand, summary: 'export --format intune|report|corporate [--out DIR] [--json]  CSV files from the queue' },
  sim: { run: simCommand, summary: 'sim [--port N] [--time-scale X] [--scenario F] [--realistic] [--host A] [--public-host NAME] [--http]  run the simulated tenant alone' },
  check: { run: checkCommand, summary: 'check [--tenant ID|sim] [--client-id ID] [--cloud C] [--method browser|device-code|certificate] [--api v1.0|beta] [--scenario F] [--json]  read-only pre-flight check of the bench, tenant and app registration' },
};

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    processIo.stdout(`Usage: autopilot-station <command> [options]\n\n${Object.values(commands).map((c) => `  ${c.summary}`).join('\n')}\n`);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    processIo.stderr(`autopilot-station: unknown command "${name}". Run "autopilot-station --help".\n`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    processIo.stderr(failureLine(err));
    return 1;
  }
}

const exitCode = await runCli(process.argv.slice(2));
process.exitCode = exitCode;

import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { failureLine, processIo, type CliCommand } from './cli/cliSupport.ts';
import { CLI_COMMAND_NAMES, type CliCommandName } from './cli/commandNames.ts';
import { serveCommand } from './cli/serveCommand.ts';
import { inspectCommand } from './cli/inspectCommand.ts';
import { captureCommand } from './cli/captureCommand.ts';
import { importCommand } from './cli/importCommand.ts';
import { exportCommand } from './cli/exportCommand.ts';
import { simCommand } from './cli/simCommand.ts';
import { checkCommand } from './cli/checkCommand.ts';
import { TENANT_SELECTION_HELP } from './cli/tenantSelection.ts';

/**
 * The `autopilot-station` command. One entry per command (each lives in src-main/cli/): its runner,
 * its one-line summary for `autopilot-station --help` and its own usage for `<command> --help`.
 * Built to dist/main/cli.js (scripts/build-main.ts), run by bin/autopilot-station.js, by
 * `node dist/main/cli.js`, and by the installed app's exe started with a command (src-main/main.ts).
 */
const commands: Record<CliCommandName, { run: CliCommand; summary: string; usage: string }> = {
  inspect: {
    run: inspectCommand,
    summary: 'inspect <file...>   read OEM hash files (OA3.xml, CSV) and report',
    usage: `inspect <file...> [--serial S] [--use-hash-serial] [--json]

Reads OEM hash files (OA3Tool's OA3.xml, Get-WindowsAutopilotInfo or Partner Center CSV, a ConfigMgr
report) and reports every device and what is wrong with it. Exit 1 when a device is invalid or a file unreadable.

  --serial S          the serial on the label (replaces the file's own, checked against the hash)
  --use-hash-serial   take the hash's serial where a spreadsheet damaged the file's (leading zeros, 1.23E+11)
  --json              machine-readable report on stdout`,
  },
  capture: {
    run: captureCommand,
    summary: 'capture             this machine as one device record',
    usage: `capture [--hash-file F] [--serial S] [--json]

This machine's serial number (from the firmware) and, with --hash-file, its hash file as one device record.

  --hash-file F       the hash file the OEM tool wrote for this machine
  --serial S          the scanned or typed serial when the firmware has none
  --json              machine-readable record on stdout`,
  },
  import: {
    run: importCommand,
    summary: 'import <file...>    queue and import into Windows Autopilot, print each final state',
    usage: `import <file...> --group-tag T [options]

Reads the hash files, queues every device in the selected tenant's queue (kept like any other), imports
them and follows each until --wait is reached or --timeout-s passes; shows each change on stderr while
it waits (not with --json) and prints each device's final state. Exit 1 when a device did not make it.

  --group-tag T               the group tag ("" for none); rows with their own keep it unless --override-group-tag
  --assigned-user U           the user principal name to assign (--override-assigned-user replaces the files' own)
  --use-hash-serial           take the hash's serial where a spreadsheet damaged the file's
${TENANT_SELECTION_HELP}
  --api v1.0|beta             the Graph version
  --wait imported|registered|assigned   how far to follow each device (default registered)
  --register T[,T]            what to register each device as: autopilot (default), corporate, or
                              autopilot,corporate for both ("both" is still accepted as that spelling)
  --timeout-s N               stop waiting after N seconds (default 10800); devices stay queued
  --json                      only the JSON result on stdout, no progress`,
  },
  export: {
    run: exportCommand,
    summary: "export              CSV files from a tenant's queue",
    usage: `export --format intune|report|corporate [--out DIR] [tenant options] [--json]

Writes CSV files from the selected tenant's queue (nothing is sent; the settings are not changed):
intune: the admin centre's import file; report: every device and its state; corporate: corporate identifiers.

  --format F                  intune, report or corporate
  --out DIR                   folder for the files (default: the current folder); files are never overwritten
${TENANT_SELECTION_HELP}
  --json                      the files written, as JSON on stdout`,
  },
  check: {
    run: checkCommand,
    summary: 'check               read-only pre-flight check of the bench, tenant and app registration',
    usage: `check [tenant options] [--client-id ID] [--method browser|device-code|certificate] [--api v1.0|beta] [--json]

Checks this bench, the tenant and its app registration before any device is sent: nothing in the tenant
is created, changed or deleted. Exit 1 when a check failed (warnings exit 0).

${TENANT_SELECTION_HELP}
  --client-id ID              the app registration's application (client) id
  --method M                  the sign-in method to check: browser, device-code or certificate
  --api v1.0|beta             the Graph version
  --json                      the report as JSON on stdout`,
  },
  sim: {
    run: simCommand,
    summary: 'sim                 run the simulated tenant alone',
    usage: `sim [--port N] [--time-scale X] [--scenario F] [--realistic] [--host A] [--public-host NAME] [--http] [--json]

Runs the simulated tenant alone and prints its endpoints as one JSON line, until Ctrl+C.

  --port N            port to listen on (default: any free one)
  --time-scale X      service seconds per real second (default 1)
  --scenario F        a scenario file (default: the training tenant)
  --realistic         turn on every real-tenant behaviour
  --host A            address to listen on (0.0.0.0 for a classroom)
  --public-host NAME  the name stations use to reach it
  --http              plain HTTP (no sign-in possible)`,
  },
  serve: {
    run: serveCommand,
    summary: 'serve               browser mode on 127.0.0.1',
    usage: `serve [--port N] [--json]

Browser mode: the station's screens on 127.0.0.1 with a session token, until Ctrl+C.

  --port N            port to listen on (default: the last one when free)
  --json              the address as JSON on stdout`,
  },
};

function helpRequested(argv: string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/**
 * Runs one command line (argv without the program: `['import', 'a.csv', '--group-tag', 'X']`) and
 * returns the exit code: 0 done, 1 the command failed or was misused (one-line reason on stderr),
 * 2 no or an unknown command.
 * `<command> --help` prints that command's usage on stdout and returns 0. Never throws.
 */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const list = CLI_COMMAND_NAMES.map((n) => `  ${commands[n].summary}`).join('\n');
    processIo.stdout(
      `Usage: autopilot-station <command> [options]\n\n${list}\n\nRun "autopilot-station <command> --help" for a command's options.\n`,
    );
    return name ? 0 : 2;
  }
  const command = (CLI_COMMAND_NAMES as readonly string[]).includes(name)
    ? commands[name as CliCommandName]
    : undefined;
  if (!command) {
    processIo.stderr(`autopilot-station: unknown command "${name}". Run "autopilot-station --help".\n`);
    return 2;
  }
  if (helpRequested(rest)) {
    processIo.stdout(`Usage: autopilot-station ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    processIo.stderr(failureLine(err));
    return 1;
  }
}

/**
 * True when this module is the program itself (`node dist/main/cli.js ...`), not imported by bin/ or the Electron
 * entry.
 */
function isProgramEntry(): boolean {
  const entry = process.argv[1];
  if (!entry || process.versions.electron) return false;
  try {
    return fs.realpathSync(entry) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isProgramEntry()) process.exitCode = await runCli(process.argv.slice(2));

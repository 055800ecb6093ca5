/**
 * The commands of `autopilot-station`, in the order `--help` lists them. The Electron entry
 * (src-main/main.ts) reads this list to tell "the exe started with a command" from a normal start
 * without loading the command line itself.
 */
export const CLI_COMMAND_NAMES = ['inspect', 'capture', 'import', 'export', 'check', 'sim', 'serve'] as const;
export type CliCommandName = (typeof CLI_COMMAND_NAMES)[number];

/**
 * The command-line arguments of an Electron start when they name a command (or ask for help), else
 * undefined (a normal start that opens the window). `argv` is process.argv; `defaultApp` is
 * process.defaultApp (true under `electron .`, whose argv[1] is the app folder).
 */
export function electronCliArgs(argv: readonly string[], defaultApp: boolean | undefined): string[] | undefined {
  const args = argv.slice(defaultApp ? 2 : 1);
  const first = args[0];
  if (first === undefined) return undefined;
  if (
    (CLI_COMMAND_NAMES as readonly string[]).includes(first) ||
    first === 'help' ||
    first === '--help' ||
    first === '-h'
  )
    return args;
  return undefined;
}

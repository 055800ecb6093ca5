import { StationError } from '../contract/errors.ts';

/** One command of the `autopilot-station` binary: returns the process exit code. */
export type CliCommand = (argv: string[]) => Promise<number>;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** The one-line reason on stderr that every failing command ends with. */
export function failureLine(err: unknown): string {
  if (err instanceof StationError) return `autopilot-station: ${err.message}${err.action ? ` ${err.action}` : ''}\n`;
  if (err instanceof Error) return `autopilot-station: ${err.message}\n`;
  return `autopilot-station: ${String(err)}\n`;
}

export function usageError(message: string): StationError {
  return new StationError({
    code: 'USAGE',
    message,
    action: 'Run "autopilot-station --help" for the commands and their options.',
  });
}

import { parseArgs } from 'node:util';
import { readHashFile } from '../capture/readHashFile.ts';
import { serialNumber } from '../contract/schemas.ts';
import { fileJson, fileText, failureSummary } from './captureOutput.ts';
import { processIo, usageError, type CliCommand, type CliIo } from './cliSupport.ts';

/** `inspect <file...> [--serial S] [--json]`: reads OEM hash files and reports; exit 1 when anything is wrong. */
export function makeInspectCommand(io: CliIo = processIo): CliCommand {
  return async (argv) => {
    const { values, positionals } = parseArgs({ args: argv, options: { serial: { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
    if (positionals.length === 0) throw usageError('Give at least one hash file: autopilot-station inspect <file...> [--serial S] [--json].');
    const serial = values.serial === undefined ? undefined : parseSerial(values.serial);
    const files = [];
    for (const file of positionals) files.push(await readHashFile(file, serial ? { serialNumber: serial } : {}));
    if (values.json) io.stdout(`${JSON.stringify({ files: files.map(fileJson) })}\n`);
    else io.stdout(files.map(fileText).join('\n'));
    const failure = failureSummary(files);
    if (failure) {
      io.stderr(`autopilot-station: ${failure}.\n`);
      return 1;
    }
    return 0;
  };
}

export function parseSerial(value: string): string {
  const parsed = serialNumber.safeParse(value);
  if (!parsed.success) throw usageError(`--serial "${value.slice(0, 64)}" is not a serial number (${parsed.error.issues[0]?.message ?? 'invalid'}).`);
  return parsed.data;
}

export const inspectCommand = makeInspectCommand();

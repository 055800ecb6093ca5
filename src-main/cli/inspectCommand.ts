import { parseArgs } from 'node:util';
import { useHashSerial } from '../capture/checkDevice.ts';
import { hashFileReader } from '../capture/hashFileReader.ts';
import { serialNumber } from '../contract/schemas.ts';
import { fileJson, fileText, failureSummary } from './captureOutput.ts';
import { pairText, sameSerialPairs } from './sameSerialCaptures.ts';
import { processIo, usageError, type CliCommand, type CliIo } from './cliSupport.ts';

/** `inspect <file...> [--serial S] [--json]`: reads OEM hash files and reports; exit 1 when anything is wrong. */
export function makeInspectCommand(io: CliIo = processIo): CliCommand {
  return async (argv) => {
    const { values, positionals } = parseArgs({
      args: argv,
      // --use-hash-serial: a serial a spreadsheet damaged (leading zeros, 1.23E+11, ".0") is replaced by the hash's
      // own.
      options: { serial: { type: 'string' }, json: { type: 'boolean' }, 'use-hash-serial': { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length === 0)
      throw usageError('Give at least one hash file: autopilot-station inspect <file...> [--serial S] [--json].');
    const serial = values.serial === undefined ? undefined : parseSerial(values.serial);
    const files = [];
    for (const file of positionals) {
      const read = await hashFileReader.readFile(file, serial ? { serialNumber: serial } : {});
      if (values['use-hash-serial']) read.devices = read.devices.map(useHashSerial);
      files.push(read);
    }
    // A serial captured with different hashes (a motherboard swap captured before and after) is named as a
    // pair; the key is there only when there is one, so fileJson's shape (captureOutput.ts) stays as it is otherwise.
    const sameSerial = sameSerialPairs(files);
    if (values.json)
      io.stdout(`${JSON.stringify({ files: files.map(fileJson), ...(sameSerial.length ? { sameSerial } : {}) })}\n`);
    else io.stdout(files.map(fileText).join('\n') + sameSerial.map((p) => `${pairText(p)}\n`).join(''));
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
  if (!parsed.success)
    throw usageError(
      `--serial "${value.slice(0, 64)}" is not a serial number (${parsed.error.issues[0]?.message ?? 'invalid'}).`,
    );
  return parsed.data;
}

export const inspectCommand = makeInspectCommand();

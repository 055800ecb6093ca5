import { parseArgs } from 'node:util';
import { stderrLogger } from '../kernel/logger.ts';
import { CaptureService } from '../capture/captureService.ts';
import { SysteminformationSerialPort } from '../capture/systeminformationSerialPort.ts';
import { ThisDeviceSerial } from '../capture/thisDeviceSerial.ts';
import { captureJson, deviceText, failureSummary, fileText } from './captureOutput.ts';
import { processIo, type CliCommand, type CliIo } from './cliSupport.ts';
import { parseSerial } from './inspectCommand.ts';

/**
 * `capture [--hash-file F] [--serial S] [--json]`: this machine's serial number (systeminformation)
 * and its hash file as one device record. --serial is the scanned or typed serial when the firmware has none.
 */
export function makeCaptureCommand(io: CliIo = processIo): CliCommand {
  return async (argv) => {
    const { values } = parseArgs({
      args: argv,
      options: { 'hash-file': { type: 'string' }, serial: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    });
    const typed = values.serial === undefined ? undefined : parseSerial(values.serial);
    const logger = stderrLogger();
    // A command can wait for WMI longer than a screen would.
    const capture = new CaptureService({
      serial: new ThisDeviceSerial({ port: new SysteminformationSerialPort(), logger, waitMs: 30_000 }),
      logger,
    });
    const result = await capture.captureThisDevice({
      ...(values['hash-file'] ? { hashFilePath: values['hash-file'] } : {}),
      ...(typed ? { serialNumber: typed } : {}),
    });

    if (values.json) {
      io.stdout(`${JSON.stringify(captureJson(result))}\n`);
    } else {
      const s = result.serial;
      io.stdout(
        s.value
          ? `Serial number: ${s.value} (${s.source})\n`
          : `Serial number: none usable (${s.problem}${s.raw ? `: "${s.raw}"` : ''}). Scan the serial label or pass --serial.\n`,
      );
      const file = result.hashFile;
      if (file && (file.devices.length > 1 || !result.device)) io.stdout(fileText(file));
      else if (file)
        io.stdout(
          `${file.path}  [${file.format}, ${file.encoding}]\n${file.errors.map((e) => `  ERROR ${e.line !== undefined ? `line ${e.line} ` : ''}${e.code}: ${e.message}\n`).join('')}`,
        );
      if (result.device) io.stdout(`This device:\n${deviceText(result.device).join('\n')}\n`);
    }

    const problems: string[] = [];
    if (result.needsSerial)
      problems.push(`this machine has no usable serial number (${result.serial.problem}); pass --serial`);
    if (result.hashFile) {
      // Only this machine's record counts here; other rows of a shared CSV are someone else's concern.
      if (result.device && !result.device.valid)
        problems.push(
          `this device is invalid (${result.device.findings
            .filter((f) => f.severity === 'error')
            .map((f) => f.code)
            .join(', ')})`,
        );
      if (!result.device) problems.push(failureSummary([result.hashFile]) ?? 'the hash file holds no device');
    }
    if (problems.length) {
      io.stderr(`autopilot-station: ${problems.join('; ')}.\n`);
      return 1;
    }
    return 0;
  };
}

export const captureCommand = makeCaptureCommand();

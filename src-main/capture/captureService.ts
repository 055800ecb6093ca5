import path from 'node:path';
import type { Logger } from '../kernel/logger.ts';
import type { ParsedInput } from '../contract/contract.ts';
import { StationError } from '../contract/errors.ts';
import type { CapturedDevice, FileReadResult, ThisDeviceCapture } from '../contract/types.ts';
import { checkDevice } from './checkDevice.ts';
import type { DropFolder } from './dropFolder.ts';
import { MAX_FILE_BYTES, MAX_FILE_SIZE_TEXT } from '../contract/limits.ts';
import { readError, wrongFileType } from './fileReadCodes.ts';
import { sameSerial } from './placeholderSerial.ts';
import { hashFileReader, type HashFileReader } from './hashFileReader.ts';
import type { ThisDeviceSerial } from './thisDeviceSerial.ts';

export interface CaptureServiceOptions {
  serial: ThisDeviceSerial;
  /** Absent for the command line, which has no drop folder. */
  dropFolder?: DropFolder;
  logger: Logger;
  /** Reads and decodes hash files off this thread (default: the process's worker-thread reader). */
  files?: Pick<HashFileReader, 'readFile' | 'readBytes'>;
}

/** The capture calls of the contract: this machine, hash files by path or content, the drop folder. */
export class CaptureService {
  private readonly files: Pick<HashFileReader, 'readFile' | 'readBytes'>;

  constructor(private readonly options: CaptureServiceOptions) {
    this.files = options.files ?? hashFileReader;
  }

  /**
   * This machine as one device: its cached serial (or the typed one) and, when a hash file is given,
   * the hash from it judged against that serial.
   */
  async captureThisDevice(input: ParsedInput<'captureThisDevice'>): Promise<ThisDeviceCapture> {
    const machine = await this.options.serial.get();
    const serial: ThisDeviceCapture['serial'] = input.serialNumber
      ? { value: input.serialNumber, source: 'typed' }
      : machine;
    const capture: ThisDeviceCapture = { serial, needsSerial: serial.value === undefined };
    if (!input.hashFilePath) return capture;

    // Without a usable serial the device is judged with what the firmware said (placeholder or nothing), so it
    // stays invalid until the technician scans or types one, even when the hash carries a serial of its own.
    const file = await this.readNamed(input.hashFilePath, {
      sourceKind: 'this-device',
      serialNumber: serial.value ?? serial.raw ?? '',
    });
    capture.hashFile = file;
    // A CSV may hold several machines: this one is the row whose hash carries this serial, else the first.
    const device =
      (serial.value &&
        file.devices.find((d) => d.hash.serialNumber && sameSerial(d.hash.serialNumber, serial.value!))) ||
      file.devices[0];
    if (device) capture.device = device;
    this.options.logger.info('captured this device', {
      serialSource: serial.source,
      serialProblem: serial.problem,
      devices: file.devices.length,
      errors: file.errors.length,
    });
    return capture;
  }

  async readFiles(input: ParsedInput<'readFiles'>): Promise<FileReadResult[]> {
    const results: FileReadResult[] = [];
    // One at a time: at most 1000 files of at most 10 MB, and memory stays flat.
    for (const file of input.paths) results.push(await this.readNamed(file));
    return results;
  }

  /** A file by path, when its name is one Capture and Import take (the contract's hashFileTypes.ts). */
  private async readNamed(file: string, options?: Parameters<HashFileReader['readFile']>[1]): Promise<FileReadResult> {
    const wrong = wrongFileType(file);
    if (wrong) return { path: file, devices: [], errors: [wrong] };
    return this.files.readFile(file, options);
  }

  /** Browser mode: the renderer sends the bytes of the files the technician picked or dropped. */
  async readFileContents(input: ParsedInput<'readFileContents'>): Promise<FileReadResult[]> {
    // One at a time, as readFiles: memory stays flat.
    const results: FileReadResult[] = [];
    for (const { name, base64 } of input.files) {
      results.push(await this.readContent(name, base64));
    }
    return results;
  }

  private async readContent(name: string, base64: string): Promise<FileReadResult> {
    const display = path.basename(name.replaceAll('\\', '/')) || 'file';
    const wrong = wrongFileType(display);
    if (wrong) return { path: display, devices: [], errors: [wrong] };
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) {
      return {
        path: display,
        devices: [],
        errors: [
          readError(
            'FILE_UNREADABLE',
            'The file did not arrive intact (its contents were not sent as base64). Pick it again.',
          ),
        ],
      };
    }
    // Refuse before decoding: base64 is 4/3 of the bytes.
    if (Math.floor((base64.length * 3) / 4) > MAX_FILE_BYTES + 2) {
      return {
        path: display,
        devices: [],
        errors: [
          readError(
            'FILE_TOO_LARGE',
            `The file is over ${MAX_FILE_SIZE_TEXT}; hash files are a few KB. The station reads files up to ${MAX_FILE_SIZE_TEXT}.`,
            undefined,
            { path: display, limit: MAX_FILE_SIZE_TEXT },
          ),
        ],
      };
    }
    return this.files.readBytes(Buffer.from(base64, 'base64'), display);
  }

  async readDropFolder(): Promise<FileReadResult[]> {
    if (!this.options.dropFolder) {
      throw new StationError({
        code: 'DROP_FOLDER_NOT_SET',
        message: 'No drop folder is set.',
        action: 'Choose the folder the OEM tool writes hash files into in Settings.',
      });
    }
    return this.options.dropFolder.readNew();
  }

  /** Re-judges a device the technician edited (typed serial); main never trusts the renderer's verdict. */
  async checkDevice(input: ParsedInput<'checkDevice'>): Promise<CapturedDevice> {
    const d = input.device;
    return checkDevice({
      serialNumber: d.serialNumber,
      hardwareHash: d.hardwareHash,
      ...(d.productKey ? { productKey: d.productKey } : {}),
      ...(d.groupTag ? { groupTag: d.groupTag } : {}),
      ...(d.assignedUser ? { assignedUser: d.assignedUser } : {}),
      source: d.source,
    });
  }
}

import { ApiError, type StationApi } from '../api.ts';
import type {
  CapturedDevice,
  FileReadResult,
  QueueResult,
  ThisDeviceCapture,
} from '../../../src-main/contract/types.ts';
import { foldSerial } from '../../../src-main/contract/serialNumberRule.ts';
import { fileToBase64 } from '../fileToBase64.ts';
import { MAX_FILE_BYTES, MAX_FILE_SIZE_TEXT } from '../../../src-main/contract/limits.ts';
import { errorText } from './errorText.ts';
import { t } from '../i18n/i18n.svelte.ts';

type DeviceInput = Parameters<StationApi['checkDevice']>[0]['device'];
const FOLDER_KEY = 'station.capture.lastFolder';

export function toDeviceInput(d: CapturedDevice): DeviceInput {
  const input: DeviceInput = { serialNumber: d.serialNumber, hardwareHash: d.hardwareHash, source: { ...d.source } };
  if (d.productKey) input.productKey = d.productKey;
  if (d.groupTag) input.groupTag = d.groupTag;
  if (d.assignedUser) input.assignedUser = d.assignedUser;
  return input;
}

export type OutcomeKind = 'queued' | 'duplicate' | 'invalid' | 'flagged';

/** What the last Queue press did, with the device as it was judged, so its findings stay in view until the next one. */
export interface CaptureOutcome {
  serial: string;
  kind: OutcomeKind;
  result: QueueResult;
  device: CapturedDevice;
}

export function outcomeKind(r: QueueResult): OutcomeKind {
  if (r.queued.length) return 'queued';
  if (r.flagged?.length) return 'flagged';
  if (r.duplicates.length) return 'duplicate';
  return 'invalid';
}

/** The one device on the Capture screen: this machine's serial, its hash file, and the checks on both. */
export class CaptureStore {
  serial = $state('');
  /**
   * What the serial field holds, typed but not yet confirmed (no Tab, no Enter): it is the technician's, so a
   * hash file read now is checked against it (mismatch shown), never written over it.
   */
  draftSerial = $state('');
  serialInfo = $state<ThisDeviceCapture['serial'] | undefined>(undefined);
  needsSerial = $state(false);
  device = $state<CapturedDevice | undefined>(undefined);
  fileErrors = $state.raw<FileReadResult['errors']>([]);
  /** Devices in the chosen file besides the one shown: Capture takes one device, Import files takes them all. */
  moreInFile = $state(0);
  hashPath = $state('');
  lastFolder = $state('');
  assignedUser = $state('');
  busy = $state(false);
  error = $state<string | undefined>(undefined);
  result = $state<CaptureOutcome | undefined>(undefined);
  /** The answer to "Read the drop folder", shown next to that button. */
  dropFolder = $state<{ ok: boolean; text: string } | undefined>(undefined);

  private readonly off: () => void;

  constructor(private readonly api: StationApi) {
    this.lastFolder = globalThis.localStorage?.getItem(FOLDER_KEY) ?? '';
    this.off = api.on('dropFolderRead', (results) => {
      const first = results.find((r) => r.devices.length > 0);
      if (first && !this.device) {
        this.takeFile(first);
        void this.run(() => this.recheck());
      }
    });
  }

  /** Where the last error belongs, so the screen shows it next to what it is about. */
  errorAt = $state<'file' | 'serial' | 'queue'>('queue');

  /** Stops listening (the window is closing, or a test is done with this store). */
  dispose(): void {
    this.off();
  }

  private async run(work: () => Promise<void>, at: 'file' | 'serial' | 'queue' = 'file'): Promise<void> {
    this.busy = true;
    this.error = undefined;
    this.errorAt = at;
    try {
      await work();
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  readThisDevice(hashFilePath?: string): Promise<void> {
    this.next();
    this.keepTyped();
    if (hashFilePath) this.forgetFile(hashFilePath);
    return this.run(async () => {
      const input: { hashFilePath?: string; serialNumber?: string } = {};
      if (hashFilePath) input.hashFilePath = hashFilePath;
      if (this.serial.trim() && this.serialInfo?.source === 'typed') input.serialNumber = this.serial.trim();
      const capture = await this.api.captureThisDevice(input);
      this.serialInfo = capture.serial;
      this.needsSerial = capture.needsSerial;
      if (capture.serial.value && !(this.serialInfo.source === 'typed' && this.serial))
        this.useSerial(capture.serial.value);
      if (capture.hashFile) this.takeFile(capture.hashFile);
      if (capture.device) this.device = capture.device;
      if (hashFilePath) this.rememberFolder(hashFilePath);
    });
  }

  loadPath(): Promise<void> {
    return this.readThisDevice(this.hashPath.trim());
  }

  loadBrowserFile(file: File): Promise<void> {
    this.forgetFile(file.name);
    return this.run(async () => {
      if (file.size > MAX_FILE_BYTES)
        throw new ApiError({
          code: 'FILE_TOO_LARGE',
          message: `${file.name} is larger than ${MAX_FILE_SIZE_TEXT}.`,
          params: { path: file.name, limit: MAX_FILE_SIZE_TEXT },
        });
      const [result] = await this.api.readFileContents({
        files: [{ name: file.name, base64: await fileToBase64(file) }],
      });
      if (result) this.takeFile(result);
      await this.recheck();
    });
  }

  /** Answers next to its button: no folder set, nothing in it, or which file it read. */
  async readDropFolder(): Promise<void> {
    this.busy = true;
    this.dropFolder = undefined;
    try {
      const results = await this.api.readDropFolder({});
      const first = results.find((r) => r.devices.length > 0) ?? results[0];
      if (first) {
        this.takeFile(first);
        await this.recheck();
        this.dropFolder = {
          ok: first.devices.length > 0,
          text: t('capture.dropFolderRead', { name: first.path.split(/[\\/]/).pop() ?? first.path }),
        };
      } else {
        this.dropFolder = { ok: false, text: t('capture.dropFolderEmpty') };
      }
    } catch (err) {
      this.dropFolder = { ok: false, text: errorText(err) };
    } finally {
      this.busy = false;
    }
  }

  /** A scanned or typed serial: the station re-judges the device with it (serial vs hash). */
  setSerial(serial: string): Promise<void> {
    this.useSerial(serial);
    if (this.serial) this.result = undefined;
    this.serialInfo = { ...(this.serialInfo ?? {}), value: this.serial, source: 'typed' };
    return this.run(() => this.recheck(), 'serial');
  }

  /** The technician moves on: the last outcome and its findings give way to the next device. */
  next(): void {
    this.result = undefined;
    this.dropFolder = undefined;
  }

  private takeFile(result: FileReadResult): void {
    this.result = undefined;
    this.keepTyped();
    this.fileErrors = result.errors;
    this.hashPath = result.path;
    this.moreInFile = Math.max(0, result.devices.length - 1);
    const device = result.devices[0];
    // A file without a device replaces the one shown: the device box and Queue never outlive the file they came from.
    this.device = device;
    if (device && !this.serial && device.serialNumber) this.useSerial(device.serialNumber);
  }

  /**
   * A new file was chosen: the previous file's device, findings and errors go before it is read, so a refused file
   * cannot leave the last good hash queueable under the serial typed for this machine.
   */
  private forgetFile(name: string): void {
    this.result = undefined;
    this.device = undefined;
    this.fileErrors = [];
    this.moreInFile = 0;
    this.hashPath = name;
  }

  /**
   * The one way the serial changes: the field shows it. A scanner or IME in full-width mode sends
   * ＰＦ１２３: the station's one rule (foldSerial) reads it as the label's PF123.
   */
  private useSerial(value: string): void {
    this.serial = foldSerial(value);
    this.draftSerial = this.serial;
  }

  /** A serial typed but not confirmed becomes the serial before anything is read that carries one of its own. */
  private keepTyped(): void {
    const typed = this.draftSerial.trim();
    if (!typed || typed === this.serial) return;
    this.useSerial(typed);
    this.serialInfo = { ...(this.serialInfo ?? {}), value: typed, source: 'typed' };
  }

  private async recheck(): Promise<void> {
    if (!this.device || !this.serial || this.device.serialNumber === this.serial) return;
    this.device = await this.api.checkDevice({ device: { ...toDeviceInput(this.device), serialNumber: this.serial } });
  }

  private rememberFolder(path: string): void {
    const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    if (cut <= 0) return;
    this.lastFolder = path.slice(0, cut);
    globalThis.localStorage?.setItem(FOLDER_KEY, this.lastFolder);
  }

  get ready(): boolean {
    return !!this.device && !!this.serial.trim();
  }

  queue(groupTag: string): Promise<void> {
    return this.run(async () => {
      if (!this.device) return;
      const device = { ...toDeviceInput(this.device), serialNumber: this.serial.trim() };
      const input: Parameters<StationApi['queueDevices']>[0] = { devices: [device] };
      if (groupTag) input.groupTag = groupTag;
      if (this.assignedUser.trim()) input.assignedUser = this.assignedUser.trim();
      const result = await this.api.queueDevices(input);
      this.result = { serial: device.serialNumber, kind: outcomeKind(result), result, device: this.device };
      // Ready for the next machine on the bench.
      this.device = undefined;
      this.useSerial('');
      this.serialInfo = undefined;
      this.hashPath = '';
      this.fileErrors = [];
    }, 'queue');
  }
}

import type { StationApi } from '../api.ts';
import type { CapturedDevice, FileReadResult, QueueResult } from '../../../src-main/contract/types.ts';
import { fileToBase64, MAX_FILE_BYTES } from '../fileToBase64.ts';
import { toDeviceInput } from './capture.svelte.ts';
import { errorText } from './errorText.ts';

const FILES_PER_CALL = 50;
const DEVICES_PER_CALL = 10_000;

export interface BadRow {
  file: string;
  line?: number;
  serial?: string;
  /** Finding or file error codes, translated by the screen; message is the English fallback. */
  reasons: { code: string; message: string }[];
}

/** Many files at once: per-file results, good devices ready to queue, bad rows with line and reason. */
export class ImportStore {
  results = $state.raw<FileReadResult[]>([]);
  busy = $state(false);
  error = $state<string | undefined>(undefined);
  skipped = $state.raw<string[]>([]);
  queued = $state<QueueResult | undefined>(undefined);
  /** Devices already sent to the queue: they stay listed per file but are not offered again. */
  sent = $state.raw<ReadonlySet<CapturedDevice>>(new Set());

  good = $derived(this.results.flatMap((r) => r.devices.filter((d) => d.valid && !this.sent.has(d))));
  bad = $derived(
    this.results.flatMap((r): BadRow[] => [
      ...r.errors.map((e) => ({ file: r.path, ...(e.line !== undefined ? { line: e.line } : {}), reasons: [{ code: e.code, message: e.message }] })),
      ...r.devices
        .filter((d) => !d.valid)
        .map((d: CapturedDevice) => ({
          file: r.path,
          ...(d.source.line !== undefined ? { line: d.source.line } : {}),
          serial: d.serialNumber,
          reasons: d.findings.filter((f) => f.severity === 'error').map((f) => ({ code: f.code, message: f.message })),
        })),
    ]),
  );

  private readonly off: () => void;

  constructor(private readonly api: StationApi) {
    this.off = api.on('dropFolderRead', (results) => (this.results = [...this.results, ...results]));
  }

  /** Stops listening (the window is closing, or a test is done with this store). */
  dispose(): void {
    this.off();
  }

  async addFiles(files: File[]): Promise<void> {
    this.busy = true;
    this.error = undefined;
    this.queued = undefined;
    try {
      const small = files.filter((f) => f.size <= MAX_FILE_BYTES);
      this.skipped = files.filter((f) => f.size > MAX_FILE_BYTES).map((f) => f.name);
      for (let i = 0; i < small.length; i += FILES_PER_CALL) {
        const chunk = small.slice(i, i + FILES_PER_CALL);
        const payload = await Promise.all(chunk.map(async (f) => ({ name: f.name, base64: await fileToBase64(f) })));
        const read = await this.api.readFileContents({ files: payload });
        this.results = [...this.results, ...read];
      }
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  async queueGood(groupTag: string, assignedUser = ''): Promise<void> {
    this.busy = true;
    this.error = undefined;
    try {
      const total: QueueResult = { queued: [], duplicates: [], invalid: [] };
      const devices = this.good.map(toDeviceInput);
      if (devices.length === 0) return;
      for (let i = 0; i < devices.length; i += DEVICES_PER_CALL) {
        const input: Parameters<StationApi['queueDevices']>[0] = { devices: devices.slice(i, i + DEVICES_PER_CALL) };
        if (groupTag) input.groupTag = groupTag;
        if (assignedUser) input.assignedUser = assignedUser;
        const r = await this.api.queueDevices(input);
        total.queued.push(...r.queued);
        total.duplicates.push(...r.duplicates);
        total.invalid.push(...r.invalid);
      }
      this.queued = total;
      this.sent = new Set([...this.sent, ...this.good]);
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  clear(): void {
    this.results = [];
    this.sent = new Set();
    this.queued = undefined;
    this.skipped = [];
  }
}

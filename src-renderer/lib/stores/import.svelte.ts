import type { StationApi } from '../api.ts';
import {
  REFUSED_ROW_CODES,
  type CapturedDevice,
  type FileReadError,
  type FileReadResult,
  type QueueResult,
} from '../../../src-main/contract/types.ts';
import { OFFERS_HASH_SERIAL } from '../../../src-main/contract/serialNumberRule.ts';
import { fileToBase64 } from '../fileToBase64.ts';
import { isAcceptedFileName } from '../../../src-main/contract/hashFileTypes.ts';
import { MAX_DEVICES_PER_CALL, MAX_FILE_BYTES } from '../../../src-main/contract/limits.ts';
import { toDeviceInput } from './capture.svelte.ts';
import { errorText } from './errorText.ts';

const FILES_PER_CALL = 50;
const ROW_CODES = new Set(REFUSED_ROW_CODES);

export interface BadRow {
  file: string;
  line?: number;
  serial?: string;
  /** Finding or file error codes with their params, translated by the screen; message is the English fallback. */
  reasons: { code: string; message: string; params?: Record<string, string | number> }[];
  /** A device whose serial a spreadsheet damaged: the screen offers its hash's serial. */
  device?: CapturedDevice;
}

/** Per file: what was read, what was refused, how many rows carried their own tag or user. */
export interface FileCounts {
  good: number;
  bad: number;
  duplicates: number;
  ownGroupTag: number;
  ownAssignedUser: number;
}

export function fileCounts(r: FileReadResult): FileCounts {
  const good = r.devices.filter((d) => d.valid).length;
  return {
    good,
    bad: r.devices.length - good + r.errors.length,
    duplicates: r.duplicates?.length ?? 0,
    ownGroupTag: r.devices.filter((d) => !!d.groupTag).length,
    ownAssignedUser: r.devices.filter((d) => !!d.assignedUser).length,
  };
}

/** Many files at once: per-file results, devices ready to queue, bad rows with line and reason. */
export class ImportStore {
  results = $state.raw<FileReadResult[]>([]);
  busy = $state(false);
  /** How many files the current read takes. */
  reading = $state(0);
  error = $state<string | undefined>(undefined);
  skipped = $state.raw<string[]>([]);
  queued = $state<Required<Pick<QueueResult, 'queued' | 'duplicates' | 'invalid' | 'refused' | 'flagged'>> | undefined>(
    undefined,
  );
  /**
   * "Use this tag for every row": the chosen tag replaces the tags the files carry (off: it fills rows without one).
   */
  overrideGroupTag = $state(false);
  /** Devices and refused rows already sent to the queue: they stay listed per file but are not sent again. */
  sent = $state.raw<ReadonlySet<CapturedDevice | FileReadError>>(new Set());
  /** Files dropped or picked that were not read, with why: never dropped silently. */
  notRead = $state.raw<{ name: string; reason: 'type' | 'size' }[]>([]);

  /**
   * A device read from an earlier file too (same serial, same hash: the OA3.xml of a device that is
   * also a row of the CSV): sent once, listed here with where it was first read, so "Queue N good
   * devices" is the number the queue will get.
   */
  alsoIn = $derived.by(() => {
    const first = new Map<string, { device: CapturedDevice; file: string }>();
    const later = new Map<CapturedDevice, { file: string; line?: number }>();
    for (const r of this.results) {
      for (const d of r.devices) {
        const key = `${d.serialNumber.trim().toUpperCase()}|${d.hardwareHash}`;
        const seen = first.get(key);
        if (seen)
          later.set(d, {
            file: seen.file,
            ...(seen.device.source.line !== undefined ? { line: seen.device.source.line } : {}),
          });
        else first.set(key, { device: d, file: r.path });
      }
    }
    return later;
  });
  good = $derived(
    this.results.flatMap((r) => r.devices.filter((d) => d.valid && !this.sent.has(d) && !this.alsoIn.has(d))),
  );
  /**
   * Everything the queue keeps besides the good devices: invalid devices and rows refused before upload (every capture
   * is a record: docs/architecture.md#the-queue-data-model).
   */
  invalid = $derived(
    this.results.flatMap((r) => r.devices.filter((d) => !d.valid && !this.sent.has(d) && !this.alsoIn.has(d))),
  );
  refusedRows = $derived(
    this.results.flatMap((r) =>
      r.errors.filter((e) => ROW_CODES.has(e.code) && !this.sent.has(e)).map((e) => ({ file: r, error: e })),
    ),
  );
  /** Per file, in line order (refused rows and invalid devices come from different readers' lists). */
  bad = $derived(
    this.results.flatMap((r): BadRow[] =>
      byLine([
        ...r.errors.map((e) => ({
          file: r.path,
          ...(e.line !== undefined ? { line: e.line } : {}),
          ...(typeof e.params?.serial === 'string' ? { serial: e.params.serial } : {}),
          reasons: [{ code: e.code, message: e.message, ...(e.params ? { params: e.params } : {}) }],
        })),
        ...r.devices
          .filter((d) => !d.valid)
          .map((d: CapturedDevice) => ({
            file: r.path,
            ...(d.source.line !== undefined ? { line: d.source.line } : {}),
            serial: d.serialNumber,
            reasons: d.findings
              .filter((f) => f.severity === 'error')
              .map((f) => ({ code: f.code, message: f.message, ...(f.params ? { params: f.params } : {}) })),
            ...(d.findings.some((f) => OFFERS_HASH_SERIAL.has(f.code)) && !this.sent.has(d) ? { device: d } : {}),
          })),
      ]),
    ),
  );

  private readonly off: () => void;

  constructor(private readonly api: StationApi) {
    this.off = api.on('dropFolderRead', (results) => (this.results = [...this.results, ...results]));
  }

  /** Stops listening (the window is closing, or a test is done with this store). */
  dispose(): void {
    this.off();
  }

  /**
   * The files main takes (the contract's hashFileTypes.ts, the rule Capture follows too) are sent: hash files, and
   * workbooks (the station names them and says how to save the right file); the rest are listed with the reason, and
   * their bytes never leave the page.
   */
  async addFiles(picked: File[]): Promise<void> {
    const files = picked.filter((f) => isAcceptedFileName(f.name));
    const wrongType = picked.filter((f) => !files.includes(f)).map((f) => ({ name: f.name, reason: 'type' as const }));
    this.notRead = [
      ...wrongType,
      ...files.filter((f) => f.size > MAX_FILE_BYTES).map((f) => ({ name: f.name, reason: 'size' as const })),
    ];
    if (!files.length) return;
    this.busy = true;
    this.reading = files.length;
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

  /**
   * The one action for a serial a spreadsheet damaged: the device judged again under its hash's serial (main decides).
   */
  async useHashSerial(device: CapturedDevice): Promise<void> {
    const serial = device.hash.serialNumber?.trim();
    if (!serial) return;
    try {
      const fixed = await this.api.checkDevice({ device: { ...toDeviceInput(device), serialNumber: serial } });
      this.results = this.results.map((r) =>
        r.devices.includes(device) ? { ...r, devices: r.devices.map((d) => (d === device ? fixed : d)) } : r,
      );
    } catch (err) {
      this.error = errorText(err);
    }
  }

  /** Queues the good devices, and keeps the invalid ones and the refused rows as records, in one go. */
  async queueGood(groupTag: string, assignedUser = ''): Promise<void> {
    this.busy = true;
    this.error = undefined;
    try {
      const total = {
        queued: [] as string[],
        duplicates: [] as string[],
        invalid: [] as string[],
        refused: [] as string[],
        flagged: [] as string[],
      };
      const devices = [...this.good, ...this.invalid];
      const refused = this.refusedRows;
      if (this.good.length === 0) return;
      for (let i = 0; i < Math.max(devices.length, refused.length); i += MAX_DEVICES_PER_CALL) {
        const input: Parameters<StationApi['queueDevices']>[0] = {
          devices: devices.slice(i, i + MAX_DEVICES_PER_CALL).map(toDeviceInput),
        };
        const rows = refused.slice(i, i + MAX_DEVICES_PER_CALL);
        if (rows.length) {
          input.refused = rows.map(({ file, error }) => ({
            source: {
              kind: 'file',
              path: file.path,
              ...(error.line !== undefined ? { line: error.line } : {}),
              ...(file.format ? { format: file.format } : {}),
            },
            code: error.code,
            message: error.message.slice(0, 2000),
            ...(error.params ? { params: error.params } : {}),
            ...(typeof error.params?.serial === 'string' ? { serialNumber: error.params.serial } : {}),
          }));
        }
        if (groupTag) input.groupTag = groupTag;
        if (groupTag && this.overrideGroupTag) input.overrideGroupTag = true;
        if (assignedUser) input.assignedUser = assignedUser;
        const r = await this.api.queueDevices(input);
        total.queued.push(...r.queued);
        total.duplicates.push(...r.duplicates);
        total.invalid.push(...r.invalid);
        total.refused.push(...(r.refused ?? []));
        total.flagged.push(...(r.flagged ?? []));
      }
      this.queued = total;
      this.sent = new Set([...this.sent, ...devices, ...refused.map((x) => x.error)]);
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
    this.overrideGroupTag = false;
    this.notRead = [];
  }
}

/** Rows in line order; rows without a line (the whole file) first, as they are about everything below. */
function byLine(rows: BadRow[]): BadRow[] {
  return [...rows].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

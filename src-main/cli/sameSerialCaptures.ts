import { statSync } from 'node:fs';
import type { CapturedDevice, FileReadResult } from '../contract/types.ts';

/** One capture of a serial: where it was read and when the file was written. */
export interface SerialCapture {
  path: string;
  /** Row of a CSV (1-based); null for a file of one device (OA3.xml). */
  line: number | null;
  /** The file's modification time (ms since epoch): when the OEM tool wrote the capture. */
  capturedAt: number;
  /** The capture `import` registers: the newest (latest file time; on a tie, read last). */
  newest: boolean;
}

/**
 * A serial captured with two or more different hardware hashes across the files read (a replaced motherboard, or a
 * mix-up).
 */
export interface SameSerialPair {
  serialNumber: string;
  captures: SerialCapture[];
}

/**
 * Serials read more than once with different hardware hashes, each capture oldest first. A motherboard
 * swap captured before and after is the usual cause: the hash follows the board, the serial stays (the
 * hash records the SMBIOS serial, record 14). The newest capture is the file written last; on the same
 * time, the one read last (later argument, later row). Devices with the same hash are one device and
 * are not listed (the readers already name repeated rows).
 */
export function sameSerialPairs(files: readonly FileReadResult[]): SameSerialPair[] {
  const bySerial = new Map<
    string,
    { device: CapturedDevice; capture: Omit<SerialCapture, 'newest'>; order: number }[]
  >();
  let order = 0;
  for (const file of files) {
    const capturedAt = fileTime(file.path);
    for (const device of file.devices) {
      if (!device.serialNumber || !device.hardwareHash) continue;
      const key = device.serialNumber.trim().toUpperCase();
      const list = bySerial.get(key) ?? [];
      list.push({ device, capture: { path: file.path, line: device.source.line ?? null, capturedAt }, order: order++ });
      bySerial.set(key, list);
    }
  }
  const pairs: SameSerialPair[] = [];
  for (const list of bySerial.values()) {
    if (new Set(list.map((c) => c.device.hardwareHash)).size < 2) continue;
    const sorted = [...list].sort((a, b) => a.capture.capturedAt - b.capture.capturedAt || a.order - b.order);
    pairs.push({
      serialNumber: sorted[0]!.device.serialNumber,
      captures: sorted.map((c, i) => ({ ...c.capture, newest: i === sorted.length - 1 })),
    });
  }
  return pairs;
}

/**
 * The newest capture's hash of each serial that has several (for `import`: registered first, the others kept aside).
 */
export function newestHashes(files: readonly FileReadResult[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of sameSerialPairs(files)) {
    const newest = pair.captures.find((c) => c.newest)!;
    const file = files.find((f) => f.path === newest.path);
    const device = file?.devices.find(
      (d) =>
        d.serialNumber.trim().toUpperCase() === pair.serialNumber.trim().toUpperCase() &&
        (d.source.line ?? null) === newest.line,
    );
    if (device) out.set(pair.serialNumber.trim().toUpperCase(), device.hardwareHash);
  }
  return out;
}

/** One line naming the pair, for the terminal. */
export function pairText(pair: SameSerialPair): string {
  const where = (c: SerialCapture) => `${c.path}${c.line !== null ? `:${c.line}` : ''}`;
  const newest = pair.captures.find((c) => c.newest)!;
  const older = pair.captures.filter((c) => !c.newest);
  return `SAME SERIAL ${pair.serialNumber}: ${pair.captures.length} captures with different hardware hashes (a replaced motherboard?): newest ${where(newest)} (${new Date(newest.capturedAt).toISOString()}), older ${older.map(where).join(', ')}. import registers the newest.`;
}

function fileTime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

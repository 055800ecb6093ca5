import type { CliIo } from './cliSupport.ts';

/**
 * What a progress line shows of one device: its serial, its state and (when asked for) its corporate identifier's
 * state.
 */
export interface ProgressDevice {
  id: string;
  serialNumber: string;
  state: string;
  corporate?: string | undefined;
}

/**
 * `import`'s progress while it waits: one line on stderr per device whose state changed since the
 * last look (`[  12 s] PF3TRN01  queued → importing  (3 of 7 settled)`), never on stdout, so
 * `--json` output stays one JSON document. The first look prints every device once.
 * `now` is milliseconds (the command's clock); `settled` counts devices that need no more waiting.
 */
export function createImportProgress(io: CliIo, startedAt: number) {
  const last = new Map<string, string>();
  return {
    /** Prints the changes of `devices` since the previous call; returns how many lines it wrote. */
    update(devices: readonly ProgressDevice[], settled: number, now: number): number {
      let lines = 0;
      const seconds = String(Math.round((now - startedAt) / 1000)).padStart(4);
      for (const d of devices) {
        const shown = d.corporate ? `${d.state}, corporate ${d.corporate}` : d.state;
        const before = last.get(d.id);
        if (before === shown) continue;
        last.set(d.id, shown);
        io.stderr(
          `[${seconds} s] ${d.serialNumber.padEnd(20)} ${before === undefined ? shown : `${before} → ${shown}`}  (${settled} of ${devices.length} settled)\n`,
        );
        lines++;
      }
      return lines;
    },
  };
}

import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../kernel/logger.ts';
import { StationError } from '../contract/errors.ts';
import type { FileReadResult } from '../contract/types.ts';
import { readBoundedFile } from './readHashFile.ts';
import { isAcceptedFileName } from '../contract/hashFileTypes.ts';
import { hashFileReader, type HashFileReader } from './hashFileReader.ts';
import type { SeenFiles } from './seenFiles.ts';

export interface DropFolderOptions {
  /** Read on every call: the folder is a setting and may change while the station runs. */
  folder: () => string | undefined;
  seen: SeenFiles;
  logger: Logger;
  /** Decodes the files off this thread (default: the process's worker-thread reader). */
  files?: Pick<HashFileReader, 'readBytes'>;
}

export interface ReadNewOptions {
  /** Leave files modified less than this long ago for the next look (the OEM tool may still be writing). */
  settledMs?: number;
}

// Office lock files, partial downloads and editors' temporary files are never hash files.
const IGNORED = /^(\.|~\$)|\.(tmp|temp|part|partial|crdownload|swp|lnk)$|^(desktop\.ini|thumbs\.db)$/i;
/** Files read per look; the rest are read on the next looks, so one huge folder never blocks the station. */
const MAX_READS_PER_LOOK = 200;

/**
 * The folder OEM tooling writes hash files into (USB stick, share). New or changed files are read
 * once; the station opens them read-only and never modifies, moves or deletes anything there.
 */
export class DropFolder {
  /** Size and time of files already handled, so a look does not re-hash unchanged files. */
  private readonly handled = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DropFolderOptions) {}

  current(): string | undefined {
    return this.options.folder() || undefined;
  }

  /** Files that are new or changed since they were last read. Looks never overlap. */
  readNew(options: ReadNewOptions = {}): Promise<FileReadResult[]> {
    const run = this.queue.then(() => this.look(options));
    this.queue = run.catch(() => {});
    return run;
  }

  private async look({ settledMs = 0 }: ReadNewOptions): Promise<FileReadResult[]> {
    const folder = this.current();
    if (!folder) {
      throw new StationError({
        code: 'DROP_FOLDER_NOT_SET',
        message: 'No drop folder is set.',
        action: 'Choose the folder the OEM tool writes hash files into in Settings.',
      });
    }
    let names: string[];
    try {
      const entries = await fs.readdir(folder, { withFileTypes: true });
      // Only the files Capture and Import take (the contract's hashFileTypes.ts): a note or a log beside them is left
      // alone.
      names = entries
        .filter((e) => (e.isFile() || e.isSymbolicLink()) && !IGNORED.test(e.name) && isAcceptedFileName(e.name))
        .map((e) => e.name);
    } catch (err) {
      throw new StationError({
        code: 'DROP_FOLDER_UNAVAILABLE',
        message: `The drop folder "${folder}" cannot be opened (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
        action: 'Plug the USB stick back in or reconnect the share, or choose another folder in Settings.',
      });
    }
    names.sort();
    const results: FileReadResult[] = [];
    let changed = false;
    const now = Date.now();
    let reads = 0;
    for (const name of names) {
      if (reads >= MAX_READS_PER_LOOK) break;
      const file = path.join(folder, name);
      let stat;
      try {
        stat = await fs.stat(file);
      } catch {
        continue; // removed between listing and reading
      }
      if (!stat.isFile()) continue;
      if (settledMs > 0 && now - stat.mtimeMs < settledMs) continue;
      const signature = `${stat.size}:${stat.mtimeMs}`;
      if (this.handled.get(file) === signature) continue;
      reads++;
      const read = await readBoundedFile(file);
      this.handled.set(file, signature);
      if ('error' in read) {
        results.push({ path: file, devices: [], errors: [read.error] });
        continue;
      }
      const sha = createHash('sha256').update(read.bytes).digest('hex');
      if (await this.options.seen.has(sha)) continue;
      results.push(
        await (this.options.files ?? hashFileReader).readBytes(read.bytes, file, { sourceKind: 'drop-folder' }),
      );
      await this.options.seen.add(sha, name, new Date());
      changed = true;
    }
    if (changed) await this.options.seen.save();
    if (results.length) {
      this.options.logger.info('drop folder read', {
        files: results.length,
        devices: results.reduce((n, r) => n + r.devices.length, 0),
      });
    }
    return results;
  }
}

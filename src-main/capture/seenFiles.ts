import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../kernel/logger.ts';

interface SeenEntry {
  name: string;
  at: string;
}
interface SeenFileJson {
  version: 1;
  files: Record<string, SeenEntry>;
}

/** Enough for years of a bench; the oldest are forgotten first. */
const MAX_ENTRIES = 20_000;

/**
 * The drop-folder files already read, by SHA-256 of their content (a renamed copy is not new, a
 * rewritten file is). Kept in a small JSON file in the station's data folder, never in the drop folder.
 */
export class SeenFiles {
  private entries: Map<string, SeenEntry> | undefined;

  constructor(
    private readonly file: string,
    private readonly logger: Logger,
  ) {}

  async has(sha256: string): Promise<boolean> {
    return (await this.load()).has(sha256);
  }

  async add(sha256: string, name: string, at: Date): Promise<void> {
    const entries = await this.load();
    entries.delete(sha256);
    entries.set(sha256, { name: path.basename(name), at: at.toISOString() });
    while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  }

  /** Writes the list (temporary file + rename, so a crash never leaves half a file). */
  async save(): Promise<void> {
    const entries = await this.load();
    const json: SeenFileJson = { version: 1, files: Object.fromEntries(entries) };
    try {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await fs.writeFile(tmp, JSON.stringify(json));
      await fs.rename(tmp, this.file);
    } catch (err) {
      // The files were still read; at worst they are read again after a restart.
      this.logger.warn('could not save the list of drop-folder files already read', {
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private async load(): Promise<Map<string, SeenEntry>> {
    if (this.entries) return this.entries;
    const entries = new Map<string, SeenEntry>();
    try {
      const json = JSON.parse(await fs.readFile(this.file, 'utf8')) as Partial<SeenFileJson>;
      if (json && json.version === 1 && json.files && typeof json.files === 'object') {
        for (const [sha, entry] of Object.entries(json.files)) {
          if (/^[0-9a-f]{64}$/.test(sha) && entry && typeof entry.name === 'string')
            entries.set(sha, { name: entry.name, at: String(entry.at) });
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.warn('the list of drop-folder files already read is damaged; starting a new one', {
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
    this.entries ??= entries;
    return this.entries;
  }
}

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Remembers when each tenant was last asked to sync, across restarts (the 10-minute rule). */
export interface SyncStampStore {
  lastSync(tenantKey: string): Promise<number | undefined>;
  recordSync(tenantKey: string, atMs: number): Promise<void>;
}

/** A small JSON file in the data dir; written atomically (temp file + rename). */
export class JsonSyncStampStore implements SyncStampStore {
  constructor(private readonly file: string) {}

  async lastSync(tenantKey: string): Promise<number | undefined> {
    const all = await this.read();
    const v = all[tenantKey];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  }

  async recordSync(tenantKey: string, atMs: number): Promise<void> {
    const all = await this.read();
    all[tenantKey] = atMs;
    await mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(all, null, 2), { mode: 0o600 });
    await rename(tmp, this.file);
  }

  private async read(): Promise<Record<string, unknown>> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as unknown;
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    } catch {
      // Missing or damaged: treat as "never synced"; the service's own 429 still protects the tenant.
      return {};
    }
  }
}

export class MemorySyncStampStore implements SyncStampStore {
  private readonly stamps = new Map<string, number>();
  async lastSync(tenantKey: string): Promise<number | undefined> {
    return this.stamps.get(tenantKey);
  }
  async recordSync(tenantKey: string, atMs: number): Promise<void> {
    this.stamps.set(tenantKey, atMs);
  }
}

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CheckId, ConnectionCheckReport } from '../contract/types.ts';

/**
 * When each tenant was last checked and how it went, in `<dataDir>/connection-checks.json`, so the
 * first import of a tenant that was never checked (or whose last check failed) runs the check first.
 * Keyed by the tenant's queue slug: `training`, or `<cloud>-<tenant id lower-cased>`.
 */
export interface CheckRecord {
  checkedAt: string;
  status: ConnectionCheckReport['status'];
  failed: { id: CheckId; code: string }[];
  /** The whole report, so Settings can show the last check (the one the first import ran, too). */
  report?: ConnectionCheckReport;
}

export function tenantCheckKey(training: boolean, cloud: string, tenant: string): string {
  return training ? 'training' : `${cloud}-${tenant.trim().toLowerCase()}`;
}

export class CheckRecords {
  private cache?: Record<string, CheckRecord>;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  static inDataDir(dataDir: string): CheckRecords {
    return new CheckRecords(path.join(dataDir, 'connection-checks.json'));
  }

  async last(tenantKey: string): Promise<CheckRecord | undefined> {
    return (await this.all())[tenantKey];
  }

  /** Never checked, or the last check found something that stops imports. */
  async needsCheck(tenantKey: string): Promise<boolean> {
    const r = await this.last(tenantKey);
    return !r || r.status === 'failed';
  }

  async recordCheck(tenantKey: string, report: ConnectionCheckReport): Promise<void> {
    const all = await this.all();
    all[tenantKey] = {
      checkedAt: report.startedAt,
      status: report.status,
      failed: report.checks.filter((c) => c.status === 'failed').map((c) => ({ id: c.id, code: c.code })),
      report,
    };
    // One write at a time, through a temporary file: a crash never leaves half a file.
    this.writing = this.writing.then(async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      await writeFile(tmp, JSON.stringify(all, null, 2));
      await rename(tmp, this.file);
    });
    await this.writing;
  }

  private async all(): Promise<Record<string, CheckRecord>> {
    if (this.cache) return this.cache;
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as unknown;
      this.cache =
        parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, CheckRecord>) : {};
    } catch {
      this.cache = {};
    }
    return this.cache;
  }
}

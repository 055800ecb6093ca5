import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import { corporateModelOf } from './CorporateIdentityModel.ts';
import type { TenantModel, TenantModelSnapshot } from './TenantModel.ts';

/**
 * Training mode's tenant on disk (`<dataDir>/tenants/training/simulated-tenant.json`, apart from the
 * queue), so that after any restart it still has the records the station follows, as a real tenant
 * would. Every accepted write (import, delete, tag change, sync) is saved before its answer leaves
 * the tenant: a write the tenant acknowledged is never undone by a crash. The station acts on those
 * answers at once and for good (it marks a deleted record as gone and never looks for it again; it
 * stamps a sync), so a tenant that forgot an answered write would disagree with it after a restart.
 * Each save is atomic: a temporary file renamed over the old one.
 */
export const TRAINING_TENANT_FILE = 'simulated-tenant.json';
const VERSION = 1;
const DEBOUNCE_MS = 250;

interface StateFile {
  version: number;
  tenantId: string;
  /** Service time of the save: a scaled clock resumes from it so time never runs backwards. */
  serviceTime: number;
  model: TenantModelSnapshot;
}

export class TrainingTenantState {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private model?: TenantModel;

  constructor(
    private readonly file: string,
    private readonly tenantId: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The saved state of this tenant, or undefined (first start, another tenant, unreadable: kept aside and logged). */
  load(): TenantModelSnapshot | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const s = JSON.parse(text) as StateFile;
      if (s.version !== VERSION || s.tenantId !== this.tenantId || !s.model || !Array.isArray(s.model.imported))
        throw new Error('not a saved training tenant of this version');
      this.logger.info('Training tenant restored from the data folder', {
        records: s.model.imported.length,
        registrations: s.model.registrations.length,
      });
      return s.model;
    } catch (err) {
      const aside = `${this.file}.unreadable-${Date.now()}`;
      fs.renameSync(this.file, aside);
      this.logger.error(
        'The saved training tenant could not be read; it was kept aside and the training tenant starts afresh',
        { error: (err as Error).message, keptAs: path.basename(aside) },
      );
      return undefined;
    }
  }

  /** Starts saving this model (call once the tenant is built). */
  attach(model: TenantModel): void {
    this.model = model;
  }

  /**
   * After a Graph write the tenant accepted, before its answer is sent: saved now. (Deletes used to be
   * saved 250 ms later: a station killed in between had cleaned up records that the restarted tenant
   * still held, and nothing would ever delete them.)
   */
  written(write: { method: string; path: string; status: number }): void {
    if (write.status >= 300) return;
    this.saveNow();
  }

  saveSoon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.saveNow();
    }, DEBOUNCE_MS);
    this.timer.unref?.();
  }

  saveNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.model) return;
    const state: StateFile = {
      version: VERSION,
      tenantId: this.tenantId,
      serviceTime: this.clock.now(),
      model: { ...this.model.snapshot(), corporate: corporateModelOf(this.model, this.clock).snapshot() },
    };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, JSON.stringify(state));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
  }

  /** A last save on a clean stop. */
  close(): void {
    if (this.model) this.saveNow();
  }
}

/**
 * A scaled clock (tests, benches, demos) resumes from the service time saved by the last run, so
 * times stored in the queue and the training tenant never lie in a future that restarts would
 * otherwise create. Saved every second while the station runs (`serviceClockHeartbeat`).
 */
export const SERVICE_CLOCK_FILE = 'service-clock.json';

export function savedServiceTime(dataDir: string): number | undefined {
  try {
    const v = (JSON.parse(fs.readFileSync(path.join(dataDir, SERVICE_CLOCK_FILE), 'utf8')) as { serviceTime?: unknown })
      .serviceTime;
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the service time every `everyMs` real ms (and once at stop). Returns the stop function. */
export function serviceClockHeartbeat(dataDir: string, clock: Clock, everyMs = 1000): () => void {
  const file = path.join(dataDir, SERVICE_CLOCK_FILE);
  const write = () => {
    try {
      fs.mkdirSync(dataDir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ serviceTime: clock.now() }));
      fs.renameSync(tmp, file);
    } catch {
      // a missing data folder is reported by the queue; the clock only loses its resume point
    }
  };
  write();
  const timer = setInterval(write, everyMs);
  timer.unref?.();
  return () => {
    clearInterval(timer);
    write();
  };
}

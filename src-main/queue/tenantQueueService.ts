import { StationError } from '../contract/errors.ts';
import type { MoveDevicesResult, TenantQueueInfo } from '../contract/types.ts';
import type { Clock } from '../kernel/clock.ts';
import type { EventBus } from '../kernel/eventBus.ts';
import type { Logger } from '../kernel/logger.ts';
import type { QueueRuntime } from './queueRuntime.ts';
import type { QueueStore } from './queueStore.ts';
import {
  migrateLegacyQueues,
  moveDevices,
  SIM_CLI_SLUG,
  tenantOfSlug,
  tenantQueueDir,
  tenantQueueSlugs,
  TRAINING_SLUG,
} from './tenantQueues.ts';

export interface TenantQueueServiceOptions {
  /** The station's data folder: each tenant's queue is `<dataDir>/tenants/<slug>/queue.db` (tenantQueueDir). */
  dataDir: string;
  clock: Clock;
  logger: Logger;
  bus?: EventBus;
  /** The current tenant's slug (tenantSlug of the saved settings), read at every use. */
  currentSlug: () => string;
  /** Opens a tenant's queue in its folder: store, service and (with a tenant at hand) the worker. */
  openRuntime: (slug: string, dir: string) => QueueRuntime;
  /** Opens another tenant's queue store only (counting, moving): no worker, nothing sent. */
  openStore: (dir: string) => QueueStore;
  /** Pins the queue to one tenant whatever the settings say (`import --tenant sim`): no switching, no moving. */
  pinned?: { slug: string; dir: string };
}

/**
 * The current tenant's queue, and the moves between tenants' queues: opens the current tenant's queue
 * on first use, closes it (worker first, so nothing more goes to the old tenant) when saved settings
 * change the tenant and opens the new tenant's after the save, counts and lists every tenant's
 * queue, and moves unsent devices to another tenant's queue on the technician's request.
 * One queue per tenant: docs/architecture.md#the-queue-data-model.
 */
export class TenantQueueService {
  private open?: { slug: string; runtime: QueueRuntime } | undefined;
  private legacyChecked = false;
  private readonly log: Logger;

  constructor(private readonly o: TenantQueueServiceOptions) {
    this.log = o.logger.child({ service: 'queue' });
  }

  /** The current tenant's slug (the pinned one when pinned). */
  slug(): string {
    return this.o.pinned?.slug ?? this.o.currentSlug();
  }

  /** The runtime of the queue that is open now, if any (nothing is opened). */
  openNow(): QueueRuntime | undefined {
    return this.open?.runtime;
  }

  /**
   * The current tenant's queue, opened on first use. Settings changed without going through
   * saveSettings (another window, a test): the old tenant's queue is closed in the background and
   * the current one opened.
   */
  current(): QueueRuntime {
    const slug = this.slug();
    if (this.open && this.open.slug !== slug) {
      const old = this.open.runtime;
      this.open = undefined;
      void old.close().catch((err: unknown) =>
        this.log.error("Closing the previous tenant's queue failed", {
          error: err instanceof Error ? err.message : String(err),
        }),
      );
    }
    this.open ??= { slug, runtime: this.openFor(slug) };
    return this.open.runtime;
  }

  /**
   * Saves settings that may change the tenant. When `nextSlug` is another tenant's, the open queue
   * is closed (worker stopped first) before `save`, and after it (saved or refused) the current
   * tenant's queue is opened; `saved(value)` runs next, then a queueChanged event tells every window
   * to reload the queue. Errors: whatever `save` throws, after the queue is opened again.
   */
  async saveSettings<T>(nextSlug: string, save: () => Promise<T>, saved: (value: T) => void): Promise<T> {
    const switched = await this.closeIfTenantChanges(nextSlug);
    let value: T;
    try {
      value = await save();
    } finally {
      // The tenant's queue (the new one, or the old one when the change was refused) works on at once.
      if (switched) this.current();
    }
    saved(value);
    if (switched)
      this.o.bus?.emit('queueChanged', {
        deviceIds: [],
        at: new Date(this.o.clock.now()).toISOString(),
        counts: this.current().store.countByState(),
      });
    return value;
  }

  /** Every tenant with a queue in the data folder, and the current one, with its number of devices. */
  list(): TenantQueueInfo[] {
    const now = this.slug();
    const slugs = [...new Set([now, ...tenantQueueSlugs(this.o.dataDir)])];
    return slugs.map((slug) => ({
      slug,
      current: slug === now,
      training: slug === TRAINING_SLUG || slug === SIM_CLI_SLUG,
      total: slug === now ? this.current().service.total() : this.countIn(slug),
      ...tenantOfSlug(slug),
    }));
  }

  /**
   * Moves devices not yet sent from the current tenant's queue to `toTenant`'s (moveDevices in
   * tenantQueues.ts says which may move). Errors: NOT_AVAILABLE when pinned, MOVE_SAME_TENANT,
   * MOVE_UNKNOWN_TENANT (no queue for that slug; the training tenant always has one).
   */
  move(ids: string[], toTenant: string): MoveDevicesResult {
    if (this.o.pinned)
      throw new StationError({
        code: 'NOT_AVAILABLE',
        message: "This station's queue is pinned to one tenant.",
        action: 'Move devices from the app or browser mode.',
      });
    const from = this.slug();
    if (toTenant === from)
      throw new StationError({
        code: 'MOVE_SAME_TENANT',
        message: "These devices are already in this tenant's queue.",
        action: 'Choose another tenant.',
      });
    if (!tenantQueueSlugs(this.o.dataDir).includes(toTenant) && toTenant !== TRAINING_SLUG) {
      throw new StationError({
        code: 'MOVE_UNKNOWN_TENANT',
        message: `The station has no queue for the tenant "${toTenant}".`,
        action: 'Sign in to that tenant once (enter its tenant id in settings), then move the devices.',
        params: { tenant: toTenant },
      });
    }
    const source = this.current();
    const target = this.o.openStore(tenantQueueDir(this.o.dataDir, toTenant));
    try {
      const r = moveDevices(source.store, target, ids, { fromSlug: from, toSlug: toTenant, now: this.o.clock.now() });
      this.log.info("Moved devices to another tenant's queue", {
        from,
        to: toTenant,
        moved: r.moved.length,
        refused: r.refused.length,
      });
      if (r.refused.length < ids.length)
        this.o.bus?.emit('queueChanged', {
          deviceIds: [],
          at: new Date(this.o.clock.now()).toISOString(),
          counts: source.store.countByState(),
        });
      return {
        moved: r.moved,
        refused: r.refused.map((x) => ({
          id: x.id,
          code: x.code,
          ...(x.serialNumber ? { serialNumber: x.serialNumber } : {}),
        })),
      };
    } finally {
      target.close();
    }
  }

  /** Closes the open queue (worker first). */
  async close(): Promise<void> {
    const open = this.open;
    this.open = undefined;
    await open?.runtime.close();
  }

  private async closeIfTenantChanges(nextSlug: string): Promise<boolean> {
    if (!this.open || this.o.pinned || nextSlug === this.open.slug) return false;
    const old = this.open;
    this.open = undefined;
    this.log.info("Tenant changing: closing this tenant's queue", { from: old.slug, to: nextSlug });
    await old.runtime.close();
    return true;
  }

  private openFor(slug: string): QueueRuntime {
    if (!this.o.pinned && !this.legacyChecked) {
      this.legacyChecked = true;
      migrateLegacyQueues(this.o.dataDir, slug, this.log);
    }
    const dir = this.o.pinned?.dir ?? tenantQueueDir(this.o.dataDir, slug);
    this.log.info('Opened the queue of this tenant', { tenant: slug, dir });
    return this.o.openRuntime(slug, dir);
  }

  private countIn(slug: string): number {
    const store = this.o.openStore(tenantQueueDir(this.o.dataDir, slug));
    try {
      return Object.values(store.countByState()).reduce((a, b) => a + b, 0);
    } finally {
      store.close();
    }
  }
}

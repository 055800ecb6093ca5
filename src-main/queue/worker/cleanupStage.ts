import { GraphFailure } from '../../graph/autopilotPort.ts';
import type { BatchRecord } from '../queueStore.ts';
import type { WorkerContext, WorkerStage } from './workerContext.ts';

/** Imported records deleted per tick: deletes are paced by the write limit (500 take almost two minutes). */
const CLEANUP_SLICE = 10;

/**
 * Deletes the imported records this station created, by the ids the service gave back (stored with
 * the batch), never anyone else's and never by importId. A slice per tick, so that devices waiting
 * for registration do not wait behind a batch of 500 deletes.
 */
export class CleanupStage implements WorkerStage {
  readonly name = 'cleanup';

  constructor(private readonly c: WorkerContext) {}

  async run(): Promise<void> {
    for (const batch of this.c.store.openBatches()) {
      if (batch.status !== 'cleanup' || batch.nextAt > this.c.now() || this.c.paused()) continue;
      await this.cleanupBatch(batch);
    }
  }

  private async cleanupBatch(batch: BatchRecord): Promise<void> {
    const ids = this.c.store.importedRecords(batch.id).map((r) => r.id);
    const slice = ids.slice(0, CLEANUP_SLICE);
    if (slice.length) {
      const del = await this.c.graph(() => this.c.port.deleteImported(slice));
      if (!del.ok && !(del.error instanceof GraphFailure && del.error.kind === 'not-found')) {
        // The port skips records already gone, so the slice can be sent again.
        this.c.store.updateBatch(batch.id, { nextAt: this.c.now() + this.c.retryDelay(batch.attempts, del.error) });
        return;
      }
      this.c.store.markImportedDeleted(slice, this.c.now());
    }
    if (ids.length > slice.length) {
      this.c.store.updateBatch(batch.id, { nextAt: this.c.now() });
      return;
    }
    this.c.store.updateBatch(batch.id, { status: 'done' });
  }
}

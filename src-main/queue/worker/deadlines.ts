import type { DeviceState } from '../../contract/types.ts';
import { STATION_ADVICE } from '../errorAdvice.ts';
import type { WorkerContext, WorkerStage } from './workerContext.ts';

/** The history line of a deadline renewed after the station was closed (eventWords words it again). */
export const DEADLINE_RENEWED_MESSAGE =
  "The station was not running when this stage's deadline passed; watching it again from now";

/**
 * Every stage has a visible deadline: a device past it is timed out with its last known state and advice.
 *
 * A deadline is time the station watched. On the worker's first pass (the station just started), the stages
 * before this one have already asked the tenant; a device they left overdue had its deadline pass while the
 * station was closed, so it gets the stage's whole deadline again from now instead of a timeout nobody
 * watched.
 */
export class DeadlineStage implements WorkerStage {
  readonly name = 'deadlines';
  private firstPass = true;

  constructor(private readonly c: WorkerContext) {}

  async run(): Promise<void> {
    // Per stage with a deadline: its length (what a renewal gives again) and the advice when it passes.
    const stages: Partial<Record<DeviceState, { ms: number; advice: string }>> = {
      importing: { ms: this.c.t.importDeadlineMs, advice: STATION_ADVICE.importTimeout },
      imported: { ms: this.c.t.registrationDeadlineMs, advice: STATION_ADVICE.registrationTimeout },
      registered: { ms: this.c.t.profileDeadlineMs, advice: STATION_ADVICE.profileTimeout },
    };
    const renew = this.firstPass;
    this.firstPass = false;
    const touchedBatches = new Set<string>();
    for (const d of this.c.store.overdueDevices(this.c.now())) {
      const stage = stages[d.state];
      if (!stage) {
        this.c.store.updateDevice(d.id, { deadline: null });
        continue;
      }
      if (renew) {
        this.c.move(d, d.state, { deadline: this.c.now() + stage.ms }, DEADLINE_RENEWED_MESSAGE);
        continue;
      }
      const a = stage.advice;
      this.c.move(
        d,
        'timed-out',
        { lastKnownState: d.state, deadline: null, nextCheckAt: null, advice: a, errorName: 'Timeout' },
        `Timed out while ${d.state}`,
        { batchId: d.batchId, importId: d.importId, errorName: 'Timeout' },
      );
      this.c.attention([d.id], `${d.serialNumber}: ${a}`, { serialNumber: d.serialNumber, errorName: 'Timeout' });
      if (d.state === 'importing' && d.batchId) touchedBatches.add(d.batchId);
    }
    for (const id of touchedBatches) {
      // Never sent: nothing to follow. Sent: polling goes on (the poll stage decides when to stop).
      const b = this.c.store.getBatch(id);
      if (
        b?.status === 'sending' &&
        b.attempts === 0 &&
        !this.c.store.devicesInBatch(id).some((d) => d.state === 'importing')
      )
        this.c.store.updateBatch(id, { status: 'done' });
    }
  }
}

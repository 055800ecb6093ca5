import type { RegisteredDevice } from '../../graph/autopilotPort.ts';
import { STATION_ADVICE } from '../errorAdvice.ts';
import type { DeviceRecord } from '../queueStore.ts';
import { pendingAlreadyHere } from './alreadyHereStage.ts';
import { inParallel, serialKey, type Event, type WorkerContext, type WorkerStage } from './workerContext.ts';

/** Reads by id in flight at once. */
const READS_IN_FLIGHT = 8;

/**
 * After the import: follows registration (GET by deviceRegistrationId, or one listing when many wait)
 * and profile assignment; asks for a sync (at most once per 10 minutes per tenant) when it lags.
 */
export class RegistrationStage implements WorkerStage {
  readonly name = 'registration';
  /** Registered devices in the tenant at the last listing: what a listing costs in requests. */
  private lastListSize = 0;
  /**
   * A GET by id found a device the listing did not show: this tenant's list lags (until a sync). From
   * then on every device the listing misses is read by id; before, one probe per listing.
   */
  private listLags = false;

  constructor(private readonly c: WorkerContext) {}

  async run(): Promise<void> {
    let lagging = false;
    for (let round = 0; round < 50; round++) {
      if (this.c.paused()) return;
      const now = this.c.now();
      let due = this.c.store.dueDevices(['imported', 'registered'], now, 1000).filter((d) => !pendingAlreadyHere(d));
      if (!due.length) break;
      const pages = Math.max(1, Math.ceil(this.lastListSize / 1000));
      // A listing answers for every device waiting, due now or a little later: serve them all, so
      // that their next checks stay in step instead of drifting apart into one GET each.
      const listAll = this.c.port.listRegisteredDevices?.bind(this.c.port);
      const waiting = listAll ? this.c.store.dueDevices(['imported', 'registered'], Number.MAX_SAFE_INTEGER, 1000).filter((d) => !pendingAlreadyHere(d)) : [];
      let oneByOne = due;
      if (listAll && waiting.length >= Math.max(10, 2 * pages)) {
        due = waiting;
        const res = await this.c.graph(() => listAll({ profileStatus: due.some((d) => d.waitFor === 'assigned') }));
        if (!res.ok) {
          for (const d of due) this.c.store.updateDevice(d.id, { nextCheckAt: this.c.now() + this.c.retryDelay(d.attempts, res.error) });
          continue;
        }
        this.lastListSize = res.value.value.length;
        const byId = new Map(res.value.value.map((r) => [r.id, r]));
        const bySerial = new Map(res.value.value.map((r) => [serialKey(r.serialNumber), r]));
        // The list lags behind GET by id on real tenants (until a sync): a device it does not show but
        // whose registration id is known is read by id (all of them once the lag was seen, else one probe).
        oneByOne = [];
        const now = this.c.now();
        this.c.store.transaction(() => {
          for (const d of due) {
            const value = (d.deviceRegistrationId ? byId.get(d.deviceRegistrationId) : undefined) ?? bySerial.get(serialKey(d.serialNumber));
            const probe = !value && !!d.deviceRegistrationId && (this.listLags || (oneByOne.length === 0 && now - d.stateSince >= this.c.t.listLagProbeMs));
            if (probe) oneByOne.push(d);
            else if (d.state === 'imported') lagging = this.observeRegistration(d, value, res.value.requestId) || lagging;
            else this.observeProfile(d, value, res.value.requestId);
          }
        });
        if (!oneByOne.length) continue;
      }
      // A few reads in flight at once: one after the other, each round trip adds up (500 × 200 ms);
      // the Graph client's request budget keeps the pace within the tenant's limits.
      const fromListing = oneByOne !== due;
      await inParallel(oneByOne, READS_IN_FLIGHT, async (d) => {
        if (this.c.paused()) return;
        const res = await this.c.graph(() => this.lookupRegistered(d));
        if (!res.ok) {
          this.c.store.updateDevice(d.id, { nextCheckAt: this.c.now() + this.c.retryDelay(d.attempts, res.error) });
          return;
        }
        if (res.value.value && fromListing && !this.listLags) {
          this.listLags = true;
          this.c.logger.info('The registered-device list lags behind reads by id on this tenant; reading waiting devices by id');
        }
        if (d.state === 'imported') lagging = this.observeRegistration(d, res.value.value, res.value.requestId) || lagging;
        else this.observeProfile(d, res.value.value, res.value.requestId);
      });
    }
    if (lagging) await this.c.maybeSync();
  }

  // ---------- registration and profile ----------

  private async lookupRegistered(d: DeviceRecord): Promise<{ value: RegisteredDevice | undefined; requestId?: string }> {
    const wantProfile = d.waitFor === 'assigned';
    if (d.deviceRegistrationId) return this.c.port.getRegisteredDevice(d.deviceRegistrationId, { profileStatus: wantProfile });
    const list = await this.c.port.findRegisteredBySerial(d.serialNumber);
    const hit = list.value.find((x) => serialKey(x.serialNumber) === serialKey(d.serialNumber));
    return list.requestId ? { value: hit, requestId: list.requestId } : { value: hit };
  }

  /** Returns true when registration lags enough to be worth a sync. */
  private observeRegistration(d: DeviceRecord, reg: RegisteredDevice | undefined, requestId: string | undefined): boolean {
    const now = this.c.now();
    if (!reg) {
      this.c.store.updateDevice(d.id, { attempts: d.attempts + 1, nextCheckAt: now + this.c.pollInterval(d.attempts + 1) });
      return now - d.stateSince >= this.c.t.syncAfterMs;
    }
    const e: Event = { requestIds: [requestId] };
    const profile = reg.deploymentProfileAssignmentStatus;
    if (d.waitFor !== 'assigned') {
      this.c.move(d, 'registered', { deviceRegistrationId: reg.id, deadline: null, nextCheckAt: null, profileStatus: profile ?? null }, 'Registered in Autopilot', e);
      return false;
    }
    const reached = this.c.move(d, 'registered', { deviceRegistrationId: reg.id, deadline: now + this.c.t.profileDeadlineMs, nextCheckAt: now + this.c.t.firstPollMs, attempts: 0, profileStatus: profile ?? null }, 'Registered in Autopilot; waiting for a deployment profile', e);
    this.profileOutcome(reached, profile, e);
    return false;
  }

  private observeProfile(d: DeviceRecord, reg: RegisteredDevice | undefined, requestId: string | undefined): void {
    const profile = reg?.deploymentProfileAssignmentStatus;
    const updated = this.c.store.updateDevice(d.id, { attempts: d.attempts + 1, nextCheckAt: this.c.now() + this.c.pollInterval(d.attempts + 1), profileStatus: profile ?? null });
    this.profileOutcome(updated, profile, { requestIds: [requestId] });
  }

  private profileOutcome(d: DeviceRecord, profile: string | undefined, e: Event): void {
    if (profile?.startsWith('assigned')) {
      this.c.move(d, 'assigned', { deadline: null, nextCheckAt: null }, `Deployment profile assigned (${profile}): ready to deploy`, e);
    } else if (profile === 'failed') {
      this.c.move(d, 'failed', { deadline: null, nextCheckAt: null, errorName: 'ProfileAssignmentFailed', advice: STATION_ADVICE.profileFailed }, 'Deployment profile assignment failed', { ...e, errorName: 'ProfileAssignmentFailed' });
      this.c.attention([d.id], `${d.serialNumber}: ${STATION_ADVICE.profileFailed}`, { serialNumber: d.serialNumber, errorName: 'ProfileAssignmentFailed' });
    }
  }
}


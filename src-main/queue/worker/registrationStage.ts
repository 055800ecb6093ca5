import type { RegisteredDevice } from '../../graph/autopilotPort.ts';
import { STATION_ADVICE } from '../errorAdvice.ts';
import type { DeviceRecord } from '../queueStore.ts';
import { pendingAlreadyHere } from './alreadyHereStage.ts';
import { inParallel } from '../../kernel/inParallel.ts';
import { serialKey, type Event, type WorkerContext, type WorkerStage } from './workerContext.ts';

/** Reads by id in flight at once. */
const READS_IN_FLIGHT = 8;
/** Devices read by id whose results are written in one transaction (five JSON batches). */
const WRITE_CHUNK = 100;

interface Found {
  d: DeviceRecord;
  value: RegisteredDevice | undefined;
  requestId: string | undefined;
}

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
      const waiting = listAll
        ? this.c.store
            .dueDevices(['imported', 'registered'], Number.MAX_SAFE_INTEGER, 1000)
            .filter((d) => !pendingAlreadyHere(d))
        : [];
      let oneByOne = due;
      if (listAll && waiting.length >= Math.max(10, 2 * pages)) {
        due = waiting;
        const res = await this.c.graph(() => listAll({ profileStatus: due.some((d) => d.waitFor === 'assigned') }));
        if (!res.ok) {
          for (const d of due)
            this.c.store.updateDevice(d.id, { nextCheckAt: this.c.now() + this.c.retryDelay(d.attempts, res.error) });
          continue;
        }
        this.lastListSize = res.value.value.length;
        const byId = new Map(res.value.value.map((r) => [r.id, r]));
        const bySerial = new Map(res.value.value.map((r) => [serialKey(r.serialNumber), r]));
        // The list lags behind GET by id on real tenants (until a sync). Until that was seen, one device
        // the listing misses (waiting long enough) is read by id first: found, the lag is known and
        // every device the listing missed is read by id now, in this round, not at its next check.
        const listed = (d: DeviceRecord) =>
          (d.deviceRegistrationId ? byId.get(d.deviceRegistrationId) : undefined) ??
          bySerial.get(serialKey(d.serialNumber));
        const now = this.c.now();
        const probed = new Map<string, Found>();
        const probe = this.listLags
          ? undefined
          : due.find((d) => !listed(d) && d.deviceRegistrationId && now - d.stateSince >= this.c.t.listLagProbeMs);
        if (probe) {
          for (const f of await this.readById([probe])) probed.set(f.d.id, f);
          if (probed.get(probe.id)?.value) {
            this.listLags = true;
            this.c.logger.info(
              'The registered-device list lags behind reads by id on this tenant; reading waiting devices by id',
            );
          }
        }
        oneByOne = [];
        this.c.store.transaction(() => {
          for (const d of due) {
            const p = probed.get(d.id);
            if (d.id === probe?.id && !p) continue; // its read failed: that set its next check
            const value = listed(d) ?? p?.value;
            if (!value && !p && d.deviceRegistrationId && this.listLags) oneByOne.push(d);
            else if (d.state === 'imported')
              lagging = this.observeRegistration(d, value, p?.requestId ?? res.value.requestId) || lagging;
            else this.observeProfile(d, value, p?.requestId ?? res.value.requestId);
          }
        });
        if (!oneByOne.length) continue;
      }
      // Read by id: in JSON batches of 20 where the port can (500 devices: 25 round trips, not 500),
      // else a few reads in flight at once; the Graph client's request budget keeps the pace within
      // the tenant's limits either way. What they found is written a chunk at a time, in one
      // transaction: one disk sync per chunk, not one per device (500 synced commits cost more than
      // the reads on a bench disk).
      for (let at = 0; at < oneByOne.length && !this.c.paused(); at += WRITE_CHUNK) {
        const found = await this.readById(oneByOne.slice(at, at + WRITE_CHUNK));
        this.c.store.transaction(() => {
          for (const { d, value, requestId } of found) {
            if (d.state === 'imported') lagging = this.observeRegistration(d, value, requestId) || lagging;
            else this.observeProfile(d, value, requestId);
          }
        });
      }
    }
    if (lagging) await this.c.maybeSync();
  }

  /**
   * Each device's registration, read by id (batched when the port can) or, without an id yet, by
   * serial. A device whose read failed gets its next check from the failure and is left out.
   */
  private async readById(devices: DeviceRecord[]): Promise<Found[]> {
    const found: Found[] = [];
    const failed = (d: DeviceRecord, error: Error) =>
      this.c.store.updateDevice(d.id, { nextCheckAt: this.c.now() + this.c.retryDelay(d.attempts, error) });
    const many = this.c.port.getRegisteredDevices?.bind(this.c.port);
    const withId = many ? devices.filter((d) => d.deviceRegistrationId) : [];
    if (many && withId.length > 1) {
      const res = await this.c.graph(() =>
        many(
          withId.map((d) => d.deviceRegistrationId!),
          { profileStatus: withId.some((d) => d.waitFor === 'assigned') },
        ),
      );
      if (!res.ok) for (const d of withId) failed(d, res.error);
      else
        res.value.forEach((r, i) => {
          const d = withId[i]!;
          if (r.error) failed(d, r.error);
          else found.push({ d, value: r.value, requestId: r.requestId });
        });
    }
    const single = withId.length > 1 ? devices.filter((d) => !withId.includes(d)) : devices;
    await inParallel(single, READS_IN_FLIGHT, async (d) => {
      if (this.c.paused()) return;
      const res = await this.c.graph(() => this.lookupRegistered(d));
      if (!res.ok) failed(d, res.error);
      else found.push({ d, value: res.value.value, requestId: res.value.requestId });
    });
    return found;
  }

  // ---------- registration and profile ----------

  private async lookupRegistered(
    d: DeviceRecord,
  ): Promise<{ value: RegisteredDevice | undefined; requestId?: string }> {
    const wantProfile = d.waitFor === 'assigned';
    if (d.deviceRegistrationId)
      return this.c.port.getRegisteredDevice(d.deviceRegistrationId, { profileStatus: wantProfile });
    const list = await this.c.port.findRegisteredBySerial(d.serialNumber);
    const hit = list.value.find((x) => serialKey(x.serialNumber) === serialKey(d.serialNumber));
    return list.requestId ? { value: hit, requestId: list.requestId } : { value: hit };
  }

  /** Returns true when registration lags enough to be worth a sync. */
  private observeRegistration(
    d: DeviceRecord,
    reg: RegisteredDevice | undefined,
    requestId: string | undefined,
  ): boolean {
    const now = this.c.now();
    if (!reg) {
      this.c.store.updateDevice(d.id, {
        attempts: d.attempts + 1,
        nextCheckAt: now + this.c.pollInterval(d.attempts + 1),
      });
      return now - d.stateSince >= this.c.t.syncAfterMs;
    }
    const e: Event = { requestIds: [requestId] };
    const profile = reg.deploymentProfileAssignmentStatus;
    if (d.waitFor !== 'assigned') {
      this.c.move(
        d,
        'registered',
        { deviceRegistrationId: reg.id, deadline: null, nextCheckAt: null, profileStatus: profile ?? null },
        'Registered in Autopilot',
        e,
      );
      return false;
    }
    const reached = this.c.move(
      d,
      'registered',
      {
        deviceRegistrationId: reg.id,
        deadline: now + this.c.t.profileDeadlineMs,
        nextCheckAt: now + this.c.t.firstPollMs,
        attempts: 0,
        profileStatus: profile ?? null,
      },
      'Registered in Autopilot; waiting for a deployment profile',
      e,
    );
    this.profileOutcome(reached, profile, e);
    return false;
  }

  private observeProfile(d: DeviceRecord, reg: RegisteredDevice | undefined, requestId: string | undefined): void {
    const profile = reg?.deploymentProfileAssignmentStatus;
    const updated = this.c.store.updateDevice(d.id, {
      attempts: d.attempts + 1,
      nextCheckAt: this.c.now() + this.c.pollInterval(d.attempts + 1),
      profileStatus: profile ?? null,
    });
    this.profileOutcome(updated, profile, { requestIds: [requestId] });
  }

  private profileOutcome(d: DeviceRecord, profile: string | undefined, e: Event): void {
    if (profile?.startsWith('assigned')) {
      this.c.move(
        d,
        'assigned',
        { deadline: null, nextCheckAt: null },
        `Deployment profile assigned (${profile}): ready to deploy`,
        e,
      );
    } else if (profile === 'failed') {
      this.c.move(
        d,
        'failed',
        {
          deadline: null,
          nextCheckAt: null,
          errorName: 'ProfileAssignmentFailed',
          advice: STATION_ADVICE.profileFailed,
        },
        'Deployment profile assignment failed',
        { ...e, errorName: 'ProfileAssignmentFailed' },
      );
      this.c.attention([d.id], `${d.serialNumber}: ${STATION_ADVICE.profileFailed}`, {
        serialNumber: d.serialNumber,
        errorName: 'ProfileAssignmentFailed',
      });
    }
  }
}

import type { RegisteredDevice } from '../../graph/autopilotPort.ts';
import { describeImportError, STATION_ADVICE } from '../errorAdvice.ts';
import type { DeviceRecord } from '../queueStore.ts';
import { LAST_SYNC_KEY, serialKey, type Event, type WorkerContext, type WorkerStage } from './workerContext.ts';

/** 806 for a device the registered list does not show yet: one sync, then another look. */
const AWAIT_SYNC = 'already-here-awaiting-sync';
/** A group tag changed with updateDeviceProperties, not yet shown by the tenant. */
const TAG_PENDING = 'group-tag-fix-pending';
const PENDING_FLAGS = [AWAIT_SYNC, TAG_PENDING];

/**
 * After the import: follows registration (GET by deviceRegistrationId, or one listing when many wait)
 * and profile assignment; reconciles 806 (already registered here) including its group tag, reported
 * fixed only once the tenant shows it; asks for a sync at most once per 10 minutes per tenant.
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
    for (const d of this.c.store.dueDevices(['importing'], this.c.now(), 1000).filter(pendingAlreadyHere)) {
      if (this.c.paused()) return;
      await this.followAlreadyHere(d);
    }
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
      for (const d of oneByOne) {
        if (this.c.paused()) return;
        const res = await this.c.graph(() => this.lookupRegistered(d));
        if (!res.ok) {
          this.c.store.updateDevice(d.id, { nextCheckAt: this.c.now() + this.c.retryDelay(d.attempts, res.error) });
          continue;
        }
        if (res.value.value && oneByOne !== due && !this.listLags) {
          this.listLags = true;
          this.c.logger.info('The registered-device list lags behind reads by id on this tenant; reading waiting devices by id');
        }
        if (d.state === 'imported') lagging = this.observeRegistration(d, res.value.value, res.value.requestId) || lagging;
        else this.observeProfile(d, res.value.value, res.value.requestId);
      }
    }
    if (lagging) await this.maybeSync();
  }

  // ---------- 806: already registered in this tenant ----------

  /** Called by the poll stage for a device whose record says 806 (once: afterwards it carries a pending flag). */
  async alreadyRegistered(d: DeviceRecord, e: Event): Promise<void> {
    const found = await this.c.graph(() => this.c.port.findRegisteredBySerial(d.serialNumber));
    if (!found.ok) return; // the record stays; the next poll tries again
    const reg = found.value.value.find((x) => serialKey(x.serialNumber) === serialKey(d.serialNumber));
    const requestIds = [...(e.requestIds ?? []), found.value.requestId];
    if (!reg) {
      // 806 can come before the device shows in the list (it shows after a sync): one sync, another look.
      const now = this.c.now();
      this.c.move(d, 'importing', { errorCode: 806, errorName: 'ZtdDeviceAlreadyAssigned', flags: withFlags(d.flags, [AWAIT_SYNC]), stateSince: now, deadline: Math.max(d.deadline ?? 0, now + this.c.t.registrationDeadlineMs), nextCheckAt: now }, 'Intune says this device is already registered here; the device list does not show it yet: asking for a sync, then looking again', { ...e, requestIds });
      return;
    }
    await this.fixTag(d, reg, { ...e, requestIds });
  }

  private async followAlreadyHere(d: DeviceRecord): Promise<void> {
    const now = this.c.now();
    if (d.flags.includes(TAG_PENDING)) return this.confirmTag(d);
    const last = Number(this.c.store.getMeta(LAST_SYNC_KEY) ?? '0');
    if (last < d.stateSince) {
      const synced = await this.maybeSync();
      const next = synced ? now + this.c.t.syncAfterMs : Math.max(now + this.c.t.firstPollMs, last + this.c.t.syncIntervalMs);
      this.c.store.updateDevice(d.id, { nextCheckAt: next });
      return;
    }
    if (now < last + this.c.t.syncAfterMs) {
      this.c.store.updateDevice(d.id, { nextCheckAt: last + this.c.t.syncAfterMs });
      return;
    }
    const found = await this.c.graph(() => this.c.port.findRegisteredBySerial(d.serialNumber));
    if (!found.ok) {
      this.c.store.updateDevice(d.id, { nextCheckAt: now + this.c.retryDelay(d.attempts, found.error) });
      return;
    }
    const reg = found.value.value.find((x) => serialKey(x.serialNumber) === serialKey(d.serialNumber));
    const e: Event = { requestIds: [found.value.requestId], errorCode: 806, errorName: 'ZtdDeviceAlreadyAssigned' };
    if (reg) return this.fixTag(d, reg, e);
    this.c.move(d, 'already-registered', { deadline: null, nextCheckAt: null, errorCode: 806, errorName: 'ZtdDeviceAlreadyAssigned', flags: withFlags(d.flags, ['group-tag-unchecked']), advice: STATION_ADVICE.tagUnchecked }, 'Already registered in this tenant (not found after a sync to check the group tag)', e);
  }

  /** The registered device is known: success once its group tag (and user) match; a change is confirmed before it is reported. */
  private async fixTag(d: DeviceRecord, reg: RegisteredDevice, e: Event): Promise<void> {
    const props: { groupTag?: string; userPrincipalName?: string } = {};
    if ((reg.groupTag ?? '') !== d.groupTag) props.groupTag = d.groupTag;
    if (d.assignedUser && (reg.userPrincipalName ?? '') !== d.assignedUser) props.userPrincipalName = d.assignedUser;
    const base = { errorCode: 806, errorName: 'ZtdDeviceAlreadyAssigned', deviceRegistrationId: reg.id };
    if (!Object.keys(props).length) {
      this.c.move(d, 'already-registered', { ...base, deadline: null, nextCheckAt: null, flags: withFlags(d.flags, [], PENDING_FLAGS), advice: describeImportError(806, null).advice }, 'Already registered in this tenant; group tag already correct', e);
      return;
    }
    const upd = await this.c.graph(() => this.c.port.updateDeviceProperties(reg.id, props));
    const now = this.c.now();
    if (!upd.ok) {
      // Importing: the 806 record is still there and the next poll tries again. Otherwise: look again later.
      if (d.state !== 'importing') this.c.store.updateDevice(d.id, { nextCheckAt: now + this.c.retryDelay(d.attempts, upd.error) });
      return;
    }
    const deadline = now + this.c.t.tagFixDeadlineMs;
    this.c.move(d, 'importing', { ...base, flags: withFlags(d.flags, [TAG_PENDING], [AWAIT_SYNC]), deadline, nextCheckAt: Math.min(deadline, now + this.c.t.firstPollMs), attempts: 0 }, `Already registered in this tenant; changing its group tag from "${reg.groupTag ?? ''}" to "${d.groupTag}"`, { ...e, requestIds: [...(e.requestIds ?? []), upd.value.requestId] });
  }

  private async confirmTag(d: DeviceRecord): Promise<void> {
    const now = this.c.now();
    const res = await this.c.graph(() => this.c.port.getRegisteredDevice(d.deviceRegistrationId!, { profileStatus: false }));
    const reg = res.ok ? res.value.value : undefined;
    const e: Event = { requestIds: [res.ok ? res.value.requestId : undefined], errorCode: 806, errorName: 'ZtdDeviceAlreadyAssigned' };
    const shows = !!reg && (reg.groupTag ?? '') === d.groupTag && (!d.assignedUser || (reg.userPrincipalName ?? '') === d.assignedUser);
    if (shows) {
      this.c.move(d, 'already-registered', { deadline: null, nextCheckAt: null, flags: withFlags(d.flags, [], PENDING_FLAGS), advice: describeImportError(806, null).advice }, `Already registered in this tenant; Intune now shows the group tag "${d.groupTag}"`, e);
      await this.maybeSync(); // profile assignment follows the tag after a sync
      return;
    }
    if (d.deadline !== undefined && now >= d.deadline) {
      this.c.move(d, 'already-registered', { deadline: null, nextCheckAt: null, flags: withFlags(d.flags, ['group-tag-unconfirmed'], PENDING_FLAGS), advice: STATION_ADVICE.tagUnconfirmed }, `Already registered in this tenant; the new group tag "${d.groupTag}" did not show in time`, e);
      this.c.attention([d.id], `${d.serialNumber}: ${STATION_ADVICE.tagUnconfirmed}`, { serialNumber: d.serialNumber, errorCode: 806 });
      return;
    }
    const next = now + (res.ok ? this.c.pollInterval(d.attempts + 1) : this.c.retryDelay(d.attempts, res.error));
    this.c.store.updateDevice(d.id, { attempts: d.attempts + 1, nextCheckAt: d.deadline !== undefined ? Math.min(d.deadline, next) : next });
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

  /**
   * At most one sync per 10 minutes per tenant: the stamp lives in the tenant's queue (its meta) and is
   * written before the call, so a crash mid-call cannot allow a second one. True when a sync was asked.
   */
  async maybeSync(): Promise<boolean> {
    const last = Number(this.c.store.getMeta(LAST_SYNC_KEY) ?? '0');
    if (this.c.now() - last < this.c.t.syncIntervalMs && this.c.now() >= last) return false;
    this.c.store.setMeta(LAST_SYNC_KEY, String(this.c.now()));
    const res = await this.c.graph(() => this.c.port.requestSync());
    if (!res.ok) return false;
    if (res.value === 'requested') this.c.stats.syncsRequested++;
    this.c.logger.info('Autopilot sync', { outcome: res.value });
    return true;
  }
}

/**
 * An 806 still being reconciled (a sync to wait for, a tag change to see). It stays 'importing', so no
 * caller takes it as settled and its batch (and the 806 record) is kept until it is done.
 */
export function pendingAlreadyHere(d: DeviceRecord): boolean {
  return d.state === 'importing' && PENDING_FLAGS.some((f) => d.flags.includes(f));
}

function withFlags(flags: string[], add: string[], remove: string[] = []): string[] {
  return [...new Set([...flags.filter((f) => !remove.includes(f)), ...add])];
}

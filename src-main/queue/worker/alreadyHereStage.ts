import type { RegisteredDevice } from '../../graph/autopilotPort.ts';
import { describeImportError, STATION_ADVICE } from '../errorAdvice.ts';
import type { DeviceRecord } from '../queueStore.ts';
import { LAST_SYNC_KEY, serialKey, type Event, type WorkerContext, type WorkerStage } from './workerContext.ts';

/**
 * A device whose tag change is pending carries the tag it had in a flag with this prefix (for "changed from A to B").
 */
const TAG_FROM = 'group-tag-was:';
/** 806 for a device the registered list does not show yet: one sync, then another look. */
const AWAIT_SYNC = 'already-here-awaiting-sync';
/** A group tag changed with updateDeviceProperties, not yet shown by the tenant. */
const TAG_PENDING = 'group-tag-fix-pending';
const PENDING_FLAGS = [AWAIT_SYNC, TAG_PENDING];
/** Longest wait between two looks for an 806 device the registered list does not show yet. */
const LAG_POLL_MAX_MS = 5 * 60_000;
/**
 * Set when queued: the technician asked for this group tag on every device (`--override-group-tag`, "use this tag for
 * every row").
 */
export const GROUP_TAG_OVERRIDE_FLAG = 'group-tag-override';
/** 806 for a device whose tag in Intune differs from the queued one, which was not applied (not asked to). */
export const GROUP_TAG_KEPT = 'GROUP_TAG_KEPT';
/** 806 for a device whose tag the station changed in Intune, as asked. */
export const GROUP_TAG_CHANGED = 'GROUP_TAG_CHANGED';

/**
 * 806, already registered in this tenant: success once the registered device carries the queued
 * group tag (and user). The device is looked for by serial; when the list does not show it yet, one
 * sync and another look. A tag changed with updateDeviceProperties is reported fixed only once the
 * tenant shows it (within tagFixDeadlineMs, else flagged unconfirmed), followed by a sync.
 */
export class AlreadyHereStage implements WorkerStage {
  readonly name = 'already-registered';

  constructor(private readonly c: WorkerContext) {}

  async run(): Promise<void> {
    for (const d of this.c.store.dueDevices(['importing'], this.c.now(), 1000).filter(pendingAlreadyHere)) {
      if (this.c.paused()) return;
      await this.followAlreadyHere(d);
    }
  }

  /** Called by the poll stage for a device whose record says 806 (once: afterwards it carries a pending flag). */
  async alreadyRegistered(d: DeviceRecord, e: Event): Promise<void> {
    await this.answer806(d, e);
    // Once the device no longer needs its record (settled, or followed by serial now), it goes.
    const now = this.c.store.getDevice(d.id);
    if (now && (pendingAlreadyHere(now) || now.state !== 'importing')) await this.deleteRecord(d);
  }

  private async answer806(d: DeviceRecord, e: Event): Promise<void> {
    const found = await this.c.graph(() => this.c.port.findRegisteredBySerial(d.serialNumber));
    if (!found.ok) return; // the record stays; the next poll tries again
    const reg = found.value.value.find((x) => serialKey(x.serialNumber) === serialKey(d.serialNumber));
    const requestIds = [...(e.requestIds ?? []), found.value.requestId];
    if (!reg) {
      // 806 can come before the device shows in the list (it shows after a sync): one sync, another look.
      const now = this.c.now();
      this.c.move(
        d,
        'importing',
        {
          errorCode: 806,
          errorName: 'ZtdDeviceAlreadyAssigned',
          flags: withFlags(d.flags, [AWAIT_SYNC]),
          stateSince: now,
          deadline: Math.max(d.deadline ?? 0, now + this.c.t.registrationDeadlineMs),
          nextCheckAt: now,
        },
        'Intune says this device is already registered here; the device list does not show it yet: asking for a sync, then looking again',
        { ...e, requestIds },
      );
      return;
    }
    await this.fixTag(d, reg, { ...e, requestIds });
  }

  /**
   * An 806 record tells nothing more once read: it is deleted at once (never left in the tenant while
   * the registered list catches up, nor when a command stops waiting). A failed delete is left to the
   * cleanup stage, which deletes every record of the batch.
   */
  private async deleteRecord(d: DeviceRecord): Promise<void> {
    const id = d.importedRecordId;
    if (!id) return;
    const del = await this.c.graph(() => this.c.port.deleteImported([id]));
    if (del.ok) this.c.store.markImportedDeleted([id], this.c.now());
  }

  private async followAlreadyHere(d: DeviceRecord): Promise<void> {
    const now = this.c.now();
    if (d.flags.includes(TAG_PENDING)) return this.confirmTag(d);
    const last = Number(this.c.store.getMeta(LAST_SYNC_KEY) ?? '0');
    if (last < d.stateSince) {
      const synced = await this.c.maybeSync();
      const next = synced
        ? now + this.c.t.syncAfterMs
        : Math.max(now + this.c.t.firstPollMs, last + this.c.t.syncIntervalMs);
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
    // The list can lag well past the sync (real tenants: minutes to an hour). Keep looking, less often
    // as the wait grows (a quarter of the time since the sync, 10 s to 5 min), until the deadline.
    const wait = Math.min(LAG_POLL_MAX_MS, Math.max(this.c.t.firstPollMs, Math.round((now - last) / 4)));
    if (d.deadline === undefined || now + wait < d.deadline) {
      this.c.store.updateDevice(d.id, { attempts: d.attempts + 1, nextCheckAt: now + wait });
      if (d.attempts === 0)
        this.c.store.appendEvent({
          deviceId: d.id,
          at: now,
          fromState: d.state,
          toState: d.state,
          message: 'Not in the registered list yet after the sync; looking again as the list catches up',
          requestIds: found.value.requestId ? [found.value.requestId] : [],
          errorCode: 806,
        });
      return;
    }
    this.c.move(
      d,
      'already-registered',
      {
        deadline: null,
        nextCheckAt: null,
        errorCode: 806,
        errorName: 'ZtdDeviceAlreadyAssigned',
        flags: withFlags(d.flags, ['group-tag-unchecked']),
        advice: STATION_ADVICE.tagUnchecked,
      },
      'Already registered in this tenant (not found after a sync to check the group tag)',
      e,
    );
  }

  /**
   * The registered device is known. Its group tag picks its deployment profile, so a different tag in
   * Intune is changed only when the technician asked for the queued tag on every device
   * (GROUP_TAG_OVERRIDE_FLAG); otherwise the device keeps it and the row says so (GROUP_TAG_KEPT,
   * both tags in the advice). A change is confirmed before it is reported (GROUP_TAG_CHANGED, "from A to B").
   */
  private async fixTag(d: DeviceRecord, reg: RegisteredDevice, e: Event): Promise<void> {
    const props: { groupTag?: string; userPrincipalName?: string } = {};
    const inIntune = reg.groupTag ?? '';
    const tagDiffers = inIntune !== d.groupTag;
    const mayChangeTag = d.flags.includes(GROUP_TAG_OVERRIDE_FLAG);
    if (tagDiffers && mayChangeTag) props.groupTag = d.groupTag;
    if (d.assignedUser && (reg.userPrincipalName ?? '') !== d.assignedUser) props.userPrincipalName = d.assignedUser;
    const base = { errorCode: 806, errorName: 'ZtdDeviceAlreadyAssigned', deviceRegistrationId: reg.id };
    const kept = tagDiffers && !mayChangeTag;
    const keptAdvice = `Already registered in this tenant with group tag "${inIntune}"; the queued tag "${d.groupTag}" was not applied, so the device keeps its deployment profile. To change it, import again with --override-group-tag (or "Use this tag for every row"), or change it in the admin centre.`;
    // The row shows the tag the device has in Intune (what decides its profile); the queued one is in the advice.
    const keptPatch = kept
      ? {
          groupTag: inIntune,
          errorName: GROUP_TAG_KEPT,
          advice: keptAdvice,
          flags: withFlags(d.flags, ['group-tag-differs'], PENDING_FLAGS),
        }
      : {};
    if (!Object.keys(props).length) {
      this.c.move(
        d,
        'already-registered',
        {
          ...base,
          deadline: null,
          nextCheckAt: null,
          flags: withFlags(d.flags, [], PENDING_FLAGS),
          advice: describeImportError(806, null).advice,
          ...keptPatch,
        },
        kept
          ? `Already registered in this tenant with group tag "${inIntune}"; the queued tag "${d.groupTag}" was not applied (not asked to change it)`
          : 'Already registered in this tenant; group tag already correct',
        e,
      );
      return;
    }
    const upd = await this.c.graph(() => this.c.port.updateDeviceProperties(reg.id, props));
    const now = this.c.now();
    if (!upd.ok) {
      // Importing: the 806 record is still there and the next poll tries again. Otherwise: look again later.
      if (d.state !== 'importing')
        this.c.store.updateDevice(d.id, { nextCheckAt: now + this.c.retryDelay(d.attempts, upd.error) });
      return;
    }
    const deadline = now + this.c.t.tagFixDeadlineMs;
    // The tag it had is kept in the event and the advice: "changed from A to B" once Intune shows B.
    const changing =
      props.groupTag !== undefined
        ? `changing its group tag from "${inIntune}" to "${d.groupTag}"`
        : `setting its assigned user to "${d.assignedUser}"`;
    this.c.move(
      d,
      'importing',
      {
        ...base,
        flags: withFlags(
          d.flags.filter((f) => !f.startsWith(TAG_FROM)),
          [TAG_PENDING, ...(props.groupTag !== undefined ? [`${TAG_FROM}${inIntune}`] : [])],
          [AWAIT_SYNC],
        ),
        deadline,
        nextCheckAt: Math.min(deadline, now + this.c.t.firstPollMs),
        attempts: 0,
        ...(kept ? { errorName: GROUP_TAG_KEPT, advice: keptAdvice } : {}),
      },
      `Already registered in this tenant; ${changing}`,
      { ...e, requestIds: [...(e.requestIds ?? []), upd.value.requestId] },
    );
  }

  private async confirmTag(d: DeviceRecord): Promise<void> {
    const now = this.c.now();
    const res = await this.c.graph(() =>
      this.c.port.getRegisteredDevice(d.deviceRegistrationId!, { profileStatus: false }),
    );
    const reg = res.ok ? res.value.value : undefined;
    const e: Event = {
      requestIds: [res.ok ? res.value.requestId : undefined],
      errorCode: 806,
      errorName: 'ZtdDeviceAlreadyAssigned',
    };
    const fromFlag = d.flags.find((f) => f.startsWith(TAG_FROM));
    const changedTag = fromFlag !== undefined;
    const from = fromFlag?.slice(TAG_FROM.length);
    const wantTag = changedTag ? d.groupTag : (reg?.groupTag ?? '');
    const shows =
      !!reg &&
      (reg.groupTag ?? '') === wantTag &&
      (!d.assignedUser || (reg.userPrincipalName ?? '') === d.assignedUser);
    if (shows) {
      const words = changedTag
        ? `Already registered in this tenant; group tag changed from "${from}" to "${d.groupTag}"`
        : `Already registered in this tenant; Intune now shows the assigned user "${d.assignedUser}"`;
      this.c.move(
        d,
        'already-registered',
        {
          deadline: null,
          nextCheckAt: null,
          flags: withFlags(
            d.flags.filter((f) => f !== fromFlag),
            changedTag ? ['group-tag-changed'] : [],
            PENDING_FLAGS,
          ),
          advice: changedTag
            ? `${words}.`
            : d.errorName === GROUP_TAG_KEPT
              ? (d.advice ?? null)
              : describeImportError(806, null).advice,
          ...(changedTag ? { errorName: GROUP_TAG_CHANGED } : {}),
        },
        words,
        e,
      );
      await this.c.maybeSync(); // profile assignment follows the tag after a sync
      return;
    }
    if (d.deadline !== undefined && now >= d.deadline) {
      this.c.move(
        d,
        'already-registered',
        {
          deadline: null,
          nextCheckAt: null,
          flags: withFlags(
            d.flags.filter((f) => !f.startsWith(TAG_FROM)),
            ['group-tag-unconfirmed'],
            PENDING_FLAGS,
          ),
          advice: STATION_ADVICE.tagUnconfirmed,
        },
        `Already registered in this tenant; the new group tag "${d.groupTag}" did not show in time`,
        e,
      );
      this.c.attention([d.id], `${d.serialNumber}: ${STATION_ADVICE.tagUnconfirmed}`, {
        serialNumber: d.serialNumber,
        errorCode: 806,
      });
      return;
    }
    const next = now + (res.ok ? this.c.pollInterval(d.attempts + 1) : this.c.retryDelay(d.attempts, res.error));
    this.c.store.updateDevice(d.id, {
      attempts: d.attempts + 1,
      nextCheckAt: d.deadline !== undefined ? Math.min(d.deadline, next) : next,
    });
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

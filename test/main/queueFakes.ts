import type { Clock } from '../../src-main/kernel/clock.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import {
  GraphFailure,
  type AutopilotPort,
  type ImportedIdentity,
  type ImportedIdentityInput,
  type RegisteredDevice,
  type WithRequestId,
} from '../../src-main/graph/autopilotPort.ts';

/** Service time that only moves when the test says so. */
export class ManualClock implements Clock {
  private waiters: { at: number; resolve: () => void }[] = [];
  constructor(public t = Date.UTC(2026, 10, 23, 9, 0, 0)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
    const due = this.waiters.filter((w) => w.at <= this.t);
    this.waiters = this.waiters.filter((w) => w.at > this.t);
    for (const w of due) w.resolve();
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const w = { at: this.t + ms, resolve };
      this.waiters.push(w);
      signal?.addEventListener('abort', () => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(signal.reason);
      });
    });
  }
}

export function hashFor(serialNumber: string, manufacturer = 'Contoso', model = 'Bench 1'): string {
  return encodeHardwareHash({ serialNumber, manufacturer, model });
}

export function deviceInput(serialNumber: string, extra: { groupTag?: string; hardwareHash?: string } = {}) {
  return {
    serialNumber,
    hardwareHash: extra.hardwareHash ?? hashFor(serialNumber),
    source: { kind: 'file' as const, path: 'bench.csv' },
    ...(extra.groupTag ? { groupTag: extra.groupTag } : {}),
  };
}

type Method = keyof AutopilotPort;

/**
 * An in-memory Autopilot service with the behaviour the worker depends on: records start unknown and
 * resolve after a delay, 806 for devices registered here, 808 for devices owned elsewhere,
 * registration and profile assignment after further delays, faults injectable per method.
 */
export class FakeAutopilot implements AutopilotPort {
  readonly log: { method: Method; at: number; arg?: unknown }[] = [];
  /** Set by a test to play a bench that cannot sign in (the port's optional readiness check). */
  readyToImport?: () => Promise<void>;
  readonly imported = new Map<string, ImportedIdentity & { createdAt: number; hash: string }>();
  readonly registered = new Map<string, RegisteredDevice & { visibleAt: number; profileAt: number }>();
  readonly otherTenant = new Set<string>();
  /**
   * When each registration was made (seeded ones: long ago): the list shows it only after a later sync when the list
   * lags.
   */
  readonly registeredAt = new Map<string, number>();
  readonly recordErrors = new Map<string, { code: number; name: string }>();
  private faults: { method: Method; failure: Error; times: number }[] = [];
  private seq = 0;
  delays = { importMs: 20_000, registrationMs: 60_000, profileMs: 120_000 };
  syncs = 0;
  lastSyncAt = -Infinity;
  /** Real-tenant behaviours (docs/domain.md#what-real-tenants-do), each off by default. */
  switches: {
    importIdRewritten?: boolean;
    importBatchLimit?: number;
    listLagsUntilSync?: boolean;
    otherTenantSpelling?: boolean;
    tagUpdateLagMs?: number;
    pageSize: number;
  } = { pageSize: 100 };
  /** Serials whose presence makes the service refuse the whole POST (400). */
  readonly refusedSerials = new Set<string>();
  /** The next N import POSTs are applied but their answers are lost. */
  lostAnswers = 0;
  /** The next N import POSTs are applied, then answered 500. */
  refuse5xxAfterApply = 0;
  private readonly pendingTags: { id: string; groupTag: string; at: number }[] = [];

  constructor(private readonly clock: Clock) {}

  fail(method: Method, failure: Error, times = 1): void {
    this.faults.push({ method, failure, times });
  }

  /** `lagging`: registered just now, so a lagging list shows it only after the next sync. */
  seedRegistered(serialNumber: string, groupTag: string, opts: { lagging?: boolean } = {}): string {
    const id = `reg-${++this.seq}`;
    this.registered.set(id, {
      id,
      serialNumber,
      groupTag,
      visibleAt: 0,
      profileAt: 0,
      deploymentProfileAssignmentStatus: 'assignedInSync',
    });
    if (opts.lagging) this.registeredAt.set(id, this.clock.now());
    return id;
  }

  count(method: Method): number {
    return this.log.filter((l) => l.method === method).length;
  }

  private enter(method: Method, arg?: unknown): string {
    this.log.push({ method, at: this.clock.now(), arg });
    const f = this.faults.find((x) => x.method === method && x.times > 0);
    if (f) {
      f.times--;
      throw f.failure;
    }
    return `req-${++this.seq}`;
  }

  private resolve(r: ImportedIdentity & { createdAt: number; hash: string }): void {
    if (r.state.deviceImportStatus !== 'unknown' || this.clock.now() < r.createdAt + this.delays.importMs) return;
    const key = r.serialNumber.toUpperCase();
    const err = this.otherTenant.has(key)
      ? this.switches.otherTenantSpelling
        ? { code: 0, name: 'ZtdDeviceAssignedToAnotherTenant' }
        : { code: 808, name: 'ZtdDeviceAssignedToOtherTenant' }
      : [...this.registered.values()].some((x) => x.serialNumber.toUpperCase() === key)
        ? { code: 806, name: 'ZtdDeviceAlreadyAssigned' }
        : this.recordErrors.get(key);
    if (err) {
      r.state = { deviceImportStatus: 'error', deviceErrorCode: err.code, deviceErrorName: err.name };
      return;
    }
    const id = `reg-${++this.seq}`;
    const at = r.createdAt + this.delays.importMs;
    this.registered.set(id, {
      id,
      serialNumber: r.serialNumber,
      groupTag: r.groupTag ?? '',
      visibleAt: at + this.delays.registrationMs,
      profileAt: at + this.delays.registrationMs + this.delays.profileMs,
    });
    this.registeredAt.set(id, at + this.delays.registrationMs);
    r.state = { deviceImportStatus: 'complete', deviceErrorCode: 0, deviceRegistrationId: id };
  }

  async importBatch(devices: ImportedIdentityInput[]): Promise<WithRequestId<ImportedIdentity[]>> {
    const requestId = this.enter(
      'importBatch',
      devices.map((d) => d.serialNumber),
    );
    // A real service may refuse a request as a whole, before any record is made.
    if (this.switches.importBatchLimit !== undefined && devices.length > this.switches.importBatchLimit)
      throw badRequest(
        `The request holds ${devices.length} devices; at most ${this.switches.importBatchLimit} are accepted.`,
        400,
      );
    const poison = devices.find((d) => this.refusedSerials.has(d.serialNumber.toUpperCase()));
    if (poison)
      throw badRequest(
        `Cannot convert the literal '${poison.hardwareIdentifier.slice(0, 8)}…' to the expected type 'Edm.Binary'.`,
        400,
      );
    const out = devices.map((d) => {
      const id = `imp-${++this.seq}`;
      const rec = {
        id,
        serialNumber: d.serialNumber,
        groupTag: d.groupTag ?? '',
        importId: this.switches.importIdRewritten ? id : d.importId,
        createdAt: this.clock.now(),
        hash: d.hardwareIdentifier,
        state: { deviceImportStatus: 'unknown' as const, deviceErrorCode: 0 },
      };
      this.imported.set(rec.id, rec);
      return rec;
    });
    if (this.lostAnswers > 0) {
      // Applied, but the answer never reaches the station.
      this.lostAnswers--;
      throw networkDown();
    }
    if (this.refuse5xxAfterApply > 0) {
      this.refuse5xxAfterApply--;
      throw new GraphFailure({
        code: 'GRAPH_UNAVAILABLE',
        message: 'An internal server error has occurred.',
        kind: 'unavailable',
        transient: true,
        status: 500,
        requestId: 'srv-500',
        details: { maybeApplied: true },
      });
    }
    return { value: out.map(strip), requestId, clientRequestId: 'c' };
  }

  async getImported(id: string): Promise<WithRequestId<ImportedIdentity | undefined>> {
    const requestId = this.enter('getImported', id);
    const r = this.imported.get(id);
    if (r) this.resolve(r);
    return { value: r ? strip(r) : undefined, requestId, clientRequestId: 'c' };
  }

  async listImported(): Promise<WithRequestId<ImportedIdentity[]>> {
    const requestId = this.enter('listImported');
    const all = [...this.imported.values()];
    all.forEach((r) => this.resolve(r));
    return {
      value: all.map(strip),
      requestId,
      clientRequestId: 'c',
      requests: Math.max(1, Math.ceil(all.length / this.switches.pageSize)),
    };
  }

  async deleteImported(ids: string[]): Promise<void> {
    this.enter('deleteImported', ids);
    for (const id of ids) this.imported.delete(id);
  }

  /** GET by id sees a registration at once; the list, with listLagsUntilSync, only after a sync made later. */
  private inList(r: RegisteredDevice & { visibleAt: number }): boolean {
    if (this.clock.now() < r.visibleAt) return false;
    return !this.switches.listLagsUntilSync || this.lastSyncAt >= (this.registeredAt.get(r.id) ?? -Infinity);
  }

  private applyPendingTags(): void {
    for (const p of this.pendingTags.filter((x) => x.at <= this.clock.now())) {
      const r = this.registered.get(p.id);
      if (r) r.groupTag = p.groupTag;
    }
    this.pendingTags.splice(0, this.pendingTags.length, ...this.pendingTags.filter((x) => x.at > this.clock.now()));
  }

  private visible(r: RegisteredDevice & { visibleAt: number; profileAt: number }, profile: boolean): RegisteredDevice {
    this.applyPendingTags();
    const { visibleAt: _v, profileAt, ...rest } = r;
    const out: RegisteredDevice = { ...rest };
    if (profile)
      out.deploymentProfileAssignmentStatus =
        r.deploymentProfileAssignmentStatus ?? (this.clock.now() >= profileAt ? 'assignedInSync' : 'notAssigned');
    else delete out.deploymentProfileAssignmentStatus;
    return out;
  }

  async getRegisteredDevice(
    id: string,
    options?: { profileStatus?: boolean },
  ): Promise<WithRequestId<RegisteredDevice | undefined>> {
    const requestId = this.enter('getRegisteredDevice', id);
    const r = this.registered.get(id);
    return {
      value: r && this.clock.now() >= r.visibleAt ? this.visible(r, options?.profileStatus ?? true) : undefined,
      requestId,
      clientRequestId: 'c',
    };
  }

  async findRegisteredBySerial(serialNumber: string): Promise<WithRequestId<RegisteredDevice[]>> {
    const requestId = this.enter('findRegisteredBySerial', serialNumber);
    const hits = [...this.registered.values()].filter(
      (r) => r.serialNumber.toUpperCase().includes(serialNumber.toUpperCase()) && this.inList(r),
    );
    return { value: hits.map((r) => this.visible(r, false)), requestId, clientRequestId: 'c' };
  }

  async listRegisteredDevices(options?: { profileStatus?: boolean }): Promise<WithRequestId<RegisteredDevice[]>> {
    const requestId = this.enter('listRegisteredDevices');
    const all = [...this.registered.values()].filter((r) => this.inList(r));
    return { value: all.map((r) => this.visible(r, options?.profileStatus ?? true)), requestId, clientRequestId: 'c' };
  }

  async updateDeviceProperties(
    id: string,
    props: { groupTag?: string; userPrincipalName?: string },
  ): Promise<WithRequestId<void>> {
    const requestId = this.enter('updateDeviceProperties', { id, ...props });
    const r = this.registered.get(id);
    if (!r)
      throw new GraphFailure({
        code: 'GRAPH_NOT_FOUND',
        message: 'not found',
        kind: 'not-found',
        transient: false,
        status: 404,
      });
    if (props.groupTag !== undefined && this.switches.tagUpdateLagMs)
      this.pendingTags.push({ id, groupTag: props.groupTag, at: this.clock.now() + this.switches.tagUpdateLagMs });
    else if (props.groupTag !== undefined) r.groupTag = props.groupTag;
    if (props.userPrincipalName !== undefined) r.userPrincipalName = props.userPrincipalName;
    return { value: undefined, requestId, clientRequestId: 'c' };
  }

  async requestSync(): Promise<'requested' | 'too-soon' | 'in-progress'> {
    this.enter('requestSync');
    this.syncs++;
    this.lastSyncAt = this.clock.now();
    return 'requested';
  }

  async listGroupTags(): Promise<string[]> {
    this.enter('listGroupTags');
    return [];
  }
}

function strip(r: ImportedIdentity & { createdAt?: number; hash?: string }): ImportedIdentity {
  const { createdAt: _c, hash: _h, ...rest } = r;
  return { ...rest, state: { ...rest.state } };
}

export const throttled = (retryAfterMs = 30_000) =>
  new GraphFailure({
    code: 'GRAPH_THROTTLED',
    message: 'Intune is busy.',
    kind: 'throttled',
    transient: true,
    status: 429,
    retryAfterMs,
    requestId: 'throttle-req',
  });
export const badRequest = (message: string, status = 400) =>
  new GraphFailure({
    code: status === 413 ? 'GRAPH_TOO_LARGE' : 'GRAPH_BAD_REQUEST',
    message,
    kind: 'bad-request',
    transient: false,
    status,
    requestId: `refused-${status}`,
  });
export const networkDown = () =>
  new GraphFailure({
    code: 'GRAPH_NETWORK',
    message: 'The connection dropped.',
    kind: 'network',
    transient: true,
    details: { maybeApplied: true },
  });

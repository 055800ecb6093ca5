import type { Logger } from '../kernel/logger.ts';
import {
  GraphFailure,
  type AutopilotPort,
  type DeviceImportStatus,
  type ImportedIdentity,
  type ImportedIdentityInput,
  type RegisteredDevice,
  type WithRequestId,
} from './autopilotPort.ts';
import type { GraphClient } from './graphClient.ts';
import type { SyncStampStore } from './syncStampStore.ts';

const IMPORTED = '/deviceManagement/importedWindowsAutopilotDeviceIdentities';
const REGISTERED = '/deviceManagement/windowsAutopilotDeviceIdentities';
const SYNC = '/deviceManagement/windowsAutopilotSettings/sync';

export const MAX_BATCH = 500;
export const SYNC_INTERVAL_MS = 10 * 60_000;
const GROUP_TAG_CACHE_MS = 5 * 60_000;
/** POSTs per batch when answers get lost (each checked by importId first); then the failure goes to the queue. */
const IMPORT_POST_ATTEMPTS = 5;
const DELETE_CONCURRENCY = 4;
const READ_BATCH_FIELDS = 'id,serialNumber,importId,groupTag,state';

export interface AutopilotGraphOptions {
  graph: GraphClient;
  /** Which tenant (and cloud) the sync stamp belongs to. */
  tenantKey: string;
  syncStamps: SyncStampStore;
  logger: Logger;
}

/** Builds the import request body exactly as the CSDL's importedWindowsAutopilotDeviceIdentity. */
export function importRequestBody(devices: ImportedIdentityInput[]): { importedWindowsAutopilotDeviceIdentities: Record<string, string>[] } {
  return {
    importedWindowsAutopilotDeviceIdentities: devices.map((d) => {
      const o: Record<string, string> = { serialNumber: d.serialNumber, hardwareIdentifier: d.hardwareIdentifier, importId: d.importId };
      if (d.productKey) o.productKey = d.productKey;
      if (d.groupTag) o.groupTag = d.groupTag;
      if (d.assignedUserPrincipalName) o.assignedUserPrincipalName = d.assignedUserPrincipalName;
      return o;
    }),
  };
}

/** OData string literal: single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The Autopilot operations over Microsoft Graph. Every method costs as few requests as the
 * protocol allows: one POST per batch, one GET (per page) per poll, one DELETE per created record.
 */
export class AutopilotGraph implements AutopilotPort {
  private groupTagCache?: { at: number; tags: string[] };

  constructor(private readonly options: AutopilotGraphOptions) {}

  private get graph(): GraphClient {
    return this.options.graph;
  }

  async importBatch(devices: ImportedIdentityInput[]): Promise<WithRequestId<ImportedIdentity[]>> {
    if (devices.length === 0) throw new RangeError('importBatch needs at least one device');
    if (devices.length > MAX_BATCH) throw new RangeError(`importBatch takes at most ${MAX_BATCH} devices`);
    const importIds = [...new Set(devices.map((d) => d.importId))];
    const doing = `importing ${devices.length} device${devices.length === 1 ? '' : 's'}`;
    let pending = devices;
    const landed: ImportedIdentity[] = [];
    let last: { requestId?: string; clientRequestId: string } | undefined;

    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.graph.request<{ value?: unknown[] }>({ method: 'POST', path: `${IMPORTED}/import`, body: importRequestBody(pending), idempotent: false, doing });
        const value = (res.body?.value ?? []).map(toImported);
        return { value: [...landed, ...value], ...(res.requestId ? { requestId: res.requestId } : {}), clientRequestId: res.clientRequestId };
      } catch (err) {
        // A dropped connection or a 5xx after sending may still have imported the records: look
        // them up by importId before sending again, so nothing is imported twice.
        if (!(err instanceof GraphFailure) || !err.details?.maybeApplied || attempt >= IMPORT_POST_ATTEMPTS) throw err;
        this.options.logger.warn('Import answer lost; checking what landed before sending again', { importIds, attempt, requestId: err.requestId, clientRequestId: err.clientRequestId });
        for (const importId of importIds) {
          const read = await this.readBatch(importId);
          last = read;
          const serials = new Set(read.value.map((r) => r.serialNumber));
          landed.push(...read.value.filter((r) => pending.some((d) => d.serialNumber === r.serialNumber && d.importId === importId)));
          pending = pending.filter((d) => !(d.importId === importId && serials.has(d.serialNumber)));
        }
        if (pending.length === 0) return { value: landed, ...(last?.requestId ? { requestId: last.requestId } : {}), clientRequestId: last!.clientRequestId };
        await this.graph.sleep(this.graph.backoff(attempt));
      }
    }
  }

  async readBatch(importId: string): Promise<WithRequestId<ImportedIdentity[]>> {
    const filter = `importId eq ${odataString(importId)}`;
    let res: Awaited<ReturnType<GraphClient['getAll']>>;
    try {
      // Only what polling needs: without $select every record brings its 4 KB hardware hash back
      // (2 MB per poll of a batch of 500).
      res = await this.graph.getAll<unknown>({ path: IMPORTED, query: { $filter: filter, $select: READ_BATCH_FIELDS }, doing: 'reading the import batch' });
    } catch (err) {
      if (!(err instanceof GraphFailure) || err.kind !== 'bad-request') throw err;
      this.options.logger.info('$select refused on imported identities; reading whole records', { requestId: err.requestId });
      res = await this.graph.getAll<unknown>({ path: IMPORTED, query: { $filter: filter }, doing: 'reading the import batch' });
    }
    const value = res.value.map(toImported).filter((r) => r.importId === importId);
    const requestId = res.requestIds.at(-1);
    return { value, ...(requestId ? { requestId } : {}), clientRequestId: res.clientRequestId };
  }

  async deleteImported(ids: string[]): Promise<void> {
    // A few at a time: the rate budget keeps the pace legal, parallelism hides the round trips.
    const queue = [...new Set(ids)];
    let failure: unknown;
    const worker = async () => {
      while (queue.length && failure === undefined) {
        const id = queue.shift()!;
        try {
          await this.graph.request({ method: 'DELETE', path: `${IMPORTED}/${encodeURIComponent(id)}`, doing: 'removing an imported record' });
        } catch (err) {
          // Already gone (deleted in the admin centre or by an earlier try): the goal is reached.
          if (err instanceof GraphFailure && err.kind === 'not-found') continue;
          failure ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, queue.length) }, worker));
    if (failure !== undefined) throw failure;
  }

  async getRegisteredDevice(id: string, options: { profileStatus?: boolean } = {}): Promise<WithRequestId<RegisteredDevice | undefined>> {
    const beta = options.profileStatus ?? true;
    try {
      const res = await this.graph.request<unknown>({ method: 'GET', path: `${REGISTERED}/${encodeURIComponent(id)}`, beta, doing: 'reading the registered device' });
      return { value: res.body ? toRegistered(res.body) : undefined, ...(res.requestId ? { requestId: res.requestId } : {}), clientRequestId: res.clientRequestId };
    } catch (err) {
      if (err instanceof GraphFailure && err.kind === 'not-found') return { value: undefined, ...(err.requestId ? { requestId: err.requestId } : {}), clientRequestId: err.clientRequestId ?? '' };
      throw err;
    }
  }

  async findRegisteredBySerial(serialNumber: string): Promise<WithRequestId<RegisteredDevice[]>> {
    const wanted = serialNumber.trim().toLowerCase();
    const matches = (d: RegisteredDevice) => d.serialNumber.trim().toLowerCase() === wanted;
    // Serials with '-' have been reported to break `contains`: page the list instead.
    if (!serialNumber.includes('-')) {
      try {
        const res = await this.graph.getAll<unknown>({ path: REGISTERED, query: { $filter: `contains(serialNumber,${odataString(serialNumber)})` }, doing: 'looking for the device by serial' });
        const requestId = res.requestIds.at(-1);
        return { value: res.value.map(toRegistered).filter(matches), ...(requestId ? { requestId } : {}), clientRequestId: res.clientRequestId };
      } catch (err) {
        if (!(err instanceof GraphFailure) || err.kind !== 'bad-request') throw err;
        this.options.logger.info('Serial filter refused; paging the device list instead', { requestId: err.requestId });
      }
    }
    const all = await this.graph.getAll<unknown>({ path: REGISTERED, doing: 'looking for the device by serial' });
    const requestId = all.requestIds.at(-1);
    return { value: all.value.map(toRegistered).filter(matches), ...(requestId ? { requestId } : {}), clientRequestId: all.clientRequestId };
  }

  async listRegisteredDevices(options: { profileStatus?: boolean } = {}): Promise<WithRequestId<RegisteredDevice[]>> {
    const res = await this.graph.getAll<unknown>({ path: REGISTERED, beta: options.profileStatus ?? true, doing: 'following registered devices' });
    const requestId = res.requestIds.at(-1);
    return { value: res.value.map(toRegistered), ...(requestId ? { requestId } : {}), clientRequestId: res.clientRequestId };
  }

  async updateDeviceProperties(
    id: string,
    props: { groupTag?: string; userPrincipalName?: string; addressableUserName?: string; displayName?: string },
  ): Promise<WithRequestId<void>> {
    const body: Record<string, string> = {};
    for (const k of ['groupTag', 'userPrincipalName', 'addressableUserName', 'displayName'] as const) if (props[k] !== undefined) body[k] = props[k]!;
    // Setting the same properties twice is harmless, so a lost answer may be resent.
    const res = await this.graph.request({ method: 'POST', path: `${REGISTERED}/${encodeURIComponent(id)}/updateDeviceProperties`, body, idempotent: true, doing: 'updating the device\'s group tag or user' });
    this.groupTagCache = undefined;
    return { value: undefined, ...(res.requestId ? { requestId: res.requestId } : {}), clientRequestId: res.clientRequestId };
  }

  async requestSync(): Promise<'requested' | 'too-soon' | 'in-progress'> {
    const now = this.graph.now();
    const last = await this.options.syncStamps.lastSync(this.options.tenantKey);
    if (last !== undefined && now - last < SYNC_INTERVAL_MS && now >= last) return 'too-soon';
    // Stamp before calling: a crash mid-call must not allow a second sync within 10 minutes.
    await this.options.syncStamps.recordSync(this.options.tenantKey, now);
    try {
      await this.graph.request({ method: 'POST', path: SYNC, beta: true, idempotent: false, noRetry: true, doing: 'asking Intune to sync' });
      return 'requested';
    } catch (err) {
      if (err instanceof GraphFailure && err.status === 409) return 'in-progress';
      if (err instanceof GraphFailure && err.status === 429) return 'too-soon';
      throw err;
    }
  }

  async listGroupTags(): Promise<string[]> {
    const now = this.graph.now();
    if (this.groupTagCache && now - this.groupTagCache.at < GROUP_TAG_CACHE_MS) return this.groupTagCache.tags;
    const res = await this.graph.getAll<{ groupTag?: string | null }>({ path: REGISTERED, query: { $select: 'groupTag' }, doing: 'listing the group tags in use' });
    const tags = [...new Set(res.value.map((d) => (d.groupTag ?? '').trim()).filter(Boolean))].sort((a, b) => a.localeCompare(b));
    this.groupTagCache = { at: now, tags };
    return tags;
  }
}

const IMPORT_STATUSES: readonly DeviceImportStatus[] = ['unknown', 'pending', 'partial', 'complete', 'error'];

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Maps one Graph object to the port's shape; unknown values are kept visible, never guessed. */
export function toImported(raw: unknown): ImportedIdentity {
  const o = (raw ?? {}) as Record<string, unknown>;
  const st = (o.state ?? {}) as Record<string, unknown>;
  const status = str(st.deviceImportStatus) as DeviceImportStatus | undefined;
  const code = typeof st.deviceErrorCode === 'number' ? st.deviceErrorCode : Number(st.deviceErrorCode ?? 0) || 0;
  const out: ImportedIdentity = {
    id: str(o.id) ?? '',
    serialNumber: str(o.serialNumber) ?? '',
    importId: str(o.importId) ?? '',
    state: {
      deviceImportStatus: status && IMPORT_STATUSES.includes(status) ? status : 'unknown',
      deviceRegistrationId: str(st.deviceRegistrationId) ?? null,
      deviceErrorCode: code,
      deviceErrorName: str(st.deviceErrorName) ?? null,
    },
  };
  if ('groupTag' in o) out.groupTag = str(o.groupTag) ?? null;
  if ('assignedUserPrincipalName' in o) out.assignedUserPrincipalName = str(o.assignedUserPrincipalName) ?? null;
  return out;
}

export function toRegistered(raw: unknown): RegisteredDevice {
  const o = (raw ?? {}) as Record<string, unknown>;
  const out: RegisteredDevice = { id: str(o.id) ?? '', serialNumber: str(o.serialNumber) ?? '' };
  if ('groupTag' in o) out.groupTag = str(o.groupTag) ?? null;
  if ('userPrincipalName' in o) out.userPrincipalName = str(o.userPrincipalName) ?? null;
  if ('manufacturer' in o) out.manufacturer = str(o.manufacturer) ?? null;
  if ('model' in o) out.model = str(o.model) ?? null;
  const es = str(o.enrollmentState);
  if (es) out.enrollmentState = es;
  const ps = str(o.deploymentProfileAssignmentStatus);
  if (ps) out.deploymentProfileAssignmentStatus = ps;
  return out;
}


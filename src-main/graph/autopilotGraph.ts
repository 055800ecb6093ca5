import type { Logger } from '../kernel/logger.ts';
import {
  GraphFailure,
  type AutopilotPort,
  type DeviceImportStatus,
  type ImportedIdentity,
  type ImportedIdentityInput,
  type RegisteredDevice,
  type RegisteredRead,
  type WithRequestId,
} from './autopilotPort.ts';
import type { GraphClient } from './graphClient.ts';
import { JsonBatch } from './jsonBatch.ts';
import { syncAnswerOf } from './graphAnswers.ts';
import { inParallel } from '../kernel/inParallel.ts';
import { MAX_IMPORT_BATCH } from '../contract/limits.ts';

const IMPORTED = '/deviceManagement/importedWindowsAutopilotDeviceIdentities';
const REGISTERED = '/deviceManagement/windowsAutopilotDeviceIdentities';
const SYNC = '/deviceManagement/windowsAutopilotSettings/sync';

const GROUP_TAG_CACHE_MS = 5 * 60_000;
const DELETE_CONCURRENCY = 4;
const LIST_IMPORTED_FIELDS = 'id,serialNumber,importId,groupTag,state';

export interface AutopilotGraphOptions {
  graph: GraphClient;
  logger: Logger;
}

/** Builds the import request body exactly as the CSDL's importedWindowsAutopilotDeviceIdentity. */
export function importRequestBody(devices: ImportedIdentityInput[]): {
  importedWindowsAutopilotDeviceIdentities: Record<string, string>[];
} {
  return {
    importedWindowsAutopilotDeviceIdentities: devices.map((d) => {
      const o: Record<string, string> = {
        serialNumber: d.serialNumber,
        hardwareIdentifier: d.hardwareIdentifier,
        importId: d.importId,
      };
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
 * protocol allows: one POST per batch, one GET per record or one listing (per page) per poll, one
 * DELETE per created record.
 */
export class AutopilotGraph implements AutopilotPort {
  private groupTagCache?: { at: number; tags: string[] } | undefined;
  /** JSON batching for many reads by id; remembers a tenant that refuses it. */
  readonly batch: JsonBatch;

  constructor(private readonly options: AutopilotGraphOptions) {
    this.batch = new JsonBatch(options.graph, options.logger);
  }

  private get graph(): GraphClient {
    return this.options.graph;
  }

  async importBatch(devices: ImportedIdentityInput[]): Promise<WithRequestId<ImportedIdentity[]>> {
    if (devices.length === 0) throw new RangeError('importBatch needs at least one device');
    if (devices.length > MAX_IMPORT_BATCH)
      throw new RangeError(`importBatch takes at most ${MAX_IMPORT_BATCH} devices`);
    // One POST. A lost answer (maybeApplied) goes back to the worker, whose persisted batch decides
    // whether the records landed: one reconciliation path, which also survives a crash.
    const res = await this.graph.request<{ value?: unknown[] }>({
      method: 'POST',
      path: `${IMPORTED}/import`,
      body: importRequestBody(devices),
      idempotent: false,
      doing: `importing ${devices.length} device${devices.length === 1 ? '' : 's'}`,
    });
    const value = (res.body?.value ?? []).map(toImported);
    return { value, ...(res.requestId ? { requestId: res.requestId } : {}), clientRequestId: res.clientRequestId };
  }

  async readyToImport(): Promise<void> {
    await this.graph.ensureToken();
  }

  async getImported(id: string): Promise<WithRequestId<ImportedIdentity | undefined>> {
    try {
      const res = await this.graph.request<unknown>({
        method: 'GET',
        path: `${IMPORTED}/${encodeURIComponent(id)}`,
        doing: 'reading an imported record',
      });
      return {
        value: res.body ? toImported(res.body) : undefined,
        ...(res.requestId ? { requestId: res.requestId } : {}),
        clientRequestId: res.clientRequestId,
      };
    } catch (err) {
      if (err instanceof GraphFailure && err.kind === 'not-found')
        return {
          value: undefined,
          ...(err.requestId ? { requestId: err.requestId } : {}),
          clientRequestId: err.clientRequestId ?? '',
        };
      throw err;
    }
  }

  async listImported(): Promise<WithRequestId<ImportedIdentity[]>> {
    // Only what following needs: without $select every record brings its 4 KB hardware hash back.
    // $select is optional: a real tenant has answered 500 to it, and the client then drops it for the session.
    const res = await this.graph.getAll<unknown>({
      path: IMPORTED,
      query: { $select: LIST_IMPORTED_FIELDS },
      optional: ['$select'],
      doing: 'reading the imported records',
    });
    const requestId = res.requestIds.at(-1);
    return {
      value: res.value.map(toImported),
      ...(requestId ? { requestId } : {}),
      clientRequestId: res.clientRequestId,
      requests: res.pages,
    };
  }

  async deleteImported(ids: string[]): Promise<void> {
    // A few at a time: the rate budget keeps the pace legal, parallelism hides the round trips.
    let failure: unknown;
    await inParallel([...new Set(ids)], DELETE_CONCURRENCY, async (id) => {
      if (failure !== undefined) return; // one failed: the rest wait for the caller's next try
      try {
        await this.graph.request({
          method: 'DELETE',
          path: `${IMPORTED}/${encodeURIComponent(id)}`,
          doing: 'removing an imported record',
        });
      } catch (err) {
        // Already gone (deleted in the admin centre or by an earlier try): the goal is reached.
        if (!(err instanceof GraphFailure && err.kind === 'not-found')) failure ??= err;
      }
    });
    if (failure !== undefined) throw failure;
  }

  async getRegisteredDevice(
    id: string,
    options: { profileStatus?: boolean } = {},
  ): Promise<WithRequestId<RegisteredDevice | undefined>> {
    const beta = options.profileStatus ?? true;
    try {
      const res = await this.graph.request<unknown>({
        method: 'GET',
        path: `${REGISTERED}/${encodeURIComponent(id)}`,
        beta,
        doing: 'reading the registered device',
      });
      return {
        value: res.body ? toRegistered(res.body) : undefined,
        ...(res.requestId ? { requestId: res.requestId } : {}),
        clientRequestId: res.clientRequestId,
      };
    } catch (err) {
      if (err instanceof GraphFailure && err.kind === 'not-found')
        return {
          value: undefined,
          ...(err.requestId ? { requestId: err.requestId } : {}),
          clientRequestId: err.clientRequestId ?? '',
        };
      throw err;
    }
  }

  async getRegisteredDevices(ids: string[], options: { profileStatus?: boolean } = {}): Promise<RegisteredRead[]> {
    const beta = options.profileStatus ?? true;
    const answers = await this.batch.send<unknown>(
      ids.map((id) => ({ method: 'GET', path: `${REGISTERED}/${encodeURIComponent(id)}` })),
      { beta, doing: 'reading registered devices' },
    );
    return answers.map((a, i) => {
      const id = ids[i]!;
      if (a.ok)
        return {
          id,
          ...(a.body ? { value: toRegistered(a.body) } : {}),
          ...(a.requestId ? { requestId: a.requestId } : {}),
        };
      if (a.error.kind === 'not-found') return { id, ...(a.error.requestId ? { requestId: a.error.requestId } : {}) };
      return { id, error: a.error };
    });
  }

  async findRegisteredBySerial(serialNumber: string): Promise<WithRequestId<RegisteredDevice[]>> {
    const wanted = serialNumber.trim().toLowerCase();
    const matches = (d: RegisteredDevice) => d.serialNumber.trim().toLowerCase() === wanted;
    // Serials with '-' have been reported to break `contains`: page the list instead.
    if (!serialNumber.includes('-')) {
      try {
        const res = await this.graph.getAll<unknown>({
          path: REGISTERED,
          query: { $filter: `contains(serialNumber,${odataString(serialNumber)})` },
          doing: 'looking for the device by serial',
        });
        const requestId = res.requestIds.at(-1);
        return {
          value: res.value.map(toRegistered).filter(matches),
          ...(requestId ? { requestId } : {}),
          clientRequestId: res.clientRequestId,
        };
      } catch (err) {
        if (!(err instanceof GraphFailure) || err.kind !== 'bad-request') throw err;
        this.options.logger.info('Serial filter refused; paging the device list instead', { requestId: err.requestId });
      }
    }
    const all = await this.graph.getAll<unknown>({ path: REGISTERED, doing: 'looking for the device by serial' });
    const requestId = all.requestIds.at(-1);
    return {
      value: all.value.map(toRegistered).filter(matches),
      ...(requestId ? { requestId } : {}),
      clientRequestId: all.clientRequestId,
    };
  }

  async listRegisteredDevices(options: { profileStatus?: boolean } = {}): Promise<WithRequestId<RegisteredDevice[]>> {
    const res = await this.graph.getAll<unknown>({
      path: REGISTERED,
      beta: options.profileStatus ?? true,
      doing: 'following registered devices',
    });
    const requestId = res.requestIds.at(-1);
    return {
      value: res.value.map(toRegistered),
      ...(requestId ? { requestId } : {}),
      clientRequestId: res.clientRequestId,
    };
  }

  async updateDeviceProperties(
    id: string,
    props: { groupTag?: string; userPrincipalName?: string; addressableUserName?: string; displayName?: string },
  ): Promise<WithRequestId<void>> {
    const body: Record<string, string> = {};
    for (const k of ['groupTag', 'userPrincipalName', 'addressableUserName', 'displayName'] as const)
      if (props[k] !== undefined) body[k] = props[k]!;
    // Setting the same properties twice is harmless, so a lost answer may be resent.
    const res = await this.graph.request({
      method: 'POST',
      path: `${REGISTERED}/${encodeURIComponent(id)}/updateDeviceProperties`,
      body,
      idempotent: true,
      doing: "updating the device's group tag or user",
    });
    this.groupTagCache = undefined;
    return {
      value: undefined,
      ...(res.requestId ? { requestId: res.requestId } : {}),
      clientRequestId: res.clientRequestId,
    };
  }

  /** One call, never retried. The 10-minute rule is the worker's (stamped in the tenant's queue before calling). */
  async requestSync(): Promise<'requested' | 'too-soon' | 'in-progress'> {
    try {
      await this.graph.request({
        method: 'POST',
        path: SYNC,
        beta: true,
        idempotent: false,
        noRetry: true,
        doing: 'asking Intune to sync',
      });
      return 'requested';
    } catch (err) {
      const answer = err instanceof GraphFailure ? syncAnswerOf(err) : undefined;
      if (answer) return answer;
      throw err;
    }
  }

  async listGroupTags(): Promise<string[]> {
    const now = this.graph.now();
    if (this.groupTagCache && now - this.groupTagCache.at < GROUP_TAG_CACHE_MS) return this.groupTagCache.tags;
    const res = await this.graph.getAll<{ groupTag?: string | null }>({
      path: REGISTERED,
      query: { $select: 'groupTag' },
      optional: ['$select'],
      doing: 'listing the group tags in use',
    });
    const tags = [...new Set(res.value.map((d) => (d.groupTag ?? '').trim()).filter(Boolean))].sort((a, b) =>
      a.localeCompare(b),
    );
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
  if ('hardwareIdentifier' in o) out.hardwareIdentifier = str(o.hardwareIdentifier) ?? null;
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

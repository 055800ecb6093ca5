import { StationError, type StationErrorData } from '../contract/errors.ts';

/**
 * What the queue worker needs from Microsoft Graph, as a port. The Graph client implements it over
 * HTTP (src-main/graph); unit tests implement it with fakes. Shapes follow the v1.0 CSDL extract.
 */
export type DeviceImportStatus = 'unknown' | 'pending' | 'partial' | 'complete' | 'error';

export interface ImportedIdentityInput {
  serialNumber: string;
  /** Padded standard base64. */
  hardwareIdentifier: string;
  productKey?: string;
  groupTag?: string;
  assignedUserPrincipalName?: string;
  importId: string;
}

export interface ImportedIdentity {
  id: string;
  serialNumber: string;
  groupTag?: string | null;
  /** The client's hint: a real tenant has answered with it rewritten to the record's own id. Never a key. */
  importId: string;
  assignedUserPrincipalName?: string | null;
  /**
   * Present when the service returns it (not under $select): lets a lost answer be matched by hash as well as serial.
   */
  hardwareIdentifier?: string | null;
  state: {
    deviceImportStatus: DeviceImportStatus;
    deviceRegistrationId?: string | null;
    deviceErrorCode: number;
    deviceErrorName?: string | null;
  };
}

export interface RegisteredDevice {
  id: string;
  serialNumber: string;
  groupTag?: string | null;
  userPrincipalName?: string | null;
  manufacturer?: string | null;
  model?: string | null;
  enrollmentState?: string;
  /** Beta only: unknown, assignedInSync, assignedOutOfSync, assignedUnkownSyncState, notAssigned, pending, failed. */
  deploymentProfileAssignmentStatus?: string;
}

/** Every Graph answer carries the service's request-id so that it can be kept with the device's history. */
export interface WithRequestId<T> {
  value: T;
  requestId?: string;
  clientRequestId: string;
  /** Requests the answer cost (pages of a listing); 1 when absent. */
  requests?: number;
}

/** One answer of getRegisteredDevices. */
export interface RegisteredRead {
  id: string;
  value?: RegisteredDevice;
  requestId?: string;
  error?: GraphFailure;
}

export interface AutopilotPort {
  /**
   * One POST .../importedWindowsAutopilotDeviceIdentities/import with every device of one batch, never
   * re-posted here: whether a lost answer landed is decided by the worker from its persisted batch.
   */
  importBatch(devices: ImportedIdentityInput[]): Promise<WithRequestId<ImportedIdentity[]>>;
  /**
   * Resolves when an import may be sent now (a token can be had; the tenant's connection check, where
   * one is due, passed); rejects with the reason otherwise. Sends nothing to the import action. The
   * worker asks before it puts queued devices into a batch, so that a bench not signed in (or off
   * the network) keeps them queued, not "importing" with nothing sent. Optional.
   */
  readyToImport?(): Promise<void>;
  /** GET .../importedWindowsAutopilotDeviceIdentities/{id}; undefined when the record is gone (404). */
  getImported(id: string): Promise<WithRequestId<ImportedIdentity | undefined>>;
  /**
   * Every imported record of the tenant (all pages), matched on the station's side: imported records
   * are few (they are deleted after import), and no public evidence says `$filter=importId` works.
   */
  listImported(): Promise<WithRequestId<ImportedIdentity[]>>;
  /** DELETE the imported records this station created (by their ids). */
  deleteImported(ids: string[]): Promise<void>;
  /** `profileStatus` (default true) reads beta so that deploymentProfileAssignmentStatus is present. */
  getRegisteredDevice(
    id: string,
    options?: { profileStatus?: boolean },
  ): Promise<WithRequestId<RegisteredDevice | undefined>>;
  /**
   * Many registered devices by id, in JSON batches of 20 (one by one where the tenant refuses
   * batches); answers in the order of `ids`: `value` undefined when the device is not there (404),
   * `error` for that read alone. Optional: a port without it is read with getRegisteredDevice.
   */
  getRegisteredDevices?(ids: string[], options?: { profileStatus?: boolean }): Promise<RegisteredRead[]>;
  /** contains(serialNumber,'X'), with the paging fallback for serials the filter mishandles. */
  findRegisteredBySerial(serialNumber: string): Promise<WithRequestId<RegisteredDevice[]>>;
  updateDeviceProperties(
    id: string,
    props: { groupTag?: string; userPrincipalName?: string; addressableUserName?: string; displayName?: string },
  ): Promise<WithRequestId<void>>;
  /** Beta sync. The 10-minute rule is kept by the caller (the queue's meta, per tenant); a 429 is 'too-soon'. */
  requestSync(): Promise<'requested' | 'too-soon' | 'in-progress'>;
  listGroupTags(): Promise<string[]>;
  /**
   * Every registered device of the tenant (all pages; beta when `profileStatus`, the default). One
   * request per 1000 devices: cheaper than one GET per device when following many devices at once.
   */
  listRegisteredDevices?(options?: { profileStatus?: boolean }): Promise<WithRequestId<RegisteredDevice[]>>;
}

export type GraphFailureKind =
  | 'throttled'
  | 'unavailable'
  | 'network'
  /** A 2xx whose body is not Graph's JSON (a captive portal, proxy or filter answered): a network failure. */
  | 'not-json'
  | 'sign-in-expired'
  | 'permission-missing'
  | 'no-intune-licence'
  | 'wrong-cloud'
  | 'not-found'
  | 'bad-request'
  | 'unknown';

/** A Graph call that failed, in words a technician understands, with what support needs. */
export class GraphFailure extends StationError {
  readonly kind: GraphFailureKind;
  /** Worth retrying later (throttling, 5xx, network). */
  readonly transient: boolean;
  readonly status?: number;
  readonly requestId?: string;
  readonly clientRequestId?: string;
  readonly retryAfterMs?: number;
  constructor(
    data: StationErrorData & {
      kind: GraphFailureKind;
      transient: boolean;
      status?: number;
      requestId?: string;
      clientRequestId?: string;
      retryAfterMs?: number;
    },
  ) {
    super(data);
    this.name = 'GraphFailure';
    this.kind = data.kind;
    this.transient = data.transient;
    if (data.status !== undefined) this.status = data.status;
    if (data.requestId !== undefined) this.requestId = data.requestId;
    if (data.clientRequestId !== undefined) this.clientRequestId = data.clientRequestId;
    if (data.retryAfterMs !== undefined) this.retryAfterMs = data.retryAfterMs;
  }
}

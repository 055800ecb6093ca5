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
  importId: string;
  assignedUserPrincipalName?: string | null;
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
}

export interface AutopilotPort {
  /** POST .../importedWindowsAutopilotDeviceIdentities/import with every device of one batch. */
  importBatch(devices: ImportedIdentityInput[]): Promise<WithRequestId<ImportedIdentity[]>>;
  /** GET .../importedWindowsAutopilotDeviceIdentities?$filter=importId eq '...' (all pages). */
  readBatch(importId: string): Promise<WithRequestId<ImportedIdentity[]>>;
  /** DELETE the imported records this station created (by their ids). */
  deleteImported(ids: string[]): Promise<void>;
  /** `profileStatus` (default true) reads beta so that deploymentProfileAssignmentStatus is present. */
  getRegisteredDevice(id: string, options?: { profileStatus?: boolean }): Promise<WithRequestId<RegisteredDevice | undefined>>;
  /** contains(serialNumber,'X'), with the paging fallback for serials the filter mishandles. */
  findRegisteredBySerial(serialNumber: string): Promise<WithRequestId<RegisteredDevice[]>>;
  updateDeviceProperties(id: string, props: { groupTag?: string; userPrincipalName?: string; addressableUserName?: string; displayName?: string }): Promise<WithRequestId<void>>;
  /** Beta sync, at most once per 10 minutes per tenant (remembered across restarts). */
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
    data: StationErrorData & { kind: GraphFailureKind; transient: boolean; status?: number; requestId?: string; clientRequestId?: string; retryAfterMs?: number },
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

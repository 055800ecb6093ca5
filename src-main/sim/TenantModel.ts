import type { CorporateIdentityRecord } from './CorporateIdentityModel.ts';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../kernel/clock.ts';
import { decodeHardwareHash } from '../capture/decodeHardwareHash.ts';
import type { SimScenario } from './simScenario.ts';

/**
 * The simulated tenant's Autopilot data and how it evolves. States are computed from the clock when
 * read (no timer per device), so thousands of devices cost only their records.
 */
export type ImportStatus = 'unknown' | 'pending' | 'partial' | 'complete' | 'error';

export interface ImportInput {
  serialNumber?: string | null;
  productKey?: string | null;
  hardwareIdentifier?: string | null;
  groupTag?: string | null;
  importId?: string | null;
  assignedUserPrincipalName?: string | null;
}

interface Outcome {
  ok: boolean;
  errorCode: number;
  errorName: string;
  registrationId?: string;
}

export interface ImportedRecord {
  id: string;
  serialNumber: string;
  productKey: string;
  hardwareIdentifier: string;
  groupTag: string;
  importId: string;
  assignedUserPrincipalName: string;
  createdAt: number;
  /** Service time at which the record leaves `unknown`. */
  decidedAt: number;
  outcome: Outcome;
}

export interface Registration {
  id: string;
  serialNumber: string;
  manufacturer: string;
  model: string;
  productKey: string;
  groupTag: string;
  userPrincipalName: string;
  addressableUserName: string;
  displayName: string;
  azureActiveDirectoryDeviceId: string;
  /** Service time from which it is listed (and found by id). */
  visibleAt: number;
  /** realTenant.listLagsUntilSync: found by GET-by-id from this service time (the import's completion). */
  gettableAt: number;
  /** realTenant.listLagsUntilSync: listed from this service time, set by the first sync after it became gettable. */
  listedAt?: number;
  /** realTenant.tagUpdateLags: a group tag accepted by updateDeviceProperties, shown from `at`. */
  pendingTag?: { value: string; at: number };
  /** Service time of the last group tag change (profile rules re-evaluate from it). */
  tagChangedAt: number;
  deviceKey: string;
  seeded: boolean;
}

export interface RecordErrorOverride {
  errorCode: number;
  errorName: string;
}

const deviceKeyOf = (serial: string, manufacturer?: string) =>
  `${serial.trim().toUpperCase()}|${(manufacturer ?? '').trim().toUpperCase()}`;

export class TenantModel {
  private readonly imported = new Map<string, ImportedRecord>();
  private readonly byImportId = new Map<string, Set<string>>();
  private readonly registrations = new Map<string, Registration>();
  /**
   * Device (serial|manufacturer) → registration id, for 806; also matched by serial alone when a seed has no
   * manufacturer.
   */
  private readonly registeredKeys = new Map<string, string>();
  private readonly otherTenant = new Set<string>();
  private lastSyncAt: number | undefined;
  /** Per-serial count of records accepted by the import action (crash tests count double imports). */
  readonly importsPerSerial = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly scenario: SimScenario,
  ) {
    for (const d of scenario.devices.otherTenant) this.otherTenant.add(deviceKeyOf(d.serialNumber, d.manufacturer));
    for (const d of scenario.devices.registered) this.seedRegistered(d);
  }

  get delaysMs() {
    const d = this.scenario.delays;
    return {
      processing: d.processingS * 1000,
      registration: d.registrationS * 1000,
      assignment: d.assignmentS * 1000,
      syncRun: d.syncRunS * 1000,
      syncCooldown: d.syncCooldownS * 1000,
    };
  }

  seedRegistered(d: {
    serialNumber: string;
    manufacturer?: string | undefined;
    model?: string | undefined;
    groupTag?: string | undefined;
    userPrincipalName?: string | undefined;
    id?: string | undefined;
    listed?: boolean | undefined;
  }): Registration {
    const now = this.clock.now();
    const reg: Registration = {
      id: d.id ?? randomUUID(),
      serialNumber: d.serialNumber,
      manufacturer: d.manufacturer ?? '',
      model: d.model ?? '',
      productKey: '',
      groupTag: d.groupTag ?? '',
      userPrincipalName: d.userPrincipalName ?? '',
      addressableUserName: '',
      displayName: '',
      azureActiveDirectoryDeviceId: randomUUID(),
      visibleAt: now,
      gettableAt: now,
      ...(d.listed === false ? {} : { listedAt: now }),
      // Seeded devices are settled: their profile (if a rule matches) is already assigned.
      tagChangedAt: now - this.delaysMs.assignment,
      deviceKey: deviceKeyOf(d.serialNumber, d.manufacturer),
      seeded: true,
    };
    this.addRegistration(reg);
    return reg;
  }

  seedOtherTenant(serialNumber: string, manufacturer?: string): void {
    this.otherTenant.add(deviceKeyOf(serialNumber, manufacturer));
  }

  private addRegistration(reg: Registration): void {
    this.registrations.set(reg.id, reg);
    this.registeredKeys.set(reg.deviceKey, reg.id);
  }

  private removeRegistration(id: string): void {
    const reg = this.registrations.get(id);
    if (!reg) return;
    this.registrations.delete(id);
    if (this.registeredKeys.get(reg.deviceKey) === id) this.registeredKeys.delete(reg.deviceKey);
  }

  private matches(set: { has(k: string): boolean }, serial: string, manufacturer: string): boolean {
    return set.has(deviceKeyOf(serial, manufacturer)) || set.has(deviceKeyOf(serial));
  }

  private registeredIdFor(serial: string, manufacturer: string): string | undefined {
    return this.registeredKeys.get(deviceKeyOf(serial, manufacturer)) ?? this.registeredKeys.get(deviceKeyOf(serial));
  }

  /**
   * The import action. Each record's fate is decided now from its data (as the service's checks
   * would decide it) and revealed when its processing delay has passed.
   */
  importBatch(inputs: ImportInput[], overrides: (RecordErrorOverride | undefined)[] = []): ImportedRecord[] {
    const now = this.clock.now();
    const delays = this.delaysMs;
    const seenHashes = new Set<string>();
    return inputs.map((input, i) => {
      const hash = input.hardwareIdentifier ?? '';
      const serialField = (input.serialNumber ?? '').trim();
      const record: ImportedRecord = {
        id: randomUUID(),
        serialNumber: input.serialNumber ?? '',
        productKey: input.productKey ?? '',
        hardwareIdentifier: hash,
        groupTag: input.groupTag ?? '',
        importId: input.importId ?? '',
        assignedUserPrincipalName: input.assignedUserPrincipalName ?? '',
        createdAt: now,
        decidedAt: now + delays.processing,
        outcome: { ok: false, errorCode: 0, errorName: '' },
      };
      const override = overrides[i];
      const decoded = decodeHardwareHash(hash);
      if (override) {
        record.outcome = { ok: false, ...override };
      } else if (seenHashes.has(hash) && hash) {
        // The service gives this one no number; 0 with status error is what it reports.
        record.outcome = { ok: false, errorCode: 0, errorName: 'ZtdDeviceDuplicated' };
      } else if (!decoded.valid) {
        record.outcome = { ok: false, errorCode: 802, errorName: 'InvalidZtdHardwareHash' };
      } else if (!serialField && !(input.productKey ?? '').trim()) {
        record.outcome = { ok: false, errorCode: 803, errorName: 'MissingZtdSerialNumberAndProductKey' };
      } else {
        const serial = decoded.serialNumber!.trim();
        const manufacturer = decoded.manufacturer!.trim();
        if (this.matches(this.otherTenant, serial, manufacturer)) {
          // Microsoft's pages name 808 both ways; real answers have carried the other name with code 0.
          record.outcome = this.scenario.realTenant.otherTenantSpelling
            ? { ok: false, errorCode: 0, errorName: 'ZtdDeviceAssignedToAnotherTenant' }
            : { ok: false, errorCode: 808, errorName: 'ZtdDeviceAssignedToOtherTenant' };
        } else if (this.registeredIdFor(serial, manufacturer)) {
          record.outcome = { ok: false, errorCode: 806, errorName: 'ZtdDeviceAlreadyAssigned' };
        } else {
          const reg: Registration = {
            id: randomUUID(),
            serialNumber: serial,
            manufacturer,
            model: decoded.model ?? '',
            productKey: record.productKey,
            groupTag: record.groupTag,
            userPrincipalName: record.assignedUserPrincipalName,
            addressableUserName: '',
            displayName: '',
            azureActiveDirectoryDeviceId: randomUUID(),
            visibleAt: record.decidedAt + delays.registration,
            gettableAt: record.decidedAt,
            tagChangedAt: record.decidedAt + delays.registration,
            deviceKey: deviceKeyOf(serial, manufacturer),
            seeded: false,
          };
          this.addRegistration(reg);
          record.outcome = { ok: true, errorCode: 0, errorName: '', registrationId: reg.id };
        }
      }
      if (hash) seenHashes.add(hash);
      this.imported.set(record.id, record);
      if (!this.byImportId.has(record.importId)) this.byImportId.set(record.importId, new Set());
      this.byImportId.get(record.importId)!.add(record.id);
      const key = record.serialNumber.trim().toUpperCase();
      this.importsPerSerial.set(key, (this.importsPerSerial.get(key) ?? 0) + 1);
      return record;
    });
  }

  statusOf(record: ImportedRecord): {
    deviceImportStatus: ImportStatus;
    deviceRegistrationId: string;
    deviceErrorCode: number;
    deviceErrorName: string;
  } {
    if (this.clock.now() < record.decidedAt)
      return { deviceImportStatus: 'unknown', deviceRegistrationId: '', deviceErrorCode: 0, deviceErrorName: '' };
    const o = record.outcome;
    return o.ok
      ? {
          deviceImportStatus: 'complete',
          deviceRegistrationId: o.registrationId ?? '',
          deviceErrorCode: 0,
          deviceErrorName: '',
        }
      : {
          deviceImportStatus: 'error',
          deviceRegistrationId: '',
          deviceErrorCode: o.errorCode,
          deviceErrorName: o.errorName,
        };
  }

  getImported(id: string): ImportedRecord | undefined {
    return this.imported.get(id);
  }

  listImported(importId?: string): ImportedRecord[] {
    if (importId === undefined) return [...this.imported.values()];
    if (this.scenario.realTenant.importIdRewritten) {
      // The tenant keeps the record's id where the client's importId was.
      const r = this.imported.get(importId);
      return r ? [r] : [];
    }
    return [...(this.byImportId.get(importId) ?? [])].map((id) => this.imported.get(id)!).filter(Boolean);
  }

  /** Deleting a record still being processed cancels its registration, as withdrawing an upload would. */
  deleteImported(id: string): boolean {
    const record = this.imported.get(id);
    if (!record) return false;
    this.imported.delete(id);
    this.byImportId.get(record.importId)?.delete(id);
    if (record.outcome.ok && this.clock.now() < record.decidedAt && record.outcome.registrationId)
      this.removeRegistration(record.outcome.registrationId);
    return true;
  }

  /** Registrations found by id now (as soon as the import completed when the list lags). */
  getRegistration(id: string): Registration | undefined {
    const reg = this.registrations.get(id);
    if (!reg) return undefined;
    const from = this.scenario.realTenant.listLagsUntilSync ? reg.gettableAt : reg.visibleAt;
    return from <= this.clock.now() ? this.settled(reg) : undefined;
  }

  /** Registrations listed now (only those a sync has caught up with when the list lags). */
  listRegistrations(): Registration[] {
    const now = this.clock.now();
    const lags = this.scenario.realTenant.listLagsUntilSync;
    return [...this.registrations.values()]
      .filter((r) => (lags ? r.listedAt !== undefined && r.listedAt <= now : r.visibleAt <= now))
      .map((r) => this.settled(r));
  }

  /** Applies a lagging group tag change once its time has come. */
  private settled(reg: Registration): Registration {
    if (reg.pendingTag && reg.pendingTag.at <= this.clock.now()) {
      if (reg.pendingTag.value !== reg.groupTag) {
        reg.groupTag = reg.pendingTag.value;
        reg.tagChangedAt = reg.pendingTag.at;
      }
      delete reg.pendingTag;
    }
    return reg;
  }

  deleteRegistration(id: string): boolean {
    if (!this.getRegistration(id)) return false;
    this.removeRegistration(id);
    return true;
  }

  updateDeviceProperties(
    id: string,
    props: { groupTag?: string; userPrincipalName?: string; addressableUserName?: string; displayName?: string },
  ): boolean {
    const reg = this.getRegistration(id);
    if (!reg) return false;
    if (props.groupTag !== undefined && this.scenario.realTenant.tagUpdateLags) {
      reg.pendingTag = { value: props.groupTag, at: this.clock.now() + this.scenario.delays.tagUpdateS * 1000 };
    } else if (props.groupTag !== undefined && props.groupTag !== reg.groupTag) {
      reg.groupTag = props.groupTag;
      reg.tagChangedAt = this.clock.now();
    }
    if (props.userPrincipalName !== undefined) reg.userPrincipalName = props.userPrincipalName;
    if (props.addressableUserName !== undefined) reg.addressableUserName = props.addressableUserName;
    if (props.displayName !== undefined) reg.displayName = props.displayName;
    return true;
  }

  profileRuleFor(groupTag: string): { groupTag: string; profileName: string } | undefined {
    const tag = groupTag.trim().toLowerCase();
    if (!tag) return undefined;
    return this.scenario.profileRules.find((r) => r.groupTag.trim().toLowerCase() === tag);
  }

  /**
   * Beta deploymentProfileAssignmentStatus: pending while the rule's group picks the device up, then assignedInSync.
   */
  profileStatus(reg: Registration): { status: string; assignedAt?: number } {
    this.settled(reg);
    if (!this.profileRuleFor(reg.groupTag)) return { status: 'notAssigned' };
    const assignedAt = reg.tagChangedAt + this.delaysMs.assignment;
    return this.clock.now() >= assignedAt ? { status: 'assignedInSync', assignedAt } : { status: 'pending' };
  }

  /** The beta sync with its rules: 409 while one runs, 429 within the cool-down of the last one. */
  requestSync():
    { result: 'started' } | { result: 'running'; retryAfterS: number } | { result: 'too-soon'; retryAfterS: number } {
    const now = this.clock.now();
    const d = this.delaysMs;
    if (this.lastSyncAt !== undefined) {
      if (now < this.lastSyncAt + d.syncRun)
        return { result: 'running', retryAfterS: Math.ceil((this.lastSyncAt + d.syncRun - now) / 1000) };
      if (now < this.lastSyncAt + d.syncCooldown)
        return { result: 'too-soon', retryAfterS: Math.ceil((this.lastSyncAt + d.syncCooldown - now) / 1000) };
    }
    this.lastSyncAt = now;
    // A lagging list catches up with every device registered before this sync, once the sync has run.
    // realTenant.listLagAfterSyncS: the list catches up that much later still.
    const lag = this.scenario.realTenant.listLagAfterSyncS * 1000;
    for (const reg of this.registrations.values())
      if (reg.listedAt === undefined && reg.gettableAt <= now) reg.listedAt = now + d.syncRun + lag;
    return { result: 'started' };
  }

  syncState(): { lastSyncAt?: number; status: 'unknown' | 'inProgress' | 'completed' } {
    if (this.lastSyncAt === undefined) return { status: 'unknown' };
    return {
      lastSyncAt: this.lastSyncAt,
      status: this.clock.now() < this.lastSyncAt + this.delaysMs.syncRun ? 'inProgress' : 'completed',
    };
  }

  // ---------- persistence (training mode keeps its tenant across restarts) ----------

  /**
   * Everything the tenant knows, as plain JSON: imported records, registrations, other-tenant devices, the sync stamp.
   */
  snapshot(): TenantModelSnapshot {
    return {
      imported: [...this.imported.values()],
      registrations: [...this.registrations.values()],
      otherTenant: [...this.otherTenant],
      ...(this.lastSyncAt !== undefined ? { lastSyncAt: this.lastSyncAt } : {}),
      importsPerSerial: [...this.importsPerSerial],
    };
  }

  /** Replaces the scenario's starting state with a snapshot (taken by snapshot() of the same tenant). */
  restore(snap: TenantModelSnapshot): void {
    this.imported.clear();
    this.byImportId.clear();
    this.registrations.clear();
    this.registeredKeys.clear();
    this.otherTenant.clear();
    this.importsPerSerial.clear();
    for (const r of snap.imported) {
      this.imported.set(r.id, r);
      if (!this.byImportId.has(r.importId)) this.byImportId.set(r.importId, new Set());
      this.byImportId.get(r.importId)!.add(r.id);
    }
    for (const reg of snap.registrations) this.addRegistration(reg);
    for (const k of snap.otherTenant) this.otherTenant.add(k);
    this.lastSyncAt = snap.lastSyncAt;
    for (const [k, n] of snap.importsPerSerial) this.importsPerSerial.set(k, n);
  }
}

export interface TenantModelSnapshot {
  /** The tenant's corporate identifiers (kept beside the model, see corporateModelOf), when saved with it. */
  corporate?: CorporateIdentityRecord[];
  imported: ImportedRecord[];
  registrations: Registration[];
  otherTenant: string[];
  lastSyncAt?: number;
  importsPerSerial: [string, number][];
}

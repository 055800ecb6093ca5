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
  /** Service time from which it is listed. */
  visibleAt: number;
  /** Service time of the last group tag change (profile rules re-evaluate from it). */
  tagChangedAt: number;
  deviceKey: string;
  seeded: boolean;
}

export interface RecordErrorOverride {
  errorCode: number;
  errorName: string;
}

const deviceKeyOf = (serial: string, manufacturer?: string) => `${serial.trim().toUpperCase()}|${(manufacturer ?? '').trim().toUpperCase()}`;

export class TenantModel {
  private readonly imported = new Map<string, ImportedRecord>();
  private readonly byImportId = new Map<string, Set<string>>();
  private readonly registrations = new Map<string, Registration>();
  /** Device (serial|manufacturer) → registration id, for 806; also matched by serial alone when a seed has no manufacturer. */
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
    return { processing: d.processingS * 1000, registration: d.registrationS * 1000, assignment: d.assignmentS * 1000, syncRun: d.syncRunS * 1000, syncCooldown: d.syncCooldownS * 1000 };
  }

  seedRegistered(d: { serialNumber: string; manufacturer?: string; model?: string; groupTag?: string; userPrincipalName?: string; id?: string }): Registration {
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
          record.outcome = { ok: false, errorCode: 808, errorName: 'ZtdDeviceAssignedToOtherTenant' };
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

  statusOf(record: ImportedRecord): { deviceImportStatus: ImportStatus; deviceRegistrationId: string; deviceErrorCode: number; deviceErrorName: string } {
    if (this.clock.now() < record.decidedAt) return { deviceImportStatus: 'unknown', deviceRegistrationId: '', deviceErrorCode: 0, deviceErrorName: '' };
    const o = record.outcome;
    return o.ok
      ? { deviceImportStatus: 'complete', deviceRegistrationId: o.registrationId ?? '', deviceErrorCode: 0, deviceErrorName: '' }
      : { deviceImportStatus: 'error', deviceRegistrationId: '', deviceErrorCode: o.errorCode, deviceErrorName: o.errorName };
  }

  getImported(id: string): ImportedRecord | undefined {
    return this.imported.get(id);
  }

  listImported(importId?: string): ImportedRecord[] {
    if (importId === undefined) return [...this.imported.values()];
    return [...(this.byImportId.get(importId) ?? [])].map((id) => this.imported.get(id)!).filter(Boolean);
  }

  /** Deleting a record still being processed cancels its registration, as withdrawing an upload would. */
  deleteImported(id: string): boolean {
    const record = this.imported.get(id);
    if (!record) return false;
    this.imported.delete(id);
    this.byImportId.get(record.importId)?.delete(id);
    if (record.outcome.ok && this.clock.now() < record.decidedAt && record.outcome.registrationId) this.removeRegistration(record.outcome.registrationId);
    return true;
  }

  /** Registrations visible now. */
  getRegistration(id: string): Registration | undefined {
    const reg = this.registrations.get(id);
    return reg && reg.visibleAt <= this.clock.now() ? reg : undefined;
  }

  listRegistrations(): Registration[] {
    const now = this.clock.now();
    return [...this.registrations.values()].filter((r) => r.visibleAt <= now);
  }

  deleteRegistration(id: string): boolean {
    if (!this.getRegistration(id)) return false;
    this.removeRegistration(id);
    return true;
  }

  updateDeviceProperties(id: string, props: { groupTag?: string; userPrincipalName?: string; addressableUserName?: string; displayName?: string }): boolean {
    const reg = this.getRegistration(id);
    if (!reg) return false;
    if (props.groupTag !== undefined && props.groupTag !== reg.groupTag) {
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

  /** Beta deploymentProfileAssignmentStatus: pending while the rule's group picks the device up, then assignedInSync. */
  profileStatus(reg: Registration): { status: string; assignedAt?: number } {
    if (!this.profileRuleFor(reg.groupTag)) return { status: 'notAssigned' };
    const assignedAt = reg.tagChangedAt + this.delaysMs.assignment;
    return this.clock.now() >= assignedAt ? { status: 'assignedInSync', assignedAt } : { status: 'pending' };
  }

  /** The beta sync with its rules: 409 while one runs, 429 within the cool-down of the last one. */
  requestSync(): { result: 'started' } | { result: 'running'; retryAfterS: number } | { result: 'too-soon'; retryAfterS: number } {
    const now = this.clock.now();
    const d = this.delaysMs;
    if (this.lastSyncAt !== undefined) {
      if (now < this.lastSyncAt + d.syncRun) return { result: 'running', retryAfterS: Math.ceil((this.lastSyncAt + d.syncRun - now) / 1000) };
      if (now < this.lastSyncAt + d.syncCooldown) return { result: 'too-soon', retryAfterS: Math.ceil((this.lastSyncAt + d.syncCooldown - now) / 1000) };
    }
    this.lastSyncAt = now;
    return { result: 'started' };
  }

  syncState(): { lastSyncAt?: number; status: 'unknown' | 'inProgress' | 'completed' } {
    if (this.lastSyncAt === undefined) return { status: 'unknown' };
    return { lastSyncAt: this.lastSyncAt, status: this.clock.now() < this.lastSyncAt + this.delaysMs.syncRun ? 'inProgress' : 'completed' };
  }
}

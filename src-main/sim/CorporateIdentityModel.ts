import { randomUUID } from 'node:crypto';
import type { Clock } from '../kernel/clock.ts';
import type { TenantModel } from './TenantModel.ts';

/**
 * The simulated tenant's corporate identifiers (Intune's importedDeviceIdentities, beta): what the
 * admin centre's "Corporate device identifiers" page lists. Results follow from the data the way the
 * service answers: an identifier already present is refused (status false) unless overwrite is asked,
 * the same identifier twice in one list is kept once, a malformed one is refused.
 */
export type CorporateIdentityType = 'unknown' | 'imei' | 'serialNumber' | 'manufacturerModelSerial';

export interface CorporateIdentityRecord {
  id: string;
  importedDeviceIdentifier: string;
  importedDeviceIdentityType: CorporateIdentityType;
  platform: string;
  description: string;
  createdAt: number;
  modifiedAt: number;
}

export interface CorporateIdentityInput {
  importedDeviceIdentifier?: unknown;
  importedDeviceIdentityType?: unknown;
  platform?: unknown;
  description?: unknown;
}

export interface CorporateImportOutcome {
  record: CorporateIdentityRecord;
  status: boolean;
}

/**
 * The three parts of a manufacturerModelSerial identifier. Microsoft's Graph reference describes the
 * type as "manufacturer + model + serial number semi-colon delimited tuple with enforced order"
 * (learn.microsoft.com/graph/api/resources/intune-enrollment-importeddeviceidentitytype?view=graph-rest-beta);
 * public scripts send commas and report it working, so unless `semicolonOnly` a text without a
 * semicolon is read with commas. Undefined when the text is not three non-empty parts.
 */
export function tupleParts(identifier: string, options: { semicolonOnly?: boolean } = {}): string[] | undefined {
  const delimiter = identifier.includes(';') ? ';' : options.semicolonOnly ? undefined : ',';
  if (!delimiter) return undefined;
  const parts = identifier.split(delimiter);
  return parts.length === 3 && parts.every((p) => p.trim()) ? parts : undefined;
}

/**
 * Identity of an identifier for matching: the type and the text, case-insensitive (inference: Intune
 * matches serials case-insensitively); a tuple by its parts, whichever delimiter carried them.
 */
const keyOf = (type: string, identifier: string) =>
  `${type}|${(type === 'manufacturerModelSerial' ? (tupleParts(identifier)?.join(';') ?? identifier) : identifier).toUpperCase()}`;

/**
 * Whether the service would accept this identifier for this type and platform. manufacturerModelSerial
 * is three parts, none empty, semicolon-delimited (see tupleParts; with `semicolonOnly`, the
 * realTenant.semicolonTupleOnly switch, commas are refused); Windows takes only that type (Microsoft
 * Learn, "Identify devices as corporate-owned": IMEI and serial alone are not supported on Windows).
 */
export function corporateIdentifierProblem(
  type: string,
  identifier: string,
  platform: string,
  options: { semicolonOnly?: boolean } = {},
): string | undefined {
  if (!identifier.trim()) return 'The identifier is empty.';
  if (type === 'manufacturerModelSerial') {
    if (!tupleParts(identifier, options))
      return 'A manufacturerModelSerial identifier is "manufacturer;model;serial" (semicolon-delimited, in that order) with no part empty.';
    return undefined;
  }
  if (platform === 'windows') return `Windows devices take only manufacturerModelSerial identifiers, not ${type}.`;
  if (type === 'imei' && !/^\d{15}$/.test(identifier)) return 'An IMEI is 15 digits.';
  if (type === 'unknown') return 'The identifier type is unknown.';
  return undefined;
}

export class CorporateIdentityModel {
  private readonly records = new Map<string, CorporateIdentityRecord>();
  private readonly byKey = new Map<string, string>();
  /** Identifiers accepted by importDeviceIdentityList, per identifier (crash tests count double posts). */
  readonly postsPerIdentifier = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  list(): CorporateIdentityRecord[] {
    return [...this.records.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  get(id: string): CorporateIdentityRecord | undefined {
    return this.records.get(id.toLowerCase());
  }

  delete(id: string): boolean {
    const r = this.records.get(id.toLowerCase());
    if (!r) return false;
    this.records.delete(r.id);
    this.byKey.delete(keyOf(r.importedDeviceIdentityType, r.importedDeviceIdentifier));
    return true;
  }

  /** An identifier an admin added by hand (tests: "already present"). */
  seed(
    identifier: string,
    options: { type?: CorporateIdentityType; description?: string } = {},
  ): CorporateIdentityRecord {
    const now = this.clock.now();
    const r: CorporateIdentityRecord = {
      id: randomUUID(),
      importedDeviceIdentifier: identifier,
      importedDeviceIdentityType: options.type ?? 'manufacturerModelSerial',
      platform: 'windows',
      description: options.description ?? '',
      createdAt: now,
      modifiedAt: now,
    };
    this.records.set(r.id, r);
    this.byKey.set(keyOf(r.importedDeviceIdentityType, r.importedDeviceIdentifier), r.id);
    return r;
  }

  find(type: string, identifier: string): CorporateIdentityRecord | undefined {
    const id = this.byKey.get(keyOf(type, identifier));
    return id ? this.records.get(id) : undefined;
  }

  importList(
    list: CorporateIdentityInput[],
    overwrite: boolean,
    options: { semicolonOnly?: boolean } = {},
  ): CorporateImportOutcome[] {
    const now = this.clock.now();
    const seenInList = new Set<string>();
    return list.map((input) => {
      const identifier = typeof input.importedDeviceIdentifier === 'string' ? input.importedDeviceIdentifier : '';
      const type = (
        typeof input.importedDeviceIdentityType === 'string' ? input.importedDeviceIdentityType : 'unknown'
      ) as CorporateIdentityType;
      const platform = typeof input.platform === 'string' ? input.platform : 'unknown';
      const description = typeof input.description === 'string' ? input.description : '';
      const echo = (status: boolean, existing?: CorporateIdentityRecord): CorporateImportOutcome => ({
        status,
        record: existing ?? {
          id: '00000000-0000-0000-0000-000000000000',
          importedDeviceIdentifier: identifier,
          importedDeviceIdentityType: type,
          platform,
          description,
          createdAt: now,
          modifiedAt: now,
        },
      });
      if (corporateIdentifierProblem(type, identifier, platform, options)) return echo(false);
      const key = keyOf(type, identifier);
      if (seenInList.has(key)) return echo(false, this.find(type, identifier));
      seenInList.add(key);
      const existing = this.find(type, identifier);
      if (existing && !overwrite) return echo(false, existing);
      if (existing) {
        existing.description = description;
        existing.platform = platform;
        existing.modifiedAt = now;
        this.count(identifier);
        return echo(true, existing);
      }
      const r = this.seed(identifier, { type, description });
      r.platform = platform;
      this.count(identifier);
      return echo(true, r);
    });
  }

  /** The identifiers as plain data, for the training tenant's persistence (TenantModel is saved the same way). */
  snapshot(): CorporateIdentityRecord[] {
    return this.list().map((r) => ({ ...r }));
  }

  /** Replaces the identifiers with a snapshot's. */
  restore(records: CorporateIdentityRecord[]): void {
    this.records.clear();
    this.byKey.clear();
    for (const r of records) {
      this.records.set(r.id, { ...r });
      this.byKey.set(keyOf(r.importedDeviceIdentityType, r.importedDeviceIdentifier), r.id);
    }
  }

  private count(identifier: string): void {
    this.postsPerIdentifier.set(identifier, (this.postsPerIdentifier.get(identifier) ?? 0) + 1);
  }
}

const models = new WeakMap<TenantModel, CorporateIdentityModel>();
/**
 * The corporate identifiers of one simulated tenant, created with it on first use. Kept beside the
 * TenantModel (not inside it) so the Autopilot model stays as it is; tests reach it with sim.model.
 */
export function corporateModelOf(tenant: TenantModel, clock: Clock): CorporateIdentityModel {
  let m = models.get(tenant);
  if (!m) models.set(tenant, (m = new CorporateIdentityModel(clock)));
  return m;
}

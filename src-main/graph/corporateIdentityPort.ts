import type { WithRequestId } from './autopilotPort.ts';

/**
 * What the corporate identifier stage needs from Microsoft Graph (beta importedDeviceIdentities), as
 * a port: the Graph implementation is CorporateIdentitiesGraph (corporateIdentities.ts); tests may
 * pass fakes. Identifiers are Windows `manufacturerModelSerial` ones: "manufacturer,model,serial".
 */
export interface CorporateIdentityInput {
  identifier: string;
  /** Shown in the admin centre's list: which station and group tag added it. */
  description: string;
}

export interface CorporateImportResult {
  identifier: string;
  /** The service's id of the identifier (an all-zero id when it was not stored). */
  id?: string;
  /** true: stored. false: refused (already present with overwrite off, malformed, or otherwise). */
  status: boolean;
}

export interface ExistingCorporateIdentity {
  id: string;
  identifier: string;
  description?: string;
}

export interface CorporateIdentityPort {
  /**
   * POST .../importedDeviceIdentities/importDeviceIdentityList, overwriteImportedDeviceIdentities false. Not
   * idempotent.
   */
  importIdentities(items: CorporateIdentityInput[]): Promise<WithRequestId<CorporateImportResult[]>>;
  /** POST .../importedDeviceIdentities/searchExistingIdentities: which of these the tenant already has. */
  searchExisting(identifiers: string[]): Promise<WithRequestId<ExistingCorporateIdentity[]>>;
}

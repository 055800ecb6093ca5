import type { GraphClient } from './graphClient.ts';
import type { WithRequestId } from './autopilotPort.ts';
import type {
  CorporateIdentityInput,
  CorporateIdentityPort,
  CorporateImportResult,
  ExistingCorporateIdentity,
} from './corporateIdentityPort.ts';

/**
 * Corporate identifiers over Microsoft Graph (beta only: the endpoints have no v1.0 form). One POST
 * per batch for the import and one for the search; bodies follow the beta extract
 * (src-main/sim/csdl/graph-beta-corporate.csdl.xml). The import is not idempotent: after a lost answer
 * the caller searches before sending again (the corporate stage does).
 */
const COLLECTION = '/deviceManagement/importedDeviceIdentities';
/**
 * Identifiers per call. No documented limit; the admin centre's file takes 5,000 lines; 500 as the Autopilot import
 * (inference).
 */
export const MAX_CORPORATE_BATCH = 500;
/** No documented limit on description; the admin centre shows short text. */
const MAX_DESCRIPTION = 256;

const identityBody = (identifier: string, description?: string) => ({
  '@odata.type': '#microsoft.graph.importedDeviceIdentity',
  importedDeviceIdentityType: 'manufacturerModelSerial',
  importedDeviceIdentifier: identifier,
  platform: 'windows',
  ...(description !== undefined ? { description: description.slice(0, MAX_DESCRIPTION) } : {}),
});

export function importDeviceIdentityListBody(items: CorporateIdentityInput[]) {
  return {
    importedDeviceIdentities: items.map((i) => identityBody(i.identifier, i.description)),
    overwriteImportedDeviceIdentities: false,
  };
}

export function searchExistingIdentitiesBody(identifiers: string[]) {
  return { importedDeviceIdentities: identifiers.map((i) => identityBody(i)) };
}

interface RawIdentity {
  id?: unknown;
  importedDeviceIdentifier?: unknown;
  description?: unknown;
  status?: unknown;
}

const ZERO_ID = /^0{8}-0{4}-0{4}-0{4}-0{12}$/;

export class CorporateIdentitiesGraph implements CorporateIdentityPort {
  constructor(private readonly graph: GraphClient) {}

  async importIdentities(items: CorporateIdentityInput[]): Promise<WithRequestId<CorporateImportResult[]>> {
    if (!items.length) throw new RangeError('importIdentities needs at least one identifier');
    if (items.length > MAX_CORPORATE_BATCH)
      throw new RangeError(`importIdentities takes at most ${MAX_CORPORATE_BATCH} identifiers`);
    const res = await this.graph.request<{ value?: RawIdentity[] }>({
      method: 'POST',
      beta: true,
      path: `${COLLECTION}/importDeviceIdentityList`,
      body: importDeviceIdentityListBody(items),
      idempotent: false,
      doing: `adding ${items.length} corporate identifier${items.length === 1 ? '' : 's'}`,
    });
    const raw = res.body?.value ?? [];
    // Matched by identifier (case-insensitive); by position when the answer does not echo it.
    const byIdentifier = new Map<string, RawIdentity>();
    for (const r of raw)
      if (typeof r.importedDeviceIdentifier === 'string') byIdentifier.set(r.importedDeviceIdentifier.toUpperCase(), r);
    const value = items.map((item, i): CorporateImportResult => {
      const r = byIdentifier.get(item.identifier.toUpperCase()) ?? raw[i];
      const id = typeof r?.id === 'string' && !ZERO_ID.test(r.id) ? r.id : undefined;
      return { identifier: item.identifier, status: r?.status === true, ...(id ? { id } : {}) };
    });
    return { value, ...(res.requestId ? { requestId: res.requestId } : {}), clientRequestId: res.clientRequestId };
  }

  async searchExisting(identifiers: string[]): Promise<WithRequestId<ExistingCorporateIdentity[]>> {
    if (!identifiers.length) return { value: [], clientRequestId: '' };
    // A search changes nothing: safe to send again after a lost answer.
    const res = await this.graph.request<{ value?: RawIdentity[] }>({
      method: 'POST',
      beta: true,
      path: `${COLLECTION}/searchExistingIdentities`,
      body: searchExistingIdentitiesBody(identifiers),
      idempotent: true,
      doing: `looking up ${identifiers.length} corporate identifier${identifiers.length === 1 ? '' : 's'}`,
    });
    const value = (res.body?.value ?? [])
      .filter(
        (r): r is RawIdentity & { id: string; importedDeviceIdentifier: string } =>
          typeof r.id === 'string' && typeof r.importedDeviceIdentifier === 'string',
      )
      .map((r) => ({
        id: r.id,
        identifier: r.importedDeviceIdentifier,
        ...(typeof r.description === 'string' ? { description: r.description } : {}),
      }));
    return { value, ...(res.requestId ? { requestId: res.requestId } : {}), clientRequestId: res.clientRequestId };
  }
}

/** A port over the tenant's current Graph client, resolved at each call (sign-in and settings can replace it). */
export function corporatePortOf(graph: () => Promise<GraphClient>): CorporateIdentityPort {
  return {
    importIdentities: async (items) => new CorporateIdentitiesGraph(await graph()).importIdentities(items),
    searchExisting: async (identifiers) => new CorporateIdentitiesGraph(await graph()).searchExisting(identifiers),
  };
}

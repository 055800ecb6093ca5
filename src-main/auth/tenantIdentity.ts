import type { INetworkModule } from '@azure/msal-node';

/**
 * Which tenant a sign-in really reached. The configured tenant may be a GUID or a verified domain;
 * a domain is turned into its GUID through the tenant's OpenID metadata (its issuer names the GUID),
 * and the access token's `tid` claim says which tenant issued it.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isTenantGuid = (value: string): boolean => GUID.test(value.trim());

/** The tenant GUID in an issuer such as `https://login.microsoftonline.com/{guid}/v2.0`. */
export function tenantIdOfIssuer(issuer: unknown): string | undefined {
  if (typeof issuer !== 'string') return undefined;
  const m = /\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\/|$)/i.exec(issuer);
  return m?.[1]?.toLowerCase();
}

/** The `tid` claim of a JWT access token, read without checking it (the service already did). */
export function tokenClaims(accessToken: string): Record<string, unknown> | undefined {
  const part = accessToken.split('.')[1];
  if (!part) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function tokenTenantId(accessToken: string): string | undefined {
  const tid = tokenClaims(accessToken)?.tid;
  return typeof tid === 'string' && isTenantGuid(tid) ? tid.toLowerCase() : undefined;
}

/**
 * The configured tenant as a GUID: itself when it is one, else the issuer of its OpenID metadata.
 * Undefined when the metadata cannot be read (the caller cannot check, and says so in its log).
 */
export async function resolveTenantId(
  authorityHost: string,
  tenant: string,
  network: INetworkModule,
): Promise<string | undefined> {
  const t = tenant.trim();
  if (isTenantGuid(t)) return t.toLowerCase();
  try {
    const res = await network.sendGetRequestAsync<{ issuer?: unknown }>(
      `${authorityHost}/${encodeURIComponent(t)}/v2.0/.well-known/openid-configuration`,
    );
    return res.status === 200 ? tenantIdOfIssuer(res.body?.issuer) : undefined;
  } catch {
    return undefined;
  }
}

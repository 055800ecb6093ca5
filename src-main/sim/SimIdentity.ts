import { createHash, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import type { Clock } from '../kernel/clock.ts';
import { b64url, decodeJwt, signJwt, verifyJwtSignature, type JwtClaims } from './jwt.ts';

/**
 * Entra ID's part of the simulated tenant: one app registration (client id, certificates, consented
 * permissions), one technician account, device codes, refresh tokens, and the RS256 key that signs
 * access and ID tokens. Token lifetimes are in service time; the expiry written into tokens is real
 * time (msal reads `expires_in` against the wall clock) so msal renews them when the service would.
 */
export interface IdentityOptions {
  clock: Clock;
  timeScale: number;
  tenantId: string;
  tenantDomain: string;
  clientId: string;
  user: { userPrincipalName: string; displayName: string };
  roles: string[];
  scopes: string[];
  tokenLifetimeS: number;
  deviceCodeIntervalS: number;
  deviceCodeLifetimeS: number;
  /** The app registration's sign-in set-up (scenario `signIn`); absent: everything works. */
  signIn?: {
    redirectPlatform: 'mobile-desktop' | 'web' | 'none';
    publicClientFlows: boolean;
    deviceCodeBlocked: boolean;
    consentGranted: boolean;
    tokenTenantId?: string | undefined;
  };
  /** The national cloud the tenant really lives in, when it is not this authority's (scenario `homeCloud`). */
  homeCloud?: 'global' | 'usgov' | 'usgovdod' | 'china' | undefined;
}

export type TokenCheck =
  | { ok: true; claims: JwtClaims }
  | {
      ok: false;
      reason: 'missing' | 'malformed' | 'signature' | 'expired' | 'audience' | 'tenant' | 'revoked';
      message: string;
    };

interface DeviceCode {
  deviceCode: string;
  userCode: string;
  scopes: string[];
  expiresAtReal: number;
  state: 'pending' | 'approved' | 'declined' | 'redeemed';
  grantedScopes?: string[];
}

interface RefreshGrant {
  scopes: string[];
  grantedScopes: string[];
}

export const MSA_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

export class SimIdentity {
  readonly keyId = randomBytes(12).toString('base64url');
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  private readonly certificates = new Map<string, KeyObject>();
  private readonly deviceCodes = new Map<string, DeviceCode>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly revoked = new Set<string>();
  private readonly issuedUtis = new Set<string>();
  readonly userObjectId = randomUUID();
  /**
   * The `claims` parameter of every token request that carried one, as sent (tests: CP1 declared, challenge answered).
   */
  readonly tokenRequestClaims: string[] = [];
  /** Resource (audience) of the simulated Graph, set once the server knows its address. */
  graphResource = '';
  authorityHost = '';

  constructor(readonly options: IdentityOptions) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  get issuer(): string {
    return `${this.authorityHost}/${this.options.tenantId}/v2.0`;
  }

  jwks(): { keys: unknown[] } {
    const jwk = this.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    return { keys: [{ kty: 'RSA', use: 'sig', kid: this.keyId, n: jwk.n, e: jwk.e, issuer: this.issuer }] };
  }

  /** The admin uploads a certificate to the app registration; assertions signed with its key are accepted. */
  registerClientCertificate(certPem: string): { sha1: string; sha256: string } {
    const cert = forge.pki.certificateFromPem(certPem);
    const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
    const key = createPublicKey(forge.pki.publicKeyToPem(cert.publicKey));
    const sha1 = createHash('sha1').update(der).digest();
    const sha256 = createHash('sha256').update(der).digest();
    this.certificates.set(`x5t:${sha1.toString('base64url')}`, key);
    this.certificates.set(`x5t#S256:${sha256.toString('base64url')}`, key);
    return { sha1: sha1.toString('hex').toUpperCase(), sha256: sha256.toString('hex') };
  }

  /**
   * Checks a client assertion (RFC 7523) as Entra does: known certificate by thumbprint, signature, aud, iss/sub, exp.
   */
  checkClientAssertion(
    assertion: string,
    tokenEndpoint: string,
  ): { ok: true } | { ok: false; code: number; message: string } {
    const jwt = decodeJwt(assertion);
    if (!jwt) return { ok: false, code: 50027, message: 'AADSTS50027: JWT token is invalid or malformed.' };
    const h = jwt.header;
    const key =
      (typeof h['x5t#S256'] === 'string' && this.certificates.get(`x5t#S256:${h['x5t#S256']}`)) ||
      (typeof h.x5t === 'string' && this.certificates.get(`x5t:${h.x5t}`));
    if (!key) {
      return {
        ok: false,
        code: 700027,
        message: `AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${String(h['x5t#S256'] ?? h.x5t ?? '')}']`,
      };
    }
    if (!verifyJwtSignature(jwt, key))
      return { ok: false, code: 700027, message: 'AADSTS700027: Client assertion failed signature validation.' };
    const c = jwt.claims;
    const nowS = Date.now() / 1000;
    if (typeof c.exp !== 'number' || c.exp < nowS - 300)
      return { ok: false, code: 700024, message: 'AADSTS700024: Client assertion is not within its valid time range.' };
    if (typeof c.nbf === 'number' && c.nbf > nowS + 300)
      return { ok: false, code: 700024, message: 'AADSTS700024: Client assertion is not within its valid time range.' };
    const auds = Array.isArray(c.aud) ? c.aud : [c.aud];
    if (
      !auds.some((a) => typeof a === 'string' && a.replace(/\/+$/, '').toLowerCase() === tokenEndpoint.toLowerCase())
    ) {
      return {
        ok: false,
        code: 700212,
        message: `AADSTS700212: No matching federated identity record found for presented assertion audience '${String(c.aud)}'.`,
      };
    }
    if (c.iss !== this.options.clientId || c.sub !== this.options.clientId) {
      return {
        ok: false,
        code: 700021,
        message: "AADSTS700021: Client assertion application identifier doesn't match 'client_id' parameter.",
      };
    }
    return { ok: true };
  }

  private realExpiresIn(): number {
    return Math.max(1, Math.round(this.options.tokenLifetimeS / this.options.timeScale));
  }

  issueAccessToken(
    kind: 'app' | 'user',
    permissions: string[],
    overrides: JwtClaims = {},
  ): { token: string; expiresIn: number } {
    const nowS = Math.floor(Date.now() / 1000);
    const expiresIn = this.realExpiresIn();
    const uti = randomBytes(16).toString('base64url');
    this.issuedUtis.add(uti);
    const claims: JwtClaims = {
      aud: this.graphResource,
      iss: `${this.authorityHost}/${this.options.tenantId}/`,
      iat: nowS,
      nbf: nowS,
      exp: nowS + expiresIn,
      appid: this.options.clientId,
      azp: this.options.clientId,
      tid: this.options.signIn?.tokenTenantId ?? this.options.tenantId,
      uti,
      ver: '1.0',
      ...(kind === 'app'
        ? { roles: permissions, oid: this.options.clientId, sub: this.options.clientId, idtyp: 'app' }
        : {
            scp: permissions.join(' '),
            oid: this.userObjectId,
            sub: this.userObjectId,
            upn: this.options.user.userPrincipalName,
            name: this.options.user.displayName,
            idtyp: 'user',
          }),
      ...overrides,
    };
    return { token: signJwt({ kid: this.keyId, x5t: this.keyId }, claims, this.privateKey), expiresIn };
  }

  /**
   * What a token request's `claims` parameter puts into the access token: `xms_cc` when the client
   * declares capabilities (msal's clientCapabilities, e.g. CP1 for Continuous Access Evaluation), and
   * `sim_claims_met` when it answers a claims challenge (claims for the access token beyond xms_cc).
   */
  tokenClaimsFrom(claims: string | null): JwtClaims {
    if (!claims) return {};
    this.tokenRequestClaims.push(claims);
    let parsed: { access_token?: Record<string, unknown> } | undefined;
    try {
      parsed = JSON.parse(claims) as typeof parsed;
    } catch {
      return {};
    }
    const at = parsed?.access_token ?? {};
    const cc = (at.xms_cc as { values?: unknown } | undefined)?.values;
    const out: JwtClaims = {};
    if (Array.isArray(cc)) out.xms_cc = cc.filter((v): v is string => typeof v === 'string');
    if (Object.keys(at).some((k) => k !== 'xms_cc')) out.sim_claims_met = true;
    return out;
  }

  issueIdToken(): string {
    const nowS = Math.floor(Date.now() / 1000);
    return signJwt(
      { kid: this.keyId },
      {
        aud: this.options.clientId,
        iss: this.issuer,
        iat: nowS,
        nbf: nowS,
        exp: nowS + 3600,
        name: this.options.user.displayName,
        oid: this.userObjectId,
        preferred_username: this.options.user.userPrincipalName,
        sub: b64url(createHash('sha256').update(`${this.userObjectId}:${this.options.clientId}`).digest()),
        tid: this.options.tenantId,
        ver: '2.0',
      },
      this.privateKey,
    );
  }

  clientInfo(): string {
    return b64url(JSON.stringify({ uid: this.userObjectId, utid: this.options.tenantId }));
  }

  /** Token expiry mid-run: every access token issued so far stops working (refresh tokens keep working). */
  expireAccessTokens(): void {
    for (const u of this.issuedUtis) this.revoked.add(u);
    this.issuedUtis.clear();
  }

  /** What the Graph side checks on every call. */
  checkAccessToken(authorization: string | undefined): TokenCheck {
    if (!authorization) return { ok: false, reason: 'missing', message: 'Access token is empty.' };
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!m)
      return { ok: false, reason: 'malformed', message: 'IDX14100: JWT is not well formed, there are no dots (.).' };
    const jwt = decodeJwt(m[1]!);
    if (!jwt) return { ok: false, reason: 'malformed', message: 'IDX14100: JWT is not well formed.' };
    const c = jwt.claims;
    const aud = typeof c.aud === 'string' ? c.aud.replace(/\/+$/, '') : '';
    if (aud !== this.graphResource) return { ok: false, reason: 'audience', message: 'Invalid audience.' };
    if (jwt.header.kid !== this.keyId || !verifyJwtSignature(jwt, this.publicKey))
      return {
        ok: false,
        reason: 'signature',
        message: 'Access token validation failure. Signature validation failed.',
      };
    if (typeof c.exp !== 'number' || c.exp * 1000 <= Date.now())
      return { ok: false, reason: 'expired', message: 'Lifetime validation failed, the token is expired.' };
    if (typeof c.uti === 'string' && this.revoked.has(c.uti))
      return { ok: false, reason: 'revoked', message: 'Lifetime validation failed, the token is expired.' };
    if (c.tid !== this.options.tenantId)
      return { ok: false, reason: 'tenant', message: 'Access token validation failure. Invalid tenant.' };
    return { ok: true, claims: c };
  }

  // ---------- device code ----------

  startDeviceCode(scopes: string[]): DeviceCode & { expiresIn: number; interval: number } {
    const userCode = Array.from(randomBytes(9), (b) => 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'[b % 32]).join('');
    const expiresIn = Math.max(1, Math.round(this.options.deviceCodeLifetimeS / this.options.timeScale));
    const dc: DeviceCode = {
      deviceCode: randomBytes(32).toString('base64url'),
      userCode,
      scopes,
      expiresAtReal: Date.now() + expiresIn * 1000,
      state: 'pending',
    };
    this.deviceCodes.set(dc.deviceCode, dc);
    return { ...dc, expiresIn, interval: this.options.deviceCodeIntervalS };
  }

  /** The technician signs in on another device. `grantedScopes` narrows what they consent to (403 tests). */
  approveDeviceCode(userCode: string, options: { grantedScopes?: string[] } = {}): boolean {
    const wanted = userCode.replace(/[\s-]/g, '').toUpperCase();
    for (const dc of this.deviceCodes.values()) {
      if (dc.userCode === wanted && dc.state === 'pending') {
        dc.state = 'approved';
        if (options.grantedScopes) dc.grantedScopes = options.grantedScopes;
        return true;
      }
    }
    return false;
  }

  declineDeviceCode(userCode: string): boolean {
    for (const dc of this.deviceCodes.values())
      if (dc.userCode === userCode.toUpperCase() && dc.state === 'pending') return ((dc.state = 'declined'), true);
    return false;
  }

  pendingUserCodes(): string[] {
    return [...this.deviceCodes.values()]
      .filter((d) => d.state === 'pending' && d.expiresAtReal > Date.now())
      .map((d) => d.userCode);
  }

  redeemDeviceCode(
    deviceCode: string,
  ):
    | { status: 'pending' }
    | { status: 'declined' }
    | { status: 'expired' }
    | { status: 'bad' }
    | { status: 'ok'; grantedScopes: string[] } {
    const dc = this.deviceCodes.get(deviceCode);
    if (!dc || dc.state === 'redeemed') return { status: 'bad' };
    if (dc.expiresAtReal <= Date.now()) return { status: 'expired' };
    if (dc.state === 'declined') return { status: 'declined' };
    if (dc.state === 'pending') return { status: 'pending' };
    dc.state = 'redeemed';
    return { status: 'ok', grantedScopes: dc.grantedScopes ?? this.options.scopes };
  }

  // ---------- authorization code (browser sign-in, PKCE) ----------

  private readonly authCodes = new Map<
    string,
    { challenge: string; redirectUri: string; scopes: string[]; expiresAtReal: number }
  >();

  issueAuthCode(challenge: string, redirectUri: string, scopes: string[]): string {
    const code = `0.sim.code.${randomBytes(32).toString('base64url')}`;
    this.authCodes.set(code, { challenge, redirectUri, scopes, expiresAtReal: Date.now() + 10 * 60 * 1000 });
    return code;
  }

  /** One use only; the verifier must hash to the challenge and the redirect URI must be the same. */
  redeemAuthCode(
    code: string,
    verifier: string,
    redirectUri: string,
  ): { ok: true; scopes: string[] } | { ok: false; message: string } {
    const entry = this.authCodes.get(code);
    this.authCodes.delete(code);
    if (!entry || entry.expiresAtReal < Date.now())
      return {
        ok: false,
        message: 'AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.',
      };
    if (entry.redirectUri !== redirectUri)
      return {
        ok: false,
        message:
          'AADSTS50148: The code_verifier does not match the code_challenge supplied in the authorization request for PKCE. (redirect_uri differs)',
      };
    if (createHash('sha256').update(verifier).digest('base64url') !== entry.challenge)
      return {
        ok: false,
        message:
          'AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.',
      };
    return { ok: true, scopes: entry.scopes };
  }

  // ---------- refresh tokens ----------

  issueRefreshToken(grant: RefreshGrant): string {
    const rt = `0.sim.${randomBytes(48).toString('base64url')}`;
    this.refreshTokens.set(rt, grant);
    return rt;
  }

  /** Redeems and rotates a refresh token, as Entra does. */
  redeemRefreshToken(rt: string): RefreshGrant | undefined {
    const grant = this.refreshTokens.get(rt);
    if (grant) this.refreshTokens.delete(rt);
    return grant;
  }

  revokeRefreshTokens(): void {
    this.refreshTokens.clear();
  }
}

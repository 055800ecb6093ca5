import { constants, createSign, createVerify, type KeyObject } from 'node:crypto';

/** Compact JWS (RS256 / PS256) for the simulated tenant's tokens and the client assertions it checks. */
export type JwtHeader = Record<string, unknown> & {
  alg?: string;
  typ?: string;
  kid?: string;
  x5t?: string;
  'x5t#S256'?: string;
};
export type JwtClaims = Record<string, unknown>;

export const b64url = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');
export const fromB64url = (s: string) => Buffer.from(s, 'base64url');

export function signJwt(header: JwtHeader, claims: JwtClaims, privateKey: KeyObject): string {
  const input = `${b64url(JSON.stringify({ ...header, alg: 'RS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  const sig = createSign('RSA-SHA256').update(input).sign(privateKey);
  return `${input}.${b64url(sig)}`;
}

export interface DecodedJwt {
  header: JwtHeader;
  claims: JwtClaims;
  signingInput: string;
  signature: Buffer;
}

/** Splits and parses a JWT without checking it; undefined when it is not a well-formed JWS. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]*$/.test(p))) return undefined;
  try {
    const header = JSON.parse(fromB64url(parts[0]!).toString('utf8')) as unknown;
    const claims = JSON.parse(fromB64url(parts[1]!).toString('utf8')) as unknown;
    if (!header || typeof header !== 'object' || !claims || typeof claims !== 'object') return undefined;
    return {
      header: header as JwtHeader,
      claims: claims as JwtClaims,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: fromB64url(parts[2]!),
    };
  } catch {
    return undefined;
  }
}

/** RS256 (PKCS#1 v1.5) or PS256 (RSA-PSS, salt = digest length, as msal-node and jsonwebtoken sign). */
export function verifyJwtSignature(jwt: DecodedJwt, publicKey: KeyObject): boolean {
  const alg = jwt.header.alg;
  try {
    if (alg === 'RS256') return createVerify('RSA-SHA256').update(jwt.signingInput).verify(publicKey, jwt.signature);
    if (alg === 'PS256') {
      return createVerify('RSA-SHA256')
        .update(jwt.signingInput)
        .verify(
          { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
          jwt.signature,
        );
    }
  } catch {
    return false;
  }
  return false;
}

import type { ClassifiedFailure } from './graphAnswers.ts';

/** Token provider port: the auth service implements it with msal-node, tests with the simulated tenant. */
export interface AccessTokenProvider {
  /**
   * A valid access token for `scope` (silently refreshed when close to expiry). `forceRefresh`
   * after the service said 401: the cached token was revoked or expired early.
   */
  getAccessToken(
    scope: string,
    options?: { forceRefresh?: boolean; signal?: AbortSignal | undefined; claims?: string },
  ): Promise<string>;
}

/**
 * The token of one request, and its answers to a 401: a claims challenge is answered once (a token
 * that carries the claims, then the same request), an expired or revoked token is refreshed once.
 * Neither counts as a failed attempt. docs/domain.md#a-claims-challenge and
 * docs/domain.md#401-with-an-expired-or-revoked-token
 */
export class TokenRenewal {
  /** The claims of a challenge, for the next token request only. */
  private claims: string | undefined;
  private answeredChallenge = false;
  private refreshed = false;

  constructor(
    private readonly tokens: AccessTokenProvider,
    private readonly scope: string,
  ) {}

  /** The token for the next attempt (with the challenge's claims when one is pending). */
  async get(signal: AbortSignal): Promise<string> {
    const claims = this.claims;
    this.claims = undefined;
    return this.tokens.getAccessToken(this.scope, { signal, ...(claims ? { claims, forceRefresh: true } : {}) });
  }

  /**
   * After a failed answer: 'claims-challenge' (the next token carries the claims), 'refreshed' (a
   * fresh token was fetched now), or undefined when a new token would not help or was tried already.
   */
  async renew(failure: ClassifiedFailure, signal: AbortSignal): Promise<'claims-challenge' | 'refreshed' | undefined> {
    if (failure.claims !== undefined && !this.answeredChallenge) {
      this.answeredChallenge = true;
      this.claims = failure.claims;
      return 'claims-challenge';
    }
    if (failure.kind === 'sign-in-expired' && !this.refreshed) {
      this.refreshed = true;
      await this.tokens.getAccessToken(this.scope, { forceRefresh: true, signal });
      return 'refreshed';
    }
    return undefined;
  }
}

/**
 * The claims of a claims challenge, decoded: `WWW-Authenticate: Bearer ..., error="insufficient_claims",
 * claims="<base64url JSON>"` (https://learn.microsoft.com/entra/identity-platform/claims-challenge).
 * Undefined for any other 401.
 */
export function claimsChallengeOf(header: string | null): string | undefined {
  if (!header || !/error\s*=\s*"?insufficient_claims"?/i.test(header)) return undefined;
  const m = /claims\s*=\s*"([^"]+)"/i.exec(header);
  if (!m) return undefined;
  try {
    const text = Buffer.from(m[1]!.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    JSON.parse(text);
    return text;
  } catch {
    return undefined;
  }
}

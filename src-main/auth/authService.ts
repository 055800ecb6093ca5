import {
  ConfidentialClientApplication,
  InteractionRequiredAuthError,
  PublicClientApplication,
  type AccountInfo,
  type AuthenticationResult,
  type Configuration,
  type DeviceCodeRequest,
  type INetworkModule,
  type NetworkRequestOptions,
} from '@azure/msal-node';
import type { Logger } from '../kernel/logger.ts';
import { StationError } from '../contract/errors.ts';
import type { AuthMode, AuthStatus, DeviceCodePrompt } from '../contract/types.ts';
import { CLOUDS, type CloudEndpoints } from '../graph/clouds.ts';
import type { AccessTokenProvider } from '../graph/graphClient.ts';
import { graphFailure } from '../graph/graphFailures.ts';
import {
  authError,
  fromMsalError,
  isMsalHoldBack,
  isSignInServiceBusy,
  MSAL_HOLD_BACK_MS,
  MSA_TENANT_ID,
  personalAccountRefused,
  signInServiceBusy,
  tenantRequired,
  wrongTenant,
} from './authErrors.ts';
import { MsalNetworkClient } from './msalNetworkClient.ts';
import { resolveTenantId, tokenTenantId } from './tenantIdentity.ts';
import type { CertificateCredential } from './certificateCredential.ts';
import type { EncryptedCachePlugin } from './encryptedCachePlugin.ts';

export interface AuthConfig {
  mode: AuthMode;
  clientId: string;
  /** Tenant id (GUID) or domain. Absent: `organizations` (work or school accounts of any tenant). */
  tenantId?: string;
  cloud: CloudEndpoints;
}

export interface AuthPorts {
  cache: EncryptedCachePlugin;
  logger: Logger;
  /** Opens the system browser on the sign-in page (Electron shell.openExternal, or a printed URL). */
  openBrowser(url: string): Promise<void>;
  /** The device code and where to enter it, shown in the station. */
  onDeviceCode(prompt: DeviceCodePrompt): void;
  onStatus?(status: AuthStatus): void;
  /** Certificate mode: the app registration's certificate, read when needed. */
  loadCertificate?(): Promise<CertificateCredential>;
  /** msal's network port (the extra CA for the simulated tenant). */
  networkClient?: INetworkModule;
  /** Sign-in deadlines in real milliseconds (tests shorten them); see SIGN_IN_DEADLINES. */
  signInDeadlines?: Partial<SignInDeadlines>;
}

export interface SignInDeadlines {
  /** Reaching the sign-in service (discovery, the device code, the certificate exchange). */
  contactMs: number;
  /** The technician finishing the sign-in page the browser opened (the loopback wait). */
  browserMs: number;
  /** The technician entering the device code (the code itself lives about 15 minutes). */
  deviceCodeMs: number;
}

/** Real time: the technician is not on the service clock. */
export const SIGN_IN_DEADLINES: SignInDeadlines = {
  contactMs: 30_000,
  browserMs: 5 * 60_000,
  deviceCodeMs: 16 * 60_000,
};

/** Thrown into a waiting sign-in when the technician presses Cancel. */
class SignInCancelled extends Error {}

const REFUSED_AUTHORITIES = new Set(['common', 'consumers', MSA_TENANT_ID]);
/** Refresh a little before the token expires so that a call never leaves with a dying token. */
const EARLY_REFRESH_MS = 2 * 60_000;

/** The authority URL, refusing the ones that would let a personal account in. */
export function authorityFor(cloud: CloudEndpoints, tenantId: string | undefined): string {
  const t = (tenantId ?? '').trim() || 'organizations';
  if (REFUSED_AUTHORITIES.has(t.toLowerCase())) {
    throw authError(
      'AUTH_AUTHORITY_REFUSED',
      `The tenant "${t}" would allow personal Microsoft accounts, which cannot register Autopilot devices.`,
      "Enter your organisation's tenant id (GUID) or domain (contoso.onmicrosoft.com) in settings.",
    );
  }
  return `${cloud.authorityHost}/${t}`;
}

/**
 * Sign-in with msal-node: interactive browser (PKCE + loopback redirect), device code, or an app
 * certificate. Implements the Graph client's token port: every Graph call asks for a token, which
 * is served from memory while fresh and refreshed silently by msal otherwise.
 */
export class AuthService implements AccessTokenProvider {
  private pca?: PublicClientApplication;
  private cca?: ConfidentialClientApplication;
  private current: AuthStatus;
  private memo?: { scope: string; token: string; expiresOn: number } | undefined;
  private pendingDeviceCode?: DeviceCodeRequest | undefined;
  private signingIn?: Promise<AuthStatus> | undefined;
  /** Ends the sign-in that is waiting (Cancel, or its deadline). */
  private stopSignIn?: ((why: Error) => void) | undefined;
  private readonly inflight = new Map<string, Promise<string>>();
  /** The claims of a challenge a silent refresh could not answer: sent with the next sign-in, then cleared. */
  private challengeClaims?: string | undefined;
  /** After a 5xx/429 from Entra, msal-node replays a blank error until its hold-back ends. */
  private busyUntil = 0;
  /**
   * Requests msal sent to the sign-in service through the station's network port (the pre-flight check counts them).
   */
  signInRequests = 0;
  /** The last refusal the sign-in service sent (OAuth error and description), for the words msal drops. */
  private lastServiceError?: string | undefined;
  /** The configured tenant as a GUID (a domain resolved once through its OpenID metadata). */
  private resolvedTenantId?: string | undefined;

  constructor(
    readonly config: AuthConfig,
    private readonly ports: AuthPorts,
  ) {
    this.current = { state: 'signed-out', mode: config.mode };
  }

  status(): AuthStatus {
    return this.current;
  }

  /** Startup: a saved sign-in in the encrypted cache counts as signed in until a call says otherwise. */
  async restore(): Promise<AuthStatus> {
    if (this.config.mode === 'certificate') return this.current;
    try {
      const account = await this.account();
      if (account)
        this.setStatus({
          state: 'signed-in',
          mode: this.config.mode,
          account: { username: account.username, tenantId: account.tenantId },
        });
    } catch (err) {
      this.ports.logger.warn('Could not restore the saved sign-in', { reason: (err as Error).message });
    }
    return this.current;
  }

  signIn(): Promise<AuthStatus> {
    // One sign-in at a time: a second press returns the same attempt.
    this.signingIn ??= this.doSignIn().finally(() => {
      this.signingIn = undefined;
    });
    return this.signingIn;
  }

  /**
   * Cancel: a browser or device-code sign-in stops waiting, its loopback server closes, and the status says signed out.
   */
  async cancelSignIn(): Promise<AuthStatus> {
    if (this.stopSignIn) {
      this.stopSignIn(new SignInCancelled('cancelled'));
      // Answer with the status after the stop (the same one the authChanged event carries).
      await this.signingIn?.catch(() => undefined);
    }
    return this.current;
  }

  async signOut(): Promise<AuthStatus> {
    if (this.pendingDeviceCode) this.pendingDeviceCode.cancel = true;
    this.memo = undefined;
    this.inflight.clear();
    try {
      if (this.pca) {
        const cache = this.pca.getTokenCache();
        for (const a of await cache.getAllAccounts()) await cache.removeAccount(a);
      }
      this.cca?.clearCache();
    } finally {
      await this.ports.cache.clear();
    }
    this.setStatus({ state: 'signed-out', mode: this.config.mode });
    return this.current;
  }

  /**
   * `claims`: a claims challenge from a resource (401 with `WWW-Authenticate: ... error="insufficient_claims",
   * claims="<base64 JSON>"`), decoded to its JSON text: sent with this token request (msal-node merges it
   * with the CP1 capability declared in baseConfig), never served from the cache. See
   * https://learn.microsoft.com/entra/identity-platform/claims-challenge
   */
  async getAccessToken(scope: string, options: { forceRefresh?: boolean; claims?: string } = {}): Promise<string> {
    if (scope !== this.config.cloud.scope) {
      // A token is only ever asked for the Graph of the cloud it was issued in.
      throw graphFailure('wrong-cloud', {
        serviceMessage: `token for ${scope} requested in ${this.config.cloud.label}`,
      });
    }
    const memo = this.memo;
    if (!options.forceRefresh && memo && memo.scope === scope && memo.expiresOn - Date.now() > EARLY_REFRESH_MS)
      return memo.token;
    // Concurrent calls share one refresh instead of each asking the sign-in service.
    const key = options.claims ? `claims:${options.claims}` : options.forceRefresh ? 'force' : 'normal';
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetchToken(scope, !!options.forceRefresh || !!options.claims, options.claims).finally(() =>
        this.inflight.delete(key),
      );
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async fetchToken(scope: string, forceRefresh: boolean, claims?: string): Promise<string> {
    const options = { forceRefresh };
    let result: AuthenticationResult | null;
    try {
      if (this.config.mode === 'certificate') {
        result = await (
          await this.confidential()
        ).acquireTokenByClientCredential({
          scopes: [scope],
          skipCache: !!options.forceRefresh,
          ...(claims ? { claims } : {}),
        });
      } else {
        const account = await this.account();
        if (!account) throw this.expired();
        result = await (
          await this.public()
        ).acquireTokenSilent({
          account,
          scopes: [scope],
          forceRefresh: !!options.forceRefresh,
          ...(claims ? { claims } : {}),
        });
      }
    } catch (err) {
      if (err instanceof StationError) throw err;
      if (err instanceof InteractionRequiredAuthError) {
        // A claims challenge that needs the technician (MFA, a compliant device): the next sign-in carries it.
        if (claims) this.challengeClaims = claims;
        throw this.expired();
      }
      const failure = fromMsalError(err, { cloudLabel: this.config.cloud.label });
      if (failure.code === 'AUTH_NETWORK') throw graphFailure('network', { doing: 'refreshing the sign-in' });
      const busy = isSignInServiceBusy(err);
      if (busy) this.busyUntil = Date.now() + MSAL_HOLD_BACK_MS;
      if (busy || (Date.now() < this.busyUntil && isMsalHoldBack(err))) {
        // Entra's 5xx/429 (and msal's own hold-back after one) pass by themselves: the sign-in is still
        // good, so the status stays as it is and the worker simply tries again later.
        this.ports.logger.warn('The sign-in service is not answering; trying again later', {
          details: failure.details,
        });
        throw signInServiceBusy();
      }
      this.setStatus({ state: 'error', mode: this.config.mode, error: failure.toData() });
      throw failure;
    }
    if (!result?.accessToken) throw this.expired();
    this.remember(scope, result);
    // A token again after a failure: the sign-in works, say so.
    if (this.current.state === 'error') this.setSignedIn(result);
    return result.accessToken;
  }

  private async doSignIn(): Promise<AuthStatus> {
    const { mode, cloud } = this.config;
    this.lastServiceError = undefined;
    this.setStatus({ state: 'signing-in', mode });
    const deadlines = { ...SIGN_IN_DEADLINES, ...this.ports.signInDeadlines };
    const authorityHost = new URL(cloud.authorityHost).host;
    // Every wait has a deadline and can be cancelled: first reaching the service, then the technician.
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stop!: (why: Error) => void;
    const stopped = new Promise<never>((_, reject) => {
      stop = reject;
    });
    stopped.catch(() => {});
    this.stopSignIn = stop;
    const arm = (ms: number, failure: () => StationError) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => stop(failure()), ms);
      timer.unref?.();
    };
    arm(deadlines.contactMs, () =>
      authError(
        'AUTH_NETWORK',
        `The station could not reach the sign-in service (${authorityHost}) within ${Math.round(deadlines.contactMs / 1000)} seconds.`,
        "Check this bench's network, proxy and firewall, then sign in again.",
        { authorityHost, waitedMs: deadlines.contactMs },
        { authorityHost, seconds: Math.round(deadlines.contactMs / 1000) },
      ),
    );
    const technicianDeadline = (ms: number, what: string) => () =>
      authError(
        'AUTH_SIGN_IN_TIMEOUT',
        `The sign-in was not finished within ${Math.round(ms / 60_000)} minutes (${what}).`,
        'Press Sign in to start again.',
        { waitedMs: ms, authorityHost },
      );
    let loopback: { url: URL } | undefined;
    let deviceRequest: DeviceCodeRequest | undefined;
    let released = false;
    try {
      authorityFor(cloud, this.config.tenantId);
      // Without a tenant, `organizations` would sign an MSP technician in to their own home tenant.
      if (mode !== 'certificate' && !this.config.tenantId?.trim()) throw tenantRequired();
      const scopes = [cloud.scope];
      let pending: Promise<AuthenticationResult | null>;
      // A claims challenge the silent refresh could not answer goes with the sign-in that answers it.
      const claims = this.challengeClaims ? { claims: this.challengeClaims } : {};
      if (mode === 'certificate') {
        pending = (async () =>
          (await this.confidential()).acquireTokenByClientCredential({ scopes, skipCache: true, ...claims }))();
      } else if (mode === 'device-code') {
        const request: DeviceCodeRequest = {
          scopes,
          ...claims,
          deviceCodeCallback: (r) => {
            arm(
              Math.min(deadlines.deviceCodeMs, r.expiresIn * 1000 + 5_000),
              technicianDeadline(Math.min(deadlines.deviceCodeMs, r.expiresIn * 1000), 'the code was not entered'),
            );
            this.ports.onDeviceCode({
              userCode: r.userCode,
              verificationUri: r.verificationUri,
              expiresAt: new Date(Date.now() + r.expiresIn * 1000).toISOString(),
              message: r.message,
            });
          },
        };
        this.pendingDeviceCode = deviceRequest = request;
        pending = (async () => (await this.public()).acquireTokenByDeviceCode(request))();
      } else {
        pending = (async () => {
          // msal builds the sign-in page's address without asking the service, so an unreachable service
          // would only show as a page that never loads while the station waits minutes: ask it first.
          await this.reachSignInService(authorityHost, deadlines.contactMs);
          return (await this.public()).acquireTokenInteractive({
            scopes,
            ...claims,
            prompt: 'select_account',
            openBrowser: async (url) => {
              // Stopped while msal was still reaching the service: never open a page nobody waits for.
              if (released) throw new SignInCancelled('stopped before the sign-in page opened');
              const page = new URL(url);
              const redirect = page.searchParams.get('redirect_uri');
              if (redirect)
                loopback = {
                  url: new URL(
                    `?${new URLSearchParams({ error: 'access_denied', error_description: 'cancelled in the station', state: page.searchParams.get('state') ?? '' })}`,
                    new URL('/station-cancel', redirect),
                  ),
                };
              arm(deadlines.browserMs, technicianDeadline(deadlines.browserMs, 'the sign-in page was not completed'));
              await this.ports.openBrowser(url);
            },
            successTemplate: '<h1>Signed in</h1><p>You can close this tab and go back to Autopilot Station.</p>',
            errorTemplate: '<h1>Sign-in failed</h1><p>Go back to Autopilot Station for details.</p>',
          });
        })();
      }
      pending.catch(() => {});
      let result: AuthenticationResult | null;
      try {
        result = await Promise.race([pending, stopped]);
      } finally {
        this.pendingDeviceCode = undefined;
      }
      if (!result) throw authError('AUTH_FAILED', 'The sign-in service gave no answer.', 'Try again.');
      if (
        result.tenantId === MSA_TENANT_ID ||
        (result.idTokenClaims as { tid?: string } | undefined)?.tid === MSA_TENANT_ID
      ) {
        if (result.account) await this.pca?.getTokenCache().removeAccount(result.account);
        await this.ports.cache.clear();
        throw personalAccountRefused();
      }
      await this.checkTokenTenant(result);
      this.challengeClaims = undefined;
      this.remember(cloud.scope, result);
      this.setSignedIn(result);
      this.ports.logger.info('Signed in', { mode, tenantId: result.tenantId, cloud: cloud.name });
    } catch (err) {
      if (err instanceof SignInCancelled) {
        this.ports.logger.info('Sign-in cancelled by the technician', { mode, cloud: cloud.name });
        this.setStatus({ state: 'signed-out', mode });
      } else {
        const context = { cloudLabel: cloud.label, ...(this.config.tenantId ? { tenant: this.config.tenantId } : {}) };
        let failure = fromMsalError(err, context);
        // msal-node's device code flow keeps only the OAuth error name ("invalid_grant"); the AADSTS code is in the
        // answer.
        if (failure.code === 'AUTH_FAILED' && this.lastServiceError)
          failure = fromMsalError({ errorMessage: this.lastServiceError }, context);
        this.ports.logger.warn(failure.code === 'AUTH_SIGN_IN_TIMEOUT' ? 'Sign-in timed out' : 'Sign-in failed', {
          mode,
          errorCode: failure.code,
          details: failure.details,
        });
        this.setStatus({ state: 'error', mode, error: failure.toData() });
      }
    } finally {
      if (timer) clearTimeout(timer);
      this.stopSignIn = undefined;
      released = true;
      // Whatever msal still waits for stops: the device-code polling, the loopback server.
      if (deviceRequest) deviceRequest.cancel = true;
      if (loopback) await releaseLoopback(loopback.url);
    }
    return this.current;
  }

  /**
   * One GET of the tenant's OpenID metadata (any HTTP answer means the service is reachable). A DNS,
   * TCP or TLS failure ends the sign-in at once as AUTH_NETWORK naming the host; a silent network is
   * ended by the contact deadline already armed in doSignIn.
   */
  private async reachSignInService(authorityHost: string, timeoutMs: number): Promise<void> {
    const network = this.ports.networkClient ?? new MsalNetworkClient();
    const url = `${this.config.cloud.authorityHost}/${encodeURIComponent(this.config.tenantId?.trim() || 'organizations')}/v2.0/.well-known/openid-configuration`;
    try {
      await network.sendGetRequestAsync(url, undefined, timeoutMs);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw authError(
        'AUTH_NETWORK',
        `The station could not reach the sign-in service (${authorityHost}): ${reason}.`,
        "Check this bench's network, proxy and firewall, then sign in again.",
        { authorityHost, reason },
        { authorityHost },
      );
    }
  }

  /**
   * The token must come from the configured tenant (a domain is resolved to its GUID through the
   * tenant's OpenID metadata). Otherwise the station signs out at once and names the account's tenant.
   */
  private async checkTokenTenant(result: AuthenticationResult): Promise<void> {
    const configured = this.config.tenantId?.trim();
    const actual = tokenTenantId(result.accessToken) ?? (result.tenantId ? result.tenantId.toLowerCase() : undefined);
    if (!configured || !actual) return;
    this.resolvedTenantId ??= await resolveTenantId(
      this.config.cloud.authorityHost,
      configured,
      this.ports.networkClient ?? new MsalNetworkClient(),
    );
    const expected = this.resolvedTenantId;
    if (!expected) {
      this.ports.logger.warn("Could not read the tenant's OpenID metadata to compare the signed-in tenant", {
        tenant: configured,
      });
      return;
    }
    if (expected === actual) return;
    this.memo = undefined;
    if (result.account)
      await this.pca
        ?.getTokenCache()
        .removeAccount(result.account)
        .catch(() => {});
    this.cca?.clearCache();
    await this.ports.cache.clear();
    throw wrongTenant(configured.toLowerCase() === expected ? expected : `${configured} (${expected})`, actual);
  }

  private remember(scope: string, result: AuthenticationResult): void {
    this.memo = {
      scope,
      token: result.accessToken,
      expiresOn: result.expiresOn ? result.expiresOn.getTime() : Date.now() + 5 * 60_000,
    };
  }

  private expired() {
    this.memo = undefined;
    // Only a station that was signed in learns that it no longer is: a sign-in under way (and its
    // Cancel) or the cause of a failed one stay shown while the worker keeps asking for tokens.
    if (this.current.state === 'signed-in')
      this.setStatus({ state: 'signed-out', mode: this.config.mode, error: graphFailure('sign-in-expired').toData() });
    return graphFailure('sign-in-expired');
  }

  private async account(): Promise<AccountInfo | undefined> {
    const accounts = await (await this.public()).getTokenCache().getAllAccounts();
    const t = this.config.tenantId?.toLowerCase();
    return (
      accounts.find(
        (a) =>
          a.tenantId !== MSA_TENANT_ID &&
          (!t || a.tenantId.toLowerCase() === t || a.username.toLowerCase().endsWith(`@${t}`)),
      ) ?? (t ? undefined : accounts.find((a) => a.tenantId !== MSA_TENANT_ID))
    );
  }

  private baseConfig(): Configuration {
    const authority = authorityFor(this.config.cloud, this.config.tenantId);
    const host = new URL(this.config.cloud.authorityHost).host;
    const known = Object.values(CLOUDS).some((c) => new URL(c.authorityHost).host === host);
    return {
      auth: {
        clientId: this.config.clientId,
        authority,
        // A host msal does not know (the simulated tenant) is trusted as given instead of asking Microsoft.
        ...(known ? {} : { knownAuthorities: [host] }),
        // CAE-capable: Graph may answer a revoked session or a new Conditional Access rule with a claims
        // challenge instead of a plain 401, and the station answers it (GraphClient passes the claims back
        // to getAccessToken).
        // https://learn.microsoft.com/entra/identity-platform/app-resilience-continuous-access-evaluation
        clientCapabilities: ['CP1'],
      },
      cache: { cachePlugin: this.ports.cache },
      system: {
        ...(this.ports.networkClient ? { networkClient: this.recording(this.ports.networkClient) } : {}),
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: 1,
          loggerCallback: (_level, message) => this.ports.logger.debug('msal', { message }),
        },
      },
    };
  }

  /** msal's network port, noting the sign-in service's refusals (never a token: only `error` and its description). */
  private recording(inner: INetworkModule): INetworkModule {
    return {
      sendGetRequestAsync: (url, options, timeout) => {
        this.signInRequests++;
        return inner.sendGetRequestAsync(url, options, timeout);
      },
      sendPostRequestAsync: async <T>(url: string, options?: NetworkRequestOptions) => {
        this.signInRequests++;
        const res = await inner.sendPostRequestAsync<T>(url, options);
        const body = res.body as { error?: unknown; error_description?: unknown } | undefined;
        if (
          res.status >= 400 &&
          typeof body?.error === 'string' &&
          body.error !== 'authorization_pending' &&
          body.error !== 'slow_down'
        ) {
          this.lastServiceError =
            `${body.error} ${typeof body.error_description === 'string' ? body.error_description.split('\r\n')[0] : ''}`.slice(
              0,
              500,
            );
        }
        return res;
      },
    };
  }

  private async public(): Promise<PublicClientApplication> {
    if (this.config.mode === 'certificate') throw new Error('certificate mode has no public client');
    this.pca ??= new PublicClientApplication(this.baseConfig());
    return this.pca;
  }

  private async confidential(): Promise<ConfidentialClientApplication> {
    if (this.cca) return this.cca;
    if (!this.config.tenantId)
      throw authError(
        'AUTH_TENANT_REQUIRED',
        'Certificate sign-in needs the tenant id.',
        'Enter the tenant id (GUID or domain) in settings.',
      );
    if (!this.ports.loadCertificate)
      throw authError(
        'AUTH_CERTIFICATE_INVALID',
        'No certificate is configured for the certificate sign-in.',
        'Choose the certificate file (PEM or PFX) in settings.',
      );
    const cert = await this.ports.loadCertificate();
    const base = this.baseConfig();
    this.cca = new ConfidentialClientApplication({
      ...base,
      auth: {
        ...base.auth,
        clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.privateKey, x5c: cert.x5c },
      },
    });
    return this.cca;
  }

  /** Signed in as the user of this token (certificate: the app itself). */
  private setSignedIn(result: AuthenticationResult): void {
    const username =
      this.config.mode === 'certificate' ? `app ${this.config.clientId}` : (result.account?.username ?? 'unknown');
    this.setStatus({
      state: 'signed-in',
      mode: this.config.mode,
      account: { username, tenantId: result.tenantId || this.config.tenantId || '' },
    });
  }

  private setStatus(status: AuthStatus): void {
    this.current = status;
    this.ports.onStatus?.(status);
  }
}

/**
 * msal-node cannot be told to stop its loopback server; a redirect carrying the pending state and an
 * error makes it give up and close the server. Fails quietly when the server is already gone.
 */
async function releaseLoopback(url: URL): Promise<void> {
  const target = new URL(url);
  if (target.hostname === 'localhost') target.hostname = '127.0.0.1'; // msal listens on IPv4 loopback only
  try {
    await fetch(target, { signal: AbortSignal.timeout(2_000) });
  } catch {
    // already closed
  }
}

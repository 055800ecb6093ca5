import {
  ConfidentialClientApplication,
  InteractionRequiredAuthError,
  PublicClientApplication,
  type AccountInfo,
  type AuthenticationResult,
  type Configuration,
  type DeviceCodeRequest,
  type INetworkModule,
} from '@azure/msal-node';
import type { Logger } from '../kernel/logger.ts';
import { StationError } from '../contract/errors.ts';
import type { AuthMode, AuthStatus, DeviceCodePrompt } from '../contract/types.ts';
import { CLOUDS, type CloudEndpoints } from '../graph/clouds.ts';
import type { AccessTokenProvider } from '../graph/graphClient.ts';
import { graphFailure } from '../graph/graphFailures.ts';
import { authError, fromMsalError, isMsalHoldBack, isSignInServiceBusy, MSAL_HOLD_BACK_MS, MSA_TENANT_ID, personalAccountRefused, signInServiceBusy } from './authErrors.ts';
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
}

const REFUSED_AUTHORITIES = new Set(['common', 'consumers', MSA_TENANT_ID]);
/** Refresh a little before the token expires so that a call never leaves with a dying token. */
const EARLY_REFRESH_MS = 2 * 60_000;

/** The authority URL, refusing the ones that would let a personal account in. */
export function authorityFor(cloud: CloudEndpoints, tenantId: string | undefined): string {
  const t = (tenantId ?? '').trim() || 'organizations';
  if (REFUSED_AUTHORITIES.has(t.toLowerCase())) {
    throw authError('AUTH_AUTHORITY_REFUSED', `The tenant "${t}" would allow personal Microsoft accounts, which cannot register Autopilot devices.`, 'Enter your organisation\'s tenant id (GUID) or domain (contoso.onmicrosoft.com) in settings.');
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
  private memo?: { scope: string; token: string; expiresOn: number };
  private pendingDeviceCode?: DeviceCodeRequest;
  private signingIn?: Promise<AuthStatus>;
  private readonly inflight = new Map<string, Promise<string>>();
  /** After a 5xx/429 from Entra, msal-node replays a blank error until its hold-back ends. */
  private busyUntil = 0;

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
      if (account) this.setStatus({ state: 'signed-in', mode: this.config.mode, account: { username: account.username, tenantId: account.tenantId } });
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

  async getAccessToken(scope: string, options: { forceRefresh?: boolean } = {}): Promise<string> {
    if (scope !== this.config.cloud.scope) {
      // A token is only ever asked for the Graph of the cloud it was issued in.
      throw graphFailure('wrong-cloud', { serviceMessage: `token for ${scope} requested in ${this.config.cloud.label}` });
    }
    const memo = this.memo;
    if (!options.forceRefresh && memo && memo.scope === scope && memo.expiresOn - Date.now() > EARLY_REFRESH_MS) return memo.token;
    // Concurrent calls share one refresh instead of each asking the sign-in service.
    const key = options.forceRefresh ? 'force' : 'normal';
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetchToken(scope, !!options.forceRefresh).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async fetchToken(scope: string, forceRefresh: boolean): Promise<string> {
    const options = { forceRefresh };
    let result: AuthenticationResult | null;
    try {
      if (this.config.mode === 'certificate') {
        result = await (await this.confidential()).acquireTokenByClientCredential({ scopes: [scope], skipCache: !!options.forceRefresh });
      } else {
        const account = await this.account();
        if (!account) throw this.expired();
        result = await (await this.public()).acquireTokenSilent({ account, scopes: [scope], forceRefresh: !!options.forceRefresh });
      }
    } catch (err) {
      if (err instanceof StationError) throw err;
      if (err instanceof InteractionRequiredAuthError) throw this.expired();
      const failure = fromMsalError(err, { cloudLabel: this.config.cloud.label });
      if (failure.code === 'AUTH_NETWORK') throw graphFailure('network', { doing: 'refreshing the sign-in' });
      const busy = isSignInServiceBusy(err);
      if (busy) this.busyUntil = Date.now() + MSAL_HOLD_BACK_MS;
      if (busy || (Date.now() < this.busyUntil && isMsalHoldBack(err))) {
        // Entra's 5xx/429 (and msal's own hold-back after one) pass by themselves: the sign-in is still
        // good, so the status stays as it is and the worker simply tries again later.
        this.ports.logger.warn('The sign-in service is not answering; trying again later', { details: failure.details });
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
    this.setStatus({ state: 'signing-in', mode });
    try {
      authorityFor(cloud, this.config.tenantId);
      const scopes = [cloud.scope];
      let result: AuthenticationResult | null;
      if (mode === 'certificate') {
        result = await (await this.confidential()).acquireTokenByClientCredential({ scopes, skipCache: true });
      } else if (mode === 'device-code') {
        const request: DeviceCodeRequest = {
          scopes,
          deviceCodeCallback: (r) => {
            this.ports.onDeviceCode({ userCode: r.userCode, verificationUri: r.verificationUri, expiresAt: new Date(Date.now() + r.expiresIn * 1000).toISOString(), message: r.message });
          },
        };
        this.pendingDeviceCode = request;
        try {
          result = await (await this.public()).acquireTokenByDeviceCode(request);
        } finally {
          this.pendingDeviceCode = undefined;
        }
      } else {
        result = await (await this.public()).acquireTokenInteractive({
          scopes,
          prompt: 'select_account',
          openBrowser: (url) => this.ports.openBrowser(url),
          successTemplate: '<h1>Signed in</h1><p>You can close this tab and go back to Autopilot Station.</p>',
          errorTemplate: '<h1>Sign-in failed</h1><p>Go back to Autopilot Station for details.</p>',
        });
      }
      if (!result) throw authError('AUTH_FAILED', 'The sign-in service gave no answer.', 'Try again.');
      if (result.tenantId === MSA_TENANT_ID || (result.idTokenClaims as { tid?: string } | undefined)?.tid === MSA_TENANT_ID) {
        if (result.account) await this.pca?.getTokenCache().removeAccount(result.account);
        await this.ports.cache.clear();
        throw personalAccountRefused();
      }
      this.remember(cloud.scope, result);
      this.setSignedIn(result);
      this.ports.logger.info('Signed in', { mode, tenantId: result.tenantId, cloud: cloud.name });
    } catch (err) {
      const failure = fromMsalError(err, { cloudLabel: cloud.label });
      this.ports.logger.warn('Sign-in failed', { mode, errorCode: failure.code, details: failure.details });
      this.setStatus({ state: 'error', mode, error: failure.toData() });
    }
    return this.current;
  }

  private remember(scope: string, result: AuthenticationResult): void {
    this.memo = { scope, token: result.accessToken, expiresOn: result.expiresOn ? result.expiresOn.getTime() : Date.now() + 5 * 60_000 };
  }

  private expired() {
    this.memo = undefined;
    if (this.current.state !== 'signed-out') this.setStatus({ state: 'signed-out', mode: this.config.mode, error: graphFailure('sign-in-expired').toData() });
    return graphFailure('sign-in-expired');
  }

  private async account(): Promise<AccountInfo | undefined> {
    const accounts = await (await this.public()).getTokenCache().getAllAccounts();
    const t = this.config.tenantId?.toLowerCase();
    return accounts.find((a) => a.tenantId !== MSA_TENANT_ID && (!t || a.tenantId.toLowerCase() === t || a.username.toLowerCase().endsWith(`@${t}`))) ?? (t ? undefined : accounts.find((a) => a.tenantId !== MSA_TENANT_ID));
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
      },
      cache: { cachePlugin: this.ports.cache },
      system: {
        ...(this.ports.networkClient ? { networkClient: this.ports.networkClient } : {}),
        loggerOptions: { piiLoggingEnabled: false, logLevel: 1, loggerCallback: (_level, message) => this.ports.logger.debug('msal', { message }) },
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
    if (!this.config.tenantId) throw authError('AUTH_TENANT_REQUIRED', 'Certificate sign-in needs the tenant id.', 'Enter the tenant id (GUID or domain) in settings.');
    if (!this.ports.loadCertificate) throw authError('AUTH_CERTIFICATE_INVALID', 'No certificate is configured for the certificate sign-in.', 'Choose the certificate file (PEM or PFX) in settings.');
    const cert = await this.ports.loadCertificate();
    const base = this.baseConfig();
    this.cca = new ConfidentialClientApplication({ ...base, auth: { ...base.auth, clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.privateKey, x5c: cert.x5c } } });
    return this.cca;
  }

  /** Signed in as the user of this token (certificate: the app itself). */
  private setSignedIn(result: AuthenticationResult): void {
    const username = this.config.mode === 'certificate' ? `app ${this.config.clientId}` : (result.account?.username ?? 'unknown');
    this.setStatus({ state: 'signed-in', mode: this.config.mode, account: { username, tenantId: result.tenantId || this.config.tenantId || '' } });
  }

  private setStatus(status: AuthStatus): void {
    this.current = status;
    this.ports.onStatus?.(status);
  }
}

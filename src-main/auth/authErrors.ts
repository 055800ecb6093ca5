import { StationError } from '../contract/errors.ts';
import { GraphFailure } from '../graph/autopilotPort.ts';
import { AUTOPILOT_PERMISSION } from '../graph/graphFailures.ts';
import { isServiceTrouble } from '../graph/graphAnswers.ts';

/** The Microsoft account (personal) tenant: the station refuses it. */
export const MSA_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

export function authError(
  code: string,
  message: string,
  action: string,
  details?: Record<string, unknown>,
  params?: Record<string, string | number>,
): StationError {
  return new StationError({ code, message, action, ...(params ? { params } : {}), ...(details ? { details } : {}) });
}

/** What an admin registers for browser sign-in: a "Mobile and desktop applications" redirect URI. */
export const PUBLIC_CLIENT_REDIRECT_URI = 'http://localhost';

export const personalAccountRefused = () =>
  authError(
    'AUTH_PERSONAL_ACCOUNT',
    'Personal Microsoft accounts (outlook.com, hotmail.com, live.com) cannot register Autopilot devices.',
    'Sign in with your work or school account of the organisation that owns the devices.',
  );

/**
 * Turns an msal-node error (with Entra's AADSTS code in its message) into words for a technician.
 * Only codes and the msal error code go into details: never the request, never a token.
 */
export function fromMsalError(err: unknown, context: { cloudLabel: string; tenant?: string }): StationError {
  if (err instanceof StationError) return err;
  const raw = err as { errorCode?: unknown; errorMessage?: unknown; message?: unknown };
  const e = {
    errorCode: typeof raw?.errorCode === 'string' ? raw.errorCode : undefined,
    errorMessage: typeof raw?.errorMessage === 'string' ? raw.errorMessage : undefined,
    message: typeof raw?.message === 'string' ? raw.message : String(err),
  };
  const text = `${e.errorCode ?? ''} ${e.errorMessage ?? e.message}`;
  const aadsts = /AADSTS(\d+)/.exec(text)?.[1];
  const details: Record<string, unknown> = {};
  if (e.errorCode) details.msalCode = e.errorCode;
  if (aadsts) details.aadsts = Number(aadsts);
  else details.reason = e.message.slice(0, 200);
  const is = (...codes: string[]) => aadsts !== undefined && codes.includes(aadsts);

  if (is('90002', '900023', '90072') || /tenant.*not found/i.test(text))
    return authError(
      'AUTH_TENANT_NOT_FOUND',
      `The tenant was not found in the ${context.cloudLabel} cloud.`,
      'Check the tenant id and the cloud in settings (a US Government or China tenant does not exist in Global).',
      details,
      { cloud: context.cloudLabel, tenant: context.tenant ?? '' },
    );
  if (is('700016'))
    return authError(
      'AUTH_APP_NOT_FOUND',
      "The station's app registration (client id) is not known in this tenant.",
      'Check the client id in settings, or ask an administrator to register and consent the app in this tenant.',
      details,
      { tenant: context.tenant ?? '' },
    );
  if (is('700027', '7000274', '700024', '7000215', '700023'))
    return authError(
      'AUTH_CERTIFICATE_REJECTED',
      "The tenant refused the station's certificate.",
      'Check that this certificate is uploaded to the app registration and has not expired.',
      details,
    );
  if (is('65001', '650057', '90094', '90095'))
    return authError(
      'AUTH_CONSENT_MISSING',
      `The app registration has not been granted ${AUTOPILOT_PERMISSION}.`,
      `Ask an administrator to grant admin consent for ${AUTOPILOT_PERMISSION} to the station's app registration (Entra admin centre > App registrations > API permissions > Grant admin consent).`,
      details,
      { permission: AUTOPILOT_PERMISSION },
    );
  if (is('70020', '70019', '50058') || /expired_token|code_expired/i.test(text))
    return authError(
      'AUTH_DEVICE_CODE_EXPIRED',
      'The sign-in code expired or was declined before the sign-in finished.',
      'Press Sign in again and enter the new code within its time.',
      details,
    );
  // 50020 names a personal account only when the identity provider is Microsoft's consumer one.
  if (is('500200') || (is('50020', '50177') && /live\.com|outlook\.com|hotmail\.com|microsoft account/i.test(text)))
    return personalAccountRefused();
  if (is('50020', '50177'))
    return authError(
      'AUTH_NOT_MEMBER',
      `This account is not a member of the tenant${context.tenant ? ` ${context.tenant}` : ''}.`,
      'Sign in with an account of this tenant, or ask its administrator to invite your account as a guest (Entra admin centre > Users > Invite external user).',
      details,
      { tenant: context.tenant ?? '' },
    );
  if (aadsts !== undefined && /^530\d\d$/.test(aadsts))
    return authError(
      'AUTH_CONDITIONAL_ACCESS',
      `A Conditional Access policy of the tenant blocked this sign-in (AADSTS${aadsts}).`,
      'Use browser sign-in or certificate sign-in instead of device code, or ask the administrator to allow this sign-in method for the station (Entra admin centre > Protection > Conditional Access).',
      details,
      { aadsts: String(aadsts) },
    );
  if (is('50011', '500113', '50159'))
    return authError(
      'AUTH_REDIRECT_URI',
      `The app registration has no redirect URI for the station's browser sign-in (AADSTS${aadsts}).`,
      `Ask the administrator to add the redirect URI ${PUBLIC_CLIENT_REDIRECT_URI} under "Mobile and desktop applications" in the app registration's Authentication page.`,
      details,
      { redirectUri: PUBLIC_CLIENT_REDIRECT_URI, aadsts: String(aadsts) },
    );
  if (is('7000218', '700025'))
    return authError(
      'AUTH_PUBLIC_CLIENT',
      `The app registration does not accept sign-in from a desktop app (AADSTS${aadsts}): it is set up as a web app or public client flows are off.`,
      `Ask the administrator to register ${PUBLIC_CLIENT_REDIRECT_URI} under "Mobile and desktop applications" (not "Web") and to set "Allow public client flows" to Yes in the app registration's Authentication page.`,
      details,
      { redirectUri: PUBLIC_CLIENT_REDIRECT_URI, aadsts: String(aadsts) },
    );
  if (/authorization_declined|access_denied|user_cancelled|AADSTS65004/i.test(text))
    return authError('AUTH_DECLINED', 'The sign-in was cancelled or declined.', 'Press Sign in to try again.', details);
  if (/network|fetch failed|ECONN|ETIMEDOUT|ENOTFOUND|timeout/i.test(text)) {
    // Node names the host it could not reach ("getaddrinfo ENOTFOUND login.microsoftonline.com"): the technician needs
    // it.
    const host = /\b(?:ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)\s+([\w.-]+(?::\d+)?)/.exec(
      text,
    )?.[1];
    return authError(
      'AUTH_NETWORK',
      `The station could not reach the sign-in service${host ? ` (${host})` : ''}.`,
      "Check this bench's network, proxy and firewall, then sign in again.",
      details,
      host ? { authorityHost: host } : undefined,
    );
  }
  return authError(
    'AUTH_FAILED',
    `The sign-in failed${aadsts ? ` (AADSTS${aadsts})` : e?.errorCode ? ` (${e.errorCode})` : ''}.`,
    'Try again; if it keeps failing, give the code shown to your administrator.',
    details,
    aadsts ? { aadsts: String(aadsts) } : undefined,
  );
}

/**
 * Entra answered 5xx or 429 (status on msal's ServerError), or msal-node is holding requests back
 * after such an answer (its replayed error carries the first answer's words). Passing, not a sign-in problem.
 */
export function isSignInServiceBusy(err: unknown): boolean {
  const e = err as { status?: unknown; errorCode?: unknown; errorMessage?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.status === 'number' && e.status < 600 && isServiceTrouble(e.status)) return true;
  const text = `${typeof e.errorCode === 'string' ? e.errorCode : ''} ${typeof e.errorMessage === 'string' ? e.errorMessage : ''} ${typeof e.message === 'string' ? e.message : ''}`;
  return /server_error|temporarily_unavailable|service.?unavailable|internal.?server.?error|bad.?gateway|too.?many.?requests|AADSTS(90033|50196|90040)\b/i.test(
    text,
  );
}

/** msal-node holds token requests back this long after a 5xx/429 without Retry-After (its default). */
export const MSAL_HOLD_BACK_MS = 60_000;

/** What msal-node throws while it holds requests back: a ServerError with no code and no words. */
export function isMsalHoldBack(err: unknown): boolean {
  const e = err as { name?: unknown; errorCode?: unknown; errorMessage?: unknown } | null;
  return !!e && typeof e === 'object' && e.name === 'ServerError' && !e.errorCode && !e.errorMessage;
}

/** The sign-in service is busy: temporary, retried by the worker without troubling the technician. */
export function signInServiceBusy(): GraphFailure {
  return new GraphFailure({
    code: 'AUTH_SERVICE_UNAVAILABLE',
    message: 'The Microsoft sign-in service is not answering right now.',
    action:
      'Nothing to do: the station tries again by itself in a minute. If it lasts, check the Microsoft 365 service health page.',
    kind: 'unavailable',
    transient: true,
    retryAfterMs: 60_000,
  });
}

/** After a sign-in: the token is for another tenant than the one configured (an account's home tenant). */
export function wrongTenant(expected: string, actual: string): StationError {
  return authError(
    'AUTH_WRONG_TENANT',
    `This account signed in to the tenant ${actual}, not to the configured tenant ${expected}. The station signed out.`,
    `Sign in with an account of ${expected} (or one invited to it as a guest), or correct the tenant in settings if ${actual} is the right one.`,
    { expected, actual },
    { expected, actual },
  );
}

export const tenantRequired = () =>
  authError(
    'AUTH_TENANT_REQUIRED',
    'Sign-in needs the tenant: its id (GUID) or a verified domain.',
    'Enter the tenant id or domain (contoso.onmicrosoft.com) in settings; without it an account would sign in to its own home tenant.',
  );

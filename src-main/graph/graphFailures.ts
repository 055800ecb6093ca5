import { StationError } from '../contract/errors.ts';
import { GraphFailure, type GraphFailureKind } from './autopilotPort.ts';

export const AUTOPILOT_PERMISSION = 'DeviceManagementServiceConfig.ReadWrite.All';

export interface FailureContext {
  status?: number;
  requestId?: string;
  clientRequestId?: string;
  retryAfterMs?: number;
  /** The service's own error code and message, kept for support (never a token). */
  serviceCode?: string;
  serviceMessage?: string;
  /** What the station was doing, e.g. "importing 25 devices". */
  doing?: string | undefined;
  /** not-json: the host that answered and the Content-Type it gave. */
  host?: string;
  contentType?: string;
}

const TRANSIENT: ReadonlySet<GraphFailureKind> = new Set(['throttled', 'unavailable', 'network', 'not-json']);

function waitWords(ms: number | undefined): string {
  if (ms === undefined) return 'a few minutes';
  const s = Math.ceil(ms / 1000);
  return s < 90 ? `${s} seconds` : `${Math.ceil(s / 60)} minutes`;
}

/**
 * One place that turns a failure kind into words a technician understands and what to do next. Which kind an answer
 * is: graphAnswers.ts.
 */
export function graphFailure(kind: GraphFailureKind, ctx: FailureContext = {}): GraphFailure {
  const doing = ctx.doing ? ` while ${ctx.doing}` : '';
  const texts: Record<
    GraphFailureKind,
    { code: string; message: string; action: string; params?: Record<string, string> }
  > = {
    throttled: {
      code: 'GRAPH_THROTTLED',
      message: `Microsoft Graph asked the station to slow down${doing}.`,
      action: `Nothing to do: the station waits ${waitWords(ctx.retryAfterMs)} and tries again. If this keeps happening, another tool may be using the same app registration.`,
    },
    unavailable: {
      code: 'GRAPH_UNAVAILABLE',
      message: `The Intune service is not answering right now${doing}${ctx.status ? ` (HTTP ${ctx.status})` : ''}.`,
      action:
        'The station tries again later by itself. If it lasts, check the Microsoft 365 service health page and keep the request id for support.',
    },
    network: {
      code: 'GRAPH_NETWORK',
      message: `The station could not reach Microsoft Graph${doing}.`,
      action: "Check this bench's network cable, proxy and firewall; the station tries again when the network is back.",
    },
    'not-json': {
      code: 'GRAPH_NOT_JSON',
      message: `${ctx.host ?? 'The server'} answered${doing} with ${ctx.contentType || 'no content type'} instead of Microsoft Graph's JSON: a captive portal, proxy or web filter on this network answered in Microsoft's place.`,
      action:
        'Open a browser on this bench and complete any network sign-in page, or ask IT to let graph.microsoft.com through the proxy; the station checks what Intune received and continues by itself.',
      params: { host: ctx.host ?? '', contentType: ctx.contentType || '-' },
    },
    'sign-in-expired': {
      code: 'GRAPH_SIGN_IN_EXPIRED',
      message: 'The sign-in to the tenant has expired or was revoked.',
      action: 'Sign in again from the tenant screen; the queue waits meanwhile.',
    },
    'permission-missing': {
      code: 'GRAPH_PERMISSION_MISSING',
      message: `The account or app lacks the Microsoft Graph permission ${AUTOPILOT_PERMISSION}${doing}.`,
      action: `Ask an Intune administrator to grant ${AUTOPILOT_PERMISSION} (with admin consent) to the station's app registration, then sign in again.`,
    },
    'no-intune-licence': {
      code: 'GRAPH_NO_INTUNE_LICENCE',
      message: 'This tenant has no active Microsoft Intune licence, so Windows Autopilot is not available.',
      action:
        'Check that you signed in to the right tenant; otherwise ask the administrator to assign an Intune licence.',
    },
    'wrong-cloud': {
      code: 'GRAPH_WRONG_CLOUD',
      message: 'The tenant belongs to another Microsoft cloud than the one chosen in settings.',
      action: "Open settings, choose the tenant's cloud (Global, US Government L4/L5 or China) and sign in again.",
    },
    'not-found': {
      code: 'GRAPH_NOT_FOUND',
      message: `Intune has no such record${doing}.`,
      action: 'It may have been deleted in the admin centre; refresh and check the device there.',
    },
    'bad-request': {
      code: 'GRAPH_BAD_REQUEST',
      message: `Intune refused the request${doing}${ctx.serviceMessage ? `: ${ctx.serviceMessage.slice(0, 300)}` : ''}.`,
      action: "Check the device's data (serial, hash, group tag, user); keep the request id if you contact support.",
    },
    unknown: {
      code: 'GRAPH_FAILED',
      message: `Microsoft Graph answered with an unexpected error${doing}${ctx.status ? ` (HTTP ${ctx.status})` : ''}.`,
      action: 'Try again; if it persists, send the request id and client request id to support.',
    },
  };
  const t = texts[kind];
  const details: Record<string, unknown> = {};
  if (ctx.status !== undefined) details.status = ctx.status;
  if (ctx.requestId) details.requestId = ctx.requestId;
  if (ctx.clientRequestId) details.clientRequestId = ctx.clientRequestId;
  if (ctx.retryAfterMs !== undefined) details.retryAfterMs = ctx.retryAfterMs;
  if (ctx.serviceCode) details.serviceCode = ctx.serviceCode;
  if (ctx.serviceMessage) details.serviceMessage = ctx.serviceMessage.slice(0, 500);
  if (kind === 'permission-missing') details.permission = AUTOPILOT_PERMISSION;
  if (ctx.host) details.host = ctx.host;
  if (ctx.contentType !== undefined) details.contentType = ctx.contentType;
  return new GraphFailure({
    ...t,
    details,
    kind,
    transient: TRANSIENT.has(kind),
    ...(ctx.status !== undefined ? { status: ctx.status } : {}),
    ...(ctx.requestId ? { requestId: ctx.requestId } : {}),
    ...(ctx.clientRequestId ? { clientRequestId: ctx.clientRequestId } : {}),
    ...(ctx.retryAfterMs !== undefined ? { retryAfterMs: ctx.retryAfterMs } : {}),
  });
}

/**
 * A listing whose @odata.nextLink leads back to a page already read (not the known "last page links
 * to itself" case, which simply ends the listing): stopping beats 10,000 reads of the same pages.
 */
export function pagingLoopFailure(ctx: FailureContext & { pages?: number } = {}): GraphFailure {
  const doing = ctx.doing ? ` while ${ctx.doing}` : '';
  const details: Record<string, unknown> = { pages: ctx.pages ?? 0 };
  if (ctx.requestId) details.requestId = ctx.requestId;
  if (ctx.clientRequestId) details.clientRequestId = ctx.clientRequestId;
  return new GraphFailure({
    code: 'GRAPH_PAGING_LOOP',
    message: `Microsoft Graph kept sending pages the station had already read${doing}, so it stopped the listing after ${ctx.pages ?? 0} pages.`,
    action: 'Nothing to do: the station tries again later. If it lasts, send the request id to support.',
    params: { pages: ctx.pages ?? 0 },
    details,
    kind: 'unknown',
    transient: true,
    ...(ctx.requestId ? { requestId: ctx.requestId } : {}),
    ...(ctx.clientRequestId ? { clientRequestId: ctx.clientRequestId } : {}),
  });
}

/** Every request after GraphClient.close(), and those in flight when it was called. */
export function clientClosed(): StationError {
  return new StationError({
    code: 'GRAPH_CLIENT_CLOSED',
    message:
      'The station stopped talking to Microsoft Graph (the command reached its time limit or the station is closing).',
    action: 'Nothing to do: devices stay in the queue and are followed the next time the station runs.',
  });
}

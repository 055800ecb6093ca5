import type {
  CallInput,
  CallName,
  CallOutput,
  EventName,
  EventPayload,
  StationApi,
  StationBridge,
} from '../../src-main/contract/contract.ts';
import type { CallResult, StationErrorData } from '../../src-main/contract/errors.ts';
import type { QueueChanged } from '../../src-main/contract/types.ts';

/** The only module that knows whether the station is the Electron app or browser mode. */

export class ApiError extends Error implements StationErrorData {
  readonly code: string;
  readonly action?: string;
  readonly params?: Record<string, string | number>;
  readonly details?: Record<string, unknown>;
  constructor(data: StationErrorData) {
    super(data.message);
    this.code = data.code;
    if (data.action !== undefined) this.action = data.action;
    if (data.params !== undefined) this.params = data.params;
    if (data.details !== undefined) this.details = data.details;
  }
}

function unwrap<T>(result: CallResult<T>): T {
  if (result.ok) return result.value;
  throw new ApiError(result.error);
}

/**
 * Builds the typed api from one generic "call by name" function. A Proxy keeps the renderer free of
 * the contract's schemas (and of zod): names are checked by the type system here and by main at run time.
 */
function apiFrom(invoke: (name: string, input: unknown) => Promise<unknown>, on: StationApi['on']): StationApi {
  const cache = new Map<string, (input?: unknown) => Promise<unknown>>();
  return new Proxy({} as StationApi, {
    get(_target, prop) {
      if (prop === 'on') return on;
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      let fn = cache.get(prop);
      if (!fn) {
        fn = (input?: unknown) => invoke(prop, input ?? {});
        cache.set(prop, fn);
      }
      return fn;
    },
  });
}

/** Wraps window.station (the preload's bridge) so that failed calls throw ApiError. */
export function apiFromBridge(bridge: StationBridge): StationApi {
  const raw = bridge as unknown as Record<string, ((input: unknown) => Promise<CallResult<unknown>>) | undefined>;
  return apiFrom(async (name, input) => {
    const fn = raw[name];
    if (typeof fn !== 'function')
      throw new ApiError({ code: 'CALL_UNKNOWN', message: `The station has no call named "${name}".` });
    return unwrap(await fn(input));
  }, bridge.on);
}

/**
 * Browser mode: the same contract over loopback HTTP. The session is the HttpOnly cookie the station
 * set when its printed address was opened: the page never holds a token, and the browser sends the
 * cookie with every same-origin call and with the event stream.
 */
export function apiOverHttp(
  baseUrl: string,
  eventSourceCtor: typeof EventSource = EventSource,
  options: { reopenMs?: number } = {},
): StationApi {
  const reopenMs = options.reopenMs ?? 2000;
  const invoke = async (name: string, input: unknown) => {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/api/call/${name}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(input ?? {}),
      });
    } catch {
      throw new ApiError({
        code: 'STATION_UNREACHABLE',
        message: 'The station is not answering.',
        action: 'Check that the station is still running, then reload this page.',
      });
    }
    const body = (await response.json().catch(() => undefined)) as
      CallResult<unknown> | { error?: StationErrorData } | undefined;
    if (body && 'ok' in body) return unwrap(body);
    throw new ApiError(
      body?.error ?? { code: `HTTP_${response.status}`, message: `The station answered ${response.status}.` },
    );
  };
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let source: EventSource | undefined;
  let count = 0;
  const dispatch = (name: string, payload: unknown) => {
    for (const l of [...(listeners.get(name) ?? [])]) {
      try {
        l(payload);
      } catch (err) {
        // One screen failing on an event must not keep the others from hearing it.
        console.error('station event listener failed', {
          event: name,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  };
  const deliver = (message: MessageEvent) => {
    let data: { name?: unknown; payload?: unknown };
    try {
      data = JSON.parse(message.data as string) as { name?: unknown; payload?: unknown };
      if (typeof data !== 'object' || data === null || typeof data.name !== 'string') throw new Error('no event name');
    } catch (err) {
      // A frame we cannot read is reported, never thrown into the EventSource (that would stop nothing but hide the
      // cause).
      console.warn('station event ignored: not a station event', {
        error: err instanceof Error ? err.message : String(err),
        bytes: String(message.data).length,
      });
      return;
    }
    dispatch(data.name, data.payload);
  };
  // The stream drops when the station stops or restarts, and the EventSource reconnects by itself
  // seconds later. Whatever the station did in between (a restarted worker can finish a whole
  // batch before the stream is back) was never sent to this page: once the stream is back, the
  // queue is read again ("empty deviceIds means reload everything"), so no screen stays stale.
  // A restarted station refuses the last run's cookie (401), which ends an EventSource for good:
  // the stream is opened again every few seconds until a session of the new run exists.
  let dropped = false;
  let reopen: ReturnType<typeof setTimeout> | undefined;
  const openStream = () => {
    const opened = new eventSourceCtor(`${baseUrl}/api/events`);
    source = opened;
    opened.onmessage = deliver;
    opened.onerror = () => {
      dropped = true;
      if (opened.readyState === 2 /* CLOSED */ && source === opened && reopen === undefined) {
        reopen = setTimeout(() => {
          reopen = undefined;
          if (source === opened) openStream();
        }, reopenMs);
      }
    };
    opened.onopen = () => {
      if (!dropped || source !== opened) return;
      dropped = false;
      dispatch('queueChanged', { deviceIds: [], at: new Date().toISOString() } satisfies QueueChanged);
    };
  };
  const on = (name: string, listener: (payload: unknown) => void) => {
    if (!source) {
      dropped = false;
      openStream();
    }
    const set = listeners.get(name) ?? new Set();
    listeners.set(name, set);
    if (!set.has(listener)) {
      set.add(listener);
      count++;
    }
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      if (set.delete(listener)) count--;
      if (set.size === 0) listeners.delete(name);
      // Nobody listens any more: close the stream (the server forgets the client); the next on() opens a new one.
      if (count === 0 && source) {
        source.close();
        source = undefined;
        clearTimeout(reopen);
        reopen = undefined;
      }
    };
  };
  return apiFrom(invoke, on as StationApi['on']);
}

export function createApi(): StationApi {
  const bridge = (window as unknown as { station?: StationBridge }).station;
  if (bridge) return apiFromBridge(bridge);
  // Earlier versions printed #token=… and kept it in sessionStorage: neither is used any more.
  if (/(?:^#|&)token=/.test(window.location.hash))
    history.replaceState(null, '', window.location.pathname + window.location.search);
  sessionStorage.removeItem('station.sessionToken');
  return apiOverHttp(window.location.origin);
}

export type { StationApi, CallName, CallInput, CallOutput, EventName, EventPayload };

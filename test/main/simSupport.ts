import { Agent, fetch } from 'undici';
import type { Clock } from '../../src-main/kernel/clock.ts';

/** Helpers for the simulated tenant's own tests: a clock moved by hand, and HTTPS calls trusting the run's CA. */
export class ManualClock implements Clock {
  constructor(private t = Date.UTC(2026, 10, 23, 9, 0, 0)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.t += ms;
  }
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** A client bound to one sim: trusts its CA (never turns TLS checks off), sends a bearer token when given. */
export function simClient(caCertPem: string, baseUrl: string) {
  const dispatcher = new Agent({ connect: { ca: caCertPem } });
  let token: string | undefined;
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const res = await fetch(path.startsWith('http') ? path : `${baseUrl}${path}`, {
      method,
      dispatcher,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers as unknown as Headers, body: parsed };
  };
  return {
    dispatcher,
    setToken: (t: string | undefined) => void (token = t),
    get: (path: string, headers?: Record<string, string>) => call('GET', path, undefined, headers),
    post: (path: string, body?: unknown, headers?: Record<string, string>) => call('POST', path, body ?? {}, headers),
    del: (path: string) => call('DELETE', path),
    call,
    close: () => dispatcher.close(),
  };
}

/** msal-node's network module over undici with the sim's CA: the client's own option, msal itself unmodified. */
export function caNetworkClient(caCertPem: string) {
  const dispatcher = new Agent({ connect: { ca: caCertPem } });
  const send = async (url: string, method: string, options?: { headers?: Record<string, string>; body?: string }) => {
    const res = await fetch(url, {
      method,
      dispatcher,
      headers: options?.headers ?? {},
      ...(options?.body !== undefined ? { body: options.body } : {}),
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    const text = await res.text();
    return { headers, status: res.status, body: (text ? JSON.parse(text) : {}) as never };
  };
  return {
    dispatcher,
    sendGetRequestAsync: (url: string, options?: { headers?: Record<string, string> }) => send(url, 'GET', options),
    sendPostRequestAsync: (url: string, options?: { headers?: Record<string, string>; body?: string }) =>
      send(url, 'POST', options),
  };
}

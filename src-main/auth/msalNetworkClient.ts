import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import type { FetchLike } from '../net/networkPort.ts';

/**
 * msal-node's network port on the station's network port (net/networkPort.ts), so sign-in goes
 * where Graph goes: the same proxy, the same trusted roots (and a simulated tenant's CA). Same
 * contract as msal's own HttpClient: JSON body, lower-case headers, status; network failures throw.
 * Without a fetch: Node's global fetch (tests of msal's own behaviour only).
 */
export class MsalNetworkClient implements INetworkModule {
  constructor(private readonly fetchImpl: FetchLike = globalThis.fetch as FetchLike) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>(url, 'GET', options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>(url, 'POST', options);
  }

  private async send<T>(
    url: string,
    method: 'GET' | 'POST',
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    const init: RequestInit = {
      method,
      headers: options?.headers ?? {},
      signal: AbortSignal.timeout(timeout ?? 60_000),
    };
    if (method === 'POST') init.body = options?.body ?? '';
    const response = await this.fetchImpl(url, init);
    const headers: Record<string, string> = {};
    response.headers.forEach((v, k) => {
      headers[k] = v;
    });
    const text = await response.text();
    let body: T;
    try {
      body = JSON.parse(text) as T;
    } catch {
      throw new Error(`The sign-in service answered HTTP ${response.status} with something that is not JSON`);
    }
    return { headers, body, status: response.status };
  }
}

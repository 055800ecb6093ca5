/**
 * The station's one network port: every request to Microsoft (Graph, msal-node's sign-in, the
 * connection check) and to a simulated tenant goes through a `NetworkPort`. Two adapters:
 * `electronNetwork.ts` (Chromium's stack through Electron's `net.fetch`: the system proxy, PAC/WPAD,
 * proxy authentication, the Windows certificate store) and `nodeNetwork.ts` (the command line and
 * browser mode: HTTPS_PROXY/HTTP_PROXY/NO_PROXY, the system CA store and the admin's CA file).
 * Types only: this file imports nothing, so services can name it without pulling in an adapter.
 */

/** `fetch` as the station uses it (WHATWG fetch: a Response for every HTTP answer; network failures reject). */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** How a URL is reached: straight to the host, or through a proxy named without its credentials. */
export type NetworkRoute = { kind: 'direct' } | { kind: 'proxy'; proxy: string };

/** The report of one reachability probe (DNS, TCP, TLS, or a request through the stack). */
export type HostProbe =
  | { status: 'ok'; host: string; port: number; address: string; ms: number; via: string }
  | { status: 'dns'; host: string; port: number; reason: string; via: string }
  | { status: 'tcp'; host: string; port: number; address: string; reason: string; via: string }
  | {
      status: 'tls-untrusted';
      host: string;
      port: number;
      address: string;
      reason: string;
      issuer: string;
      via: string;
    }
  | { status: 'tls'; host: string; port: number; address: string; reason: string; via: string }
  /** The proxy could not be reached, refused the tunnel (status), or wants credentials (407). */
  | { status: 'proxy'; host: string; port: number; proxy: string; reason: string; httpStatus?: number; via: string };

export interface NetworkPort {
  /** Which stack answers: Chromium's (Electron app) or Node's (command line, browser mode). */
  readonly stack: 'electron' | 'node';
  readonly fetch: FetchLike;
  /** The route `url` takes (PAC decides per URL in Electron; NO_PROXY in Node). Never carries credentials. */
  route(url: string): Promise<NetworkRoute>;
  /** Can this bench reach `url`'s host over this stack: nothing but a handshake (or a HEAD) is sent. */
  probe(url: string, timeoutMs: number): Promise<HostProbe>;
  /** Closes idle connections (Node); nothing in Electron. */
  close(): Promise<void>;
}

/** 'direct' or the proxy's origin: what the connection check and the logs show. */
export function routeWords(route: NetworkRoute): string {
  return route.kind === 'direct' ? 'direct' : route.proxy;
}

/**
 * Builds the ports a tenant session needs. `tenant` reaches Microsoft's hosts (a real tenant);
 * `simulated` reaches a simulated tenant and trusts its CA for that connection only: `local` is the
 * training tenant inside this process on loopback (always direct: no proxy can reach this machine's
 * loopback), `remote` a classroom's shared simulator (through the proxy unless NO_PROXY says not).
 */
export interface NetworkFactory {
  tenant(options?: { caFilePem?: string }): NetworkPort;
  simulated(caPem: string, where: 'local' | 'remote'): NetworkPort;
}

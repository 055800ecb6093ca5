import type { Session } from 'electron';
import type { FetchLike, HostProbe, NetworkPort, NetworkRoute } from './networkPort.ts';

/** What the adapter needs of an Electron session (main.ts passes a real one; types only here). */
export type NetworkSession = Pick<Session, 'fetch' | 'resolveProxy'>;

/**
 * The Electron adapter of the network port: Chromium's network stack through `session.fetch`
 * (Electron's `net.fetch` for one session), so Graph and sign-in use what the bench's browser uses:
 * the system proxy settings, PAC/WPAD, proxy authentication (Windows integrated sign-in), and the
 * Windows certificate store (a TLS-inspection root that Intune or Group Policy pushed is trusted).
 * `route` is the session's `resolveProxy` (PAC evaluated for that URL). Only usable inside Electron.
 * Sources: https://www.electronjs.org/docs/latest/api/net#netfetchinput-init,
 * https://www.electronjs.org/docs/latest/api/session#sesresolveproxyurl
 */
export function createElectronNetwork(session: NetworkSession): NetworkPort {
  const fetch: FetchLike = (url, init) => session.fetch(url, init);
  const route = async (url: string): Promise<NetworkRoute> => routeOfPac(await session.resolveProxy(url));
  return {
    stack: 'electron',
    fetch,
    route,
    probe: async (url, timeoutMs) => {
      const u = new URL(url);
      const host = u.hostname.replace(/^\[|\]$/g, '');
      const port = Number(u.port || (u.protocol === 'http:' ? 80 : 443));
      const r = await route(url).catch((): NetworkRoute => ({ kind: 'direct' }));
      const via = r.kind === 'direct' ? 'direct' : r.proxy;
      const started = Date.now();
      try {
        // Any HTTP answer means DNS, the proxy, TCP and TLS all worked; the body is not read.
        const res = await session.fetch(`${u.origin}/`, {
          method: 'HEAD',
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        void res.body?.cancel().catch(() => {});
        return {
          status: 'ok',
          host,
          port,
          address: via === 'direct' ? host : `${host} via ${via}`,
          ms: Date.now() - started,
          via,
        };
      } catch (err) {
        return probeOfChromiumError(host, port, via, err);
      }
    },
    close: async () => {},
  };
}

/** The first entry of a PAC answer ("PROXY p:3128; DIRECT") as a route; proxies named by origin. */
export function routeOfPac(pac: string): NetworkRoute {
  const first = pac.split(';')[0]?.trim() ?? '';
  const m = /^(PROXY|HTTPS|SOCKS5?|SOCKS4|QUIC)\s+(\S+)$/i.exec(first);
  if (!m) return { kind: 'direct' };
  const scheme =
    { PROXY: 'http', HTTPS: 'https', SOCKS: 'socks4', SOCKS4: 'socks4', SOCKS5: 'socks5', QUIC: 'quic' }[
      m[1]!.toUpperCase()
    ] ?? 'http';
  return { kind: 'proxy', proxy: `${scheme}://${m[2]}` };
}

/** Reads Chromium's net error name (net::ERR_…) from a failed `net.fetch` as a probe result. */
export function probeOfChromiumError(host: string, port: number, via: string, err: unknown): HostProbe {
  const text = `${(err as Error)?.message ?? ''} ${String((err as { cause?: unknown })?.cause ?? '')}`;
  const reason =
    /ERR_[A-Z_]+/.exec(text)?.[0] ??
    (/timeout|abort/i.test(text) ? 'ETIMEDOUT' : text.trim().slice(0, 120) || 'failed');
  const address = via === 'direct' ? host : `${host} via ${via}`;
  if (/^ERR_(PROXY|TUNNEL)_|^ERR_MANDATORY_PROXY/.test(reason))
    return {
      status: 'proxy',
      host,
      port,
      proxy: via,
      reason,
      ...(reason === 'ERR_PROXY_AUTH_UNSUPPORTED' || reason === 'ERR_PROXY_AUTH_REQUESTED' ? { httpStatus: 407 } : {}),
      via,
    };
  if (reason === 'ERR_NAME_NOT_RESOLVED' || reason === 'ERR_NAME_RESOLUTION_FAILED')
    return { status: 'dns', host, port, reason, via };
  if (reason.startsWith('ERR_CERT_'))
    return {
      status: 'tls-untrusted',
      host,
      port,
      address,
      reason,
      issuer: 'unknown (see the certificate in a browser on this bench)',
      via,
    };
  if (reason.startsWith('ERR_SSL_') || reason === 'ERR_BAD_SSL_CLIENT_AUTH_CERT')
    return { status: 'tls', host, port, address, reason, via };
  return { status: 'tcp', host, port, address, reason, via };
}

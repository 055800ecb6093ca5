import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { HostProbe } from './networkPort.ts';
import { proxyLabel } from './proxyEnv.ts';

export type { HostProbe } from './networkPort.ts';

/**
 * Can this bench reach a host over Node's stack: DNS, then TCP (to the host, or to the proxy and an
 * HTTP CONNECT tunnel through it, with the proxy URL's Basic credentials), then a TLS handshake
 * checked against `ca` (the port's trusted roots: system store, bundled roots, admin CA file; Node's
 * bundled roots when not given). Nothing is sent over the connection: it is closed as soon as the
 * handshake says who answered, so a certificate that does not verify is only looked at, never
 * trusted. The result's `via` is 'direct' or the proxy's origin (never its credentials).
 */
export async function probeHost(
  url: string,
  options: { ca?: readonly string[]; timeoutMs?: number; proxy?: URL } = {},
): Promise<HostProbe> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || (u.protocol === 'http:' ? 80 : 443));
  const timeoutMs = options.timeoutMs ?? 10_000;
  const started = Date.now();
  const proxy = options.proxy;
  const via = proxy ? proxyLabel(proxy) : 'direct';
  // Through a proxy the bench resolves and connects to the proxy only: the proxy resolves the host.
  const dialHost = proxy ? proxy.hostname.replace(/^\[|\]$/g, '') : host;
  const dialPort = proxy ? Number(proxy.port || (proxy.protocol === 'https:' ? 443 : 80)) : port;

  let address: string;
  try {
    address = net.isIP(dialHost) ? dialHost : (await withTimeout(lookup(dialHost), timeoutMs, 'ETIMEOUT')).address;
  } catch (err) {
    if (proxy)
      return {
        status: 'proxy',
        host,
        port,
        proxy: via,
        reason: `the proxy's name does not resolve (${codeOf(err)})`,
        via,
      };
    return { status: 'dns', host, port, reason: codeOf(err), via };
  }

  let socket: net.Socket;
  try {
    socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: address, port: dialPort });
      s.setTimeout(timeoutMs, () => s.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
  } catch (err) {
    if (proxy)
      return { status: 'proxy', host, port, proxy: via, reason: `the proxy does not answer (${codeOf(err)})`, via };
    return { status: 'tcp', host, port, address, reason: codeOf(err), via };
  }
  if (proxy) {
    if (proxy.protocol === 'https:') {
      // An https:// proxy: TLS to the proxy first (checked against the same roots).
      try {
        socket = await tlsTo(socket, proxy.hostname, options.ca, timeoutMs);
      } catch (err) {
        socket.destroy();
        return { status: 'proxy', host, port, proxy: via, reason: `TLS to the proxy failed (${codeOf(err)})`, via };
      }
    }
    const tunnel = await connectTunnel(socket, proxy, `${net.isIPv6(host) ? `[${host}]` : host}:${port}`, timeoutMs);
    if (tunnel !== 200) {
      socket.destroy();
      const reason =
        tunnel === 407
          ? 'the proxy wants credentials (HTTP 407)'
          : typeof tunnel === 'number'
            ? `the proxy refused the tunnel (HTTP ${tunnel})`
            : tunnel;
      return {
        status: 'proxy',
        host,
        port,
        proxy: via,
        reason,
        ...(typeof tunnel === 'number' ? { httpStatus: tunnel } : {}),
        via,
      };
    }
    address = `${host} via ${via}`;
  }
  if (u.protocol === 'http:') {
    socket.destroy();
    return { status: 'ok', host, port, address, ms: Date.now() - started, via };
  }

  return new Promise<HostProbe>((resolve) => {
    const secure = tls.connect({
      socket,
      // `host` is what the certificate must name (without it Node checks against "localhost").
      host,
      ...(net.isIP(host) ? {} : { servername: host }),
      ...(options.ca ? { ca: [...options.ca] } : {}),
      // Looked at, not trusted: the verdict is read from `authorized` below and nothing is ever sent.
      rejectUnauthorized: false,
    });
    const done = (r: HostProbe) => {
      secure.destroy();
      socket.destroy();
      resolve(r);
    };
    secure.setTimeout(timeoutMs, () => done({ status: 'tls', host, port, address, reason: 'ETIMEDOUT', via }));
    secure.once('error', (err) => done({ status: 'tls', host, port, address, reason: codeOf(err), via }));
    secure.once('secureConnect', () => {
      const cert = secure.getPeerCertificate(true);
      const identity =
        cert && Object.keys(cert).length ? tls.checkServerIdentity(host, cert) : new Error('no certificate');
      if (secure.authorized && !identity) {
        done({ status: 'ok', host, port, address, ms: Date.now() - started, via });
        return;
      }
      const reason = secure.authorizationError
        ? String(secure.authorizationError)
        : (identity?.message ?? 'not trusted');
      done({ status: 'tls-untrusted', host, port, address, reason, issuer: rootIssuer(cert), via });
    });
  });
}

/** The name of the certificate chain's top issuer: what an intercepting proxy calls itself. */
function rootIssuer(cert: tls.DetailedPeerCertificate | undefined): string {
  let c = cert;
  for (let i = 0; c && i < 10 && c.issuerCertificate && c.issuerCertificate !== c; i++) c = c.issuerCertificate;
  const issuer = (c?.issuer ?? cert?.issuer) as Record<string, string | string[]> | undefined;
  const name = issuer?.CN ?? issuer?.O;
  return (Array.isArray(name) ? name[0] : name) ?? 'unknown';
}

function codeOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  return typeof e?.code === 'string' ? e.code : typeof e?.message === 'string' ? e.message.slice(0, 120) : String(err);
}

function withTimeout<T>(p: Promise<T>, ms: number, code: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(Object.assign(new Error('timed out'), { code })), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e)),
    );
  });
}

/** TLS to an https:// proxy, verified against the same roots. */
function tlsTo(
  socket: net.Socket,
  servername: string,
  ca: readonly string[] | undefined,
  timeoutMs: number,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({
      socket,
      host: servername,
      ...(net.isIP(servername) ? {} : { servername }),
      ...(ca ? { ca: [...ca] } : {}),
    });
    s.setTimeout(timeoutMs, () => s.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    s.once('secureConnect', () => resolve(s));
    s.once('error', reject);
  });
}

/**
 * Asks the proxy for a tunnel: `CONNECT host:port`, with Basic credentials when the proxy URL has
 * them. Resolves with the proxy's HTTP status, or a reason when it answered nothing readable.
 */
function connectTunnel(socket: net.Socket, proxy: URL, authority: string, timeoutMs: number): Promise<number | string> {
  return new Promise((resolve) => {
    const auth =
      proxy.username || proxy.password
        ? `Proxy-Authorization: Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}\r\n`
        : '';
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => finish('the proxy did not answer the tunnel request (ETIMEDOUT)'), timeoutMs);
    const finish = (r: number | string) => {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('end', onEnd);
      resolve(r);
    };
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 16_384) finish('the proxy answered something that is not HTTP');
        return;
      }
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString('latin1'))?.[1];
      // Bytes after the header belong to the tunnel (none before our ClientHello): put them back.
      if (head.length > end + 4) socket.unshift(head.subarray(end + 4));
      finish(status ? Number(status) : 'the proxy answered something that is not HTTP');
    };
    const onError = (err: unknown) => finish(`the proxy closed the connection (${codeOf(err)})`);
    const onEnd = () => finish('the proxy closed the connection');
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('end', onEnd);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`);
  });
}

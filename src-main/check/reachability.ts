import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls, { rootCertificates } from 'node:tls';

/**
 * Can this bench reach a host: DNS, then TCP, then a TLS handshake checked against the trusted roots
 * (plus the simulated tenant's CA when given). Nothing is sent over the connection: it is closed as
 * soon as the handshake says who answered, so a certificate that does not verify is only looked at,
 * never trusted.
 */
export type HostProbe =
  | { status: 'ok'; host: string; port: number; address: string; ms: number }
  | { status: 'dns'; host: string; port: number; reason: string }
  | { status: 'tcp'; host: string; port: number; address: string; reason: string }
  | { status: 'tls-untrusted'; host: string; port: number; address: string; reason: string; issuer: string }
  | { status: 'tls'; host: string; port: number; address: string; reason: string };

export async function probeHost(url: string, options: { caCertPem?: string; timeoutMs?: number } = {}): Promise<HostProbe> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || (u.protocol === 'http:' ? 80 : 443));
  const timeoutMs = options.timeoutMs ?? 10_000;
  const started = Date.now();

  let address: string;
  try {
    address = net.isIP(host) ? host : (await withTimeout(lookup(host), timeoutMs, 'ETIMEOUT')).address;
  } catch (err) {
    return { status: 'dns', host, port, reason: codeOf(err) };
  }

  let socket: net.Socket;
  try {
    socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: address, port });
      s.setTimeout(timeoutMs, () => s.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
  } catch (err) {
    return { status: 'tcp', host, port, address, reason: codeOf(err) };
  }
  if (u.protocol === 'http:') {
    socket.destroy();
    return { status: 'ok', host, port, address, ms: Date.now() - started };
  }

  return new Promise<HostProbe>((resolve) => {
    const secure = tls.connect({
      socket,
      ...(net.isIP(host) ? {} : { servername: host }),
      ...(options.caCertPem ? { ca: [...rootCertificates, options.caCertPem] } : {}),
      // Looked at, not trusted: the verdict is read from `authorized` below and nothing is ever sent.
      rejectUnauthorized: false,
    });
    const done = (r: HostProbe) => {
      secure.destroy();
      socket.destroy();
      resolve(r);
    };
    secure.setTimeout(timeoutMs, () => done({ status: 'tls', host, port, address, reason: 'ETIMEDOUT' }));
    secure.once('error', (err) => done({ status: 'tls', host, port, address, reason: codeOf(err) }));
    secure.once('secureConnect', () => {
      const cert = secure.getPeerCertificate(true);
      const identity = cert && Object.keys(cert).length ? tls.checkServerIdentity(host, cert) : new Error('no certificate');
      if (secure.authorized && !identity) {
        done({ status: 'ok', host, port, address, ms: Date.now() - started });
        return;
      }
      const reason = secure.authorizationError ? String(secure.authorizationError) : (identity?.message ?? 'not trusted');
      done({ status: 'tls-untrusted', host, port, address, reason, issuer: rootIssuer(cert) });
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

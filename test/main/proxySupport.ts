import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import {
  createTestCa,
  issueServerCertificate,
  type IssuedCertificate,
  type TestCa,
} from '../../src-main/sim/testCertificates.ts';

/** What a test proxy saw: each CONNECT's authority, the credentials it was sent (decoded), and its answer. */
export interface ProxyLog {
  connects: { authority: string; credentials: string | undefined; status: number }[];
}

export interface TestProxy {
  /** http://127.0.0.1:PORT (no credentials). */
  url: string;
  port: number;
  log: ProxyLog;
  /** The inspecting proxy's CA (PEM): what an admin gives the station as its CA file. */
  caCertPem?: string;
  close(): Promise<void>;
}

/**
 * A corporate HTTP proxy on loopback: answers CONNECT (the only method browsers and undici use for
 * https), optionally requiring Basic credentials (407 with Proxy-Authenticate without them), then
 * either pipes the bytes to the target (a tunnelling proxy) or, with `intercept`, terminates TLS
 * with a certificate for the target host issued on the fly by its own CA (node-forge, via the
 * simulator's test certificates) and re-originates TLS to the target trusting `intercept.upstreamCa`,
 * as a TLS-inspecting proxy does. Plain HTTP requests through it are refused (405).
 */
export async function startTestProxy(
  o: { credentials?: { user: string; password: string }; intercept?: { upstreamCa: string; caName?: string } } = {},
): Promise<TestProxy> {
  const log: ProxyLog = { connects: [] };
  const ca: TestCa | undefined = o.intercept
    ? createTestCa(o.intercept.caName ?? 'Contoso TLS Inspection CA')
    : undefined;
  const issued = new Map<string, IssuedCertificate>();
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => {
    res.writeHead(405).end();
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const authority = req.url ?? '';
    const header = req.headers['proxy-authorization'];
    const credentials = header?.startsWith('Basic ')
      ? Buffer.from(header.slice(6), 'base64').toString('utf8')
      : undefined;
    const wanted = o.credentials ? `${o.credentials.user}:${o.credentials.password}` : undefined;
    if (wanted !== undefined && credentials !== wanted) {
      log.connects.push({ authority, credentials, status: 407 });
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="contoso"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
      );
      return;
    }
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(authority);
    if (!m) {
      log.connects.push({ authority, credentials, status: 400 });
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const host = m[1]!.replace(/^\[|\]$/g, '');
    const port = Number(m[2]);
    log.connects.push({ authority, credentials, status: 200 });
    if (!ca) {
      const upstream = net.connect(port, host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
      return;
    }
    let cert = issued.get(host);
    if (!cert) {
      cert = issueServerCertificate(ca, net.isIP(host) ? { dns: [], ips: [host] } : { dns: [host], ips: [] });
      issued.set(host, cert);
    }
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) client.unshift(head);
    const inner = new tls.TLSSocket(client, {
      isServer: true,
      cert: cert.certPem + ca.certPem,
      key: cert.keyPem,
      ALPNProtocols: ['http/1.1'],
    });
    inner.on('error', () => client.destroy());
    inner.once('secure', () => {
      // Inspected: the proxy reads the plain bytes and sends them on over its own TLS connection.
      const upstream = tls.connect({
        host,
        port,
        ca: o.intercept!.upstreamCa,
        ...(net.isIP(host) ? {} : { servername: host }),
        ALPNProtocols: ['http/1.1'],
      });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.on('error', () => inner.destroy());
      upstream.once('secureConnect', () => {
        upstream.pipe(inner);
        inner.pipe(upstream);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    ...(ca ? { caCertPem: ca.certPem } : {}),
    close: async () => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

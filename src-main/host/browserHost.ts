import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { CONTENT_SECURITY_POLICY } from '../kernel/csp.ts';
import type { EventBus } from '../kernel/eventBus.ts';
import type { Logger } from '../kernel/logger.ts';
import { StationError } from '../contract/errors.ts';
import type { Dispatch } from '../ipc/dispatch.ts';
import { staticMimeType } from '../kernel/staticMime.ts';

export interface BrowserHostOptions {
  dispatch: Dispatch;
  bus: EventBus;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  logger: Logger;
  /** Only loopback addresses are accepted. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  maxBodyBytes?: number;
  /** Cookie sessions kept at once (a page load through the printed link makes one); the oldest go first. */
  maxSessions?: number;
}

export interface BrowserHost {
  /**
   * The address to open: `http://127.0.0.1:PORT/?token=…`. Opening it exchanges the token for an
   * HttpOnly SameSite=Strict session cookie and redirects to the bare address, so the page never
   * holds the token and the address bar shows none. A new token at every start: an address from an
   * earlier run opens nothing.
   */
  url: string;
  origin: string;
  port: number;
  /** This run's launch token; also accepted as `Authorization: Bearer` by programs (tests, scripts). */
  token: string;
  close(): Promise<void>;
}

/** The session cookie's name: one per port, so two stations on one computer do not replace each other's. */
export function sessionCookieName(port: number): string {
  return `station_session_${port}`;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1']);

export function assertLoopbackHost(host: string): void {
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new StationError({
      code: 'HOST_NOT_LOOPBACK',
      message: `Browser mode only listens on this computer (127.0.0.1 or ::1), not on "${host}".`,
      action: 'Start it without a host option; open the printed URL on this computer.',
    });
  }
}

/**
 * Browser mode: the built renderer and the contract over loopback HTTP. Every call needs a session
 * of this run (401 SESSION_TOKEN_MISSING otherwise): the HttpOnly SameSite=Strict cookie that opening
 * `url` sets (GET /?token=… → 303 to /), or `Authorization: Bearer <token>` from a program. The
 * token is new at every start and never written to disk, so neither an address in the browser's
 * history nor a cookie of an earlier run opens anything. Host must name the loopback address (403:
 * DNS rebinding) and Origin, when sent, must be this server (403: other sites in the same browser).
 */
export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const bindHost = options.host ?? '127.0.0.1';
  assertLoopbackHost(bindHost);
  // New at every start, never persisted: a restart ends every session of the last run.
  const token = randomBytes(32).toString('base64url');
  const tokenBytes = Buffer.from(token);
  /** Cookie session ids of this run, oldest first. */
  const sessions = new Set<string>();
  const maxSessions = options.maxSessions ?? 256;
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const staticRoot = path.resolve(options.staticDir);
  const sseClients = new Set<http.ServerResponse>();
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const allowedOrigins = () => new Set([...allowedHosts()].map((h) => `http://${h}`));

  const tokenOk = (candidate: string | undefined): boolean => {
    if (!candidate) return false;
    const given = Buffer.from(candidate);
    return given.length === tokenBytes.length && timingSafeEqual(given, tokenBytes);
  };
  // Session ids are 256 random bits: a Set lookup leaks nothing a guess could use.
  const sessionOk = (req: http.IncomingMessage): boolean => {
    const id = cookieValue(req.headers.cookie, sessionCookieName(port));
    return id !== undefined && sessions.has(id);
  };
  const newSession = (): string => {
    const id = randomBytes(32).toString('base64url');
    sessions.add(id);
    if (sessions.size > maxSessions) sessions.delete(sessions.values().next().value!);
    return id;
  };

  // Refused requests are logged (who probes the station matters to the admin), at most 20 a minute
  // so that a local process hammering the port cannot fill the disk with log lines.
  const refusals = refusalLog(options.logger.child({ host: 'browser' }));

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      options.logger.error('browser host request failed', { error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent)
        sendJson(res, 500, { error: { code: 'INTERNAL', message: 'The station could not answer this request.' } });
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    baseHeaders(res);
    if (!allowedHosts().has(req.headers.host ?? '')) {
      refusals.note('HOST_REFUSED', req);
      return sendJson(res, 403, {
        error: { code: 'HOST_REFUSED', message: 'This address is not allowed to reach the station.' },
      });
    }
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const origin = req.headers.origin;
    const originOk = origin === undefined || allowedOrigins().has(origin);
    // Browsers mark cross-site requests; refuse them even when a page forgot to send Origin.
    const site = req.headers['sec-fetch-site'];
    const siteOk = site === undefined || site === 'same-origin' || site === 'none';

    if (url.pathname.startsWith('/api/')) {
      res.setHeader('Cache-Control', 'no-store');
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!sessionOk(req) && !tokenOk(bearer)) {
        refusals.note('SESSION_TOKEN_MISSING', req);
        return sendJson(res, 401, {
          error: {
            code: 'SESSION_TOKEN_MISSING',
            message:
              'This page has no session of this station run (the station may have restarted). Open the address the station printed.',
          },
        });
      }
      if (!originOk || !siteOk) {
        refusals.note('ORIGIN_REFUSED', req);
        return sendJson(res, 403, {
          error: { code: 'ORIGIN_REFUSED', message: 'Requests from other web pages are refused.' },
        });
      }
      if (url.pathname === '/api/events' && req.method === 'GET') return openEventStream(res);
      const callName = /^\/api\/call\/([A-Za-z][A-Za-z0-9]*)$/.exec(url.pathname)?.[1];
      if (callName && req.method === 'POST') {
        if (origin === undefined) {
          // Every browser sends Origin on POST; a missing one is not our renderer.
          refusals.note('ORIGIN_REFUSED', req);
          return sendJson(res, 403, {
            error: { code: 'ORIGIN_REFUSED', message: 'Requests without an Origin are refused.' },
          });
        }
        const body = await readBody(req, maxBody);
        if (body === 'too-large') {
          return sendJson(res, 413, {
            error: {
              code: 'BODY_TOO_LARGE',
              message: `The request is larger than ${Math.round(maxBody / 1048576)} MB.`,
            },
          });
        }
        let input: unknown;
        try {
          input = body.length ? JSON.parse(body.toString('utf8')) : {};
        } catch {
          return sendJson(res, 400, {
            ok: false,
            error: { code: 'INPUT_NOT_JSON', message: 'The request body is not valid JSON.' },
          });
        }
        return sendJson(res, 200, await options.dispatch(callName, input));
      }
      return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'No such station endpoint.' } });
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'Only GET is served here.' } });
    }
    if (url.searchParams.has('token')) {
      // The printed address: its token becomes a cookie the page's scripts cannot read, and the
      // address bar (and what the browser keeps of this page) goes back to the bare origin.
      res.setHeader('Cache-Control', 'no-store');
      if (tokenOk(url.searchParams.get('token') ?? undefined) && originOk && siteOk) {
        res.setHeader('Set-Cookie', `${sessionCookieName(port)}=${newSession()}; HttpOnly; SameSite=Strict; Path=/`);
      } else {
        refusals.note('SESSION_TOKEN_MISSING', req);
      }
      res.writeHead(303, { Location: '/', 'Content-Length': 0 });
      res.end();
      return;
    }
    return serveStatic(url.pathname, res);
  }

  function openEventStream(res: http.ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    sseClients.add(res);
    res.on('close', () => sseClients.delete(res));
  }

  const unsubscribe = options.bus.subscribe((name, payload) => {
    const frame = `data: ${JSON.stringify({ name, payload })}\n\n`;
    for (const client of sseClients) client.write(frame);
  });
  const heartbeat = setInterval(() => {
    for (const client of sseClients) client.write(': keep-alive\n\n');
  }, 15_000);
  heartbeat.unref();

  async function serveStatic(pathname: string, res: http.ServerResponse): Promise<void> {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return sendJson(res, 400, {
        error: { code: 'BAD_PATH', message: 'This address is not a valid path (broken % encoding).' },
      });
    }
    if (rel === '/' || rel === '') rel = '/index.html';
    const file = path.resolve(staticRoot, `.${rel}`);
    if (!file.startsWith(staticRoot + path.sep)) {
      return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'Not found.' } });
    }
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile()) {
      if (rel === '/index.html') {
        res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('The screens are not built yet. Run "npm run build:renderer" and reload.');
        return;
      }
      return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'Not found.' } });
    }
    res.writeHead(200, {
      'Content-Type': staticMimeType(file),
      'Content-Length': stat.size,
      'Cache-Control': rel === '/index.html' ? 'no-store' : 'max-age=300',
    });
    createReadStream(file).pipe(res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, bindHost, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const hostForUrl = bindHost === '::1' ? '[::1]' : bindHost;
  const origin = `http://${hostForUrl}:${port}`;

  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    close: async () => {
      unsubscribe();
      clearInterval(heartbeat);
      sessions.clear();
      for (const client of sseClients) client.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The value of cookie `name` in a Cookie header, if present. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Logs refused requests without their secrets (the token never appears: only the path is kept). */
export function refusalLog(logger: Logger, perMinute = 20, now: () => number = Date.now) {
  let windowStart = now();
  let inWindow = 0;
  let dropped = 0;
  return {
    note(code: string, req: Pick<http.IncomingMessage, 'method' | 'url' | 'headers'>): void {
      const t = now();
      if (t - windowStart >= 60_000) {
        if (dropped > 0) logger.warn('browser requests refused (not logged one by one)', { count: dropped });
        windowStart = t;
        inWindow = 0;
        dropped = 0;
      }
      if (++inWindow > perMinute) {
        dropped++;
        return;
      }
      logger.warn('browser request refused', {
        code,
        method: req.method,
        path: (req.url ?? '').split('?')[0]!.slice(0, 120),
        host: String(req.headers.host ?? '').slice(0, 120),
        origin: String(req.headers.origin ?? '').slice(0, 120),
      });
    },
  };
}

function baseHeaders(res: http.ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

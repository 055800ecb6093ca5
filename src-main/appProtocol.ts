import path from 'node:path';
import { promises as fs } from 'node:fs';
import { CONTENT_SECURITY_POLICY } from './kernel/csp.ts';
import { staticMimeType } from './kernel/staticMime.ts';

/** Sent with every answer, files and refusals alike. */
const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

const notFound = () =>
  new Response('Not found', {
    status: 404,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
  });

/**
 * Serves the built renderer for app://station/... from one folder, with the CSP as a header.
 * Only GET/HEAD on host "station"; anything outside the folder (.., encoded separators, drive
 * letters, NUL), another host, a folder or a missing file is a 404. Nothing is listed.
 */
export function createAppProtocolHandler(rendererDir: string) {
  const root = path.resolve(rendererDir);
  return async (request: Request): Promise<Response> => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return notFound();
    }
    if (url.protocol !== 'app:' || url.host !== 'station' || url.username || url.password || url.port)
      return notFound();
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return new Response(null, { status: 405, headers: { ...SECURITY_HEADERS, Allow: 'GET, HEAD' } });
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      return notFound();
    }
    if (rel.includes('\0') || rel.includes('\\') || /(^|\/)\.\.(\/|$)/.test(rel) || /^\/?[A-Za-z]:/.test(rel))
      return notFound();
    if (rel === '/' || rel === '') rel = '/index.html';
    const file = path.resolve(root, `.${rel}`);
    if (!file.startsWith(root + path.sep)) return notFound();
    try {
      const stat = await fs.stat(file);
      if (!stat.isFile()) return notFound();
      const body = request.method === 'HEAD' ? null : await fs.readFile(file);
      return new Response(body, {
        status: 200,
        headers: { ...SECURITY_HEADERS, 'Content-Type': staticMimeType(file) },
      });
    } catch {
      return notFound();
    }
  };
}

/**
 * The proxy settings of the command line and browser mode, read from the environment as curl,
 * undici's EnvHttpProxyAgent and most tools read them: `https_proxy`/`HTTPS_PROXY` for https URLs
 * (falling back to `http_proxy`/`HTTP_PROXY`), `http_proxy`/`HTTP_PROXY` for http URLs, and
 * `no_proxy`/`NO_PROXY`: comma- or space-separated host names (`.contoso.com` and `*.contoso.com`
 * match the domain and its subdomains, `host:port` only that port) or `*` for none. The lower-case
 * name wins when both are set. A proxy URL may carry Basic credentials (`http://user:pass@proxy:3128`,
 * percent-encoded): they are sent as Proxy-Authorization and never shown (see `proxyLabel`).
 * Loopback is not exempt by itself (as in undici): list it in NO_PROXY. Sources:
 * https://everything.curl.dev/usingcurl/proxies/env.html and undici's EnvHttpProxyAgent
 * (https://github.com/nodejs/undici/blob/main/docs/docs/api/EnvHttpProxyAgent.md).
 */
import { StationError } from '../contract/errors.ts';

export interface ProxyEnv {
  https?: URL;
  http?: URL;
  noProxy: { hostname: string; port: number }[];
  noProxyAll: boolean;
}

type Env = Record<string, string | undefined>;

const pick = (env: Env, name: string): string | undefined => {
  const v = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return v && v.trim() ? v.trim() : undefined;
};

/**
 * Thrown for a proxy variable that is not a URL; the message names the variable, never its value (it may hold a
 * password).
 */
export class ProxyEnvError extends StationError {
  constructor(readonly variable: string) {
    super({
      code: 'NETWORK_PROXY_INVALID',
      message: `${variable} is not a proxy URL such as http://proxy.contoso.com:3128`,
      action: `Set ${variable} to the proxy's http:// address (with user:password@ before the host if the proxy asks for a sign-in), or remove it to connect directly.`,
      params: { variable },
    });
  }
}

function proxyUrl(env: Env, name: string): URL | undefined {
  const raw = pick(env, name);
  if (!raw) return undefined;
  let u: URL;
  try {
    // "proxy:3128" without a scheme is common: it means http://.
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new ProxyEnvError(name.toUpperCase());
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ProxyEnvError(name.toUpperCase());
  return u;
}

/** Reads the proxy variables. Throws ProxyEnvError for a value that is not an http(s) URL. */
export function readProxyEnv(env: Env = process.env): ProxyEnv {
  const http = proxyUrl(env, 'http_proxy');
  const https = proxyUrl(env, 'https_proxy') ?? http;
  const raw = pick(env, 'no_proxy') ?? '';
  const noProxy: ProxyEnv['noProxy'] = [];
  for (const entry of raw.split(/[,\s]+/)) {
    if (!entry || entry === '*') continue;
    const m = /^(.+):(\d+)$/.exec(entry);
    noProxy.push({
      hostname: (m ? m[1]! : entry)
        .replace(/^\*?\./, '')
        .replace(/^\[|\]$/g, '')
        .toLowerCase(),
      port: m ? Number(m[2]) : 0,
    });
  }
  return {
    ...(https ? { https } : {}),
    ...(http ? { http } : {}),
    noProxy,
    noProxyAll: raw.split(/[,\s]+/).includes('*'),
  };
}

/** The proxy for `url`, or undefined for a direct connection. */
export function proxyFor(url: URL, env: ProxyEnv): URL | undefined {
  const proxy = url.protocol === 'https:' ? env.https : url.protocol === 'http:' ? env.http : undefined;
  if (!proxy || env.noProxyAll) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  for (const e of env.noProxy) {
    if (e.port && e.port !== port) continue;
    if (host === e.hostname || host.endsWith(`.${e.hostname}`)) return undefined;
  }
  return proxy;
}

/** The proxy as it may be shown and logged: scheme, host and port, never the user name or password. */
export function proxyLabel(proxy: URL): string {
  return proxy.origin;
}

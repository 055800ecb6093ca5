import { Agent, Dispatcher, ProxyAgent, fetch as undiciFetch } from 'undici';
import type { Logger } from '../kernel/logger.ts';
import { probeHost } from './hostProbe.ts';
import type { FetchLike, NetworkFactory, NetworkPort, NetworkRoute } from './networkPort.ts';
import { proxyFor, proxyLabel, readProxyEnv, type ProxyEnv } from './proxyEnv.ts';
import { trustedRoots } from './trustedRoots.ts';

export interface NodeNetworkOptions {
  /**
   * Extra PEM certificates to trust on top of the system and bundled roots (the admin's CA file, a simulated tenant's
   * CA).
   */
  extraCa?: readonly string[];
  /** Where the proxy variables are read (default process.env). */
  env?: Record<string, string | undefined>;
  /** Always connect straight to the host (the training tenant inside this process, on loopback). */
  direct?: boolean;
  logger?: Logger;
  /** What this port is for, in the log line that says how it connects. */
  purpose?: string;
}

/**
 * The Node adapter of the network port (command line, browser mode, simulated tenants in the app):
 * undici's own `fetch` with undici's own dispatcher (never a dispatcher handed to Node's built-in
 * fetch: its bundled undici differs per Node version). Each request goes to the host directly or
 * through the proxy the environment names for it (HTTP CONNECT; Basic credentials from the proxy
 * URL as Proxy-Authorization, never logged); TLS is verified against `trustedRoots(extraCa)`.
 * Certificate checks are never turned off. Throws ProxyEnvError for a proxy variable that is not a URL.
 */
export function createNodeNetwork(options: NodeNetworkOptions = {}): NetworkPort {
  const env: ProxyEnv = options.direct ? { noProxy: [], noProxyAll: true } : readProxyEnv(options.env ?? process.env);
  const roots = trustedRoots(options.extraCa ?? []);
  const direct = new Agent({ connect: { ca: roots.ca } });
  const proxies = new Map<string, ProxyAgent>();
  const dispatcherFor = (target: URL): Dispatcher => {
    const proxy = proxyFor(target, env);
    if (!proxy) return direct;
    let agent = proxies.get(proxy.href);
    if (!agent) {
      agent = new ProxyAgent({ uri: proxy.href, requestTls: { ca: roots.ca }, proxyTls: { ca: roots.ca } });
      proxies.set(proxy.href, agent);
    }
    return agent;
  };
  const dispatcher = new RoutingDispatcher(dispatcherFor, () => [direct, ...proxies.values()]);
  options.logger?.info('Network: Node stack', {
    purpose: options.purpose ?? 'tenant',
    httpsProxy: env.https && !env.noProxyAll ? proxyLabel(env.https) : 'direct',
    noProxy: env.noProxyAll ? '*' : env.noProxy.map((e) => (e.port ? `${e.hostname}:${e.port}` : e.hostname)).join(','),
    systemCaStore: roots.system,
    extraCaCertificates: options.extraCa?.length ?? 0,
  });
  const fetch: FetchLike = async (url, init) => {
    try {
      return (await undiciFetch(url, { ...(init as object), dispatcher } as Parameters<
        typeof undiciFetch
      >[1])) as unknown as Response;
    } catch (err) {
      throw await explainProxyFailure(err, url, init?.signal ?? undefined);
    }
  };
  /**
   * undici reports a proxy's refusal (407, 403, 502 to CONNECT) as a cancelled request: when a
   * request through a proxy fails, one tunnel probe says why, and the error's message names the
   * proxy and its answer (the cause is kept for the callers that classify it).
   */
  const explainProxyFailure = async (err: unknown, url: string, signal: AbortSignal | undefined): Promise<unknown> => {
    const target = new URL(url);
    const proxy = proxyFor(target, env);
    if (!proxy || signal?.aborted || !(err instanceof Error)) return err;
    const probe = await probeHost(url, { ca: roots.ca, timeoutMs: 5_000, proxy }).catch(() => undefined);
    if (probe?.status !== 'proxy') {
      err.message = `${err.message} (through the proxy ${proxyLabel(proxy)})`;
      return err;
    }
    err.message = `${err.message}: ${probe.reason} (proxy ${probe.proxy})`;
    Object.assign(err, { proxy: probe.proxy, ...(probe.httpStatus ? { proxyStatus: probe.httpStatus } : {}) });
    return err;
  };
  return {
    stack: 'node',
    fetch,
    route: async (url): Promise<NetworkRoute> => {
      const proxy = proxyFor(new URL(url), env);
      return proxy ? { kind: 'proxy', proxy: proxyLabel(proxy) } : { kind: 'direct' };
    },
    probe: (url, timeoutMs) => {
      const proxy = proxyFor(new URL(url), env);
      return probeHost(url, { ca: roots.ca, timeoutMs, ...(proxy ? { proxy } : {}) });
    },
    close: async () => {
      await Promise.all([direct, ...proxies.values()].map((d) => d.close().catch(() => {})));
    },
  };
}

/** Sends each request to the agent its origin is routed to (direct, or the proxy for it). */
class RoutingDispatcher extends Dispatcher {
  constructor(
    private readonly pick: (target: URL) => Dispatcher,
    private readonly all: () => Dispatcher[],
  ) {
    super();
  }

  // Typed from dispatch itself: undici 6 calls the handler type DispatchHandlers, undici 7 DispatchHandler.
  override dispatch(options: Dispatcher.DispatchOptions, handler: Parameters<Dispatcher['dispatch']>[1]): boolean {
    return this.pick(new URL(String(options.origin))).dispatch(options, handler);
  }

  override async close(): Promise<void> {
    await Promise.all(this.all().map((d) => d.close()));
  }

  override async destroy(): Promise<void> {
    await Promise.all(this.all().map((d) => d.destroy()));
  }
}

/**
 * The Node stack's factory: a real tenant's port trusts the admin's CA file too; a simulated
 * tenant's trusts its own CA, and the one inside this process is always reached directly.
 */
export function nodeNetworkFactory(
  o: { env?: Record<string, string | undefined>; logger?: Logger } = {},
): NetworkFactory {
  return {
    tenant: (t = {}) => createNodeNetwork({ ...o, extraCa: t.caFilePem ? [t.caFilePem] : [], purpose: 'tenant' }),
    simulated: (caPem, where) =>
      createNodeNetwork({ ...o, extraCa: [caPem], direct: where === 'local', purpose: `simulated tenant (${where})` }),
  };
}

import type { ApiVersion, CloudName } from '../contract/types.ts';

/**
 * The four clouds the station can talk to. A token is asked for `{graph}/.default` of the same
 * cloud as the Graph host it is sent to, so a token never crosses clouds.
 */
export interface CloudEndpoints {
  name: CloudName;
  label: string;
  /** Graph root without a version, no trailing slash. */
  graphHost: string;
  /** Entra ID authority host, no trailing slash. */
  authorityHost: string;
  /** The one scope the station asks for. */
  scope: string;
}

function cloud(name: CloudName, label: string, graphHost: string, authorityHost: string): CloudEndpoints {
  return { name, label, graphHost, authorityHost, scope: `${graphHost}/.default` };
}

export const CLOUDS: Readonly<Record<CloudName, CloudEndpoints>> = Object.freeze({
  global: cloud('global', 'Global', 'https://graph.microsoft.com', 'https://login.microsoftonline.com'),
  usgov: cloud(
    'usgov',
    'US Government L4 (GCC High)',
    'https://graph.microsoft.us',
    'https://login.microsoftonline.us',
  ),
  usgovdod: cloud(
    'usgovdod',
    'US Government L5 (DoD)',
    'https://dod-graph.microsoft.us',
    'https://login.microsoftonline.us',
  ),
  china: cloud(
    'china',
    'China (21Vianet)',
    'https://microsoftgraph.chinacloudapi.cn',
    'https://login.partner.microsoftonline.cn',
  ),
});

export function isCloudName(value: string): value is CloudName {
  return Object.prototype.hasOwnProperty.call(CLOUDS, value);
}

export function cloudEndpoints(name: CloudName): CloudEndpoints {
  return CLOUDS[name];
}

/**
 * Endpoints of a simulated tenant (training mode, tests, benches): its own Graph and authority
 * hosts, with the scope derived from its Graph host exactly as for a real cloud.
 */
export function customCloud(graphHost: string, authorityHost: string, label = 'Simulated tenant'): CloudEndpoints {
  const g = graphHost.replace(/\/+$/, '');
  return {
    name: 'global',
    label,
    graphHost: g,
    authorityHost: authorityHost.replace(/\/+$/, ''),
    scope: `${g}/.default`,
  };
}

/** v1.0 unless the station chose beta or the call exists only in beta (sync, profile status). */
export function apiVersionFor(chosen: ApiVersion, needsBeta = false): ApiVersion {
  return needsBeta ? 'beta' : chosen;
}

/** Which cloud a Graph host belongs to, when a response names one (wrong-cloud detection). */
export function cloudOfGraphHost(host: string): CloudName | undefined {
  const h = host.replace(/\/+$/, '').toLowerCase();
  for (const c of Object.values(CLOUDS)) if (c.graphHost === h || c.graphHost === `https://${h}`) return c.name;
  return undefined;
}

import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Logger } from '../kernel/logger.ts';
import type { TrainingTenant } from '../tenant/tenantSession.ts';
import { StationError } from '../contract/errors.ts';
import { createNodeNetwork } from '../net/nodeNetwork.ts';
import type { NetworkPort } from '../net/networkPort.ts';

/**
 * A simulated tenant that runs elsewhere (`autopilot-station sim --host 0.0.0.0 --public-host NAME`
 * on a trainer's PC): a station given only its URL and CA talks to it over HTTPS exactly as to
 * Microsoft. Graph base and authority come from that URL; the CA is trusted for that connection only
 * (the network port's extra CA, never NODE_EXTRA_CA_CERTS or a TLS switch), through the proxy the
 * environment names for it (HTTPS_PROXY unless NO_PROXY lists the host). The tenant and app ids and the
 * simulated app's certificate come from the simulator's GET /station/connection, so the station signs
 * in the way training mode does (msal-node, certificate, unattended).
 *
 * The result has the shape of auth/tenantSession's TrainingTenant: hand `remoteTrainingTenant(...)`
 * to the session as its `startTraining`.
 */
export const SHARED_CONNECTION_PATH = '/station/connection';

const sharedConnection = z.object({
  graphUrl: z.string().regex(/^https:\/\//),
  authorityHost: z.string().regex(/^https:\/\//),
  tenantId: z.string().min(1),
  clientId: z.string().min(1),
  clientCertificatePem: z.string().includes('BEGIN CERTIFICATE'),
  timeScale: z.number().positive(),
  scenario: z.string(),
});

/** A shared simulated tenant: the training connection a station signs in with, and that simulator's pace. */
export interface RemoteTenant extends TrainingTenant {
  /** Service seconds per real second of that simulator: the station's clock should run at the same pace. */
  timeScale: number;
  remote: true;
  scenario: string;
}

export interface RemoteTenantSource {
  /** https://host:port of the simulator (no path). */
  url: string;
  /** Its CA certificate, PEM. */
  caPem: string;
  /** The port to ask through (default: the Node stack trusting `caPem`, proxy from the environment). */
  network?: NetworkPort;
}

const failure = (code: string, message: string, action: string, params: Record<string, string | number>) =>
  new StationError({ code, message, action, params });

/** Reads the simulator's connection over HTTPS trusting only `caPem` in addition to the system roots. */
export async function connectRemoteTenant(source: RemoteTenantSource): Promise<RemoteTenant> {
  let origin: string;
  try {
    const u = new URL(source.url);
    if (u.protocol !== 'https:') throw new Error('not https');
    origin = u.origin;
  } catch {
    throw failure(
      'REMOTE_TENANT_URL_INVALID',
      `"${source.url}" is not an https:// address of a simulated tenant.`,
      'Copy the address the trainer\'s "autopilot-station sim" printed (graphUrl), e.g. https://trainer-pc:8443.',
      { url: source.url },
    );
  }
  const network =
    source.network ?? createNodeNetwork({ extraCa: [source.caPem], purpose: 'simulated tenant (remote)' });
  const done = async () => {
    if (!source.network) await network.close();
  };
  let body: unknown;
  try {
    const res = await network.fetch(`${origin}${SHARED_CONNECTION_PATH}`, { signal: AbortSignal.timeout(15_000) });
    // A station's built-in training tenant (or another server) answers 404 or 400 there.
    if (res.status === 404 || res.status === 400) {
      throw failure(
        'REMOTE_TENANT_NOT_SHARED',
        `The simulated tenant at ${origin} does not share its connection.`,
        'Start it with "autopilot-station sim" (which shares it), not the training tenant built into a station.',
        { url: origin },
      );
    }
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    body = await res.json();
  } catch (err) {
    await done();
    if (err instanceof StationError) throw err;
    const code = (err as { cause?: { code?: string } }).cause?.code ?? '';
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ALTNAME/.test(code)) {
      // Through a TLS-inspecting proxy the certificate is the proxy's: the CA file must hold its root.
      throw failure(
        'REMOTE_TENANT_CA_UNTRUSTED',
        `The simulated tenant at ${origin} presented a certificate that the given CA file does not vouch for (${code}).`,
        'Use the sim-ca.pem written by that simulator, and its exact host name (the one it was started with as --public-host).',
        { url: origin, reason: code },
      );
    }
    throw failure(
      'REMOTE_TENANT_UNREACHABLE',
      `The station could not reach the simulated tenant at ${origin}: ${(err as Error).message}.`,
      'Check that the simulator runs, listens on the network (--host 0.0.0.0), and that the port is open in the firewall.',
      { url: origin, reason: (err as Error).message.slice(0, 200) },
    );
  }
  const parsed = sharedConnection.safeParse(body);
  if (!parsed.success) {
    await done();
    throw failure(
      'REMOTE_TENANT_UNREACHABLE',
      `The answer of ${origin} is not a simulated tenant's connection.`,
      'Check the address: it must be the one "autopilot-station sim" printed.',
      { url: origin, reason: 'unexpected answer' },
    );
  }
  const c = parsed.data;
  // The simulator's tokens name its own address as their audience: the station must use that very address.
  if (new URL(c.graphUrl).origin !== origin || new URL(c.authorityHost).origin !== origin) {
    await done();
    throw failure(
      'REMOTE_TENANT_ADDRESS_MISMATCH',
      `The simulated tenant at ${origin} calls itself ${new URL(c.graphUrl).origin}.`,
      `Use ${new URL(c.graphUrl).origin} as the tenant URL (or restart the simulator with --public-host set to the name the stations use).`,
      { url: origin, expected: new URL(c.graphUrl).origin },
    );
  }
  await done();
  return { ...c, caCertPem: source.caPem, remote: true, close: async () => {} };
}

/** Reads the CA file named in settings or on the command line. */
export async function readCaFile(file: string): Promise<string> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (err) {
    throw failure(
      'REMOTE_TENANT_CA_UNREADABLE',
      `Cannot read the CA file ${file}: ${(err as Error).message}.`,
      "Copy the simulator's sim-ca.pem to this computer and give its path.",
      { path: file },
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw failure(
      'REMOTE_TENANT_CA_UNREADABLE',
      `${file} is not a PEM certificate.`,
      "Give the simulator's sim-ca.pem (it starts with -----BEGIN CERTIFICATE-----).",
      { path: file },
    );
  return pem;
}

/**
 * The session's `startTraining` for a remote simulated tenant: `{ url, caFile }` from settings
 * (tenantUrl, caFile) or the command line (--tenant-url, --ca).
 */
export function remoteTrainingTenant(
  settings: { url: string; caFile: string },
  logger?: Logger,
): () => Promise<RemoteTenant> {
  return async () => {
    const remote = await connectRemoteTenant({ url: settings.url, caPem: await readCaFile(settings.caFile) });
    logger?.info('Training against a simulated tenant elsewhere', {
      graphUrl: remote.graphUrl,
      tenantId: remote.tenantId,
      scenario: remote.scenario,
    });
    return remote;
  };
}

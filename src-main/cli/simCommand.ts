import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stderrLogger } from '../kernel/logger.ts';
import { startSimulatedTenant, TRAINING_SAMPLES_DIR } from '../sim/startSimulatedTenant.ts';
import { usageError, type CliCommand } from './cliSupport.ts';

/**
 * `sim [--port N] [--time-scale X] [--scenario FILE] [--realistic] [--host ADDR] [--public-host NAME] [--http]`:
 * runs the simulated tenant alone and prints its endpoints as one JSON line on stdout (the CA
 * certificate is written to a file so clients can trust it), with what a station needs to use it
 * (`import … --tenant-url URL --ca FILE`, or Settings' tenantUrl and caFile). `--realistic` turns on
 * every real-tenant switch. `--host 0.0.0.0 --public-host trainer-pc` serves a classroom. Runs until
 * SIGINT or SIGTERM.
 */
export const simCommand: CliCommand = async (argv) => {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'time-scale': { type: 'string' },
      scenario: { type: 'string' },
      http: { type: 'boolean' },
      json: { type: 'boolean' },
      realistic: { type: 'boolean' },
      host: { type: 'string' },
      'public-host': { type: 'string' },
    },
    strict: true,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw usageError(`--port must be a number from 0 to 65535, not "${values.port}".`);
  const timeScale = values['time-scale'] === undefined ? 1 : Number(values['time-scale']);
  if (!(timeScale > 0) || !Number.isFinite(timeScale))
    throw usageError(`--time-scale must be a number above 0, not "${values['time-scale']}".`);
  const scenario = values.scenario ?? 'training';

  const host = values.host ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]+$/.test(host))
    throw usageError(`--host must be an address to listen on (127.0.0.1, 0.0.0.0, ::), not "${host}".`);
  const publicHost = values['public-host'] ?? (host === '0.0.0.0' || host === '::' ? os.hostname() : host);
  if (!/^[A-Za-z0-9.:-]+$/.test(publicHost))
    throw usageError(`--public-host must be a host name or IP address, not "${publicHost}".`);
  const sim = await startSimulatedTenant({
    port,
    timeScale,
    scenario,
    https: !values.http,
    logger: stderrLogger(),
    host,
    publicHost,
    shareConnection: true,
    ...(values.realistic ? { realTenant: 'realistic' as const } : {}),
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'autopilot-sim-'));
  let caCertPath: string | undefined;
  if (sim.caCertPem) {
    caCertPath = path.join(dir, 'sim-ca.pem');
    await writeFile(caCertPath, sim.caCertPem, { mode: 0o600 });
  }
  const clientCertificatePath = path.join(dir, 'sim-client.pem');
  await writeFile(clientCertificatePath, sim.clientCertificatePem, { mode: 0o600 });
  const endpoints = {
    graphUrl: sim.graphUrl,
    authorityHost: sim.authorityHost,
    authority: sim.authority,
    scope: sim.scope,
    tenantId: sim.tenantId,
    tenantDomain: sim.tenantDomain,
    clientId: sim.clientId,
    caCertPath: caCertPath ?? null,
    clientCertificatePath,
    clientCertificateThumbprintSha256: sim.clientCertificate.thumbprintSha256,
    deviceLoginUrl: `${sim.authorityHost}/devicelogin`,
    scenario: sim.scenario.name,
    timeScale,
    // In a checkout; the built command line (dist/main/cli.js, the installed app) has no sample folder.
    samplesDir: existsSync(TRAINING_SAMPLES_DIR) ? TRAINING_SAMPLES_DIR : null,
    realTenant: sim.scenario.realTenant,
    /** What a station needs to use this tenant from elsewhere (same or another computer). */
    station: caCertPath
      ? {
          tenantUrl: sim.graphUrl,
          caFile: caCertPath,
          importCommand: `autopilot-station import <files...> --group-tag <tag> --tenant-url ${sim.graphUrl} --ca ${caCertPath}`,
        }
      : null,
  };
  process.stdout.write(`${JSON.stringify(endpoints)}\n`);
  if (!values.json) {
    const on = Object.entries(sim.scenario.realTenant)
      .filter(([, v]) => v !== false && v !== undefined)
      .map(([k, v]) => (v === true ? k : `${k}=${v}`));
    process.stderr.write(
      `Simulated tenant (${sim.scenario.name}${on.length ? `; real-tenant behaviour: ${on.join(', ')}` : ''}) on ${sim.graphUrl}. Sign-in codes can be approved at ${endpoints.deviceLoginUrl}.\n` +
        (endpoints.station
          ? `Stations use it with: ${endpoints.station.importCommand}\n  (or in Settings: tenant URL ${endpoints.station.tenantUrl}, CA file ${endpoints.station.caFile}; copy the CA file to each station)\n`
          : '') +
        'Ctrl+C stops it.\n',
    );
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
  return 0;
};

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stderrLogger } from '../kernel/logger.ts';
import { startSimulatedTenant, TRAINING_SAMPLES_DIR } from '../sim/startSimulatedTenant.ts';
import { usageError, type CliCommand } from './cliSupport.ts';

/**
 * `sim [--port N] [--time-scale X] [--scenario FILE] [--http]`: runs the simulated tenant alone and
 * prints its endpoints as one JSON line on stdout (the CA certificate is written to a file so clients
 * can trust it with NODE_EXTRA_CA_CERTS). Runs until SIGINT or SIGTERM.
 */
export const simCommand: CliCommand = async (argv) => {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, 'time-scale': { type: 'string' }, scenario: { type: 'string' }, http: { type: 'boolean' }, json: { type: 'boolean' } },
    strict: true,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port must be a number from 0 to 65535, not "${values.port}".`);
  const timeScale = values['time-scale'] === undefined ? 1 : Number(values['time-scale']);
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw usageError(`--time-scale must be a number above 0, not "${values['time-scale']}".`);
  const scenario = values.scenario ?? 'training';

  const sim = await startSimulatedTenant({ port, timeScale, scenario, https: !values.http, logger: stderrLogger() });
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
    samplesDir: TRAINING_SAMPLES_DIR,
  };
  process.stdout.write(`${JSON.stringify(endpoints)}\n`);
  if (!values.json) process.stderr.write(`Simulated tenant (${sim.scenario.name}) on ${sim.graphUrl}. Sign-in codes can be approved at ${endpoints.deviceLoginUrl}. Ctrl+C stops it.\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
  return 0;
};

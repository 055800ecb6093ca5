import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { SimTenant } from '../sim/startSimulatedTenant.ts';
import type { StartTrainingTenant, TrainingTenant } from './tenantSession.ts';

/**
 * Training mode's tenant: the simulated tenant with the training scenario, in this process, on a
 * random loopback port with its own test CA. Loaded on first use so a station with a real tenant
 * never pays for it.
 */
export function simulatedTrainingTenant(clock: Clock, logger: Logger): StartTrainingTenant {
  return async () => {
    const { startSimulatedTenant } = await import('../sim/startSimulatedTenant.ts');
    const sim = await startSimulatedTenant({ scenario: 'training', clock, logger: logger.child({ component: 'training-tenant' }) });
    logger.info('Training mode: signed in to the built-in simulated tenant', { tenantId: sim.tenantId });
    return { ...trainingConnectionOf(sim), close: () => sim.stop() };
  };
}

/** What a station needs to sign in to a simulated tenant and call its Graph (tests and benches use it too). */
export function trainingConnectionOf(sim: SimTenant): Omit<TrainingTenant, 'close'> {
  return { graphUrl: sim.graphUrl, authorityHost: sim.authorityHost, caCertPem: sim.caCertPem, tenantId: sim.tenantId, clientId: sim.clientId, clientCertificatePem: sim.clientCertificatePem };
}

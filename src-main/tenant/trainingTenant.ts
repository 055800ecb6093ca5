import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { SimTenant } from '../sim/startSimulatedTenant.ts';
import type { StartTrainingTenant, TrainingTenant } from './tenantSession.ts';

/**
 * Training mode's tenant: the simulated tenant with the training scenario, in this process, on a
 * random loopback port with its own test CA. Loaded on first use so a station with a real tenant
 * never pays for it.
 */
export function simulatedTrainingTenant(
  clock: Clock,
  logger: Logger,
  o: { stateFile?: string } = {},
): StartTrainingTenant {
  return async () => {
    const { startSimulatedTenant, TRAINING_TENANT_ID } = await import('../sim/startSimulatedTenant.ts');
    const { TrainingTenantState } = await import('../sim/trainingTenantState.ts');
    const log = logger.child({ component: 'training-tenant' });
    // Kept in the data folder: after a restart the tenant still has the records the queue follows.
    const state = o.stateFile ? new TrainingTenantState(o.stateFile, TRAINING_TENANT_ID, clock, log) : undefined;
    const restore = state?.load();
    const sim = await startSimulatedTenant({
      scenario: 'training',
      clock,
      logger: log,
      ...(restore ? { restore } : {}),
      ...(state ? { onGraphWrite: (w) => state.written(w) } : {}),
    });
    state?.attach(sim.model);
    logger.info('Training mode: signed in to the built-in simulated tenant', {
      tenantId: sim.tenantId,
      restored: !!restore,
    });
    return {
      ...trainingConnectionOf(sim),
      close: async () => {
        state?.close();
        await sim.stop();
      },
    };
  };
}

/** What a station needs to sign in to a simulated tenant and call its Graph (tests and benches use it too). */
export function trainingConnectionOf(sim: SimTenant): Omit<TrainingTenant, 'close'> {
  return {
    graphUrl: sim.graphUrl,
    authorityHost: sim.authorityHost,
    caCertPem: sim.caCertPem,
    tenantId: sim.tenantId,
    clientId: sim.clientId,
    clientCertificatePem: sim.clientCertificatePem,
  };
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createStation, type Station } from '../../src-main/app/createStation.ts';
import { silentLogger, type Logger } from '../../src-main/kernel/logger.ts';
import type { WorkerTimings } from '../../src-main/queue/importWorker.ts';
import { isSettled } from '../../src-main/queue/queueStore.ts';
import {
  startSimulatedTenant,
  type SimTenant,
  type SimTenantOptions,
} from '../../src-main/sim/startSimulatedTenant.ts';
import { trainingConnectionOf } from '../../src-main/tenant/trainingTenant.ts';

/** The fields a station needs to reach a simulated tenant in training mode (real HTTPS, real msal-node). */
export const trainingOf = trainingConnectionOf;

export async function startSim(options: SimTenantOptions = {}): Promise<SimTenant> {
  return startSimulatedTenant({ timeScale: 200, ...options });
}

export function tmpDir(prefix = 'queue-sim-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A station in training mode against `sim`, sharing its clock. */
export function stationOn(
  sim: SimTenant,
  dataDir: string,
  extra: { logger?: Logger; timings?: Partial<WorkerTimings> } = {},
): Station {
  return createStation({
    host: 'browser',
    dataDir,
    logger: extra.logger ?? silentLogger,
    clock: sim.clock,
    serialPort: { readSerials: async () => ({ system: 'SIMBENCH1' }) },
    startTraining: async () => ({ ...trainingOf(sim), close: async () => {} }),
    ...(extra.timings ? { queue: { timings: extra.timings } } : {}),
  });
}

/** Waits (real time) until every device in the station's queue is settled and every batch cleaned up. */
export async function settled(station: Station, count: number, limitMs = 60_000): Promise<void> {
  const end = Date.now() + limitMs;
  for (;;) {
    const all = station.queue().service.allDevices();
    if (all.length >= count && all.every((d) => isSettled(d)) && station.queue().store.openBatches().length === 0)
      return;
    if (Date.now() > end)
      throw new Error(
        `not settled: ${JSON.stringify(all.filter((d) => !isSettled(d)).map((d) => [d.serialNumber, d.state]))}`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
}

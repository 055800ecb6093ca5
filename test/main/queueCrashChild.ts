/**
 * A station process for the crash test and benchmark: queues the given devices (again on every start
 * unless `queueOnStart` is false: the duplicate rule keeps them one device each), runs the import
 * worker against the simulated tenant the parent started, and exits 0 once every device is settled.
 * The parent SIGKILLs it at random. Exit 2: devices the parent queued are missing from the queue.
 */
import fs from 'node:fs';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { createStation } from '../../src-main/app/createStation.ts';
import { createLogger } from '../../src-main/kernel/logger.ts';
import type { TrainingTenant } from '../../src-main/tenant/tenantSession.ts';
import { isSettled } from '../../src-main/queue/queueStore.ts';

export interface ChildConfig {
  dataDir: string;
  /** The parent's simulated tenant; absent: training mode's own tenant in this process, kept in the data folder. */
  training?: Omit<TrainingTenant, 'close'>;
  timeScale: number;
  /** Parent's service time when it spawned this child. */
  origin: number;
  /** Parent's real time (Date.now()) when it read `origin`: the child's clock then runs in step with the sim's. */
  originRealMs?: number;
  batchSize: number;
  groupTag: string;
  devices: { serialNumber: string; hardwareHash: string }[];
  /** Default true. False on restarts: what the queue holds must come from disk, not from queueing again. */
  queueOnStart?: boolean;
}

// The parent imports only the type above (erased), so this runs only in the spawned process.
await main(process.argv[2]!);

async function main(configFile: string): Promise<void> {
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as ChildConfig;
  const origin =
    config.origin + (config.originRealMs !== undefined ? (Date.now() - config.originRealMs) * config.timeScale : 0);
  const logger = createLogger((line) => process.stderr.write(`${line}\n`), { pid: process.pid }, 'info');
  const training = config.training;
  const station = createStation({
    host: 'browser',
    dataDir: config.dataDir,
    logger,
    serialPort: { readSerials: async () => ({ system: 'CRASHBENCH1' }) },
    // Training mode as a technician runs it: the station's own tenant, its clock resumed from the last run.
    ...(training
      ? {
          clock: scaledClock(config.timeScale, origin),
          startTraining: async () => ({ ...training, close: async () => {} }),
        }
      : { timeScale: config.timeScale }),
  });
  await station.handlers.updateSettings({ patch: { batchSize: config.batchSize, waitFor: 'registered' } });
  if (config.queueOnStart ?? true) {
    await station.handlers.queueDevices({
      devices: config.devices.map((d) => ({ ...d, source: { kind: 'file', path: 'crash.csv' } })),
      groupTag: config.groupTag,
    });
  }
  const queue = station.queue();
  const present = new Set(queue.service.allDevices().map((d) => d.serialNumber));
  const missing = config.devices.filter((d) => !present.has(d.serialNumber)).map((d) => d.serialNumber);
  if (missing.length) {
    process.stdout.write(`${JSON.stringify({ lost: missing })}\n`);
    await station.close();
    process.exit(2);
  }
  process.stdout.write(`queued ${process.pid}\n`);
  for (;;) {
    const all = queue.service.allDevices();
    if (all.length >= config.devices.length && all.every((d) => isSettled(d)) && queue.store.openBatches().length === 0)
      break;
    await new Promise((r) => setTimeout(r, 50));
  }
  process.stdout.write(
    `${JSON.stringify({ done: true, states: queue.service.allDevices().map((d) => [d.serialNumber, d.state]) })}\n`,
  );
  await station.close();
  process.exit(0);
}

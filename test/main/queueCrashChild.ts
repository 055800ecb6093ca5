/**
 * A station process for the crash test: queues the given devices (again on every start: the
 * duplicate rule keeps them one device each), runs the import worker against the simulated tenant
 * the parent started, and exits 0 once every device is settled. The parent SIGKILLs it at random.
 */
import fs from 'node:fs';
import { scaledClock } from '../../src-main/app/clock.ts';
import { createStation } from '../../src-main/app/createStation.ts';
import { createLogger } from '../../src-main/app/logger.ts';
import type { TrainingTenant } from '../../src-main/auth/tenantSession.ts';
import { isSettled } from '../../src-main/queue/queueStore.ts';

interface ChildConfig {
  dataDir: string;
  training: Omit<TrainingTenant, 'close'>;
  timeScale: number;
  /** Parent's service time when it spawned this child. */
  origin: number;
  batchSize: number;
  groupTag: string;
  devices: { serialNumber: string; hardwareHash: string }[];
}

const config = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as ChildConfig;
const clock = scaledClock(config.timeScale, config.origin);
const logger = createLogger((line) => process.stderr.write(`${line}\n`), { pid: process.pid }, 'info');
const station = createStation({
  host: 'browser',
  dataDir: config.dataDir,
  logger,
  clock,
  serialPort: { readSerials: async () => ({ system: 'CRASHBENCH1' }) },
  startTraining: async () => ({ ...config.training, close: async () => {} }),
});
await station.handlers.updateSettings({ patch: { batchSize: config.batchSize, waitFor: 'registered' } });
await station.handlers.queueDevices({ devices: config.devices.map((d) => ({ ...d, source: { kind: 'file', path: 'crash.csv' } })), groupTag: config.groupTag });
process.stdout.write(`queued ${process.pid}\n`);
const queue = station.queue();
for (;;) {
  const all = queue.service.allDevices();
  if (all.length >= config.devices.length && all.every((d) => isSettled(d)) && queue.store.openBatches().length === 0) break;
  await new Promise((r) => setTimeout(r, 50));
}
process.stdout.write(`${JSON.stringify({ done: true, states: queue.service.allDevices().map((d) => [d.serialNumber, d.state]) })}\n`);
await station.close();
process.exit(0);

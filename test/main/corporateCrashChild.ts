/**
 * A station process registering devices both ways (Autopilot + corporate identifier) for the crash
 * test: queues the devices on the first start only, runs the import worker and the corporate stage
 * against the simulated tenant the parent serves, and exits 0 once every device is final both ways.
 * The parent SIGKILLs it at random (runCrashChild).
 */
import fs from 'node:fs';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { createStation } from '../../src-main/app/createStation.ts';
import { createLogger } from '../../src-main/kernel/logger.ts';
import { CORPORATE_FINAL } from '../../src-main/queue/corporateStore.ts';
import { isSettled } from '../../src-main/queue/queueStore.ts';
import type { ChildConfig } from './queueCrashChild.ts';

await main(process.argv[2]!);

async function main(configFile: string): Promise<void> {
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as ChildConfig;
  const origin =
    config.origin + (config.originRealMs !== undefined ? (Date.now() - config.originRealMs) * config.timeScale : 0);
  const clock = scaledClock(config.timeScale, origin);
  const logger = createLogger((line) => process.stderr.write(`${line}\n`), { pid: process.pid }, 'info');
  const station = createStation({
    host: 'browser',
    dataDir: config.dataDir,
    logger,
    clock,
    serialPort: { readSerials: async () => ({ system: 'CRASHBENCH1' }) },
    startTraining: async () => ({ ...config.training!, close: async () => {} }),
  });
  await station.handlers.updateSettings({
    patch: { batchSize: config.batchSize, waitFor: 'registered', registrationTargets: ['autopilot', 'corporate'] },
  });
  if (config.queueOnStart ?? true) {
    await station.handlers.queueDevices({
      devices: config.devices.map((d) => ({ ...d, source: { kind: 'file', path: 'crash.csv' } })),
      groupTag: config.groupTag,
    });
  }
  const queue = station.queue();
  // The station's own corporate stage (queueRuntime), following the setting written above.
  const store = queue.corporate!.store;
  process.stdout.write(`queued ${process.pid}\n`);
  for (;;) {
    const all = queue.service.allDevices();
    const corporateFinal = all.every((d) => CORPORATE_FINAL.includes(store.get(d.id)?.state ?? 'queued'));
    if (
      all.length >= config.devices.length &&
      all.every((d) => isSettled(d)) &&
      queue.store.openBatches().length === 0 &&
      corporateFinal
    )
      break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await station.close();
  process.exit(0);
}

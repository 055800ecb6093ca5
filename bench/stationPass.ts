import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createStation } from '../src-main/app/createStation.ts';
import { silentLogger } from '../src-main/kernel/logger.ts';
import { encodeHardwareHash } from '../src-main/capture/encodeHardwareHash.ts';
import type { DeviceState } from '../src-main/contract/types.ts';
import { retainedMemory, sampleMemory, sharedClock, type ChildConfig, type MemoryFigures } from './pipelineSupport.ts';

/** Final states that are not the goal: a device that ends here is done, but counted as a problem. */
const PROBLEMS: DeviceState[] = ['invalid', 'failed', 'timed-out', 'already-registered'];

export interface StationPassResult {
  role: 'station';
  devices: number;
  waitFor: string;
  /**
   * Service ms (shared clock) when queueDevices was called, when every device was final, when the last imported record
   * was cleaned up.
   */
  startedAt: number;
  doneAt: number;
  cleanupDoneAt: number;
  states: Record<string, number>;
  /** The deadline passed before every device was final (realistic pass). */
  timedOut?: boolean;
  queueDevicesMs: number;
  /** Real seconds from queueDevices to every device final, and to cleanup done. */
  realSeconds: number;
  realSecondsWithCleanup: number;
  memory: MemoryFigures;
  retainedAtDone?: { heapUsedMiB: number; rssMiB: number } | undefined;
  workerStats: unknown;
}

/**
 * One station run in this (child) process: the real composition root, SQLite queue, import worker,
 * Graph client and msal-node client-credentials sign-in, against the simulated tenant the parent
 * serves. Devices are capture-shaped (hash made by encodeHardwareHash, as a CSV row would give).
 */
export async function stationPass(c: ChildConfig): Promise<StationPassResult> {
  const clock = sharedClock(c.timeScale, c.epochMs);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-station-'));
  // Let go of after queueing: the station keeps devices in SQLite, not in the heap.
  let inputs: { serialNumber: string; hardwareHash: string; source: { kind: 'file'; path: string } }[] | undefined =
    Array.from({ length: c.devices }, (_, i) => {
      const serialNumber = `PL${String(i).padStart(6, '0')}`;
      return {
        serialNumber,
        hardwareHash: encodeHardwareHash({ serialNumber, manufacturer: 'Contoso', model: 'Bench 1' }),
        source: { kind: 'file' as const, path: 'bench.csv' },
      };
    });
  const memory = sampleMemory();
  const station = createStation({
    host: 'browser',
    dataDir,
    logger: silentLogger,
    clock,
    serialPort: { readSerials: async () => ({ system: 'BENCH0001' }) },
    startTraining: async () => ({ ...c.sim, close: async () => {} }),
  });
  await station.handlers.updateSettings({ patch: { batchSize: c.batchSize, waitFor: c.waitFor } });
  // A bench in use: signed in, queue open, group tags loaded for the picker, before devices arrive.
  // (The baseline likewise gets its token before its clock starts.) Requests made here are
  // counted apart, as warm-up.
  await station.handlers.signIn({});
  await station.handlers.listGroupTags({});
  station.queue();

  // Done = every device in a final state for this run; taken from the worker's own queueChanged
  // event (emitted at the end of the tick that made the change), so it costs no polling.
  let doneAt: number | undefined;
  let doneReal = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const isDone = (counts: Partial<Record<DeviceState, number>>) =>
    [c.waitFor, ...PROBLEMS].reduce((n, s) => n + (counts[s] ?? 0), 0) >= c.devices;
  station.bus.subscribe((name, payload) => {
    if (name !== 'queueChanged' || doneAt !== undefined) return;
    if (isDone((payload as { counts: Partial<Record<DeviceState, number>> }).counts)) {
      doneAt = clock.now();
      doneReal = performance.now();
      resolveDone();
    }
  });

  const realStart = performance.now();
  const startedAt = clock.now();
  await station.handlers.queueDevices({ devices: inputs, groupTag: c.groupTag });
  inputs = undefined;
  memory.mark();
  const queueDevicesMs = performance.now() - realStart;
  const queue = station.queue();
  // The realistic pass may never finish with a worker that does not survive real tenants: bounded.
  let timedOut = false;
  const deadlineMs = c.deadlineServiceS !== undefined ? startedAt + c.deadlineServiceS * 1000 : undefined;
  if (deadlineMs !== undefined) {
    await Promise.race([
      done,
      (async () => {
        while (doneAt === undefined && clock.now() < deadlineMs) await new Promise((r) => setTimeout(r, 50));
      })(),
    ]);
    if (doneAt === undefined) {
      timedOut = true;
      doneAt = clock.now();
      doneReal = performance.now();
    }
  } else {
    await done;
  }
  // Every device final, all still in the queue (and cleanup pending): what the queue costs to hold.
  const retainedAtDone = retainedMemory();
  // Cleanup (deleting the imported records this station created) may go on after the last device is final.
  while (queue.store.openBatches().length > 0 && (deadlineMs === undefined || clock.now() < deadlineMs + 600_000))
    await new Promise((r) => setTimeout(r, 20));
  const cleanupDoneAt = clock.now();
  const realEnd = performance.now();
  const states: Record<string, number> = {};
  for (const [s, n] of Object.entries(queue.store.countByState())) if (n) states[s] = n;
  const workerStats = queue.worker?.stats;
  const mem = memory.stop();
  await station.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  return {
    role: 'station',
    devices: c.devices,
    waitFor: c.waitFor,
    startedAt,
    doneAt: doneAt!,
    cleanupDoneAt,
    states,
    queueDevicesMs: Math.round(queueDevicesMs),
    realSeconds: Number(((doneReal - realStart) / 1000).toFixed(2)),
    realSecondsWithCleanup: Number(((realEnd - realStart) / 1000).toFixed(2)),
    memory: mem,
    retainedAtDone,
    workerStats,
    ...(timedOut ? { timedOut } : {}),
  };
}

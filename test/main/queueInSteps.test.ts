import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStation } from '../../src-main/app/createStation.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { createDispatcher } from '../../src-main/ipc/dispatch.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import type { QueueResult } from '../../src-main/contract/types.ts';

/**
 * queueDevices from the screens (the contract's handler) runs in steps of 50 devices, one
 * transaction each, so Electron's main thread is free between them; the answer is the one a single
 * transaction gives (real SQLite).
 */
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const device = (i: number, serial = `STEP${String(i).padStart(4, '0')}`) => ({
  serialNumber: serial,
  hardwareHash: encodeHardwareHash({ serialNumber: serial, manufacturer: 'HP', model: 'EliteBook 840' }),
  source: { kind: 'file' as const, path: 'steps.csv', line: i + 2 },
});

describe('queueDevices in steps', () => {
  it('130 devices, a repeat across steps, another hash for one serial, a bad hash and a refused row: the same answer as one transaction, with the thread free between steps', async () => {
    const devices = [
      ...Array.from({ length: 130 }, (_, i) => device(i)),
      device(3),
      {
        ...device(7),
        hardwareHash: encodeHardwareHash({ serialNumber: 'STEP0007', manufacturer: 'HP', model: 'Other' }),
      },
      { ...device(131, 'NOHASH1'), hardwareHash: 'AAAA' },
    ];
    const refused = [
      {
        source: { kind: 'file' as const, path: 'steps.csv', line: 200 },
        code: 'CSV_NO_HASH',
        message: 'No hash.',
        serialNumber: 'ROW200',
      },
    ];
    const results: QueueResult[] = [];
    const seenPartway: number[] = [];
    for (const steps of [true, false]) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-steps-'));
      dirs.push(dir);
      const station = createStation({
        host: 'browser',
        dataDir: dir,
        logger: silentLogger,
        queue: { worker: false },
        serialPort: { readSerials: async () => ({ system: 'PF0STEPS' }) },
      });
      const queue = station.queue();
      if (steps) {
        const dispatch = createDispatcher(station.handlers, silentLogger);
        // Other work between steps: a chain of setImmediate turns that looks at the queue each time.
        let done = false;
        const look = () => {
          if (done) return;
          const n = queue.service.allDevices().length;
          if (n > 0 && n < 133) seenPartway.push(n);
          setImmediate(look);
        };
        setImmediate(look);
        const r = await dispatch('queueDevices', { devices, groupTag: 'Steps', refused });
        done = true;
        if (!r.ok) throw new Error(JSON.stringify(r));
        results.push(r.value as QueueResult);
      } else {
        results.push(queue.service.queueDevices(devices, { groupTag: 'Steps', refused }));
      }
      expect(queue.service.allDevices()).toHaveLength(134 - 1); // the repeat of STEP0003 is one device
      await station.close();
    }
    const [inSteps, inOne] = results as [QueueResult, QueueResult];
    const shape = (r: QueueResult) => ({
      queued: r.queued.length,
      duplicates: r.duplicates.length,
      invalid: r.invalid.length,
      flagged: r.flagged?.length ?? 0,
      refused: r.refused?.length ?? 0,
    });
    expect(shape(inSteps)).toEqual(shape(inOne));
    expect(shape(inSteps)).toEqual({ queued: 130, duplicates: 1, invalid: 1, flagged: 1, refused: 1 });
    // Other work ran while the devices were being written: it saw the queue after the first steps, before the last.
    expect(seenPartway.length).toBeGreaterThanOrEqual(2);
    expect(new Set(seenPartway).size).toBeGreaterThanOrEqual(2);
  });
});

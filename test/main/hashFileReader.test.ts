import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { HashFileReader } from '../../src-main/capture/hashFileReader.ts';
import { readHashFile, readHashFileBytes } from '../../src-main/capture/readHashFile.ts';
import { TRAINING_SAMPLES_DIR } from '../../src-main/sim/startSimulatedTenant.ts';

/** The worker-thread reader gives exactly what readHashFile gives on the calling thread. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hash-file-reader-'));
const reader = new HashFileReader();
const failures: Error[] = [];
reader.onWorkerError = (e) => failures.push(e);
afterAll(async () => {
  await reader.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const bigCsv = () => {
  const rows = Array.from(
    { length: 450 },
    (_, i) =>
      `WRK${String(i).padStart(5, '0')},,${encodeHardwareHash({ serialNumber: `WRK${String(i).padStart(5, '0')}`, manufacturer: 'Dell Inc.', model: 'Latitude 7440' })},Bench`,
  );
  const file = path.join(dir, 'big.csv');
  fs.writeFileSync(file, `Device Serial Number,Windows Product ID,Hardware Hash,Group Tag\r\n${rows.join('\r\n')}\r\n`);
  return file;
};

describe('HashFileReader (worker thread)', () => {
  it('same results and errors as readHashFile: CSV with a refused row, OA3.xml, a missing file, a folder, 450 devices in several messages', async () => {
    const files = [
      path.join(TRAINING_SAMPLES_DIR, 'training-devices.csv'),
      path.join(TRAINING_SAMPLES_DIR, 'OA3-PF3TRN01.xml'),
      path.join(dir, 'missing.csv'),
      dir,
      bigCsv(),
    ];
    for (const file of files) expect(await reader.readFile(file), file).toEqual(await readHashFile(file));
    expect((await reader.readFile(files[4]!)).devices.map((d) => d.serialNumber)).toEqual(
      Array.from({ length: 450 }, (_, i) => `WRK${String(i).padStart(5, '0')}`),
    );
    // Options travel: the typed serial replaces the file's and is judged against the hash.
    expect(await reader.readFile(files[1]!, { serialNumber: 'OTHER123', sourceKind: 'this-device' })).toEqual(
      await readHashFile(files[1]!, { serialNumber: 'OTHER123', sourceKind: 'this-device' }),
    );
    expect(failures).toEqual([]);
  });

  it('bytes (browser mode, drop folder): same result, the caller keeps its buffer', async () => {
    const bytes = fs.readFileSync(path.join(TRAINING_SAMPLES_DIR, 'training-devices.csv'));
    const copy = Buffer.from(bytes);
    expect(await reader.readBytes(bytes, 'picked.csv', { sourceKind: 'drop-folder' })).toEqual(
      readHashFileBytes(copy, 'picked.csv', { sourceKind: 'drop-folder' }),
    );
    expect(bytes.equals(copy)).toBe(true);
    expect(await reader.readBytes(Buffer.from([0, 1, 2, 0, 0xff]), 'junk.bin')).toEqual(
      readHashFileBytes(Buffer.from([0, 1, 2, 0, 0xff]), 'junk.bin'),
    );
  });

  it('runs on another thread, and requests sent together each get their own answer', async () => {
    const files = [
      path.join(TRAINING_SAMPLES_DIR, 'OA3-PF3TRN01.xml'),
      path.join(TRAINING_SAMPLES_DIR, 'training-devices.csv'),
      path.join(dir, 'missing.csv'),
    ];
    const results = await Promise.all(files.map((f) => reader.readFile(f)));
    expect(results.map((r) => r.path)).toEqual(files);
    expect(results.map((r) => r.devices.length)).toEqual([1, 7, 0]);
    expect(reader.workerThreadId).toBeGreaterThan(0);
    expect(reader.workerThreadId).not.toBe(threadId);
    expect(failures).toEqual([]);
  });

  it('a worker that cannot start: the read is done here instead, same result, and the failure is told', async () => {
    const broken = new HashFileReader(new URL('file:///nonexistent/hashFileWorker.js'));
    const told: Error[] = [];
    broken.onWorkerError = (e) => told.push(e);
    const file = path.join(TRAINING_SAMPLES_DIR, 'training-devices.csv');
    expect(await broken.readFile(file)).toEqual(await readHashFile(file));
    expect(told).toHaveLength(1);
    await broken.close();
  });
});

import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES } from '../../src-main/contract/limits.ts';
import { readHashFileBytes } from '../../src-main/capture/readHashFile.ts';
import { csvWithOneBadRow, mutateBytes, seedFiles } from '../fuzz/fuzzFiles.ts';
import { FuzzRng, seedFromEnv } from '../fuzz/fuzzRng.ts';
import { fileResultProblems, fuzzReaders } from '../fuzz/readerFuzzer.ts';

/**
 * Short fuzz run of the hash file readers (the long one is bench/fuzz.bench.ts). FUZZ_SEED replays
 * another sequence; every problem is reported with its seed, input number and mutations.
 */
const seed = seedFromEnv();

describe(`hash file readers under damaged files (seed ${seed})`, () => {
  it('reads thousands of mutated files, broken-row CSVs and damaged hashes without a throw, a hang or a silent refusal', async () => {
    const report = await fuzzReaders({
      seed,
      files: 1500,
      rowFiles: 300,
      hashes: 1000,
      hangMs: 5000,
      growTo: [64 * 1024, 1024 * 1024],
    });
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ crashes: 0, hangs: 0, badResults: 0, goodRowsLost: 0, diskMismatches: 0 });
    expect(report.totalInputs).toBeGreaterThanOrEqual(2800);
    expect(report.tried.disk).toBeGreaterThanOrEqual(150);
    // Not vacuous: the mutations reach both outcomes and many different refusals.
    expect(report.filesWithDevices).toBeGreaterThan(100);
    expect(report.filesRefused).toBeGreaterThan(100);
    const codes = Object.keys(report.codes);
    for (const code of [
      'FILE_BINARY',
      'FILE_BAD_ENCODING',
      'CSV_BAD_QUOTES',
      'CSV_WRONG_COLUMNS',
      'XML_MALFORMED',
      'HASH_CHECKSUM_MISMATCH',
    ])
      expect(codes).toContain(code);
    expect(codes.length).toBeGreaterThanOrEqual(20);
  }, 180_000);

  it('refuses mutated files just past 10 MB with a code, and reads CSVs at the limit', () => {
    const rng = new FuzzRng(seed);
    const seeds = seedFiles();
    for (const size of [MAX_FILE_BYTES - 1, MAX_FILE_BYTES, MAX_FILE_BYTES + 1]) {
      const { bytes, op } = mutateBytes(rng, rng.pick(seeds).bytes, seeds, { growTo: [size] });
      const grown = op.startsWith('grow')
        ? bytes
        : Buffer.concat([bytes, Buffer.alloc(Math.max(0, size - bytes.length), 0x0a)]).subarray(0, size);
      const r = readHashFileBytes(grown, 'big.csv');
      expect(fileResultProblems(r, 'big.csv')).toEqual([]);
      if (grown.length > MAX_FILE_BYTES) expect(r.errors.map((e) => e.code)).toEqual(['FILE_TOO_LARGE']);
      // XML has its own, tighter limit (1 MB of text): only a CSV is read up to 10 MB.
      else if (r.format !== 'oa3-xml') expect(r.errors.map((e) => e.code)).not.toContain('FILE_TOO_LARGE');
    }
  }, 60_000);

  it.each(['utf-8', 'utf-8-bom', 'utf-16le-bom'] as const)(
    'keeps every good row beside one broken row (%s)',
    (encoding) => {
      const rng = new FuzzRng(seed + 1);
      for (let i = 0; i < 40; i++) {
        const f = csvWithOneBadRow(rng, encoding);
        const r = readHashFileBytes(f.bytes, 'rows.csv');
        const good = r.devices.filter(
          (d) => d.valid && f.good.some((g) => g.line === d.source.line && g.serial === d.serialNumber),
        );
        expect(good.length, f.bad.op).toBe(f.good.length);
        expect(
          r.errors.some((e) => e.line === f.bad.line) || r.devices.some((d) => d.source.line === f.bad.line),
          f.bad.op,
        ).toBe(true);
      }
    },
  );
});

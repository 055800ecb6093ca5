import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeHardwareHash } from '../../src-main/capture/decodeHardwareHash.ts';
import { encodeHardwareHashBytes } from '../../src-main/capture/encodeHardwareHash.ts';
import { readHashFile, readHashFileBytes } from '../../src-main/capture/readHashFile.ts';
import type { FileReadResult } from '../../src-main/contract/types.ts';
import { csvWithOneBadRow, mutateBytes, mutateFile, seedFiles } from './fuzzFiles.ts';
import { FuzzRng } from './fuzzRng.ts';

/**
 * The hash file readers and the hash decoder under damaged input: mutated fixture files read from
 * bytes and from disk, CSVs with one broken row among good ones, and damaged hash bytes. Every read
 * must come back as a FileReadResult (never a throw), with devices or a specific refusal code, good
 * rows next to a bad one still captured, and each file read within the time bound.
 */

export interface ReaderFuzzOptions {
  seed: number;
  /** Mutated files read from bytes (every tenth also from disk). */
  files: number;
  /** CSVs with one broken row. */
  rowFiles: number;
  /** Damaged hashes given to the decoder. */
  hashes: number;
  /** A file taking longer than this is a hang. */
  hangMs: number;
  /** Sizes files may be grown to (default: around the 10 MB limit). */
  growTo?: readonly number[];
  progress?: (line: string) => void;
}

export interface ReaderFuzzReport {
  seed: number;
  tried: { bytes: number; disk: number; rowFiles: number; decoder: number };
  totalInputs: number;
  /** Files with at least one device read / files refused whole. */
  filesWithDevices: number;
  filesRefused: number;
  /** File and row refusal codes, and device finding codes, as counted over all reads. */
  codes: Record<string, number>;
  crashes: number;
  hangs: number;
  badResults: number;
  /** Good rows not captured (or captured invalid) beside one bad row. */
  goodRowsLost: number;
  /** Mutated bytes read differently from disk than from memory. */
  diskMismatches: number;
  slowestMs: number;
  slowestInput: string;
  problems: string[];
  ms: number;
}

const CODE = /^[A-Z][A-Z0-9_]{2,63}$/;

/** Problems with one FileReadResult; empty when it has the right shape and says what it refused. */
export function fileResultProblems(r: FileReadResult, expectedPath: string): string[] {
  const out: string[] = [];
  if (!r || typeof r !== 'object') return ['result is not an object'];
  if (r.path !== expectedPath) out.push(`path ${JSON.stringify(r.path)}`);
  if (!Array.isArray(r.devices) || !Array.isArray(r.errors)) return [...out, 'devices or errors missing'];
  if (r.devices.length === 0 && r.errors.length === 0) out.push('neither devices nor a refusal');
  for (const e of r.errors) {
    if (!CODE.test(e.code)) out.push(`bad code ${JSON.stringify(e.code)}`);
    if (typeof e.message !== 'string' || e.message.length < 20 || e.message.length > 1000)
      out.push(`unclear message for ${e.code}`);
    if (e.line !== undefined && !(Number.isInteger(e.line) && e.line > 0)) out.push(`bad line ${e.line} for ${e.code}`);
  }
  for (const d of r.devices) {
    if (typeof d.serialNumber !== 'string' || typeof d.hardwareHash !== 'string' || typeof d.valid !== 'boolean')
      out.push('device with a bad shape');
    const errors = d.findings.filter((f) => f.severity === 'error');
    if (d.valid === errors.length > 0) out.push(`device valid=${d.valid} with ${errors.length} error findings`);
    for (const f of d.findings)
      if (!CODE.test(f.code) || !f.message) out.push(`bad finding ${JSON.stringify(f).slice(0, 80)}`);
    // A device that arrives valid is one the service would take: a padded base64 hash with a checksum that holds.
    if (d.valid && (!d.hash.checksumOk || d.hardwareHash.length % 4 !== 0))
      out.push('valid device with a hash that does not check');
  }
  // Structured-clone safe: the result crosses Electron's ipc as it is.
  try {
    structuredClone(r);
  } catch {
    out.push('result cannot cross ipc');
  }
  return out;
}

function count(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

export async function fuzzReaders(o: ReaderFuzzOptions): Promise<ReaderFuzzReport> {
  const started = performance.now();
  const report: ReaderFuzzReport = {
    seed: o.seed,
    tried: { bytes: 0, disk: 0, rowFiles: 0, decoder: 0 },
    totalInputs: 0,
    filesWithDevices: 0,
    filesRefused: 0,
    codes: {},
    crashes: 0,
    hangs: 0,
    badResults: 0,
    goodRowsLost: 0,
    diskMismatches: 0,
    slowestMs: 0,
    slowestInput: '',
    problems: [],
    ms: 0,
  };
  const problem = (what: string, counter?: 'crashes' | 'hangs' | 'badResults' | 'goodRowsLost' | 'diskMismatches') => {
    if (counter) report[counter]++;
    if (report.problems.length < 25) report.problems.push(`[seed ${o.seed}] ${what}`.slice(0, 600));
  };
  const timed = <T>(label: string, work: () => T): T | undefined => {
    const t = performance.now();
    try {
      return work();
    } catch (err) {
      problem(`${label}: threw ${err instanceof Error ? err.message : String(err)}`, 'crashes');
      return undefined;
    } finally {
      const ms = performance.now() - t;
      if (ms > report.slowestMs) {
        report.slowestMs = Math.round(ms);
        report.slowestInput = label.slice(0, 120);
      }
      if (ms > o.hangMs) problem(`${label}: took ${Math.round(ms)} ms`, 'hangs');
    }
  };
  const tally = (r: FileReadResult) => {
    for (const e of r.errors) count(report.codes, e.code);
    for (const d of r.devices) for (const f of d.findings) if (f.severity === 'error') count(report.codes, f.code);
    if (r.devices.length) report.filesWithDevices++;
    else report.filesRefused++;
  };

  const rng = new FuzzRng(o.seed);
  const seeds = seedFiles();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'fuzz-readers-'));
  try {
    // 1. Mutated files, from bytes; every tenth also through the disk path, which must agree.
    const fileRng = rng.fork(11);
    for (let i = 0; i < o.files; i++) {
      const m = mutateFile(fileRng, seeds, o.growTo ? { growTo: o.growTo } : {});
      const label = `file #${i} ${m.name} [${m.ops.join(',')}] (${m.bytes.length} bytes)`;
      report.tried.bytes++;
      report.totalInputs++;
      const r = timed(label, () => readHashFileBytes(m.bytes, m.name));
      if (!r) continue;
      const problems = fileResultProblems(r, m.name);
      if (problems.length) problem(`${label}: ${problems.join('; ')}`, 'badResults');
      tally(r);
      if (i % 10 === 0) {
        const file = path.join(tmp, `m${i}.bin`);
        writeFileSync(file, m.bytes);
        report.tried.disk++;
        report.totalInputs++;
        const t = performance.now();
        let fromDisk: FileReadResult | undefined;
        try {
          fromDisk = await readHashFile(file);
        } catch (err) {
          problem(`${label} from disk: threw ${err instanceof Error ? err.message : String(err)}`, 'crashes');
        }
        if (performance.now() - t > o.hangMs)
          problem(`${label} from disk: took ${Math.round(performance.now() - t)} ms`, 'hangs');
        rmSync(file, { force: true });
        if (fromDisk) {
          const p = fileResultProblems(fromDisk, file);
          if (p.length) problem(`${label} from disk: ${p.join('; ')}`, 'badResults');
          const sig = (x: FileReadResult) =>
            JSON.stringify([x.errors.map((e) => [e.code, e.line]), x.devices.map((d) => [d.serialNumber, d.valid])]);
          if (sig(fromDisk) !== sig(r)) problem(`${label}: read differently from disk`, 'diskMismatches');
        }
      }
      if (i % 500 === 499) o.progress?.(`readers: ${i + 1} files`);
    }

    // 2. Good rows beside one broken row: every good row captured, valid, on its line.
    const rowRng = rng.fork(12);
    for (let i = 0; i < o.rowFiles; i++) {
      const f = csvWithOneBadRow(rowRng);
      const label = `rows #${i} ${f.bad.op} at line ${f.bad.line}`;
      report.tried.rowFiles++;
      report.totalInputs++;
      const r = timed(label, () => readHashFileBytes(f.bytes, 'rows.csv'));
      if (!r) continue;
      const problems = fileResultProblems(r, 'rows.csv');
      if (problems.length) problem(`${label}: ${problems.join('; ')}`, 'badResults');
      tally(r);
      for (const g of f.good) {
        const d = r.devices.find((x) => x.source.line === g.line);
        if (!d || d.serialNumber !== g.serial || !d.valid)
          problem(
            `${label}: good row ${g.serial} on line ${g.line} ${d ? `read as ${d.serialNumber} valid=${d.valid}` : 'lost'}`,
            'goodRowsLost',
          );
      }
      // The broken row is reported on its line, or kept as a device the technician sees.
      const seen = r.errors.some((e) => e.line === f.bad.line) || r.devices.some((d) => d.source.line === f.bad.line);
      if (!seen) problem(`${label}: the broken row was neither reported nor kept`, 'badResults');
    }

    // 3. Damaged hash bytes straight into the decoder: never a throw, never valid unless the checksum holds.
    const hashRng = rng.fork(13);
    const base = [
      encodeHardwareHashBytes({
        serialNumber: 'PF3ABC12',
        manufacturer: 'LENOVO',
        model: '21CB004LUS',
        productKeyId: '3306201234567',
      }),
      encodeHardwareHashBytes({ serialNumber: '5CG1234XYZ', manufacturer: 'HP', model: 'EliteBook' }),
    ];
    for (let i = 0; i < o.hashes; i++) {
      const bytes = Buffer.from(hashRng.pick(base));
      const { bytes: damaged, op } = mutateBytes(hashRng, bytes, []);
      // Structure-aware too: a record length or the total length set to an edge value.
      if (hashRng.chance(0.3) && damaged.length > 12)
        damaged.writeUInt16LE(
          hashRng.pick([0, 3, 4, 5, 0xffff, Math.min(0xffff, damaged.length)]),
          hashRng.pick([2, 6, 10]),
        );
      const text = hashRng.chance(0.2) ? damaged.toString('base64').replace(/=+$/, '') : damaged.toString('base64');
      const label = `hash #${i} [${op}]`;
      report.tried.decoder++;
      report.totalInputs++;
      const r = timed(label, () =>
        decodeHardwareHash(
          text,
          hashRng.chance(0.5) ? { expectedSerial: hashRng.pick(['PF3ABC12', 'OTHER', '']) } : {},
        ),
      );
      if (!r) continue;
      if (r.valid && !r.checksumOk) problem(`${label}: valid without a matching checksum`, 'badResults');
      for (const f of r.findings) {
        if (!CODE.test(f.code)) problem(`${label}: bad finding code ${f.code}`, 'badResults');
        if (f.severity === 'error') count(report.codes, f.code);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  report.ms = Math.round(performance.now() - started);
  return report;
}

/**
 * Shared by the crash test (npm test) and the crash benchmark (bench/crash.bench.ts): spawns the
 * station process of queueCrashChild.ts and SIGKILLs it after a delay, and a seeded random source so
 * that a failing run can be replayed from its printed seed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildConfig } from './queueCrashChild.ts';

export const CRASH_CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'queueCrashChild.ts');

/** Small seeded generator (mulberry32). */
export function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ChildRun {
  code: number | null;
  /** The SIGKILL was sent while the station was still running. */
  killed: boolean;
  stdout: string;
  stderr: string;
  /** Real milliseconds from spawn to exit. */
  realMs: number;
  /** Real milliseconds from "queued" (the station up, its devices on disk) to exit. */
  workMs?: number;
}

/**
 * Runs one station process on `config.dataDir`. With `killAfterMs`, SIGKILLs it that long after it
 * printed "queued": the clock starts when the station is up, so kills land in the work, not in
 * start-up, however loaded the machine is. With `killWhen`, SIGKILLs it as soon as that says so.
 */
export function runCrashChild(
  config: ChildConfig,
  killAfterMs: number | undefined,
  guardMs = 90_000,
  killWhen?: () => boolean,
  childFile = CRASH_CHILD,
): Promise<ChildRun> {
  // Too large for argv (hashes, certificates): handed over in a file.
  const file = path.join(config.dataDir, 'crash-config.json');
  fs.writeFileSync(file, JSON.stringify(config));
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childFile, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    let queuedAt: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (c) => {
      stdout += c;
      if (queuedAt === undefined && stdout.includes('queued')) {
        queuedAt = Date.now();
        if (killAfterMs !== undefined) timer = setTimeout(() => (killed = child.kill('SIGKILL')), killAfterMs);
        // Or at a moment of the work (a device in a given state on disk), looked at every 20 ms.
        if (killWhen) {
          const look = () => {
            if (child.exitCode !== null) return;
            if (killWhen()) killed = child.kill('SIGKILL');
            else timer = setTimeout(look, 20);
          };
          look();
        }
      }
    });
    child.stderr.on('data', (c) => (stderr += c));
    const guard = setTimeout(() => child.kill('SIGKILL'), guardMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      clearTimeout(guard);
      const now = Date.now();
      resolve({
        code,
        killed,
        stdout,
        stderr,
        realMs: now - started,
        ...(queuedAt !== undefined ? { workMs: now - queuedAt } : {}),
      });
    });
  });
}

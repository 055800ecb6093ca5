import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scaledClock, type Clock } from '../src-main/kernel/clock.ts';

/**
 * Shared pieces of the pipeline benchmark: the clock the simulated tenant (parent process) and a
 * client (child process) both read, a memory sampler, and the parent/child hand-over.
 */

export type WaitFor = 'registered' | 'assigned';

/** What the parent hands a child: who it is, and how to reach the simulated tenant it serves. */
export interface ChildConfig {
  role: 'station' | 'baseline';
  devices: number;
  waitFor: WaitFor;
  groupTag: string;
  batchSize: number;
  timeScale: number;
  /** Real epoch (Date.now()) at which service time equals real time; see sharedClock. */
  epochMs: number;
  sim: {
    graphUrl: string;
    authorityHost: string;
    caCertPem: string;
    tenantId: string;
    clientId: string;
    clientCertificatePem: string;
  };
  /** Baseline only: an app token (the script signs in once, as the PowerShell scripts do). */
  accessToken?: string;
  /**
   * Station only: stop waiting after this many service seconds and report the states as they are (the realistic pass).
   */
  deadlineServiceS?: number;
}

/**
 * Service time as a pure function of the wall clock, so two processes agree on it to the
 * millisecond: now = epoch + (Date.now() - epoch) * timeScale.
 */
export function sharedClock(timeScale: number, epochMs: number): Clock {
  const { sleep } = scaledClock(timeScale);
  return { now: () => epochMs + (Date.now() - epochMs) * timeScale, sleep };
}

const MiB = 2 ** 20;
const mib = (n: number) => Number((n / MiB).toFixed(1));

export interface MemoryFigures {
  rssStartMiB: number;
  rssPeakMiB: number;
  heapUsedStartMiB: number;
  heapUsedPeakMiB: number;
  /** Peaks from mark() on (the pipeline after the devices were handed over), when marked. */
  rssPeakAfterMarkMiB?: number;
  heapUsedPeakAfterMarkMiB?: number;
  samples: number;
}

/** Peak rss and heapUsed of this process, sampled every few real milliseconds; mark() starts a second set of peaks. */
export function sampleMemory(everyMs = 25): { mark(): void; stop(): MemoryFigures } {
  const start = process.memoryUsage();
  let rssPeak = start.rss;
  let heapPeak = start.heapUsed;
  let marked: { rss: number; heap: number } | undefined;
  let samples = 0;
  const take = () => {
    const m = process.memoryUsage();
    samples++;
    if (m.rss > rssPeak) rssPeak = m.rss;
    if (m.heapUsed > heapPeak) heapPeak = m.heapUsed;
    if (marked) {
      if (m.rss > marked.rss) marked.rss = m.rss;
      if (m.heapUsed > marked.heap) marked.heap = m.heapUsed;
    }
  };
  const timer = setInterval(take, everyMs);
  timer.unref();
  return {
    mark() {
      marked = { rss: 0, heap: 0 };
      take();
    },
    stop() {
      take();
      clearInterval(timer);
      return {
        rssStartMiB: mib(start.rss),
        rssPeakMiB: mib(rssPeak),
        heapUsedStartMiB: mib(start.heapUsed),
        heapUsedPeakMiB: mib(heapPeak),
        ...(marked ? { rssPeakAfterMarkMiB: mib(marked.rss), heapUsedPeakAfterMarkMiB: mib(marked.heap) } : {}),
        samples,
      };
    },
  };
}

/**
 * Memory still in use after a full garbage collection (the child runs with --expose-gc): what is retained, not what
 * awaits collection.
 */
export function retainedMemory(): { heapUsedMiB: number; rssMiB: number } | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  gc();
  const m = process.memoryUsage();
  return { heapUsedMiB: mib(m.heapUsed), rssMiB: mib(m.rss) };
}

/** CHILD_CPU_PROF=DIR: each client child writes a V8 CPU profile there (open in Chrome DevTools). */
function cpuProfileArgs(): string[] {
  const dir = process.env.CHILD_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/**
 * Runs `file` again in a child process with the config in a temp file (env PIPELINE_CHILD). The parent
 * keeps serving the simulated tenant meanwhile, so spawn is asynchronous. Resolves with the child's
 * last stdout line as JSON.
 */
export async function runChild<T>(file: string, config: ChildConfig): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-child-'));
  const configPath = path.join(dir, 'config.json');
  fs.writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
  try {
    const child = spawn(process.execPath, ['--expose-gc', ...cpuProfileArgs(), '--import', 'tsx', file], {
      env: { ...process.env, PIPELINE_CHILD: configPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const last = out.trim().split('\n').filter(Boolean).at(-1) ?? '';
    try {
      return JSON.parse(last) as T;
    } catch {
      throw new Error(
        `${config.role} child (${config.devices} devices, ${config.waitFor}) failed with exit ${code}: ${err.slice(-2000)}`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function readChildConfig(): ChildConfig | undefined {
  const p = process.env.PIPELINE_CHILD;
  return p ? (JSON.parse(fs.readFileSync(p, 'utf8')) as ChildConfig) : undefined;
}

import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * `npm run bench`: runs every bench/*.bench.ts in its own process (so one benchmark's heap does not
 * colour the next), prints one JSON object with all figures on stdout and a summary line per
 * benchmark on stderr, and keeps a copy in bench/results/latest.json.
 */
const only = process.argv.slice(2);
const files = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const results: Record<string, unknown> = {};
for (const file of files) {
  const name = file.replace(/\.bench\.ts$/, '');
  const started = Date.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join('bench', file)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const stdout = run.stdout.trim();
  const lastLine = stdout.split('\n').filter(Boolean).at(-1) ?? '';
  try {
    results[name] = JSON.parse(lastLine);
  } catch {
    results[name] = { error: `exit ${run.status}`, stderr: run.stderr.slice(-2000) };
  }
  // Each benchmark ends its stderr with a one-line summary.
  const summary = run.stderr
    .split('\n')
    .filter((l) => l.trim())
    .at(-1);
  process.stderr.write(
    `${name}: ${summary || (run.status === 0 ? 'done' : `failed (exit ${run.status})`)} [${((Date.now() - started) / 1000).toFixed(1)} s]\n`,
  );
}

const report = {
  measuredAt: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  },
  results,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.json', `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report)}\n`);

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, redactString } from '../src-main/kernel/logger.ts';
import { createRotatingLogFile } from '../src-main/app/rotatingLogFile.ts';
import { encodeHardwareHash } from '../src-main/capture/encodeHardwareHash.ts';

/**
 * What redaction and the rotating file cost: lines per second through the real logger and file
 * sink (typical lines, and lines carrying a full hash and a token), and the worst hostile strings
 * (regex back-tracking) in milliseconds. `npx tsx bench/logRedaction.bench.ts`
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-logs-'));
const file = createRotatingLogFile({ dir });
const logger = createLogger(file.sink);
const hash = encodeHardwareHash({
  serialNumber: '5CG1234XYZ',
  manufacturer: 'HP',
  model: 'EliteBook',
  totalBytes: 2999,
});
const token = `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${randomBytes(600).toString('base64url')}.${randomBytes(256).toString('base64url')}`;

const rate = (n: number, line: (i: number) => void) => {
  const t = performance.now();
  for (let i = 0; i < n; i++) line(i);
  return Math.round(n / ((performance.now() - t) / 1000));
};
const plainLinesPerSecond = rate(20_000, (i) =>
  logger.info('device imported', {
    serialNumber: `SN${i}`,
    state: 'imported',
    'request-id': '6f1c1c1e-0000-4000-8000-000000000000',
  }),
);
const hashLinesPerSecond = rate(2_000, (i) =>
  logger.info(`captured ${hash}`, { serialNumber: `SN${i}`, accessToken: token, note: `Bearer ${token}` }),
);

const hostile: Record<string, string> = {
  base64Run100k: 'A'.repeat(100_000),
  jwtPrefixes90k: 'eyJ'.repeat(30_000),
  wrappedLines100k: `${'A'.repeat(50)}\n`.repeat(2_000),
  queryKeys70k: '?token='.repeat(10_000),
  jsonKeys100k: '"token": "'.repeat(10_000),
};
const hostileMs: Record<string, number> = {};
for (const [name, s] of Object.entries(hostile)) {
  const t = performance.now();
  redactString(s);
  hostileMs[name] = Math.round((performance.now() - t) * 10) / 10;
}
file.close();
const files = file.files().length;
fs.rmSync(dir, { recursive: true, force: true });

const result = { plainLinesPerSecond, hashLinesPerSecond, hostileMs, filesAfterRun: files };
process.stdout.write(`${JSON.stringify(result)}\n`);
process.stderr.write(
  `log redaction: ${plainLinesPerSecond} plain lines/s, ${hashLinesPerSecond} hash+token lines/s, worst hostile string ${Math.max(...Object.values(hostileMs))} ms\n`,
);

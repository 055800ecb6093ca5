// Capture benchmark: `npx tsx bench/capture.bench.ts`. Prints one JSON object on stdout, a summary on stderr.
// Targets on the bench machine: 500-row UTF-16LE CSV read and validated in < 50 ms; 10,000 hashes decoded in < 500 ms.
import { decodeHardwareHash } from '../src-main/capture/decodeHardwareHash.ts';
import { encodeHardwareHash } from '../src-main/capture/encodeHardwareHash.ts';
import { readHashFileBytes } from '../src-main/capture/readHashFile.ts';

const RUNS = 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 100) / 100;

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

const serial = (i: number) => `BENCH${String(i).padStart(6, '0')}`;
const hashes = Array.from({ length: 10_000 }, (_, i) =>
  encodeHardwareHash(
    { serialNumber: serial(i), manufacturer: 'LENOVO', model: '21CB004LUS' },
    { unpadded: i % 2 === 0 },
  ),
);

// What Windows PowerShell 5.1's Get-WindowsAutopilotInfo writes for 500 devices: UTF-16LE, BOM, CRLF, four columns.
const csvText = `Device Serial Number,Windows Product ID,Hardware Hash,Group Tag\r\n${hashes
  .slice(0, 500)
  .map((h, i) => `${serial(i)},,${h},Bench-A`)
  .join('\r\n')}\r\n`;
const csv = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csvText, 'utf16le')]);

const csvRuns: number[] = [];
for (let run = 0; run < RUNS + 2; run++) {
  let devices = 0;
  const ms = time(() => {
    const r = readHashFileBytes(csv, 'bench.csv');
    devices = r.devices.filter((d) => d.valid).length;
  });
  if (devices !== 500) throw new Error(`expected 500 valid devices, read ${devices}`);
  if (run >= 2) csvRuns.push(ms); // first runs warm the JIT
}

const decodeRuns: number[] = [];
for (let run = 0; run < 5 + 1; run++) {
  let valid = 0;
  const ms = time(() => {
    for (let i = 0; i < hashes.length; i++)
      if (decodeHardwareHash(hashes[i]!, { expectedSerial: serial(i) }).valid) valid++;
  });
  if (valid !== hashes.length) throw new Error(`expected ${hashes.length} valid hashes, got ${valid}`);
  if (run >= 1) decodeRuns.push(ms);
}

const result = {
  name: 'capture',
  csv500Utf16Ms: round(median(csvRuns)),
  decode10kMs: round(median(decodeRuns)),
  csvBytes: csv.length,
  runs: { csv: csvRuns.length, decode: decodeRuns.length },
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.stderr.write(
  `capture: 500-row UTF-16LE CSV ${result.csv500Utf16Ms} ms (target < 50), 10k hashes decoded ${result.decode10kMs} ms (target < 500), median of ${RUNS} and 5 runs\n`,
);

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeHardwareHash } from '../capture/encodeHardwareHash.ts';

/**
 * Sample OEM hash files for training mode, matched to scenarios/training.json: devices that register,
 * one already registered here (806), one owned by another tenant (808), one whose hash lacks the
 * manufacturer (802), and one serial with a '-' (the filter fallback). Made with the real encoder, so
 * they decode like real hashes. `npx tsx src-main/sim/trainingSamples.ts` rewrites them.
 */
export interface TrainingSample {
  serialNumber: string;
  manufacturer?: string;
  model?: string;
  productKeyId?: string;
  /** What training mode shows happening to it. */
  outcome: 'registers' | '806' | '808' | '802';
}

export const TRAINING_SAMPLES: readonly TrainingSample[] = [
  { serialNumber: 'PF3TRN01', manufacturer: 'LENOVO', model: '21CB004LUS', outcome: 'registers' },
  { serialNumber: 'PF3TRN02', manufacturer: 'LENOVO', model: '21CB004LUS', outcome: 'registers' },
  { serialNumber: '5CG2041TRN', manufacturer: 'HP', model: 'HP EliteBook 840 G9', outcome: 'registers' },
  { serialNumber: 'TRN-2024-17', manufacturer: 'Dell Inc.', model: 'Latitude 5440', outcome: 'registers' },
  { serialNumber: 'PF3REG01', manufacturer: 'LENOVO', model: '21CB004LUS', outcome: '806' },
  { serialNumber: 'MXL9808TRN', manufacturer: 'HP', model: 'HP ProDesk 400 G7', outcome: '808' },
  { serialNumber: 'NOMFR802', model: 'Unknown board', outcome: '802' },
];

export function sampleHash(s: TrainingSample): string {
  return encodeHardwareHash({
    serialNumber: s.serialNumber,
    ...(s.manufacturer ? { manufacturer: s.manufacturer } : {}),
    ...(s.model ? { model: s.model } : {}),
    macAddresses: [
      `00:15:5D:${s.serialNumber.charCodeAt(0).toString(16).padStart(2, '0')}:${s.serialNumber.length.toString(16).padStart(2, '0')}:${(s.serialNumber.charCodeAt(s.serialNumber.length - 1) % 256).toString(16).padStart(2, '0')}`,
    ],
  });
}

/** The files, by name: one Get-WindowsAutopilotInfo CSV with every sample, and one OA3.xml. */
export function trainingSampleFiles(): Record<string, string> {
  const csv =
    [
      'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag',
      ...TRAINING_SAMPLES.map((s) => `${s.serialNumber},,${sampleHash(s)},Training`),
    ].join('\r\n') + '\r\n';
  const first = TRAINING_SAMPLES[0]!;
  const oa3 = `<?xml version="1.0" encoding="utf-8"?>\r\n<Key>\r\n  <ProductKey></ProductKey>\r\n  <ProductKeyID></ProductKeyID>\r\n  <ProductKeyState>0</ProductKeyState>\r\n  <HardwareHash>${sampleHash(first)}</HardwareHash>\r\n</Key>\r\n`;
  return { 'training-devices.csv': csv, [`OA3-${first.serialNumber}.xml`]: oa3 };
}

export async function writeTrainingSamples(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, content] of Object.entries(trainingSampleFiles())) {
    await writeFile(path.join(dir, name), content, 'utf8');
    written.push(path.join(dir, name));
  }
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const { TRAINING_SAMPLES_DIR } = await import('./startSimulatedTenant.ts');
  for (const f of await writeTrainingSamples(TRAINING_SAMPLES_DIR)) process.stdout.write(`${f}\n`);
}

import fs from 'node:fs';
import path from 'node:path';
import type { DiagnosticsFile } from '../contract/types.ts';
import { redact, redactString } from '../kernel/logger.ts';
import { writeZip, type ZipEntry } from '../kernel/writeZip.ts';

export interface DiagnosticsDeps {
  /** Log files to include, newest first (RotatingLogFile.files()). */
  logFiles: () => string[];
  /**
   * JSON documents by file name, e.g. "queue.json" → the queue rows. A failing one is recorded, not
   * fatal. A function is called at each save, so each bundle is a fresh snapshot.
   */
  sections: Record<string, () => Promise<unknown>> | (() => Record<string, () => Promise<unknown>>);
  /**
   * Where the zip is written (Electron: the Desktop). Without it the bytes are returned (browser mode downloads them).
   */
  outputDir?: string | undefined;
  stationName: string;
  version: string;
  now: () => number;
}

const README = `Autopilot Station diagnostics
=============================
logs/         the station's log files (JSON lines, newest file first: station.log, station.1.log, ...)
*.json        the station's state when this bundle was saved (info, settings, sign-in status, queue)
manifest.json what is in this bundle

Tokens, secrets and full hardware hashes are removed before anything is written here:
hashes keep their first 8 characters so support can match records. Graph request ids are kept;
give them to Microsoft support with this bundle when an import fails.
`;

/**
 * "Save diagnostics": the logs and the station's state, zipped for support. Everything goes through
 * the logger's redaction again, so a secret that reached a section by mistake is still removed.
 */
export class DiagnosticsService {
  constructor(private readonly deps: DiagnosticsDeps) {}

  async save(): Promise<DiagnosticsFile> {
    const at = new Date(this.deps.now());
    const entries: ZipEntry[] = [{ name: 'README.txt', data: README.replace(/\n/g, '\r\n'), modified: at }];
    const included: string[] = [];

    for (const file of this.deps.logFiles()) {
      try {
        const text = fs.readFileSync(file, 'utf8');
        const clean = text
          .split('\n')
          .map((line) => redactString(line))
          .join('\n');
        entries.push({ name: `logs/${path.basename(file)}`, data: clean, modified: fs.statSync(file).mtime });
        included.push(`logs/${path.basename(file)}`);
      } catch {
        // rotated away between listing and reading: nothing to include
      }
    }

    const problems: Record<string, string> = {};
    const sections = typeof this.deps.sections === 'function' ? this.deps.sections() : this.deps.sections;
    for (const [name, read] of Object.entries(sections)) {
      let value: unknown;
      try {
        value = await read();
      } catch (err) {
        const e = err as { code?: unknown; message?: unknown };
        problems[name] =
          `${typeof e.code === 'string' ? `${e.code}: ` : ''}${typeof e.message === 'string' ? e.message : String(err)}`;
        continue;
      }
      entries.push({ name, data: `${JSON.stringify(redactSection(value), null, 2)}\n`, modified: at });
      included.push(name);
    }

    const manifest = {
      product: 'Autopilot Station',
      version: this.deps.version,
      station: this.deps.stationName,
      savedAt: at.toISOString(),
      files: included,
      unavailable: problems,
    };
    entries.push({ name: 'manifest.json', data: `${JSON.stringify(redact(manifest), null, 2)}\n`, modified: at });

    const zip = writeZip(entries);
    const fileName = diagnosticsFileName(this.deps.stationName, at);
    if (!this.deps.outputDir) return { fileName, bytes: zip.length, base64: zip.toString('base64') };
    fs.mkdirSync(this.deps.outputDir, { recursive: true });
    const target = path.join(this.deps.outputDir, fileName);
    fs.writeFileSync(target, zip);
    return { fileName, bytes: zip.length, path: target };
  }
}

/** redact() keeps 50 items of an array (enough for a log line); a section that is a list keeps all of them. */
function redactSection(value: unknown): unknown {
  if (!Array.isArray(value)) return redact(value);
  const out: unknown[] = [];
  for (let i = 0; i < value.length; i += 50) out.push(...(redact(value.slice(i, i + 50)) as unknown[]));
  return out;
}

export function diagnosticsFileName(stationName: string, at: Date): string {
  const safe = stationName.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40) || 'station';
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '-');
  return `autopilot-station-diagnostics-${safe}-${stamp}.zip`;
}

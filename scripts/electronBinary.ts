import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The installed Electron runtime, or undefined where npm ci skipped its download (offline benches, CI). */
export function electronBinary(): string | undefined {
  try {
    const resolved = createRequire(import.meta.url)('electron') as unknown;
    return typeof resolved === 'string' && existsSync(resolved) ? resolved : undefined;
  } catch {
    return undefined;
  }
}

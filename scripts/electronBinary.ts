import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The installed Electron runtime, or undefined where npm ci skipped its download (offline benches, CI).
 *
 * It looks where the `electron` package keeps its runtime (`path.txt` names the executable under `dist/`, or under
 * ELECTRON_OVERRIDE_DIST_PATH) instead of requiring the package: since Electron 36 `require('electron')` downloads a
 * missing runtime itself, which on an offline bench prints "Downloading Electron binary..." and fails on every start.
 */
export function electronBinary(): string | undefined {
  try {
    const dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = path.join(dir, 'path.txt');
    const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
    const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
    const binary = override ? path.join(override, name || 'electron') : name ? path.join(dir, 'dist', name) : '';
    return binary && existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

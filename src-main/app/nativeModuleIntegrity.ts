import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The packaged app's native modules (better-sqlite3's .node) live in app.asar.unpacked, outside the
 * asar that Electron's integrity fuse checks; the portable build even unpacks them into the user's
 * %TEMP%, where any process of that user can replace them. scripts/native-digests.cjs records each
 * one's SHA-256 inside the asar at packaging time; this compares the files on disk against that
 * record before the queue opens (and so before better-sqlite3 loads its addon).
 *
 * @param digestsFile  dist/main/native-modules.json inside app.asar: {"<path relative to the app>": "<sha256 hex>"}
 * @param unpackedRoot the app.asar.unpacked folder the .node files are read from
 * @returns the verified absolute paths, or the first problem in words an admin can act on
 */
export function verifyNativeModules(
  digestsFile: string,
  unpackedRoot: string,
): { ok: true; verified: string[] } | { ok: false; problem: string } {
  let digests: Record<string, string>;
  try {
    digests = JSON.parse(readFileSync(digestsFile, 'utf8')) as Record<string, string>;
  } catch (err) {
    return {
      ok: false,
      problem: `the list of native module digests (${digestsFile}) cannot be read: ${(err as Error).message}`,
    };
  }
  const entries = Object.entries(digests);
  if (entries.length === 0)
    return { ok: false, problem: `the list of native module digests (${digestsFile}) is empty` };
  const verified: string[] = [];
  for (const [rel, expected] of entries) {
    const file = path.join(unpackedRoot, rel);
    let actual: string;
    try {
      actual = createHash('sha256').update(readFileSync(file)).digest('hex');
    } catch (err) {
      return { ok: false, problem: `the native module ${file} cannot be read: ${(err as Error).message}` };
    }
    if (actual !== expected) {
      return {
        ok: false,
        problem: `the native module ${file} is not the one this version shipped (SHA-256 ${actual.slice(0, 12)}…, expected ${expected.slice(0, 12)}…): reinstall the station`,
      };
    }
    verified.push(file);
  }
  return { ok: true, verified };
}

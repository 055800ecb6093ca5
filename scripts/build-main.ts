import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Builds the main-process code into `outDir` (default dist/main):
 * - main.js: the Electron main process, an ES module; packages stay in node_modules (better-sqlite3 is native).
 * - cli.js: the `autopilot-station` command line, an ES module, packages external like main.js; it needs
 *   only the production dependencies (test/main/cliBuild.test.ts checks every bare import is one).
 * - hashFileWorker.js: the worker thread that reads and decodes hash files, self-contained (no
 *   node_modules lookups from inside app.asar).
 * - preload.cjs: one CommonJS file, because sandboxed preloads cannot load ES modules.
 * Returns the bare package names each ES bundle imports (from esbuild's metafile).
 */
export async function buildMain(outDir = 'dist/main'): Promise<Record<'main' | 'cli', string[]>> {
  const esm = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    metafile: true,
  } as const;
  const main = await build({
    ...esm,
    entryPoints: ['src-main/main.ts'],
    outfile: `${outDir}/main.js`,
    packages: 'external',
  });
  const cli = await build({
    ...esm,
    entryPoints: ['src-main/cli.ts'],
    outfile: `${outDir}/cli.js`,
    packages: 'external',
  });
  await build({ ...esm, entryPoints: ['src-main/capture/hashFileWorker.ts'], outfile: `${outDir}/hashFileWorker.js` });
  await build({
    entryPoints: ['src-main/preload.ts'],
    outfile: `${outDir}/preload.cjs`,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['electron'],
    logLevel: 'warning',
  });
  return { main: bareImports(main.metafile), cli: bareImports(cli.metafile) };
}

function bareImports(meta: { outputs: Record<string, { imports: { path: string; external?: boolean }[] }> }): string[] {
  const names = new Set<string>();
  for (const out of Object.values(meta.outputs)) {
    for (const i of out.imports)
      if (i.external && !i.path.startsWith('node:') && !i.path.startsWith('.')) names.add(i.path);
  }
  return [...names].sort();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  await buildMain(process.argv[2]);

import { build } from 'esbuild';

// Main process as an ES module (dependencies stay in node_modules: better-sqlite3 is native),
// preload as one CommonJS file because sandboxed preloads cannot load ES modules.
await build({
  entryPoints: ['src-main/main.ts'],
  outfile: 'dist/main/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
await build({
  entryPoints: ['src-main/preload.ts'],
  outfile: 'dist/main/preload.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['electron'],
  logLevel: 'warning',
});

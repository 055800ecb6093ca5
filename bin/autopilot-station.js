#!/usr/bin/env node
// The `autopilot-station` command. Runs the built command line, dist/main/cli.js (plain JavaScript,
// production dependencies only: what an installed bench has after `npm ci --omit=dev`). In a
// developer's checkout where dist/ is missing (never built) it runs the TypeScript sources through tsx,
// a dev dependency, and says so on stderr. `npm run build:main` (or `npm run build`) makes dist/.
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = fileURLToPath(new URL('../dist/main/cli.js', import.meta.url));
let cli;
if (fs.existsSync(built)) {
  warnIfOlderThanSources(built);
  cli = await import(pathToFileURL(built).href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write(
      'autopilot-station: dist/main/cli.js is missing and tsx (a dev dependency) is not installed. Run "npm run build:main" in a full checkout (npm ci), or install the station\'s built package.\n',
    );
    process.exit(1);
  }
  process.stderr.write(
    'autopilot-station: dist/main/cli.js is not built; running the TypeScript sources through tsx (run "npm run build:main" to use the build).\n',
  );
  register();
  cli = await import('../src-main/cli.ts');
}
process.exitCode = await cli.runCli(process.argv.slice(2));

/**
 * In a checkout, a build older than the sources runs yesterday's code: tell the person at the terminal
 * (the build is still what runs; scripts and tests reading stderr through a pipe are not told).
 */
function warnIfOlderThanSources(file) {
  if (!process.stderr.isTTY) return;
  const sources = fileURLToPath(new URL('../src-main', import.meta.url));
  if (!fs.existsSync(sources)) return;
  const builtAt = fs.statSync(file).mtimeMs;
  const newer = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).some((e) => {
      const p = `${dir}/${e.name}`;
      return e.isDirectory() ? newer(p) : e.name.endsWith('.ts') && fs.statSync(p).mtimeMs > builtAt;
    });
  if (newer(sources))
    process.stderr.write(
      'autopilot-station: dist/main/cli.js is older than src-main/; run "npm run build:main" to run your changes.\n',
    );
}

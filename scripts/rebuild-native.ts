import { spawnSync } from 'node:child_process';
import { electronBinary } from './electronBinary.ts';

/**
 * Native modules (better-sqlite3) are compiled for one ABI at a time: Node's (what `npm ci`,
 * the CLI, browser mode and the tests use) or Electron's (what the app uses).
 *   tsx scripts/rebuild-native.ts electron   rebuild for Electron, only where its binary is installed
 *   tsx scripts/rebuild-native.ts node       back to Node's ABI (after running the Electron app)
 * `npm ci` never calls this, so it works on machines without the Electron binary; packaging
 * (`npm run dist`) rebuilds inside the package itself (npmRebuild in electron-builder.yml).
 */

const target = process.argv[2] ?? 'electron';
const run = (cmd: string, args: string[]) =>
  spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' }).status ?? 1;

if (target === 'electron') {
  if (!electronBinary()) {
    console.log(
      'Electron binary not installed (npm run electron:fetch where the internet is reachable): native modules stay built for Node.',
    );
    process.exit(0);
  }
  process.exit(run('npx', ['electron-builder', 'install-app-deps']));
} else if (target === 'node') {
  process.exit(run('npm', ['rebuild', 'better-sqlite3']));
} else {
  console.error(`usage: tsx scripts/rebuild-native.ts electron|node (got "${target}")`);
  process.exit(2);
}

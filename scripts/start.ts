import { spawn, spawnSync } from 'node:child_process';
import { electronBinary } from './electronBinary.ts';

// `npm start`: the Electron app where its runtime is installed, browser mode (saying why) where not.

const run = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

run('npx', ['vite', 'build', '--logLevel', 'warn']);
// Both ways run the built main-process code (bin/autopilot-station.js runs dist/main/cli.js): build it now.
run('npx', ['tsx', 'scripts/build-main.ts']);
const electron = electronBinary();
if (electron) {
  // better-sqlite3 must match Electron's ABI inside the app (npm run rebuild:node to go back).
  run('npx', ['tsx', 'scripts/rebuild-native.ts', 'electron']);
  const child = spawn(electron, ['.'], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(
    'The Electron runtime is not installed on this machine (npm ci skips its download; run "npm run electron:fetch" where the internet is reachable), so the station starts in browser mode instead.',
  );
  const child = spawn(process.execPath, ['bin/autopilot-station.js', 'serve'], { stdio: 'inherit' });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code) => process.exit(code ?? 0));
}

import { spawn } from 'node:child_process';
import type { Logger } from '../kernel/logger.ts';

/**
 * Opens the sign-in page in the system browser outside Electron (browser mode, CLI). Only https
 * URLs are opened, and through argv (no shell string), so a URL cannot become a command.
 */
export function systemBrowserOpener(logger: Logger): (url: string) => Promise<void> {
  return async (url: string) => {
    const u = new URL(url);
    if (u.protocol !== 'https:') throw new Error('only https sign-in pages are opened');
    const [cmd, args] =
      process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', u.href]]
        : process.platform === 'darwin'
          ? ['open', [u.href]]
          : ['xdg-open', [u.href]];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(cmd as string, args as string[], { stdio: 'ignore', detached: true });
      child.once('error', (err) => {
        logger.warn('Could not open the browser for sign-in; open the sign-in page by hand', { host: u.host });
        reject(err);
      });
      child.once('spawn', () => {
        child.unref();
        resolve();
      });
    });
  };
}

import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../kernel/logger.ts';
import type { TokenCacheProtector } from './tokenCacheProtector.ts';

/**
 * msal-node cache plugin: the serialized cache only ever reaches the disk encrypted through the
 * protector, written atomically with mode 0600. A cache that cannot be decrypted (other user,
 * restored backup, tampered) is dropped: the technician signs in again rather than the app failing.
 */
export class EncryptedCachePlugin implements ICachePlugin {
  constructor(
    readonly file: string,
    private readonly protector: TokenCacheProtector,
    private readonly logger: Logger,
  ) {}

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    let data: Buffer;
    try {
      data = await readFile(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    try {
      context.tokenCache.deserialize(await this.protector.unprotect(data));
    } catch (err) {
      this.logger.warn('The saved sign-in could not be read and was discarded; sign in again', {
        reason: (err as Error).message,
      });
      await this.clear();
    }
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!context.cacheHasChanged) return;
    await this.write(await this.protector.protect(context.tokenCache.serialize()));
  }

  /** Sign-out: the file goes; msal's in-memory cache is cleared by the caller. */
  async clear(): Promise<void> {
    await rm(this.file, { force: true });
  }

  private async write(data: Buffer): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    // Unique per write: msal may save twice in the same millisecond from concurrent calls.
    const tmp = `${this.file}.${randomUUID()}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.file);
  }
}

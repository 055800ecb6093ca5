import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../kernel/logger.ts';
import type { TokenCacheProtector } from './tokenCacheProtector.ts';

const MAGIC = Buffer.from('APS1'); // format tag: AES-256-GCM, 12-byte IV, 16-byte tag
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM with a random 32-byte key kept in a file only the user can read (0600). Used where
 * Electron's safeStorage is not available (browser mode, the CLI). It says so in the log: the key
 * sits beside the cache, so this protects against copying one file, not against the user's account.
 */
export class KeyFileProtector implements TokenCacheProtector {
  readonly strength = 'key-file' as const;
  private key?: Buffer;
  private warned = false;

  constructor(
    private readonly keyFile: string,
    private readonly logger: Logger,
  ) {}

  async protect(plain: string): Promise<Buffer> {
    const key = await this.loadKey();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(MAGIC);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([MAGIC, iv, cipher.getAuthTag(), body]);
  }

  async unprotect(data: Buffer): Promise<string> {
    if (data.length < MAGIC.length + IV_BYTES + TAG_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC))
      throw new Error('token cache is not in the expected format');
    const key = await this.loadKey();
    const iv = data.subarray(MAGIC.length, MAGIC.length + IV_BYTES);
    const tag = data.subarray(MAGIC.length + IV_BYTES, MAGIC.length + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(MAGIC);
    decipher.setAuthTag(tag);
    return Buffer.concat([
      decipher.update(data.subarray(MAGIC.length + IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  }

  /**
   * The 32-byte key, created on first use. The key file appears whole or not at all: written to a
   * temporary file, synced, then hard-linked into place (a link fails if another process got there
   * first, so a key is never overwritten while in use). A key file of the wrong length (a station
   * killed mid-write by an older version, a disk error) can decrypt nothing: it is replaced, with a
   * warning, and the saved sign-in it protected is dropped by the cache plugin.
   */
  private async loadKey(): Promise<Buffer> {
    if (this.key) return this.key;
    if (!this.warned) {
      this.warned = true;
      this.logger.warn(
        'Token cache encrypted with a key file readable only by this user: weaker than the operating system key store used by the desktop app',
        { keyFile: this.keyFile },
      );
    }
    const existing = await this.readKey();
    if (existing) return (this.key = existing);
    await mkdir(path.dirname(this.keyFile), { recursive: true, mode: 0o700 });
    const key = randomBytes(32);
    const tmp = `${this.keyFile}.${randomUUID()}.tmp`;
    try {
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(key);
        await fh.sync();
      } finally {
        await fh.close();
      }
      try {
        await link(tmp, this.keyFile);
        this.key = key;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        // Another process wrote its key a moment ago: use that one.
        const theirs = await this.readKey();
        if (!theirs) throw new Error('key file has the wrong length', { cause: err });
        this.key = theirs;
      }
    } finally {
      await rm(tmp, { force: true });
    }
    return this.key;
  }

  /** The key on disk, or undefined when there is none (a damaged one is removed). */
  private async readKey(): Promise<Buffer | undefined> {
    let existing: Buffer;
    try {
      existing = await readFile(this.keyFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    if (existing.length !== 32) {
      this.logger.warn('The token cache key file was damaged and is replaced; sign in again', {
        keyFile: this.keyFile,
        bytes: existing.length,
      });
      await rm(this.keyFile, { force: true });
      return undefined;
    }
    if (process.platform !== 'win32') {
      const mode = (await stat(this.keyFile)).mode & 0o777;
      if (mode & 0o077) await chmod(this.keyFile, 0o600); // someone loosened it: tighten again
    }
    return existing;
  }
}

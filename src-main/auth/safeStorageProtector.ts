import { safeStorage } from 'electron';
import type { TokenCacheProtector } from './tokenCacheProtector.ts';

/** Electron adapter: the OS key store (DPAPI on Windows). Only usable after app 'ready'. */
export class SafeStorageProtector implements TokenCacheProtector {
  readonly strength = 'os' as const;

  static available(): boolean {
    return safeStorage.isEncryptionAvailable();
  }

  async protect(plain: string): Promise<Buffer> {
    return safeStorage.encryptString(plain);
  }

  async unprotect(data: Buffer): Promise<string> {
    return safeStorage.decryptString(data);
  }
}

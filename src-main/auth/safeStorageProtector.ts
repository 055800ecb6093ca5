import type { SafeStorage } from 'electron';
import type { Logger } from '../kernel/logger.ts';
import type { TokenCacheProtector } from './tokenCacheProtector.ts';

/** The parts of Electron's safeStorage the protector uses; tests pass a double. */
export type SafeStoragePort = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & {
  /** Linux only (Electron): which secret store encrypts; 'basic_text' is a password compiled into Chromium. */
  getSelectedStorageBackend?: () => string;
};

/** Linux backends that are not a secret store: a fixed password, or none chosen yet. */
const NOT_A_SECRET_STORE = new Set(['basic_text', 'unknown']);

/**
 * Electron adapter: the OS key store (DPAPI on Windows, Keychain, libsecret/kwallet). Only usable after app 'ready'.
 */
export class SafeStorageProtector implements TokenCacheProtector {
  readonly strength = 'os' as const;

  constructor(private readonly safeStorage: SafeStoragePort) {}

  /**
   * The OS protector when the OS really protects, else undefined (the station then uses the key-file
   * protector, which logs its own warning). On Linux without a keyring, safeStorage "works" with
   * the basic_text backend: a hard-coded password, no better than plain text, so it counts as absent.
   */
  static choose(
    safeStorage: SafeStoragePort,
    platform: NodeJS.Platform,
    logger: Logger,
  ): SafeStorageProtector | undefined {
    let available: boolean;
    try {
      available = safeStorage.isEncryptionAvailable();
    } catch {
      available = false;
    }
    if (!available) {
      logger.warn('OS key store not available: the token cache uses a key file in the data folder', { platform });
      return undefined;
    }
    if (platform === 'linux') {
      let backend: string;
      try {
        backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
      } catch {
        backend = 'unknown';
      }
      if (NOT_A_SECRET_STORE.has(backend)) {
        logger.warn(
          'OS key store has no secret store (no keyring): the token cache uses a key file in the data folder',
          { backend },
        );
        return undefined;
      }
    }
    return new SafeStorageProtector(safeStorage);
  }

  async protect(plain: string): Promise<Buffer> {
    return this.safeStorage.encryptString(plain);
  }

  async unprotect(data: Buffer): Promise<string> {
    return this.safeStorage.decryptString(data);
  }
}

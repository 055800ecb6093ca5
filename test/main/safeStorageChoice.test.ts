import { describe, expect, it, vi } from 'vitest';
import { createLogger, type LogRecord } from '../../src-main/kernel/logger.ts';
import { SafeStorageProtector, type SafeStoragePort } from '../../src-main/auth/safeStorageProtector.ts';

/** Electron's safeStorage as a double: what each platform and Linux backend reports. */
function safeStorageDouble(
  available: boolean,
  backend?: string | (() => string),
): SafeStoragePort & { encryptString: ReturnType<typeof vi.fn> } {
  return {
    isEncryptionAvailable: () => available,
    encryptString: vi.fn((plain: string) => Buffer.from(`sealed:${plain}`)),
    decryptString: (data: Buffer) => data.toString().replace(/^sealed:/, ''),
    ...(backend === undefined
      ? {}
      : { getSelectedStorageBackend: typeof backend === 'function' ? backend : () => backend }),
  };
}

function capture() {
  const records: LogRecord[] = [];
  return { records, logger: createLogger((_l, r) => records.push(r)) };
}

describe('choosing the token cache protector', () => {
  it('treats Linux basic_text (a password compiled into Chromium) as no key store: key file, with a warning', async () => {
    const { records, logger } = capture();
    const double = safeStorageDouble(true, 'basic_text');
    expect(SafeStorageProtector.choose(double, 'linux', logger)).toBeUndefined();
    expect(double.encryptString).not.toHaveBeenCalled();
    expect(records).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: expect.stringMatching(/key file/),
        fields: { backend: 'basic_text' },
      }),
    ]);
  });

  it('also refuses an unknown backend or one that throws', () => {
    const { logger } = capture();
    expect(SafeStorageProtector.choose(safeStorageDouble(true, 'unknown'), 'linux', logger)).toBeUndefined();
    expect(
      SafeStorageProtector.choose(
        safeStorageDouble(true, () => {
          throw new Error('not ready');
        }),
        'linux',
        logger,
      ),
    ).toBeUndefined();
    expect(SafeStorageProtector.choose(safeStorageDouble(true), 'linux', logger)).toBeUndefined();
  });

  it('uses a real Linux secret store (libsecret, kwallet) and encrypts through it', async () => {
    const { records, logger } = capture();
    for (const backend of ['gnome_libsecret', 'kwallet5']) {
      const double = safeStorageDouble(true, backend);
      const p = SafeStorageProtector.choose(double, 'linux', logger);
      expect(p?.strength).toBe('os');
      const sealed = await p!.protect('{"cache":1}');
      expect(double.encryptString).toHaveBeenCalledWith('{"cache":1}');
      expect(await p!.unprotect(sealed)).toBe('{"cache":1}');
    }
    expect(records).toEqual([]);
  });

  it('uses DPAPI on Windows (no backend question there) and falls back when encryption is unavailable', () => {
    const { records, logger } = capture();
    expect(SafeStorageProtector.choose(safeStorageDouble(true), 'win32', logger)?.strength).toBe('os');
    expect(SafeStorageProtector.choose(safeStorageDouble(false), 'win32', logger)).toBeUndefined();
    expect(records.map((r) => r.level)).toEqual(['warn']);
  });
});

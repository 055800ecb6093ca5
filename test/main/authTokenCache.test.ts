import { mkdtemp, readFile, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src-main/kernel/logger.ts';
import { EncryptedCachePlugin } from '../../src-main/auth/encryptedCachePlugin.ts';
import { KeyFileProtector } from '../../src-main/auth/keyFileProtector.ts';

const SECRET = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZWNoIn0.c2lnbmF0dXJlLXNlY3JldA';

function capture() {
  const lines: string[] = [];
  return { lines, logger: createLogger((l) => lines.push(l), {}, 'debug') };
}

describe('KeyFileProtector', () => {
  it('round-trips with AES-256-GCM, keeps the key 0600 and warns that it is weaker', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'auth-'));
    const { lines, logger } = capture();
    const p = new KeyFileProtector(path.join(dir, 'keys', 'cache.key'), logger);
    const sealed = await p.protect(`{"AccessToken":"${SECRET}"}`);
    expect(sealed.toString('latin1')).not.toContain(SECRET);
    expect(await p.unprotect(sealed)).toContain(SECRET);
    // a fresh instance reads the same key from the file
    expect(await new KeyFileProtector(path.join(dir, 'keys', 'cache.key'), logger).unprotect(sealed)).toContain(SECRET);
    if (process.platform !== 'win32')
      expect((await stat(path.join(dir, 'keys', 'cache.key'))).mode & 0o777).toBe(0o600);
    expect(lines.some((l) => l.includes('"level":"warn"') && l.includes('weaker'))).toBe(true);
    expect(p.strength).toBe('key-file');
  });

  it('refuses tampered data and data sealed with another key', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'auth-'));
    const { logger } = capture();
    const p = new KeyFileProtector(path.join(dir, 'a.key'), logger);
    const sealed = await p.protect('hello');
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    await expect(p.unprotect(tampered)).rejects.toThrow();
    await expect(new KeyFileProtector(path.join(dir, 'b.key'), logger).unprotect(sealed)).rejects.toThrow();
    await expect(p.unprotect(Buffer.from('plain text'))).rejects.toThrow(/format/);
  });

  it('tightens a key file whose mode was loosened', async () => {
    if (process.platform === 'win32') return;
    const dir = await mkdtemp(path.join(tmpdir(), 'auth-'));
    const keyFile = path.join(dir, 'c.key');
    const p = new KeyFileProtector(keyFile, capture().logger);
    await p.protect('x');
    await chmod(keyFile, 0o644);
    await new KeyFileProtector(keyFile, capture().logger).protect('y');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
  });
  it('replaces a key file left empty or cut short by a station killed while writing it, instead of failing every sign-in', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'auth-'));
    for (const damaged of [Buffer.alloc(0), Buffer.alloc(7, 1)]) {
      const keyFile = path.join(dir, `damaged-${damaged.length}.key`);
      await writeFile(keyFile, damaged);
      const { lines, logger } = capture();
      const p = new KeyFileProtector(keyFile, logger);
      expect(await p.unprotect(await p.protect('still works'))).toBe('still works');
      expect((await readFile(keyFile)).length).toBe(32);
      expect(lines.some((l) => l.includes('damaged'))).toBe(true);
      // Two protectors starting together on a fresh folder agree on one key.
      const fresh = path.join(dir, `race-${damaged.length}.key`);
      const [a, b] = [new KeyFileProtector(fresh, logger), new KeyFileProtector(fresh, logger)];
      const [sa, sb] = await Promise.all([a.protect('a'), b.protect('b')]);
      expect([await b.unprotect(sa), await a.unprotect(sb)]).toEqual(['a', 'b']);
    }
  });
});

describe('EncryptedCachePlugin', () => {
  it('writes only ciphertext (0600), reads it back, and drops an unreadable cache instead of failing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'auth-'));
    const { logger, lines } = capture();
    const file = path.join(dir, 'msal-cache.bin');
    const plugin = new EncryptedCachePlugin(file, new KeyFileProtector(path.join(dir, 'cache.key'), logger), logger);
    const serialized = JSON.stringify({
      AccessToken: { k: { secret: SECRET } },
      RefreshToken: { r: { secret: 'refresh-secret-value' } },
    });
    await plugin.afterCacheAccess({
      cacheHasChanged: true,
      tokenCache: { serialize: () => serialized, deserialize: () => {} },
    } as never);
    const onDisk = await readFile(file);
    expect(onDisk.toString('latin1')).not.toContain(SECRET);
    expect(onDisk.toString('latin1')).not.toContain('refresh-secret-value');
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    let restored = '';
    await plugin.beforeCacheAccess({
      cacheHasChanged: false,
      tokenCache: { serialize: () => '', deserialize: (s: string) => (restored = s) },
    } as never);
    expect(restored).toBe(serialized);

    await writeFile(file, 'garbage');
    await plugin.beforeCacheAccess({
      cacheHasChanged: false,
      tokenCache: {
        serialize: () => '',
        deserialize: () => {
          throw new Error('should not be called');
        },
      },
    } as never);
    await expect(stat(file)).rejects.toThrow();
    expect(lines.join('\n')).toContain('discarded');
    expect(lines.join('\n')).not.toContain(SECRET);
  });

  it('does not write when msal says nothing changed', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'auth-'));
    const { logger } = capture();
    const file = path.join(dir, 'c.bin');
    const plugin = new EncryptedCachePlugin(file, new KeyFileProtector(path.join(dir, 'k'), logger), logger);
    await plugin.afterCacheAccess({ cacheHasChanged: false, tokenCache: { serialize: () => '{}' } } as never);
    await expect(stat(file)).rejects.toThrow();
  });
});

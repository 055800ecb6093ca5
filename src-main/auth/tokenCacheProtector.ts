/**
 * Encrypts the msal token cache before it touches the disk. The Electron app uses the OS key store
 * (safeStorage: DPAPI, Keychain, libsecret); browser mode and the CLI use a key file readable only
 * by the user, which is weaker (anyone who can read the user's files can read the key).
 */
export interface TokenCacheProtector {
  /** 'os' = the operating system's key store; 'key-file' = a key beside the data. */
  readonly strength: 'os' | 'key-file';
  protect(plain: string): Promise<Buffer>;
  /** Throws when the data was not protected by this protector (other user, other machine, tampered). */
  unprotect(data: Buffer): Promise<string>;
}

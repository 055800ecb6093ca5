import { readFile } from 'node:fs/promises';
import { StationError } from '../contract/errors.ts';
import { splitPem } from './trustedRoots.ts';

/**
 * Reads the admin's CA file (setting `caFile`): PEM certificates the Node stack trusts on top of the
 * system and bundled roots, typically the root of a TLS-inspecting proxy. Returns the PEM text.
 * Throws StationError NETWORK_CA_FILE_UNREADABLE (missing, unreadable, or without a PEM certificate).
 */
export async function readAdminCaFile(file: string): Promise<string> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (err) {
    throw unreadable(file, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
  }
  if (!splitPem(pem).length) throw unreadable(file, 'no PEM certificate in it');
  return pem;
}

const unreadable = (file: string, reason: string) =>
  new StationError({
    code: 'NETWORK_CA_FILE_UNREADABLE',
    message: `The CA file ${file} cannot be used (${reason}).`,
    action:
      "Give the path of a PEM file (it starts with -----BEGIN CERTIFICATE-----), e.g. your TLS-inspecting proxy's root certificate exported as Base-64 .cer, or clear the setting.",
    params: { path: file, reason },
  });

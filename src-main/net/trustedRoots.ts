import tls from 'node:tls';

/**
 * The roots the Node stack trusts: the operating system's store where this Node can read it
 * (`tls.getCACertificates('system')`, Node 22.15+ / 23.5+: on Windows the machine's and user's
 * stores, where Intune or Group Policy put a company's TLS-inspection root), Node's bundled Mozilla
 * roots (`tls.rootCertificates`), and the admin's extra PEM certificates (the CA file). PEM strings;
 * `system` says whether the OS store was read (false on an older Node: bundled roots only).
 * Source: https://nodejs.org/api/tls.html#tlsgetcacertificatestype
 */
export function trustedRoots(extraPems: readonly string[] = []): { ca: string[]; system: boolean } {
  const get = (tls as unknown as { getCACertificates?: (type: 'system' | 'bundled' | 'default' | 'extra') => string[] })
    .getCACertificates;
  let systemCerts: string[] = [];
  let system = false;
  if (typeof get === 'function') {
    try {
      systemCerts = get('system');
      system = true;
    } catch {
      // A store that cannot be read leaves the bundled roots: never less than Node's default.
    }
  }
  const ca = [...new Set([...tls.rootCertificates, ...systemCerts, ...extraPems.flatMap(splitPem)])];
  return { ca, system };
}

/** Splits a PEM bundle (a CA file may hold the proxy's root and intermediates) into certificates. */
export function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

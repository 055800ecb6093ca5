import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';

/**
 * An undici dispatcher that trusts one extra CA (the simulated tenant's, or a company's
 * TLS-inspecting proxy) on top of the system roots. Certificate checks stay on: this never
 * disables verification, it only widens the set of trusted roots.
 */
export function createCaDispatcher(caCertPem: string): Agent {
  if (!/-----BEGIN CERTIFICATE-----/.test(caCertPem)) throw new TypeError('caCertPem must be a PEM certificate');
  return new Agent({ connect: { ca: [...rootCertificates, caCertPem], rejectUnauthorized: true } });
}

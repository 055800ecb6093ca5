import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/**
 * Certificates made at run time for the simulated tenant: a throw-away certificate authority, the
 * loopback server certificate it signs, and client certificates for the certificate sign-in flow.
 * Keys come from node:crypto (native, fast); node-forge only builds and signs the X.509 structures.
 * Clients trust `caCertPem` through their own options or NODE_EXTRA_CA_CERTS, never by turning TLS checks off.
 */
export interface TestCa {
  certPem: string;
  keyPem: string;
}

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

export interface ClientCertificate extends IssuedCertificate {
  /** SHA-1 of the DER certificate, upper-case hex (what the Entra portal shows, msal's `thumbprint`). */
  thumbprintSha1: string;
  /** SHA-256 of the DER certificate, lower-case hex (msal's `thumbprintSha256`). */
  thumbprintSha256: string;
}

function rsaKeyPair(): { publicPem: string; privatePem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export function randomSerial(): string {
  // Positive, 16 bytes: the top bit clear so DER does not read it as negative, and the first byte
  // never zero. node-forge drops only one leading zero byte when it writes the INTEGER: a serial
  // starting 00 00 (then a byte below 0x80) came out as padded DER, which OpenSSL refuses
  // ("asn1 encoding routines::illegal padding") when the HTTPS server loads the certificate.
  const b = randomBytes(16);
  b[0] = 0x01 + (b[0]! % 0x7f);
  return b.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + days * 24 * 60 * 60 * 1000);
}

export function createTestCa(commonName = 'Autopilot Station Simulated Tenant Test CA'): TestCa {
  const keys = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
  cert.serialNumber = randomSerial();
  validity(cert, 30);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privatePem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

/** A TLS server certificate for the loopback names, signed by the test CA. */
export function issueServerCertificate(ca: TestCa, names: { dns?: string[]; ips?: string[] } = {}): IssuedCertificate {
  const dns = names.dns ?? ['localhost'];
  const ips = names.ips ?? ['127.0.0.1', '::1'];
  const keys = rsaKeyPair();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
  cert.serialNumber = randomSerial();
  validity(cert, 7);
  cert.setSubject([{ name: 'commonName', value: dns[0] ?? ips[0] ?? 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...dns.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))],
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

/** Thumbprints of a PEM certificate as Entra and msal compute them (over the DER bytes). */
export function certificateThumbprints(certPem: string): { sha1: string; sha256: string } {
  const der = Buffer.from(
    forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(certPem))).getBytes(),
    'binary',
  );
  return {
    sha1: createHash('sha1').update(der).digest('hex').toUpperCase(),
    sha256: createHash('sha256').update(der).digest('hex'),
  };
}

/** A self-signed client certificate and key (PEM), as an admin would upload to the app registration. */
export function createClientCertificate(commonName = 'Autopilot Station bench'): ClientCertificate {
  const keys = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
  cert.serialNumber = randomSerial();
  validity(cert, 365);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privatePem), forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  const t = certificateThumbprints(certPem);
  return { certPem, keyPem: keys.privatePem, thumbprintSha1: t.sha1, thumbprintSha256: t.sha256 };
}

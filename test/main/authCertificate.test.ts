import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { loadCertificateCredential } from '../../src-main/auth/certificateCredential.ts';
import { StationError } from '../../src-main/contract/errors.ts';

function selfSigned(days = 30) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 86_400_000 * 2);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000 * days);
  cert.setSubject([{ name: 'commonName', value: 'bench' }]);
  cert.setIssuer([{ name: 'commonName', value: 'bench' }]);
  const fkey = forge.pki.privateKeyFromPem(keyPem);
  cert.sign(fkey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  const pfx = (password: string) =>
    Buffer.from(
      forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(fkey, [cert], password, { algorithm: '3des' })).getBytes(),
      'binary',
    );
  return { certPem, keyPem, pfx };
}

describe('loadCertificateCredential', () => {
  const c = selfSigned();
  const expected = new X509Certificate(c.certPem).fingerprint256.replace(/:/g, '').toLowerCase();

  it('reads a PEM with certificate and key', () => {
    const cred = loadCertificateCredential(Buffer.from(`${c.certPem}\n${c.keyPem}`));
    expect(cred.thumbprintSha256).toBe(expected);
    expect(cred.privateKey).toContain('BEGIN PRIVATE KEY');
    expect(cred.x5c).toContain('BEGIN CERTIFICATE');
  });

  it('reads a PFX with its password and refuses a wrong one', () => {
    expect(loadCertificateCredential(c.pfx('s3cret'), 's3cret').thumbprintSha256).toBe(expected);
    const err = (() => {
      try {
        loadCertificateCredential(c.pfx('s3cret'), 'wrong');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(StationError);
    expect((err as StationError).code).toBe('AUTH_CERTIFICATE_INVALID');
  });

  it('explains a PEM without key, a key of another certificate and an expired certificate', () => {
    expect(() => loadCertificateCredential(Buffer.from(c.certPem))).toThrow(/no private key/);
    const other = selfSigned();
    expect(() => loadCertificateCredential(Buffer.from(`${c.certPem}\n${other.keyPem}`))).toThrow(/does not belong/);
    const old = selfSigned(-1);
    expect(() => loadCertificateCredential(Buffer.from(`${old.certPem}\n${old.keyPem}`))).toThrow(/expired/);
  });
});

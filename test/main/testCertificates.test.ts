import { createSecureContext } from 'node:tls';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { createTestCa, issueServerCertificate, randomSerial } from '../../src-main/sim/testCertificates.ts';

describe('test certificates of the simulated tenant', () => {
  it('serials are positive and never start with a zero byte (node-forge strips only one: 00 00 .. was padded DER)', () => {
    for (let i = 0; i < 20_000; i++) {
      const first = parseInt(randomSerial().slice(0, 2), 16);
      expect(first >= 0x01 && first <= 0x7f, `first byte ${first}`).toBe(true);
    }
  });

  it('a serial that starts 00 00 is what OpenSSL refuses with "illegal padding" (why the first byte is never zero)', () => {
    const ca = createTestCa();
    const server = issueServerCertificate(ca);
    expect(() => createSecureContext({ key: server.keyPem, cert: server.certPem })).not.toThrow();
    const cert = forge.pki.certificateFromPem(server.certPem);
    cert.serialNumber = `0000${'5a'.repeat(14)}`;
    cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
    expect(() => createSecureContext({ key: server.keyPem, cert: forge.pki.certificateToPem(cert) })).toThrow(
      /illegal padding/,
    );
  });
});

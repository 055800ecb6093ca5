import { X509Certificate, createPrivateKey } from 'node:crypto';
import forge from 'node-forge';
import { StationError } from '../contract/errors.ts';

/** What ConfidentialClientApplication needs for a certificate sign-in. The private key never leaves main. */
export interface CertificateCredential {
  thumbprintSha256: string;
  /** PKCS#8 PEM. */
  privateKey: string;
  /** The certificate PEM, sent as x5c (needed for subject-name/issuer authentication). */
  x5c: string;
  subject: string;
  notAfter: string;
}

function certificateProblem(message: string): StationError {
  return new StationError({
    code: 'AUTH_CERTIFICATE_INVALID',
    message,
    action:
      "Choose the PEM (certificate + private key) or PFX file of the app registration's certificate in settings; for a PFX with a password, set AUTOPILOT_STATION_CERT_PASSWORD.",
  });
}

/** Reads a PEM (certificate and private key in one file) or a PFX/P12 (node-forge, optional password). */
export function loadCertificateCredential(data: Buffer, passphrase?: string): CertificateCredential {
  const text = data.toString('utf8');
  let certPem: string;
  let keyPem: string;
  if (text.includes('-----BEGIN')) {
    const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
    const key =
      /-----BEGIN (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----/.exec(
        text,
      )?.[0];
    if (!cert) throw certificateProblem('The PEM file has no certificate in it.');
    if (!key) throw certificateProblem('The PEM file has no private key in it: the station needs both in one file.');
    certPem = cert;
    try {
      keyPem = createPrivateKey(passphrase ? { key, passphrase } : { key })
        .export({ type: 'pkcs8', format: 'pem' })
        .toString();
    } catch {
      throw certificateProblem('The private key in the PEM file cannot be read (wrong password or damaged).');
    }
  } else {
    try {
      const p12 = forge.pkcs12.pkcs12FromAsn1(
        forge.asn1.fromDer(forge.util.createBuffer(data.toString('binary'))),
        passphrase ?? '',
      );
      const certBag = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!]?.[0];
      const keyBag =
        p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!]?.[0] ??
        p12.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!]?.[0];
      if (!certBag?.cert || !keyBag?.key) throw new Error('incomplete');
      certPem = forge.pki.certificateToPem(certBag.cert);
      keyPem = createPrivateKey(forge.pki.privateKeyToPem(keyBag.key))
        .export({ type: 'pkcs8', format: 'pem' })
        .toString();
    } catch {
      throw certificateProblem(
        'The PFX file cannot be opened: wrong password, damaged file, or it lacks the certificate or its private key.',
      );
    }
  }
  const x509 = new X509Certificate(certPem);
  const now = Date.now();
  if (Date.parse(x509.validTo) < now) throw certificateProblem(`The certificate expired on ${x509.validTo}.`);
  if (!x509.checkPrivateKey(createPrivateKey(keyPem)))
    throw certificateProblem('The private key does not belong to the certificate.');
  return {
    thumbprintSha256: x509.fingerprint256.replace(/:/g, '').toLowerCase(),
    privateKey: keyPem,
    x5c: certPem,
    subject: x509.subject,
    notAfter: new Date(x509.validTo).toISOString(),
  };
}

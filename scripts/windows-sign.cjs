'use strict';
// electron-builder's custom Windows signing hook (electron-builder.yml: win.signtoolOptions.sign).
//
// Since June 2023 a publicly trusted code-signing key must live in hardware (CA/Browser Forum
// Baseline Requirements for Code Signing, section 6.2.7.4), so a .pfx in WIN_CSC_LINK can no longer be
// bought. This hook signs each file with signtool.exe using one of the two ways that keep the key
// in hardware, chosen by the build machine's environment:
//
//   Azure Trusted Signing (Microsoft's managed HSM service):
//     AZURE_TRUSTED_SIGNING_DLIB      path of Azure.CodeSigning.Dlib.dll (NuGet Microsoft.Trusted.Signing.Client)
//     AZURE_TRUSTED_SIGNING_METADATA  path of metadata.json: {"Endpoint", "CodeSigningAccountName",
//       "CertificateProfileName"}
//     plus the Azure credential the dlib reads (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, or a managed
//       identity)
//     https://learn.microsoft.com/azure/trusted-signing/how-to-signing-integrations (SignTool section)
//   A certificate whose key is on a hardware token or cloud HSM, installed in the Windows certificate store:
//     WINDOWS_SIGN_CERT_SHA1          its thumbprint (signtool /sha1)
//
// Optional: SIGNTOOL_PATH (default signtool.exe on PATH), WINDOWS_SIGN_TIMESTAMP_URL.
// With neither way configured the file stays unsigned with a warning, unless
// AUTOPILOT_REQUIRE_SIGNING=1 (release builds), which makes the build fail instead.

const { execFileSync } = require('node:child_process');

const AZURE_TIMESTAMP_URL = 'http://timestamp.acs.microsoft.com';

/**
 * The signtool.exe arguments for one file, or null when no signing is configured.
 * @param {Record<string, string | undefined>} env  the build machine's environment
 * @param {string} file  absolute path of the .exe/.dll/.msi to sign
 * @returns {{ signtool: string, args: string[], way: 'azure-trusted-signing' | 'certificate-store' } | null}
 * @throws Error when only half of the Azure Trusted Signing pair is set (a typo, not a choice)
 */
function signtoolCommand(env, file) {
  const signtool = env.SIGNTOOL_PATH || 'signtool.exe';
  const dlib = env.AZURE_TRUSTED_SIGNING_DLIB;
  const metadata = env.AZURE_TRUSTED_SIGNING_METADATA;
  if (Boolean(dlib) !== Boolean(metadata)) {
    throw new Error('Azure Trusted Signing needs both AZURE_TRUSTED_SIGNING_DLIB and AZURE_TRUSTED_SIGNING_METADATA');
  }
  const timestamp = env.WINDOWS_SIGN_TIMESTAMP_URL;
  if (dlib && metadata) {
    return {
      signtool,
      way: 'azure-trusted-signing',
      args: [
        'sign',
        '/v',
        '/fd',
        'SHA256',
        '/tr',
        timestamp || AZURE_TIMESTAMP_URL,
        '/td',
        'SHA256',
        '/dlib',
        dlib,
        '/dmdf',
        metadata,
        file,
      ],
    };
  }
  const thumbprint = env.WINDOWS_SIGN_CERT_SHA1;
  if (thumbprint) {
    if (!/^[0-9a-fA-F]{40}$/.test(thumbprint))
      throw new Error('WINDOWS_SIGN_CERT_SHA1 must be a 40-hex-digit certificate thumbprint');
    return {
      signtool,
      way: 'certificate-store',
      args: [
        'sign',
        '/v',
        '/fd',
        'SHA256',
        '/tr',
        timestamp || 'http://timestamp.digicert.com',
        '/td',
        'SHA256',
        '/sha1',
        thumbprint,
        file,
      ],
    };
  }
  return null;
}

/**
 * The hook electron-builder calls once per file and hash algorithm (signingHashAlgorithms is sha256 only).
 * @param {{ path: string, hash?: string }} configuration  electron-builder's CustomWindowsSignTaskConfiguration
 */
async function sign(configuration, env = process.env, run = execFileSync) {
  if (configuration.hash && configuration.hash !== 'sha256') return;
  const command = signtoolCommand(env, configuration.path);
  if (!command) {
    if (env.AUTOPILOT_REQUIRE_SIGNING === '1') {
      throw new Error(
        `no signing configured for ${configuration.path}: set AZURE_TRUSTED_SIGNING_DLIB and AZURE_TRUSTED_SIGNING_METADATA, or WINDOWS_SIGN_CERT_SHA1 (docs/admin-guide.md, "Sign the installers")`,
      );
    }
    console.warn(
      `windows-sign: ${configuration.path} left unsigned (no signing configured; SmartScreen will warn on benches)`,
    );
    return;
  }
  run(command.signtool, command.args, { stdio: 'inherit' });
}

module.exports = sign;
module.exports.default = sign;
module.exports.sign = sign;
module.exports.signtoolCommand = signtoolCommand;

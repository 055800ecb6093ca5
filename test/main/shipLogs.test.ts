import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src-main/kernel/logger.ts';
import { createRotatingLogFile, teeSinks } from '../../src-main/app/rotatingLogFile.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'station-logs-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const b64url = (n: number) => randomBytes(n).toString('base64url');
const readAll = (files: string[]) => files.map((f) => fs.readFileSync(f, 'utf8')).join('');

/**
 * A secret leaks when any 24-character piece of it (past the 8-character prefix kept for correlation) is in the text.
 */
function leakedPieces(text: string, secret: string): string[] {
  const pieces: string[] = [];
  for (let i = 8; i + 24 <= secret.length; i += 8) {
    const piece = secret.slice(i, i + 24);
    if (text.includes(piece)) pieces.push(piece);
  }
  return pieces;
}

describe('rotating log file', () => {
  it('rotates by size and keeps at most maxFiles files, newest in station.log', () => {
    const dir = tmp();
    const file = createRotatingLogFile({ dir, maxBytes: 2_000, maxFiles: 3 });
    const logger = createLogger(file.sink);
    for (let i = 0; i < 200; i++) logger.info(`line ${i}`, { i });
    file.close();
    const files = file.files();
    expect(files.map((f) => path.basename(f))).toEqual(['station.log', 'station.1.log', 'station.2.log']);
    expect(fs.readdirSync(dir).sort()).toEqual(['station.1.log', 'station.2.log', 'station.log']);
    for (const f of files) expect(fs.statSync(f).size).toBeLessThanOrEqual(2_000);
    const lines = files
      .slice()
      .reverse()
      .flatMap((f) => fs.readFileSync(f, 'utf8').trim().split('\n'))
      .map((l) => JSON.parse(l) as { message: string });
    // Oldest first across files, consecutive, ending with the last line written.
    expect(lines.at(-1)!.message).toBe('line 199');
    const numbers = lines.map((l) => Number(l.message.split(' ')[1]));
    expect(numbers).toEqual(numbers.map((_, k) => numbers[0]! + k));
    expect(numbers[0]).toBeGreaterThan(0);
  });

  it('appends to the existing file after a restart', () => {
    const dir = tmp();
    const first = createRotatingLogFile({ dir });
    createLogger(first.sink).info('before restart');
    first.close();
    const second = createRotatingLogFile({ dir });
    createLogger(second.sink).info('after restart');
    second.close();
    expect(fs.readFileSync(path.join(dir, 'station.log'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('reports a disk problem once and keeps the station running', () => {
    const dir = tmp();
    const blocker = path.join(dir, 'not-a-folder');
    fs.writeFileSync(blocker, 'x');
    const errors: unknown[] = [];
    const seen: string[] = [];
    const file = createRotatingLogFile({ dir: path.join(blocker, 'logs'), onError: (e) => errors.push(e) });
    const logger = createLogger(teeSinks(file.sink, (line) => seen.push(line)));
    expect(() => {
      logger.info('one');
      logger.info('two');
    }).not.toThrow();
    expect(errors).toHaveLength(1);
    // The other sink still gets every line.
    expect(seen).toHaveLength(2);
  });

  it('survives a hiccup: a failed write is followed by a good one, which says how many lines were lost', () => {
    const dir = tmp();
    const logs = path.join(dir, 'logs');
    // The log folder cannot be created while a file sits in its place (as a scanner holding it would).
    fs.writeFileSync(logs, 'x');
    const errors: unknown[] = [];
    const file = createRotatingLogFile({ dir: logs, onError: (e) => errors.push(e) });
    const logger = createLogger(file.sink);
    logger.info('lost one');
    logger.info('lost two');
    expect(errors).toHaveLength(1);
    fs.rmSync(logs);
    logger.info('after the hiccup');
    logger.info('and later');
    file.close();
    const lines = fs
      .readFileSync(path.join(logs, 'station.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.message)).toEqual([
      'log lines lost while the log file could not be written',
      'after the hiccup',
      'and later',
    ]);
    expect(lines[0].fields).toEqual({ count: 2 });
    // A second hiccup later in the session is reported again.
    fs.rmSync(logs, { recursive: true });
    fs.writeFileSync(logs, 'x');
    logger.info('lost three');
    expect(errors).toHaveLength(2);
  });

  it('keeps writing into the current file when rotation fails, and rotates once it can', () => {
    const dir = tmp();
    const errors: unknown[] = [];
    const file = createRotatingLogFile({ dir, maxBytes: 2_000, maxFiles: 2, onError: (e) => errors.push(e) });
    const logger = createLogger(file.sink);
    // station.1.log held open as a folder: the rotation cannot make room for it.
    fs.mkdirSync(path.join(dir, 'station.1.log', 'held'), { recursive: true });
    for (let i = 0; i < 100; i++) logger.info(`line ${i}`);
    expect(errors).toHaveLength(1);
    const kept = fs.readFileSync(path.join(dir, 'station.log'), 'utf8').trim().split('\n');
    expect(kept).toHaveLength(100);
    fs.rmSync(path.join(dir, 'station.1.log'), { recursive: true });
    for (let i = 100; i < 1_000; i++) logger.info(`line ${i} ${'x'.repeat(60)}`);
    file.close();
    expect(fs.statSync(path.join(dir, 'station.1.log')).isFile()).toBe(true);
    const all = [path.join(dir, 'station.1.log'), path.join(dir, 'station.log')]
      .flatMap((f) => fs.readFileSync(f, 'utf8').trim().split('\n'))
      .map((l) => JSON.parse(l).message);
    expect(all.at(-1)).toMatch(/^line 999 /);
    expect(errors).toHaveLength(1);
  });
});

describe('what reaches the log files (real logger, real files)', () => {
  it('never contains a token, a secret or a full hardware hash, and keeps Graph request ids', () => {
    const dir = tmp();
    const file = createRotatingLogFile({ dir, maxBytes: 4_096, maxFiles: 50 });
    const logger = createLogger(file.sink, { station: 'BENCH-07' }, 'debug');

    const jwt = `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${b64url(600)}.${b64url(256)}`;
    const refreshToken = `1.AXkA${b64url(900)}.AgABAAEAAAD--DLA3VO7QrddgJg7WevrAgDs_wUA9P${b64url(300)}`;
    const deviceCode = `DAQABAAEAAAD--DLA3VO7QrddgJg7WevrAgDs_wUA9P-${b64url(200)}`;
    const clientSecret = 'Xy78Q~' + 'aB3dE5fG7hJ9kL1mN3pQ5rS7tV9wX1yZ3a';
    const password = 'Corr3ct-Horse-Battery-Staple-!2024';
    const hash = encodeHardwareHash({
      serialNumber: '5CG1234XYZ',
      manufacturer: 'HP',
      model: 'EliteBook 840',
      totalBytes: 2999,
    });
    const wrappedHash = hash.match(/.{1,76}/g)!.join('\r\n');
    const pem = `-----BEGIN PRIVATE KEY-----\n${randomBytes(1200)
      .toString('base64')
      .match(/.{1,64}/g)!
      .join('\n')}\n-----END PRIVATE KEY-----`;
    const authCode = `0.AXkA${b64url(400)}`;
    const requestId = randomUUID();
    const clientRequestId = randomUUID();

    // Every way a careless caller might pass them.
    logger.info(`calling Graph with Authorization: Bearer ${jwt}`);
    logger.info('token acquired', { accessToken: jwt, refreshToken, expiresOn: '2026-01-01T00:00:00Z' });
    logger.warn('token endpoint said', {
      body: JSON.stringify({ access_token: jwt, refresh_token: refreshToken, expires_in: 3599 }),
    });
    logger.warn(
      `POST /oauth2/v2.0/token failed: grant_type=refresh_token&refresh_token=${refreshToken}&client_secret=${clientSecret}`,
    );
    logger.error(`MSAL: refresh failed for ${refreshToken}`);
    logger.info('device code flow', {
      deviceCode,
      userCode: 'ABCD-EFGH',
      message: `poll with device_code=${deviceCode}`,
    });
    logger.info(`configured client secret ${clientSecret}`);
    logger.info('certificate', { certificatePassword: password, pfxPath: 'C:\\certs\\bench.pfx' });
    logger.error(`could not read the key: ${pem}`);
    logger.warn(`redirect https://localhost/?code=${authCode}&state=abc`);
    logger.info('auth response', { code: authCode, state: 'abc' });
    logger.warn('sign-in failed', {
      code: 'AUTH_CONSENT_MISSING',
      aad: { code: 'AADSTS65001' },
      oauth: { code: 'invalid_grant' },
      import: { code: 806 },
    });
    logger.info(`captured ${hash}`);
    logger.info('queued', { device: { serialNumber: '5CG1234XYZ', hash, hardwareIdentifier: hash } });
    logger.info('read OA3.xml', { content: `<HardwareHash>${wrappedHash}</HardwareHash>` });
    logger.info('import body', {
      body: JSON.stringify({
        importedWindowsAutopilotDeviceIdentities: [{ serialNumber: '5CG1234XYZ', hardwareIdentifier: hash }],
      }),
    });
    logger.child({ authorization: `Bearer ${jwt}` }).info('child logger');
    logger.error('Graph import failed', {
      'request-id': requestId,
      'client-request-id': clientRequestId,
      status: 429,
      deviceErrorCode: 806,
      errorName: 'ZtdDeviceAlreadyAssigned',
    });
    logger.error(`Graph said 503 (request-id ${requestId}, errorCode=808)`);
    const graphUrl = `https://graph.microsoft.com/beta/deviceManagement/importedWindowsAutopilotDeviceIdentities/${randomUUID()}/updateDeviceProperties`;
    logger.info(`POST ${graphUrl}`);
    file.close();

    const text = readAll(file.files());
    for (const line of text.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    const secrets: Record<string, string> = {
      jwt,
      refreshToken,
      deviceCode,
      clientSecret,
      password,
      hash,
      pem,
      authCode,
    };
    for (const [name, secret] of Object.entries(secrets)) expect(leakedPieces(text, secret), name).toEqual([]);
    // PEM bodies and the wrapped hash: no 24-character line piece survives either.
    for (const line of wrappedHash.split('\r\n').slice(0, -1))
      expect(text.includes(line.slice(8, 40)), 'wrapped hash').toBe(false);

    // What support needs is still there.
    expect(text.split(requestId).length - 1).toBe(2);
    expect(text).toContain(clientRequestId);
    expect(text).toContain('"deviceErrorCode":806');
    expect(text).toContain('errorCode=808');
    expect(text).toContain('ZtdDeviceAlreadyAssigned');
    // Error codes under a "code" key stay readable; the authorization code under the same key did not (checked above).
    expect(text).toContain(
      '"code":"AUTH_CONSENT_MISSING","aad":{"code":"AADSTS65001"},"oauth":{"code":"invalid_grant"},"import":{"code":806}',
    );
    expect(text).toContain('5CG1234XYZ');
    expect(text).toContain(graphUrl);
    expect(text).toContain('C:\\\\certs\\\\bench.pfx');
    // A hash keeps its first characters so a log line can be matched to a device.
    expect(text).toContain(`${hash.slice(0, 8)}…[redacted`);
  });
});

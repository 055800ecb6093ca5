import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { fromMsalError } from '../../src-main/auth/authErrors.ts';
import { AuthService, authorityFor } from '../../src-main/auth/authService.ts';
import { EncryptedCachePlugin } from '../../src-main/auth/encryptedCachePlugin.ts';
import { KeyFileProtector } from '../../src-main/auth/keyFileProtector.ts';
import { StationError } from '../../src-main/contract/errors.ts';
import { GraphFailure } from '../../src-main/graph/autopilotPort.ts';
import { CLOUDS } from '../../src-main/graph/clouds.ts';

describe('authority', () => {
  it('uses organizations or the tenant, in the chosen cloud', () => {
    expect(authorityFor(CLOUDS.global, undefined)).toBe('https://login.microsoftonline.com/organizations');
    expect(authorityFor(CLOUDS.china, 'contoso.partner.onmschina.cn')).toBe(
      'https://login.partner.microsoftonline.cn/contoso.partner.onmschina.cn',
    );
    expect(authorityFor(CLOUDS.usgovdod, '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f')).toBe(
      'https://login.microsoftonline.us/6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f',
    );
  });
  it('refuses common, consumers and the personal-account tenant with a clear message', () => {
    for (const t of ['common', 'Consumers', '9188040d-6c67-4c5b-b112-36a304b66dad']) {
      try {
        authorityFor(CLOUDS.global, t);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(StationError);
        expect((e as StationError).code).toBe('AUTH_AUTHORITY_REFUSED');
        expect((e as StationError).message).toMatch(/personal Microsoft accounts/);
      }
    }
  });
});

describe('msal errors in words', () => {
  const map = (errorCode: string, errorMessage: string) =>
    fromMsalError({ errorCode, errorMessage }, { cloudLabel: 'Global' });
  it('maps the Entra codes a bench meets', () => {
    expect(map('invalid_request', 'AADSTS90002: Tenant x not found.').code).toBe('AUTH_TENANT_NOT_FOUND');
    expect(map('unauthorized_client', 'AADSTS700016: Application with identifier').code).toBe('AUTH_APP_NOT_FOUND');
    expect(map('invalid_client', 'AADSTS700027: Client assertion failed signature validation.').code).toBe(
      'AUTH_CERTIFICATE_REJECTED',
    );
    expect(map('invalid_grant', 'AADSTS65001: The user or administrator has not consented').message).toContain(
      'DeviceManagementServiceConfig.ReadWrite.All',
    );
    expect(
      map('expired_token', 'AADSTS70020: The provided value for the input parameter device_code is not valid.').code,
    ).toBe('AUTH_DEVICE_CODE_EXPIRED');
    expect(
      map('invalid_grant', 'AADSTS50020: User account from identity provider live.com does not exist in tenant').code,
    ).toBe('AUTH_PERSONAL_ACCOUNT');
    const other = map('weird', 'AADSTS123456: something');
    expect(other).toMatchObject({ code: 'AUTH_FAILED', details: { aadsts: 123456 } });
    expect(other.action).toBeTruthy();
  });
});

describe('AuthService', () => {
  it("never hands a token for another cloud's Graph", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'auth-'));
    const auth = new AuthService(
      { mode: 'device-code', clientId: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f', cloud: CLOUDS.usgov },
      {
        cache: new EncryptedCachePlugin(
          path.join(dir, 'c'),
          new KeyFileProtector(path.join(dir, 'k'), silentLogger),
          silentLogger,
        ),
        logger: silentLogger,
        openBrowser: async () => {},
        onDeviceCode: () => {},
      },
    );
    const err = await auth.getAccessToken(CLOUDS.global.scope).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphFailure);
    expect((err as GraphFailure).kind).toBe('wrong-cloud');
    // signed out: asking for the right scope says "sign in", it does not throw something obscure
    const err2 = await auth.getAccessToken(CLOUDS.usgov.scope).catch((e: unknown) => e);
    expect((err2 as GraphFailure).kind).toBe('sign-in-expired');
  });
});

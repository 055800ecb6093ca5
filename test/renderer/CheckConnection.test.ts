import { beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import CheckConnection from '../../src-renderer/lib/components/CheckConnection.svelte';
import { i18n } from '../../src-renderer/lib/i18n/i18n.svelte.ts';
import type { ConnectionCheckReport } from '../../src-main/contract/types.ts';

/**
 * A report as the station sends it: codes with params, English fallbacks the renderer does not show when it knows the
 * code.
 */
const report: ConnectionCheckReport = {
  mode: 'tenant',
  tenant: 'contoso.onmicrosoft.com',
  cloud: 'Global',
  method: 'device-code',
  apiVersion: 'v1.0',
  startedAt: '2026-11-29T10:00:00.000Z',
  durationMs: 812,
  status: 'failed',
  fallbacks: [],
  requests: { signIn: 5, graph: 1, graphWrites: 0 },
  checks: [
    {
      id: 'authority',
      status: 'ok',
      code: 'CHECK_REACH_OK',
      params: { host: 'login.microsoftonline.com', ms: 41 },
      message: 'EN',
      seen: ['40.126.0.1'],
    },
    {
      id: 'graph',
      status: 'ok',
      code: 'CHECK_REACH_OK',
      params: { host: 'graph.microsoft.com', ms: 38 },
      message: 'EN',
      seen: [],
    },
    {
      id: 'clock',
      status: 'warning',
      code: 'CHECK_CLOCK_SKEW',
      params: { skewS: 95, source: 'graph.microsoft.com' },
      message: 'EN',
      action: 'EN',
      seen: ['graph.microsoft.com +95 s'],
    },
    {
      id: 'tenant',
      status: 'ok',
      code: 'CHECK_TENANT_OK',
      params: { tenant: 'contoso.onmicrosoft.com', tenantId: '6f1c3a52-8d0e-4b7a-9c4e-2a5b7d9e0f13' },
      message: 'EN',
      seen: [],
    },
    {
      id: 'sign-in',
      status: 'failed',
      code: 'AUTH_CONDITIONAL_ACCESS',
      params: { aadsts: '53003' },
      message: 'A Conditional Access policy of the tenant blocked this sign-in (AADSTS53003).',
      action: 'Use browser sign-in or certificate sign-in instead of device code.',
      seen: ['AADSTS53003'],
    },
    {
      id: 'permission',
      status: 'not-checked',
      code: 'CHECK_NOT_CHECKED',
      params: { after: 'sign-in' },
      message: 'EN',
      seen: [],
    },
    {
      id: 'intune',
      status: 'not-checked',
      code: 'CHECK_NOT_CHECKED',
      params: { after: 'sign-in' },
      message: 'EN',
      seen: [],
    },
    {
      id: 'features',
      status: 'not-checked',
      code: 'CHECK_NOT_CHECKED',
      params: { after: 'sign-in' },
      message: 'EN',
      seen: [],
    },
  ],
};

beforeEach(() => i18n.setLocale('en'));

describe('Check connection', () => {
  it('runs the check once per press and words each result by its code (English)', async () => {
    let runs = 0;
    render(CheckConnection, { props: { run: async () => (runs++, report) } });
    await fireEvent.click(screen.getByTestId('check-run'));
    expect((await screen.findByTestId('check-summary')).textContent).toBe(
      'Imports will fail until the failed checks are fixed.',
    );
    expect(runs).toBe(1);
    const signIn = screen.getByTestId('check-sign-in');
    expect(signIn.dataset.status).toBe('failed');
    expect(signIn.textContent).toContain('blocked this sign-in (AADSTS53003)');
    expect(signIn.textContent).toContain('Use browser sign-in or certificate sign-in instead of device code');
    expect(signIn.textContent).toContain('Seen: AADSTS53003');
    expect(screen.getByTestId('check-clock').textContent).toContain('differs from graph.microsoft.com by 95 s');
    expect(screen.getByTestId('check-intune').textContent).toContain(
      'Not checked: "App registration and sign-in method" must pass first.',
    );
    // The station's English fallback is not shown where the catalogue knows the code.
    expect(screen.getByTestId('check-authority').textContent).not.toContain('EN');
    expect(screen.getByTestId('check-requests').textContent).toBe(
      'Requests sent: 5 to the sign-in service, 1 to Graph (0 writes).',
    );
  });

  it('in Japanese', async () => {
    i18n.setLocale('ja');
    render(CheckConnection, { props: { run: async () => report } });
    await fireEvent.click(screen.getByTestId('check-run'));
    expect((await screen.findByTestId('check-summary')).textContent).toBe(
      '失敗した項目を直すまで、インポートは失敗します。',
    );
    expect(screen.getByTestId('check-sign-in').textContent).toContain(
      '条件付きアクセス ポリシーがこのサインインをブロックしました (AADSTS53003)',
    );
    expect(screen.getByTestId('check-sign-in').textContent).toContain('失敗');
    expect(screen.getByTestId('check-features').textContent).toContain(
      '未確認: 先に「アプリ登録とサインイン方法」が成功する必要があります。',
    );
  });

  it('names the proxy each host was reached through (or direct), per stack, in English and Japanese; older reports read as direct', async () => {
    const proxied: ConnectionCheckReport = {
      ...report,
      network: { stack: 'node', authority: 'http://proxy.contoso.com:3128', graph: 'direct' },
      checks: report.checks.map((c) =>
        c.id === 'authority' ? { ...c, params: { ...c.params, via: 'http://proxy.contoso.com:3128' } } : c,
      ),
    };
    const { unmount } = render(CheckConnection, { props: { run: async () => proxied } });
    await fireEvent.click(screen.getByTestId('check-run'));
    expect((await screen.findByTestId('check-network')).textContent).toBe(
      'Network: proxy from HTTPS_PROXY / NO_PROXY, system certificate store and the CA file. Sign-in through the proxy http://proxy.contoso.com:3128; Graph direct (no proxy).',
    );
    expect(screen.getByTestId('check-authority').textContent).toContain(
      'in 41 ms (through the proxy http://proxy.contoso.com:3128)',
    );
    expect(screen.getByTestId('check-graph').textContent).toContain('in 38 ms (direct (no proxy))');
    unmount();

    i18n.setLocale('ja');
    render(CheckConnection, {
      props: {
        run: async () => ({
          ...proxied,
          network: {
            stack: 'electron',
            authority: 'http://proxy.contoso.com:3128',
            graph: 'http://proxy.contoso.com:3128',
          },
        }),
      },
    });
    await fireEvent.click(screen.getByTestId('check-run'));
    expect((await screen.findByTestId('check-network')).textContent).toBe(
      'ネットワーク: Windows のプロキシ設定と証明書ストア。サインイン プロキシ http://proxy.contoso.com:3128 経由、Graph プロキシ http://proxy.contoso.com:3128 経由。',
    );
    expect(screen.getByTestId('check-authority').textContent).toContain('プロキシ http://proxy.contoso.com:3128 経由');
  });

  it('a report without network (saved by an earlier version) shows no network line', async () => {
    render(CheckConnection, { props: { run: async () => report } });
    await fireEvent.click(screen.getByTestId('check-run'));
    await screen.findByTestId('check-summary');
    expect(screen.queryByTestId('check-network')).toBeNull();
  });

  it('a check that cannot run says why', async () => {
    render(CheckConnection, { props: { run: async () => Promise.reject(new Error('The station is closing.')) } });
    await fireEvent.click(screen.getByTestId('check-run'));
    // A failure without a code is worded by the catalogue (never the raw English of a thrown error).
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The station reported "Error". Note the code and tell your admin if it happens again.',
    );
  });
});

describe('sign-in errors in Settings are worded by code', () => {
  it('a token for another tenant, in English and Japanese, with the tenants named', async () => {
    const { default: App } = await import('../../src-renderer/App.svelte');
    const { FakeStationApi } = await import('./fakeStationApi.ts');
    const auth = {
      state: 'error' as const,
      mode: 'browser' as const,
      error: {
        code: 'AUTH_WRONG_TENANT',
        message: 'English fallback',
        action: 'English action',
        params: { expected: 'contoso.onmicrosoft.com', actual: '0f0e0d0c-0000-4000-8000-000000000001' },
      },
    };
    const fake = new FakeStationApi({
      info: { mode: 'tenant', tenant: { tenantId: 'contoso.onmicrosoft.com', cloud: 'global' } },
      auth,
      settings: { tenantId: 'contoso.onmicrosoft.com', clientId: '0c1a6b9e-6f4e-4b7a-9c4d-2f1e3a5b7c9d' },
    });
    render(App, { props: { api: fake.api, initialScreen: 'settings' } });
    const error = await screen.findByTestId('auth-error');
    expect(error.textContent).toContain(
      'signed in to another tenant (0f0e0d0c-0000-4000-8000-000000000001), not to the configured tenant (contoso.onmicrosoft.com)',
    );
    expect(error.textContent).not.toContain('English fallback');
    i18n.setLocale('ja');
    await screen.findByText(
      (_, el) =>
        el?.getAttribute('data-testid') === 'auth-error' &&
        !!el.textContent?.includes(
          'ではなく、別のテナント (0f0e0d0c-0000-4000-8000-000000000001) にサインインしました',
        ),
    );
  });
});

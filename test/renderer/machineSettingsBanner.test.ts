import { beforeEach, describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import App from '../../src-renderer/App.svelte';
import { i18n } from '../../src-renderer/lib/i18n/i18n.svelte.ts';
import { FakeStationApi } from './fakeStationApi.ts';

/** A broken admin settings file is told on screen (which file, which line), not only in the log. */
const NOW = Date.parse('2026-11-23T10:00:00Z');
const PATH = 'C:\\ProgramData\\Autopilot Station\\settings.json';
const ALL = [
  'tenantId',
  'clientId',
  'cloud',
  'apiVersion',
  'authMode',
  'certificatePath',
  'defaultGroupTag',
  'batchSize',
  'dropFolder',
  'waitFor',
];

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
  i18n.setLocale('en');
});

function start(initialScreen: 'capture' | 'settings') {
  const fake = new FakeStationApi({
    now: () => NOW,
    settings: {
      locked: ALL,
      machineSettingsProblem: { code: 'MACHINE_SETTINGS_INVALID', params: { path: PATH, line: 4, column: 1 } },
    },
  });
  render(App, { props: { api: fake.api, initialScreen } });
}

describe('a broken machine settings file', () => {
  it.each([
    [
      'en',
      `The settings file your administrator deployed (${PATH}) is not valid at line 4, column 1, so it was ignored.`,
      'Every setting stays locked',
    ],
    [
      'ja',
      `管理者が配布した設定ファイル (${PATH}) が 4 行目 1 文字目で無効なため、無視されました。`,
      'すべての設定はロックされたまま',
    ],
  ] as const)(
    '%s: every screen shows which file and which line, and that settings stay locked',
    async (lang, words, locked) => {
      i18n.setLocale(lang);
      start('capture');
      const banner = await screen.findByTestId('machine-settings-banner');
      expect(banner.getAttribute('role')).toBe('alert');
      expect(banner.textContent).toContain(words);
      expect(banner.textContent).toContain(locked);
      expect(banner.textContent).not.toMatch(/\{\w+\}/);
    },
  );

  it('the Settings screen says it next to the fields, which are read-only', async () => {
    start('settings');
    const problem = await screen.findByTestId('machine-settings-problem');
    expect(problem.textContent).toContain(`(${PATH}) is not valid at line 4, column 1`);
    expect((screen.getByTestId('settings-tenant') as HTMLInputElement).readOnly).toBe(true);
    expect(screen.getByTestId('lock-tenantId')).toBeTruthy();
  });
});

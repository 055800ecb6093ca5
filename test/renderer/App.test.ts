import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import App from '../../src-renderer/App.svelte';
import { ApiError, type StationApi } from '../../src-renderer/lib/api.ts';
import { i18n } from '../../src-renderer/lib/i18n/i18n.svelte.ts';
import type { StationInfo } from '../../src-main/contract/types.ts';

const info: StationInfo = { name: 'Autopilot Station', version: '9.9.9', mode: 'training', host: 'browser', platform: 'linux', arch: 'x64', stationName: 'bench-01' };

function fakeApi(getInfo: () => Promise<StationInfo>): StationApi {
  return { getInfo, on: () => () => {} } as unknown as StationApi;
}

describe('App', () => {
  it('shows what getInfo returns and the training banner', async () => {
    i18n.setLocale('en');
    render(App, { props: { api: fakeApi(async () => info) } });
    expect(await screen.findByTestId('info-version')).toHaveProperty('textContent', '9.9.9');
    expect(screen.getByTestId('training-banner').textContent).toContain('Training mode');
    expect(screen.getByTestId('info-mode').textContent).toBe('Training');
  });

  it('switches to Japanese at run time', async () => {
    i18n.setLocale('en');
    render(App, { props: { api: fakeApi(async () => info) } });
    await screen.findByTestId('info-version');
    await fireEvent.change(screen.getByRole('combobox'), { target: { value: 'ja' } });
    expect(screen.getByTestId('info-mode').textContent).toBe('トレーニング');
    expect(document.documentElement.lang).toBe('ja');
    i18n.setLocale('en');
  });

  it('shows a station error in words', async () => {
    i18n.setLocale('en');
    render(App, { props: { api: fakeApi(async () => { throw new ApiError({ code: 'X', message: 'The station is not answering.' }); }) } });
    expect((await screen.findByRole('alert')).textContent).toContain('The station is not answering.');
  });
});

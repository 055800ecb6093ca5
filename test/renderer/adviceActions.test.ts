import { beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import App from '../../src-renderer/App.svelte';
import { i18n, t } from '../../src-renderer/lib/i18n/i18n.svelte.ts';
import { wordAdvice } from '../../src-renderer/lib/codes.ts';
import { FakeStationApi } from './fakeStationApi.ts';
import { seedQueue } from './seedQueue.ts';

/** Advice names an action that works from where the technician reads it. */
const NOW = Date.parse('2026-11-23T10:00:00Z');

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
  i18n.setLocale('en');
  globalThis.URL.createObjectURL ??= () => 'blob:x';
  globalThis.URL.revokeObjectURL ??= () => undefined;
});

describe('808 (registered to another tenant): the export it names works from the queue row', () => {
  it.each(['en', 'ja'] as const)("%s: the advice names the queue's export button by its label", (lang) => {
    i18n.setLocale(lang);
    try {
      // By number and by either spelling of its name: the same action, named by the button's own label.
      for (const advice of [wordAdvice(808, undefined), wordAdvice(undefined, 'ZtdDeviceAssignedToOtherTenant')])
        expect(advice).toContain(t('queue.exportIntune'));
    } finally {
      i18n.setLocale('en');
    }
  });

  it('following it (tick the row, press Export Intune CSV) writes that device; without the tick it would be left out', async () => {
    const other = seedQueue(40, NOW).filter((d) => d.row.errorCode === 808);
    expect(other.length).toBeGreaterThan(0);
    const fake = new FakeStationApi({ now: () => NOW, devices: other.slice(0, 1) });
    render(App, { props: { api: fake.api, initialScreen: 'queue' } });
    const row = await screen.findByTestId('queue-row');
    const serial = other[0]!.row.serialNumber;
    // The advice is read in the row…
    expect(within(row).getByTestId('error-advice').textContent).toContain(
      'tick it in the queue, then Export Intune CSV',
    );
    // …what it says not to do first: with nothing ticked, the upload file leaves it out.
    await fireEvent.click(screen.getByTestId('export-intune'));
    expect(
      await within(screen.getByTestId('toasts')).findByText(/no file was saved.*1 owned by another tenant/),
    ).toBeTruthy();
    // What it says to do.
    await fireEvent.click(within(row).getByRole('checkbox', { name: `Select ${serial}` }));
    await fireEvent.click(screen.getByTestId('export-intune'));
    await waitFor(() =>
      expect(within(screen.getByTestId('toasts')).getByText(/autopilot-devices\.csv saved \(1 device\)/)).toBeTruthy(),
    );
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from '../../src-renderer/App.svelte';
import { i18n } from '../../src-renderer/lib/i18n/i18n.svelte.ts';
import { FakeStationApi } from './fakeStationApi.ts';
import { seedQueue, withActions, type SeededDevice } from './seedQueue.ts';

const NOW = Date.parse('2026-11-23T10:00:00Z');

beforeEach(() => {
  localStorage.clear();
  i18n.setLocale('en');
});
afterEach(() => cleanup());

/** Three devices as main sends them: failed before any upload (no import), queued, and imported (the tenant saw it). */
function devices(): SeededDevice[] {
  const seeded = seedQueue(40, NOW);
  const pick = (state: string) => seeded.find((d) => d.row.state === state)!;
  const failed = pick('failed');
  const { importId: _sent, actions: _a, ...neverSent } = failed.row;
  const row = withActions(neverSent, NOW);
  return [{ ...failed, row, detail: { ...failed.detail, row } }, pick('queued'), pick('imported')];
}

describe("Move to another tenant follows main's verdict on each row (QueueRow.actions.move)", () => {
  it('promises exactly the devices main would move, a failed one never sent included, and the answer names the one that stays', async () => {
    const seeded = devices();
    expect(seeded.map((d) => d.row.actions.move.allowed)).toEqual([true, true, false]);
    const fake = new FakeStationApi({ now: () => NOW, devices: seeded });
    render(App, { props: { api: fake.api, initialScreen: 'queue' } });
    await screen.findAllByTestId('queue-row');
    await fireEvent.click(screen.getByRole('button', { name: 'Select all shown' }));
    await fireEvent.click(screen.getByTestId('move-tenant'));
    const confirm = await screen.findByTestId('move-confirm');
    expect(confirm.textContent).toContain(
      'Move 2 devices that were not sent yet to the queue of contoso.onmicrosoft.com',
    );
    expect(confirm.textContent).toContain('1 selected device was sent to this tenant already and stays here.');
    await fireEvent.click(screen.getByTestId('confirm-move'));
    await waitFor(() =>
      expect(screen.getByTestId('action-answer').textContent).toMatch(
        /2 devices moved to contoso\.onmicrosoft\.com.*Already sent to this tenant: it stays here\./,
      ),
    );
    expect([...fake.devices.values()].map((d) => d.row.state)).toEqual(['imported']);
  });
});

describe("the toolbar's disabled Retry says main's reason", () => {
  it('a selection of 808 devices only: Retry is disabled and its tooltip says why', async () => {
    const seeded = seedQueue(40, NOW).filter((d) => d.row.errorCode === 808);
    expect(seeded.length).toBeGreaterThan(0);
    const fake = new FakeStationApi({ now: () => NOW, devices: seeded });
    render(App, { props: { api: fake.api, initialScreen: 'queue' } });
    await screen.findAllByTestId('queue-row');
    await fireEvent.click(screen.getByRole('button', { name: 'Select all shown' }));
    const retry = screen.getByTestId('bulk-retry') as HTMLButtonElement;
    await waitFor(() => expect(retry.disabled).toBe(true));
    expect(retry.title).toBe(
      'Registered to another tenant (error 808): retrying cannot help until the previous owner or reseller deregisters it.',
    );
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from '../../src-renderer/App.svelte';
import { ApiError } from '../../src-renderer/lib/api.ts';
import { i18n } from '../../src-renderer/lib/i18n/i18n.svelte.ts';
import { groupTag, userPrincipalName } from '../../src-main/contract/schemas.ts';
import { FakeStationApi } from './fakeStationApi.ts';
import { fakeHash } from './fakeHash.ts';
import { seedQueue } from './seedQueue.ts';

/**
 * The two drifts issue "one rule, one place" named: a user name the screens took and the contract
 * refuses, and an Import button that was offered and did nothing. Each fails on the code before the fix.
 */
const NOW = Date.parse('2026-11-23T10:00:00Z');
const csv = (...rows: string[]) =>
  ['Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User', ...rows].join('\r\n');

beforeEach(() => {
  localStorage.clear();
  i18n.setLocale('en');
});
afterEach(() => cleanup());

describe("a user name is judged by the contract's rule everywhere the screens see one", () => {
  const device = {
    serialNumber: 'SN1',
    hardwareHash: fakeHash('Contoso', 'Bench', 'SN1'),
    source: { kind: 'typed' as const },
  };

  it.each(['=a@b.cd', '+a@b.cd', '-a@b.cd', '@a@b.cd', 'a b@c.de', 'aiko@contoso.com', ''])(
    '%j: the station the screens talk to refuses it exactly when the contract does',
    async (user) => {
      const fake = new FakeStationApi({ now: () => NOW });
      const refused = !userPrincipalName.safeParse(user).success;
      const queueing = fake.api.queueDevices({ devices: [{ ...device, assignedUser: user }] });
      if (refused) await expect(queueing).rejects.toMatchObject({ code: 'INPUT_INVALID' });
      else await expect(queueing).resolves.toMatchObject({ queued: [expect.any(String)] });
      const editing = fake.api.editDevices({ ids: ['dev-0'], assignedUser: user });
      if (refused) await expect(editing).rejects.toBeInstanceOf(ApiError);
      else await expect(editing).resolves.toEqual({ affected: 0 });
    },
  );

  it('the Capture screen marks =a@b.cd as not a user name and does not queue it', async () => {
    expect(userPrincipalName.safeParse('=a@b.cd').success).toBe(false);
    const fake = new FakeStationApi({ now: () => NOW, devices: seedQueue(3, NOW) });
    render(App, { props: { api: fake.api, initialScreen: 'capture' } });
    const user = (await screen.findByLabelText('Assigned user (optional)')) as HTMLInputElement;
    await fireEvent.input(user, { target: { value: '=a@b.cd' } });
    expect(user.getAttribute('aria-invalid')).toBe('true');
    expect(fake.calls.some((c) => c.name === 'queueDevices')).toBe(false);
  });

  it('a group tag too: the fake refuses what the contract refuses (no copy of the rule in the fake)', async () => {
    const fake = new FakeStationApi({ now: () => NOW });
    for (const tag of ['=SUM(A1)', 'Tokyo,Osaka', '東京本社', 'x'.repeat(513)]) {
      const answer = fake.api.queueDevices({ devices: [], groupTag: tag });
      if (groupTag.safeParse(tag).success) await expect(answer).resolves.toBeTruthy();
      else await expect(answer).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    }
  });
});

describe('Import offers "Queue N good devices" only when there is a good device', () => {
  it('a file of refused and invalid rows only: no button that does nothing; the technician is told why and what to do', async () => {
    const fake = new FakeStationApi({ now: () => NOW });
    render(App, { props: { api: fake.api, initialScreen: 'import' } });
    const input = await screen.findByTestId('import-files');
    // Line 2: a hash of another serial (invalid device); line 3: a row the reader refuses (CSV_WRONG_COLUMNS).
    const file = new File(
      [csv(`SN5,,${fakeHash('Fabrikam', 'EliteBook', 'OTHER')},,`, 'SN7,broken')],
      'refused-only.csv',
    );
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    await fireEvent.change(input);
    await screen.findByTestId('bad-rows');
    expect(screen.queryByTestId('queue-good')).toBeNull();
    expect(screen.getByTestId('import-nothing-to-queue').textContent).toBe(
      'No device in these files can be queued: the rows below say why. Correct the file, then choose it again.',
    );
    i18n.setLocale('ja');
    await waitFor(() =>
      expect(screen.getByTestId('import-nothing-to-queue').textContent).toContain(
        'キューに追加できるデバイスがありません',
      ),
    );
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from '../../src-renderer/App.svelte';
import { i18n } from '../../src-renderer/lib/i18n/i18n.svelte.ts';
import { FakeStationApi } from './fakeStationApi.ts';
import { fakeHash } from './fakeHash.ts';

/** A scanner or IME in full-width mode sends ＰＦ４ＸＫ２ＱＺ; the bench reads the label's PF4XK2QZ. */
const NOW = Date.parse('2026-11-23T10:00:00Z');
const csv = (...rows: string[]) =>
  ['Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User', ...rows].join('\r\n');

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
  i18n.setLocale('en');
});

describe('a serial scanned in full width', () => {
  it("is folded to the label's characters, matches the hash, and is what the station is sent", async () => {
    const fake = new FakeStationApi({ now: () => NOW });
    render(App, { props: { api: fake.api, initialScreen: 'capture' } });
    const input = await screen.findByTestId('hash-file');
    Object.defineProperty(input, 'files', {
      value: [new File([csv(`PF4XK2QZ,,${fakeHash('Contoso', 'Surface Laptop 6', 'PF4XK2QZ')},,`)], 'a.csv')],
      configurable: true,
    });
    await fireEvent.change(input);
    await screen.findByTestId('decoded-model');
    // A scanner in a Japanese IME's full-width mode, with an ideographic space at the end.
    for (const key of [...'ＰＦ４ＸＫ２ＱＺ\u3000', 'Enter']) await fireEvent.keyDown(document.body, { key });
    await waitFor(() => expect((screen.getByTestId('serial-input') as HTMLInputElement).value).toBe('PF4XK2QZ'));
    // The folded serial is the hash's own: nothing to judge again, nothing in full width ever sent.
    expect(JSON.stringify(fake.calls)).not.toMatch(/[\uff01-\uff5e\u3000]/);
    expect(screen.queryByText(/differs from the serial number of the device/)).toBeNull();
  });
});

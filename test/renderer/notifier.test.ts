import { describe, expect, it } from 'vitest';
import type { StationApi } from '../../src-renderer/lib/api.ts';
import { Notifier, attentionText } from '../../src-renderer/lib/stores/notifier.svelte.ts';
import { i18n } from '../../src-renderer/lib/i18n/i18n.svelte.ts';

const api = { on: () => () => {} } as unknown as StationApi;

describe('notifier', () => {
  it('does not stack an attention identical to one still shown (the worker repeats "Import is waiting" at every retry)', () => {
    const n = new Notifier(api);
    const waiting = {
      kind: 'device-needs-attention' as const,
      deviceIds: ['a', 'b'],
      message: 'Import is waiting: not signed in.',
    };
    for (let i = 0; i < 5; i++) n.attention({ ...waiting, deviceIds: [...waiting.deviceIds].reverse() });
    expect(n.toasts).toHaveLength(1);
    // Other devices, or another cause, are news.
    n.attention({ ...waiting, deviceIds: ['c'] });
    n.attention({ ...waiting, message: 'A serial number was captured twice with different hardware hashes.' });
    expect(n.toasts).toHaveLength(3);
    // Once dismissed, the same attention is shown again if it comes back.
    n.dismissAll();
    n.attention(waiting);
    expect(n.toasts).toHaveLength(1);
    n.dispose();
  });

  it('says why an import waits, for how many devices, in the technician\'s language (not "show Failed" for devices that have not failed)', () => {
    const waiting = {
      kind: 'device-needs-attention' as const,
      deviceIds: ['a', 'b', 'c'],
      message: 'Import is waiting: The sign-in has expired.',
      errorName: 'GRAPH_SIGN_IN_EXPIRED',
      waiting: true,
    };
    expect(attentionText(waiting)).toBe(
      '3 devices are waiting to be imported. The sign-in has expired. Sign in again in Settings.',
    );
    expect(attentionText({ ...waiting, deviceIds: ['a'] })).toMatch(
      /^A device is waiting to be imported\. The sign-in has expired/,
    );
    i18n.setLocale('ja');
    try {
      const ja = attentionText(waiting);
      expect(ja).toMatch(/^3 台のデバイスがインポートを待っています。/);
      expect(ja).not.toMatch(/[A-Za-z]{4,}/);
    } finally {
      i18n.setLocale('en');
    }
    const { errorName: _errorName, ...withoutName } = waiting;
    expect(attentionText(withoutName)).not.toMatch(/Failed/);
    // Not a wait: a serial captured with another hash says what it is, not "waiting to be imported".
    expect(
      attentionText({
        kind: 'device-needs-attention',
        deviceIds: ['a', 'b'],
        message: 'x',
        errorName: 'DEVICE_DIFFERENT_HASH',
      }),
    ).toMatch(/^A serial number was captured again with another hardware hash/);
  });
});

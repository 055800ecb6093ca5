import { describe, expect, it } from 'vitest';
import type { StationApi } from '../../src-renderer/lib/api.ts';
import { Notifier } from '../../src-renderer/lib/stores/notifier.svelte.ts';

const api = { on: () => () => {} } as unknown as StationApi;

describe('notifier', () => {
  it('does not stack an attention identical to one still shown (the worker repeats "Import is waiting" at every retry)', () => {
    const n = new Notifier(api);
    const waiting = { kind: 'device-needs-attention' as const, deviceIds: ['a', 'b'], message: 'Import is waiting: not signed in.' };
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
});

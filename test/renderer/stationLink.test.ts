import { describe, expect, it, vi } from 'vitest';
import { ApiError, type StationApi } from '../../src-renderer/lib/api.ts';
import { StationLink } from '../../src-renderer/lib/stores/stationLink.svelte.ts';
import type { StationSettings } from '../../src-main/contract/types.ts';

/** A station whose getInfo answers as told; events delivered by hand. */
function station() {
  let answer: () => Promise<unknown> = async () => ({});
  const listeners = new Map<string, (p: unknown) => void>();
  const api = {
    getInfo: () => answer(),
    on: (name: string, l: (p: unknown) => void) => {
      listeners.set(name, l);
      return () => listeners.delete(name);
    },
  } as unknown as StationApi;
  return {
    api,
    answer: (f: () => Promise<unknown>) => (answer = f),
    emit: (name: string, p: unknown) => listeners.get(name)?.(p),
  };
}

describe('StationLink', () => {
  it('says the station is gone when it stops answering, and reloads by itself when it is back', async () => {
    const s = station();
    const onBack = vi.fn();
    const link = new StationLink(s.api, { onSettings: () => {}, onBack });
    await link.check();
    expect(link.state).toBe('up');
    s.answer(async () => {
      throw new ApiError({ code: 'STATION_UNREACHABLE', message: 'x' });
    });
    await link.check();
    expect(link.state).toBe('down');
    expect(onBack).not.toHaveBeenCalled();
    s.answer(async () => ({}));
    await link.check();
    expect(link.state).toBe('up');
    expect(onBack).toHaveBeenCalledTimes(1);
    link.dispose();
  });

  it('says to open the new address when the station answers with another session, and is back by itself once that address was opened (the new cookie)', async () => {
    const s = station();
    const onBack = vi.fn();
    const link = new StationLink(s.api, { onSettings: () => {}, onBack });
    s.answer(async () => {
      throw new ApiError({ code: 'SESSION_TOKEN_MISSING', message: 'x' });
    });
    await link.check();
    expect(link.state).toBe('moved');
    await link.check();
    expect(link.state).toBe('moved');
    expect(onBack).not.toHaveBeenCalled();
    s.answer(async () => ({}));
    await link.check();
    expect(link.state).toBe('up');
    expect(onBack).toHaveBeenCalledTimes(1);
    link.dispose();
  });

  it('passes settings saved anywhere to the page, and polls only in browser mode', async () => {
    vi.useFakeTimers();
    const s = station();
    const onSettings = vi.fn();
    const getInfo = vi.spyOn(s.api, 'getInfo');
    const link = new StationLink(s.api, { onSettings, onBack: () => {}, intervalMs: 100 });
    s.emit('settingsChanged', { tenantId: 't' } as StationSettings);
    expect(onSettings).toHaveBeenCalledWith({ tenantId: 't' });
    link.start('electron');
    await vi.advanceTimersByTimeAsync(500);
    expect(getInfo).not.toHaveBeenCalled();
    link.start('browser');
    await vi.advanceTimersByTimeAsync(500);
    expect(getInfo.mock.calls.length).toBeGreaterThanOrEqual(4);
    link.dispose();
    vi.useRealTimers();
  });
});

import { render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import DeviceDetailView from '../../src-renderer/lib/components/DeviceDetail.svelte';
import { apiOverHttp, type StationApi } from '../../src-renderer/lib/api.ts';
import type { DeviceDetail } from '../../src-main/contract/types.ts';
import type { EventName } from '../../src-main/contract/contract.ts';
import { CaptureStore } from '../../src-renderer/lib/stores/capture.svelte.ts';
import { GroupTagStore } from '../../src-renderer/lib/stores/groupTags.svelte.ts';
import { ImportStore } from '../../src-renderer/lib/stores/import.svelte.ts';
import { InfoStore } from '../../src-renderer/lib/stores/info.svelte.ts';
import { Notifier } from '../../src-renderer/lib/stores/notifier.svelte.ts';
import { QueueStore } from '../../src-renderer/lib/stores/queue.svelte.ts';
import { SettingsStore } from '../../src-renderer/lib/stores/settings.svelte.ts';
import { FakeStationApi } from './fakeStationApi.ts';
import { seedQueue } from './seedQueue.ts';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const EVENTS: EventName[] = ['queueChanged', 'authChanged', 'deviceCode', 'attention', 'dropFolderRead'];

describe('stores unsubscribe on dispose', () => {
  it('every store that listens to station events stops listening when disposed', () => {
    const fake = new FakeStationApi({ devices: seedQueue(3, NOW), now: () => NOW });
    const stores = [
      new InfoStore(fake.api),
      new QueueStore(fake.api),
      new CaptureStore(fake.api),
      new ImportStore(fake.api),
      new GroupTagStore(fake.api),
      new SettingsStore(fake.api),
      new Notifier(fake.api),
    ];
    expect(fake.listenerCount('dropFolderRead')).toBe(2); // capture and import
    for (const store of stores) (store as { dispose?: () => void }).dispose?.();
    for (const name of EVENTS) expect(fake.listenerCount(name), name).toBe(0);
  });

  it('a disposed import store no longer takes drop-folder files', () => {
    const fake = new FakeStationApi({ now: () => NOW });
    const imports = new ImportStore(fake.api);
    const file = { path: 'D:/drop/a.csv', devices: [], errors: [] };
    fake.emit('dropFolderRead', [file]);
    expect(imports.results).toHaveLength(1);
    imports.dispose();
    fake.emit('dropFolderRead', [file]);
    expect(imports.results).toHaveLength(1);
  });
});

/** getDevice answers held back and released in the order the test chooses, as a slow main process would. */
function heldAnswers(fake: FakeStationApi) {
  const held: { id: string; snapshot: DeviceDetail; release: () => void }[] = [];
  const base = fake.api;
  const api = new Proxy(base, {
    get(target, prop, receiver) {
      if (prop !== 'getDevice') return Reflect.get(target, prop, receiver);
      return async (input: { id: string }) => {
        const snapshot = await base.getDevice(input); // what was true when asked
        await new Promise<void>((release) => held.push({ id: input.id, snapshot, release }));
        return snapshot;
      };
    },
  }) as StationApi;
  return { api, held };
}

describe('out-of-order getDevice answers', () => {
  it('a late answer to an older request never overwrites a newer row', async () => {
    const fake = new FakeStationApi({ devices: seedQueue(5, NOW), now: () => NOW });
    const { api, held } = heldAnswers(fake);
    const store = new QueueStore(api);
    await store.load();
    fake.setState('dev-0', 'importing');
    await vi.waitFor(() => expect(held).toHaveLength(1));
    fake.setState('dev-0', 'assigned', { profileStatus: 'assignedInSync' });
    await vi.waitFor(() => expect(held).toHaveLength(2));
    // The newer answer arrives first, then the older one.
    held[1]!.release();
    await vi.waitFor(() => expect(store.rows.find((r) => r.id === 'dev-0')?.state).toBe('assigned'));
    held[0]!.release();
    await new Promise((r) => setTimeout(r, 20));
    expect(store.rows.find((r) => r.id === 'dev-0')?.state).toBe('assigned');
    store.dispose();
  });

  it('a reload that answers after a newer patch keeps the patched row', async () => {
    const fake = new FakeStationApi({ devices: seedQueue(5, NOW), now: () => NOW });
    let releaseList: (() => void) | undefined;
    const api = new Proxy(fake.api, {
      get(target, prop, receiver) {
        if (prop !== 'listQueue' || !releaseList) return Reflect.get(target, prop, receiver);
        return async (input: never) => {
          const page = await fake.api.listQueue(input);
          await new Promise<void>((r) => (releaseList = r));
          return page;
        };
      },
    }) as StationApi;
    const store = new QueueStore(api);
    await store.load();
    releaseList = () => {};
    const reload = store.load(); // asked now, answered late
    await vi.waitFor(() => expect(releaseList).not.toBeUndefined());
    await new Promise((r) => setTimeout(r, 0));
    fake.setState('dev-1', 'failed', { errorCode: 806 });
    await vi.waitFor(() => expect(store.rows.find((r) => r.id === 'dev-1')?.state).toBe('failed'));
    const release = releaseList;
    releaseList = undefined;
    release();
    await reload;
    expect(store.rows.find((r) => r.id === 'dev-1')?.state).toBe('failed');
    expect(store.rows).toHaveLength(5);
    store.dispose();
  });
});

describe('device detail', () => {
  it('shows the answer to the newest getDevice, whatever order the answers arrive in', async () => {
    const fake = new FakeStationApi({ devices: seedQueue(3, NOW), now: () => NOW });
    const { api, held } = heldAnswers(fake);
    render(DeviceDetailView, {
      props: { api, id: 'dev-0', groupTags: new GroupTagStore(fake.api), onClose: () => {} },
    });
    await vi.waitFor(() => expect(held).toHaveLength(1));
    held[0]!.release();
    const events = () => screen.getByTestId('detail-events').querySelectorAll('tbody tr').length;
    await vi.waitFor(() => expect(events()).toBe(fake.devices.get('dev-0')!.events.length));
    const first = events();
    fake.setState('dev-0', 'importing');
    await vi.waitFor(() => expect(held).toHaveLength(2));
    fake.setState('dev-0', 'assigned');
    await vi.waitFor(() => expect(held).toHaveLength(3));
    held[2]!.release();
    await vi.waitFor(() => expect(events()).toBe(first + 2));
    held[1]!.release();
    await new Promise((r) => setTimeout(r, 20));
    expect(events()).toBe(first + 2);
  });
});

/** A stand-in for the browser's EventSource that the test drives. */
class FakeEventSource {
  static opened: FakeEventSource[] = [];
  onmessage: ((m: MessageEvent) => void) | null = null;
  onerror: (() => void) | null = null;
  onopen: (() => void) | null = null;
  /** 0 connecting, 1 open, 2 closed for good (what a 401 does to a real EventSource). */
  readyState = 0;
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.opened.push(this);
  }
  close(): void {
    this.closed = true;
  }
  send(data: string): void {
    this.onmessage?.({ data } as MessageEvent);
  }
}

describe('browser-mode event stream', () => {
  it('logs a malformed event instead of throwing, and keeps delivering good ones', () => {
    FakeEventSource.opened = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const api = apiOverHttp('http://127.0.0.1:1', FakeEventSource as unknown as typeof EventSource);
    const seen: unknown[] = [];
    api.on('attention', (a) => seen.push(a));
    const source = FakeEventSource.opened[0]!;
    for (const bad of ['not json', '42', 'null', '{"payload":1}']) expect(() => source.send(bad)).not.toThrow();
    expect(warn).toHaveBeenCalledTimes(4);
    source.send(JSON.stringify({ name: 'attention', payload: { kind: 'x' } }));
    expect(seen).toEqual([{ kind: 'x' }]);
    warn.mockRestore();
  });

  it('one failing listener does not keep the others from an event', () => {
    FakeEventSource.opened = [];
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const api = apiOverHttp('http://127.0.0.1:1', FakeEventSource as unknown as typeof EventSource);
    const seen: unknown[] = [];
    api.on('attention', () => {
      throw new Error('screen bug');
    });
    api.on('attention', (a) => seen.push(a));
    FakeEventSource.opened[0]!.send(JSON.stringify({ name: 'attention', payload: 1 }));
    expect(seen).toEqual([1]);
    expect(error).toHaveBeenCalledTimes(1);
    error.mockRestore();
  });

  it('a stream back after a drop (station restarted) asks every queue listener to reload: what happened in the gap was never sent', () => {
    FakeEventSource.opened = [];
    const api = apiOverHttp('http://127.0.0.1:1', FakeEventSource as unknown as typeof EventSource);
    const seen: { deviceIds: string[] }[] = [];
    api.on('queueChanged', (c) => seen.push(c));
    const source = FakeEventSource.opened[0]!;
    source.onopen?.(); // the first open: nothing was missed
    expect(seen).toEqual([]);
    source.onerror?.(); // the station stopped; the EventSource retries by itself
    source.onerror?.();
    source.onopen?.();
    expect(seen.map((c) => c.deviceIds)).toEqual([[]]);
    source.onopen?.();
    expect(seen).toHaveLength(1);
  });

  it('a station restarted with a new session refuses the stream (closed for good): it is opened again until the new session exists, then every queue listener reloads', async () => {
    FakeEventSource.opened = [];
    const api = apiOverHttp('http://127.0.0.1:1', FakeEventSource as unknown as typeof EventSource, { reopenMs: 5 });
    const seen: { deviceIds: string[] }[] = [];
    const off = api.on('queueChanged', (c) => seen.push(c));
    const first = FakeEventSource.opened[0]!;
    first.onopen?.();
    first.readyState = 2; // 401: the last run's cookie
    first.onerror?.();
    await vi.waitFor(() => expect(FakeEventSource.opened).toHaveLength(2));
    const second = FakeEventSource.opened[1]!;
    second.readyState = 2; // still no session of the new run
    second.onerror?.();
    await vi.waitFor(() => expect(FakeEventSource.opened).toHaveLength(3));
    expect(seen).toEqual([]);
    FakeEventSource.opened[2]!.onopen?.(); // the technician opened the new address in this browser
    expect(seen.map((c) => c.deviceIds)).toEqual([[]]);
    off();
    expect(FakeEventSource.opened[2]!.closed).toBe(true);
  });

  it('closes the stream when the last listener leaves, and opens a new one for the next', () => {
    FakeEventSource.opened = [];
    const api = apiOverHttp('http://127.0.0.1:1', FakeEventSource as unknown as typeof EventSource);
    const offA = api.on('queueChanged', () => {});
    const offB = api.on('authChanged', () => {});
    expect(FakeEventSource.opened).toHaveLength(1);
    offA();
    offA(); // twice is harmless
    expect(FakeEventSource.opened[0]!.closed).toBe(false);
    offB();
    expect(FakeEventSource.opened[0]!.closed).toBe(true);
    const offC = api.on('queueChanged', () => {});
    expect(FakeEventSource.opened).toHaveLength(2);
    // No token in the stream's address: the session is the HttpOnly cookie the browser sends.
    expect(FakeEventSource.opened[1]!.url).toBe('http://127.0.0.1:1/api/events');
    offC();
    expect(FakeEventSource.opened[1]!.closed).toBe(true);
  });
});

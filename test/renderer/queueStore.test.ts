import { ApiError } from '../../src-renderer/lib/api.ts';
import { describe, expect, it, vi } from 'vitest';
import { QueueStore } from '../../src-renderer/lib/stores/queue.svelte.ts';
import type { QueueRow } from '../../src-main/contract/types.ts';
import { FakeStationApi } from './fakeStationApi.ts';
import { seedQueue } from './seedQueue.ts';

const NOW = Date.parse('2026-11-23T10:00:00Z');

async function loaded(n: number) {
  const fake = new FakeStationApi({ devices: seedQueue(n, NOW), now: () => NOW });
  const store = new QueueStore(fake.api);
  await store.load();
  return { fake, store };
}

describe('QueueStore', () => {
  it('loads every row and the counts', async () => {
    const { store } = await loaded(10_000);
    store.waitFor = 'assigned'; // the counts below follow devices to the profile
    expect(store.rows).toHaveLength(10_000);
    expect(store.groups.ready + store.groups.waiting + store.groups.failed).toBe(10_000);
    expect(store.groups).toEqual({ ready: 2000, waiting: 5000, failed: 3000 });
  });

  it('filters by state group and searches by serial (case-insensitive)', async () => {
    const { store } = await loaded(500);
    store.filter = 'failed';
    const failedStates = ['failed', 'timed-out', 'invalid'];
    expect(store.visible.length).toBe(store.rows.filter((r) => failedStates.includes(r.state)).length);
    expect(store.visible.length).toBeGreaterThan(100);
    expect(store.visible.every((r) => ['failed', 'timed-out', 'invalid'].includes(r.state))).toBe(true);
    const serial = store.visible[3]!.serialNumber;
    store.search = serial.toLowerCase();
    expect(store.visible.map((r) => r.serialNumber)).toEqual([serial]);
    store.filter = 'ready';
    expect(store.visible).toHaveLength(0);
    store.filter = 'all';
    store.search = '';
    expect(store.visible).toHaveLength(500);
  });

  it('ready follows the waitFor setting', async () => {
    const { store } = await loaded(100);
    const readyAssigned = store.groups.ready;
    store.waitFor = 'imported';
    expect(store.groups.ready).toBeGreaterThan(readyAssigned);
  });

  it('patches rows named in queueChanged and keeps the rest', async () => {
    const { fake, store } = await loaded(50);
    const before = store.rows[1];
    fake.setState('dev-0', 'assigned', { profileStatus: 'assignedInSync' });
    await vi.waitFor(() => expect(store.rows.find((r) => r.id === 'dev-0')?.state).toBe('assigned'));
    expect(store.rows[1]).toBe(before);
    expect(store.counts.assigned).toBe(fake.counts().assigned);
  });

  it('reloads everything on an empty queueChanged, and drops selections of removed devices', async () => {
    const { fake, store } = await loaded(50);
    store.toggle('dev-3');
    store.toggle('dev-4');
    fake.devices.delete('dev-3');
    fake.emit('queueChanged', { deviceIds: [], at: new Date().toISOString() });
    await vi.waitFor(() => expect(store.rows).toHaveLength(49), { timeout: 2000 });
    expect([...store.selected]).toEqual(['dev-4']);
  });

  it('bulk actions go to the station for the selected ids', async () => {
    const { fake, store } = await loaded(50);
    store.filter = 'failed';
    store.selectAllVisible();
    const ids = [...store.selected];
    expect(ids.length).toBe(store.groups.failed);
    // What main allows, as sent with each row (deviceActions.ts): the store restates no rule.
    const retriable = store.rows.filter((r) => ids.includes(r.id) && r.actions.retry.allowed).map((r) => r.id);
    expect(retriable.length).toBeGreaterThan(0);
    expect(retriable.length).toBeLessThan(ids.length);
    const answer = await store.act('retry');
    expect(answer.affected).toBe(retriable.length);
    expect(answer.skipped.map((k) => k.id).sort()).toEqual(ids.filter((id) => !retriable.includes(id)).sort());
    expect(retriable.every((id) => fake.devices.get(id)!.row.state === 'queued')).toBe(true);
    expect(fake.calls.find((c) => c.name === 'deviceAction')).toEqual({
      name: 'deviceAction',
      input: { ids, action: 'retry' },
    });
    await store.setGroupTag('Kiosk');
    expect(ids.every((id) => fake.devices.get(id)?.row.groupTag === 'Kiosk')).toBe(true);
    const [file] = await store.exportCsv('intune');
    // Invalid devices never go into an upload file; the file says how many it left out.
    const invalid = ids.filter((id) => fake.devices.get(id)!.row.state === 'invalid').length;
    expect(file!.rows).toBe(ids.length - invalid);
    expect(file!.leftOut).toEqual(invalid ? { invalid } : undefined);
    expect(file!.content.split('\r\n')[0]).toBe(
      'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User',
    );
    await store.act('remove');
    expect(store.selected.size).toBe(0);
  });

  it('a queueChanged the station cannot answer (stopped, or restarted with a new session) keeps the rows; a device no longer in the queue leaves', async () => {
    const { fake, store } = await loaded(20);
    const real = fake.call_getDevice.bind(fake);
    let failWith = 'SESSION_TOKEN_MISSING';
    fake.call_getDevice = (input) => {
      if (failWith) throw new ApiError({ code: failWith, message: 'refused' });
      return real(input);
    };
    fake.emit('queueChanged', { deviceIds: ['dev-1', 'dev-2'], at: new Date().toISOString() });
    await new Promise((r) => setTimeout(r, 200));
    expect(store.rows).toHaveLength(20);
    expect(store.rows.some((r) => r.id === 'dev-1')).toBe(true);
    failWith = 'STATION_UNREACHABLE';
    fake.emit('queueChanged', { deviceIds: ['dev-1'], at: new Date().toISOString() });
    await new Promise((r) => setTimeout(r, 200));
    expect(store.rows).toHaveLength(20);
    failWith = 'DEVICE_NOT_FOUND';
    fake.emit('queueChanged', { deviceIds: ['dev-3'], at: new Date().toISOString() });
    await vi.waitFor(() => expect(store.rows.some((r) => r.id === 'dev-3')).toBe(false));
  });

  it('shows a station error in words', async () => {
    const fake = new FakeStationApi();
    fake.call_listQueue = () => {
      throw new ApiError({ code: 'QUEUE_DB_CORRUPT', message: 'The queue database is damaged.' });
    };
    const store = new QueueStore(fake.api);
    await store.load();
    expect(store.error).toBe('The queue file is damaged. Do not delete it: save diagnostics and call your admin.');
    expect(store.loaded).toBe(true);
  });
});

describe('what failed comes first', () => {
  it('failed, invalid and timed-out rows are listed above the rest, each part in queue order, with or without a filter', async () => {
    const { failedFirst } = await import('../../src-renderer/lib/stores/queue.svelte.ts');
    const row = (id: string, state: QueueRow['state']) => ({ id, state }) as QueueRow;
    const rows = [
      row('a', 'queued'),
      row('b', 'failed'),
      row('c', 'registered'),
      row('d', 'invalid'),
      row('e', 'timed-out'),
      row('f', 'captured'),
    ];
    expect(failedFirst(rows).map((r) => r.id)).toEqual(['b', 'd', 'e', 'a', 'c', 'f']);
    // Where the station stops following decides what is ready, not what failed.
    expect(failedFirst(rows, 'assigned').map((r) => r.id)).toEqual(['b', 'd', 'e', 'a', 'c', 'f']);
    expect(failedFirst([row('a', 'queued'), row('c', 'registered')]).map((r) => r.id)).toEqual(['a', 'c']);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { createStation } from '../../src-main/app/createStation.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import type { QueueChanged, QueuePage } from '../../src-main/contract/types.ts';
import { createDispatcher } from '../../src-main/ipc/dispatch.ts';
import { QUEUE_DB_FILE } from '../../src-main/queue/sqliteQueueStore.ts';
import { FakeAutopilot, hashFor } from './queueFakes.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function station(dataDir?: string) {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'queue-contract-'));
  if (!dataDir) dirs.push(dir);
  const clock = scaledClock(5000);
  const port = new FakeAutopilot(clock);
  const s = createStation({
    host: 'browser',
    dataDir: dir,
    logger: silentLogger,
    clock,
    autopilot: port,
    serialPort: { readSerials: async () => ({ system: 'PF0TEST' }) },
  });
  const dispatch = createDispatcher(s.handlers, silentLogger);
  const call = async <T>(name: string, input: unknown): Promise<T> => {
    const r = await dispatch(name, input);
    if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
    return r.value as T;
  };
  return { dir, s, port, dispatch, call };
}

const dev = (serialNumber: string) => ({
  serialNumber,
  hardwareHash: hashFor(serialNumber),
  source: { kind: 'typed' },
});

describe('queue calls through the contract', () => {
  it('queues, lists with counts, shows history, and pushes queueChanged events until registered', async () => {
    const { s, call } = station();
    const changes: QueueChanged[] = [];
    s.bus.subscribe((name, payload) => name === 'queueChanged' && changes.push(payload as QueueChanged));
    const r = await call<{ queued: string[] }>('queueDevices', { devices: [dev('C1'), dev('C2')], groupTag: 'Lab' });
    expect(r.queued).toHaveLength(2);
    for (let i = 0; i < 200; i++) {
      const page = await call<QueuePage>('listQueue', { states: ['registered'] });
      if (page.total === 2) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    const page = await call<QueuePage>('listQueue', {});
    expect(page.rows.map((x) => [x.serialNumber, x.state, x.groupTag])).toEqual([
      ['C1', 'registered', 'Lab'],
      ['C2', 'registered', 'Lab'],
    ]);
    expect(page.counts.registered).toBe(2);
    expect(changes.at(-1)!.counts!.registered).toBe(2);
    const detail = await call<{ events: { toState: string }[] }>('getDevice', { id: r.queued[0] });
    expect(detail.events.map((e) => e.toState)).toContain('imported');
    expect(await call('editDevices', { ids: r.queued, groupTag: 'Lab2' })).toEqual({ affected: 2 });
    const files = await call<{ name: string; content: string }[]>('exportQueue', { format: 'report' });
    expect(files[0]!.content).toContain('Lab2');
    await s.close();
  });

  it('refuses hostile group tags at the contract and unknown devices with a clear error', async () => {
    const { s, dispatch } = station();
    expect(await dispatch('queueDevices', { devices: [dev('C1')], groupTag: '=HYPERLINK("x")' })).toMatchObject({
      ok: false,
      error: { code: 'INPUT_INVALID' },
    });
    expect(await dispatch('getDevice', { id: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'DEVICE_NOT_FOUND' },
    });
    await s.close();
  });

  it('keeps a corrupt queue database aside and carries on with a fresh one, saying so', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-contract-'));
    dirs.push(dir);
    // The training tenant's queue (one queue per tenant, in tenants/<slug>/).
    const queueDir = path.join(dir, 'tenants', 'training');
    fs.mkdirSync(queueDir, { recursive: true });
    fs.writeFileSync(path.join(queueDir, QUEUE_DB_FILE), 'garbage'.repeat(1000));
    const { s, call } = station(dir);
    const attention: string[] = [];
    s.bus.subscribe(
      (name, payload) => name === 'attention' && attention.push((payload as { message: string }).message),
    );
    expect((await call<QueuePage>('listQueue', {})).total).toBe(0);
    expect(s.queue().problem?.code).toBe('QUEUE_DB_CORRUPT');
    expect(attention.join(' ')).toMatch(/kept aside/);
    expect(fs.readdirSync(queueDir).some((f) => f.startsWith('queue.db.corrupt-'))).toBe(true);
    await s.close();
  });
});

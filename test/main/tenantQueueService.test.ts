import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src-main/kernel/eventBus.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { openQueueRuntime, type QueueRuntime } from '../../src-main/queue/queueRuntime.ts';
import { openSqliteQueueStore } from '../../src-main/queue/sqliteQueueStore.ts';
import { TenantQueueService } from '../../src-main/queue/tenantQueueService.ts';
import { tenantQueueDir, tenantSlugAfter } from '../../src-main/queue/tenantQueues.ts';
import { hashFor } from './queueFakes.ts';
import { ManualClock } from './simSupport.ts';

/**
 * The current tenant's queue and the moves between tenants' queues, with the real SQLite queues in
 * a data folder; the settings are a variable the test changes (the port `currentSlug`).
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const dev = (serialNumber: string) => ({
  serialNumber,
  hardwareHash: hashFor(serialNumber),
  source: { kind: 'typed' as const },
});

function setup(o: { pinned?: boolean } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-queues-'));
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const clock = new ManualClock();
  const bus = new EventBus();
  const log: string[] = [];
  // Events in order; a queueChanged with the states that have devices.
  const counts = (p: unknown) =>
    JSON.stringify(
      Object.fromEntries(Object.entries((p as { counts?: object }).counts ?? {}).filter(([, n]) => n > 0)),
    );
  bus.subscribe((name, payload) => log.push(name === 'queueChanged' ? `queueChanged ${counts(payload)}` : name));
  const settings = { slug: 'training' };
  const opened: { slug: string; runtime: QueueRuntime; closed: boolean }[] = [];
  const queues = new TenantQueueService({
    dataDir,
    clock,
    logger: silentLogger,
    bus,
    currentSlug: () => settings.slug,
    openRuntime: (slug, dir) => {
      const runtime = openQueueRuntime({
        dataDir: dir,
        clock,
        logger: silentLogger,
        stationName: 'BENCH',
        batchSize: () => 10,
        waitFor: () => 'registered',
      });
      const entry = { slug, runtime, closed: false };
      opened.push(entry);
      return { ...runtime, close: async () => ((entry.closed = true), await runtime.close()) };
    },
    openStore: (dir) => openSqliteQueueStore(dir),
    ...(o.pinned ? { pinned: { slug: 'sim-cli', dir: tenantQueueDir(dataDir, 'sim-cli') } } : {}),
  });
  cleanups.push(() => queues.close());
  return { dataDir, queues, settings, opened, log };
}

describe('TenantQueueService', () => {
  it("opens the current tenant's queue on first use only, and once", () => {
    const { queues, opened } = setup();
    expect(queues.openNow()).toBeUndefined();
    expect(opened).toHaveLength(0);
    const q = queues.current();
    expect(queues.current()).toBe(q);
    expect(opened.map((o) => o.slug)).toEqual(['training']);
  });

  it('a save that changes the tenant closes the old queue before the save, opens the new one after it, then says so', async () => {
    const { queues, settings, opened, log } = setup();
    queues.current().service.queueDevices([dev('T1'), dev('T2')]);
    const seenDuringSave: boolean[] = [];
    const saved = await queues.saveSettings(
      'global-contoso',
      async () => {
        // Nothing of the old tenant's queue is running while the settings are written.
        seenDuringSave.push(opened[0]!.closed, queues.openNow() === undefined);
        settings.slug = 'global-contoso';
        return 'saved';
      },
      () => log.push('settingsChanged'),
    );
    expect(saved).toBe('saved');
    expect(seenDuringSave).toEqual([true, true]);
    expect(opened.map((o) => `${o.slug}:${o.closed}`)).toEqual(['training:true', 'global-contoso:false']);
    expect(queues.current().service.total()).toBe(0);
    // settingsChanged first, then the queue of the other tenant (empty) for every window to reload.
    expect(log).toEqual(['settingsChanged', 'queueChanged {}']);
  });

  it("a refused save opens the same tenant's queue again and announces nothing", async () => {
    const { queues, opened, log } = setup();
    queues.current();
    const refused = queues.saveSettings(
      'global-contoso',
      () => Promise.reject(new Error('locked')),
      () => log.push('settingsChanged'),
    );
    await expect(refused).rejects.toThrow('locked');
    expect(opened.map((o) => `${o.slug}:${o.closed}`)).toEqual(['training:true', 'training:false']);
    expect(log).toEqual([]);
  });

  it('a save that keeps the tenant leaves its queue open', async () => {
    const { queues, opened, log } = setup();
    const q = queues.current();
    await queues.saveSettings(
      'training',
      async () => 1,
      () => log.push('settingsChanged'),
    );
    expect(queues.current()).toBe(q);
    expect(opened).toHaveLength(1);
    expect(log).toEqual(['settingsChanged']);
  });

  it('settings changed elsewhere (another window): the next use closes the old queue and opens the current one', async () => {
    const { queues, settings, opened } = setup();
    const old = queues.current();
    settings.slug = 'global-fabrikam';
    const now = queues.current();
    expect(now).not.toBe(old);
    await expect.poll(() => opened[0]!.closed).toBe(true);
    expect(opened.map((o) => o.slug)).toEqual(['training', 'global-fabrikam']);
  });

  it('lists every tenant with a queue in the data folder with its devices, the current one marked', async () => {
    const { queues, settings } = setup();
    queues.current().service.queueDevices([dev('L1')]);
    await queues.saveSettings(
      'global-contoso',
      async () => void (settings.slug = 'global-contoso'),
      () => {},
    );
    queues.current().service.queueDevices([dev('L2'), dev('L3')]);
    expect(queues.list()).toEqual([
      { slug: 'global-contoso', current: true, training: false, total: 2, cloud: 'global', tenantId: 'contoso' },
      { slug: 'training', current: false, training: true, total: 1 },
    ]);
  });

  it("moves unsent devices to another tenant's queue and refuses the same tenant, an unknown one and a pinned queue", async () => {
    const { queues, settings, log } = setup();
    queues.current();
    await queues.saveSettings(
      'global-contoso',
      async () => void (settings.slug = 'global-contoso'),
      () => {},
    );
    await queues.saveSettings(
      'training',
      async () => void (settings.slug = 'training'),
      () => {},
    );
    const r = queues.current().service.queueDevices([dev('M1'), dev('M2')]);
    log.length = 0;
    const moved = queues.move([r.queued[0]!, 'no-such-id'], 'global-contoso');
    expect(moved.moved).toHaveLength(1);
    expect(moved.refused).toEqual([{ id: 'no-such-id', code: 'MOVE_NOT_FOUND' }]);
    expect(
      queues
        .current()
        .service.allDevices()
        .map((d) => d.serialNumber),
    ).toEqual(['M2']);
    expect(log).toEqual(['queueChanged {"queued":1}']);
    expect(queues.list().find((t) => t.slug === 'global-contoso')!.total).toBe(1);
    expect(() => queues.move([r.queued[1]!], 'training')).toThrow(
      expect.objectContaining({ code: 'MOVE_SAME_TENANT' }),
    );
    expect(() => queues.move([r.queued[1]!], 'global-nobody')).toThrow(
      expect.objectContaining({ code: 'MOVE_UNKNOWN_TENANT' }),
    );

    const pinned = setup({ pinned: true });
    expect(() => pinned.queues.move(['x'], 'training')).toThrow(expect.objectContaining({ code: 'NOT_AVAILABLE' }));
  });

  it('pinned to one tenant (import --tenant sim): its own folder whatever the settings say, never switched', async () => {
    const { queues, settings, opened, dataDir } = setup({ pinned: true });
    const q = queues.current();
    expect(queues.slug()).toBe('sim-cli');
    expect(fs.existsSync(path.join(tenantQueueDir(dataDir, 'sim-cli'), 'queue.db'))).toBe(true);
    await queues.saveSettings(
      'global-contoso',
      async () => void (settings.slug = 'global-contoso'),
      () => {},
    );
    expect(queues.current()).toBe(q);
    expect(opened.map((o) => `${o.slug}:${o.closed}`)).toEqual(['sim-cli:false']);
  });

  it("knows the tenant a settings patch leads to before it is saved ('' clears), a remote training tenant included", () => {
    const training = { cloud: 'global' as const };
    expect(tenantSlugAfter(training, { tenantId: 'Contoso.onmicrosoft.com' })).toBe('global-contoso.onmicrosoft.com');
    expect(tenantSlugAfter({ cloud: 'global', tenantId: 'contoso' }, { cloud: 'usgov' })).toBe('usgov-contoso');
    expect(tenantSlugAfter({ cloud: 'global', tenantId: 'contoso' }, { tenantId: '' })).toBe('training');
    expect(tenantSlugAfter(training, { tenantUrl: 'https://trainer-pc:8443' })).toBe('remote-trainer-pc_8443');
    expect(tenantSlugAfter({ cloud: 'global', tenantUrl: 'https://trainer-pc:8443' }, { tenantUrl: '' })).toBe(
      'training',
    );
  });
});

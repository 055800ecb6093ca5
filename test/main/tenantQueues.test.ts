/**
 * One queue per tenant: the station opens the current tenant's queue, switches when the tenant
 * settings change (worker stopped first), keeps training devices out of a real tenant's exports,
 * moves not-yet-sent devices on request only, and migrates the single queue of earlier versions.
 * Real SQLite files in a temporary data folder; the Autopilot port is the queue tests' fake.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { createStation } from '../../src-main/app/createStation.ts';
import { createLogger, silentLogger } from '../../src-main/kernel/logger.ts';
import type { DeviceActionResult, QueueChanged, StationSettings } from '../../src-main/contract/types.ts';
import { createDispatcher } from '../../src-main/ipc/dispatch.ts';
import { openSqliteQueueStore, QUEUE_DB_FILE } from '../../src-main/queue/sqliteQueueStore.ts';
import { tenantQueueDir, tenantSlug } from '../../src-main/queue/tenantQueues.ts';
import { FakeAutopilot, hashFor } from './queueFakes.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-queues-'));
  dirs.push(d);
  return d;
};
const TENANT = '8A1F4C2E-0B3D-4E5F-9A6B-7C8D9E0F1A2B';
const dev = (serialNumber: string, hardwareHash = hashFor(serialNumber)) => ({
  serialNumber,
  hardwareHash,
  source: { kind: 'typed' as const },
});

function station(dataDir: string, o: { worker?: boolean; logLines?: string[]; timeScale?: number } = {}) {
  const clock = scaledClock(o.timeScale ?? 5000);
  const port = new FakeAutopilot(clock);
  const logger = o.logLines ? createLogger((l) => o.logLines!.push(l), {}, 'info') : silentLogger;
  const s = createStation({
    host: 'browser',
    dataDir,
    logger,
    clock,
    autopilot: port,
    serialPort: { readSerials: async () => ({ system: 'PF0TEST' }) },
    ...(o.worker === false ? { queue: { worker: false } } : {}),
  });
  const dispatch = createDispatcher(s.handlers, silentLogger);
  const call = async <T>(name: string, input: unknown): Promise<T> => {
    const r = await dispatch(name, input);
    if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
    return r.value as T;
  };
  return { s, call, port };
}

describe('one queue per tenant', () => {
  it("names each tenant's queue folder after the tenant: training, or cloud and tenant id", () => {
    expect(tenantSlug({ cloud: 'global' })).toBe('training');
    expect(tenantSlug({ cloud: 'global', tenantId: TENANT })).toBe(`global-${TENANT.toLowerCase()}`);
    expect(tenantSlug({ cloud: 'usgov', tenantId: TENANT })).not.toBe(
      tenantSlug({ cloud: 'global', tenantId: TENANT }),
    );
  });

  it('switches queues when the tenant id is saved and back when it is cleared; exports never mix tenants', async () => {
    const dataDir = tmp();
    const { s, call } = station(dataDir, { worker: false });
    const events: string[] = [];
    s.bus.subscribe((name, payload) => {
      if (name === 'settingsChanged') events.push(`settings:${(payload as StationSettings).tenantId ?? 'training'}`);
      if (name === 'queueChanged' && (payload as QueueChanged).deviceIds.length === 0) events.push('queue-reload');
    });
    await call('queueDevices', { devices: [dev('TRAIN1')], groupTag: 'Training' });
    expect(fs.existsSync(path.join(tenantQueueDir(dataDir, 'training'), QUEUE_DB_FILE))).toBe(true);

    await call('updateSettings', { patch: { tenantId: TENANT, clientId: '11111111-2222-4333-8444-555555555555' } });
    expect(events).toEqual([`settings:${TENANT}`, 'queue-reload']);
    expect((await call<{ total: number }>('listQueue', {})).total).toBe(0);
    await call('queueDevices', { devices: [dev('REAL1')], groupTag: 'Sales' });
    const intune = await call<{ content: string }[]>('exportQueue', { format: 'intune' });
    expect(intune.map((f) => f.content).join('')).toContain('REAL1');
    expect(intune.map((f) => f.content).join('')).not.toContain('TRAIN1');
    expect(fs.existsSync(path.join(tenantQueueDir(dataDir, `global-${TENANT.toLowerCase()}`), QUEUE_DB_FILE))).toBe(
      true,
    );

    const tenants = await call<{ slug: string; current: boolean; total: number }[]>('listTenantQueues', {});
    expect(tenants).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          slug: `global-${TENANT.toLowerCase()}`,
          current: true,
          total: 1,
          tenantId: TENANT.toLowerCase(),
          cloud: 'global',
        }),
        expect.objectContaining({ slug: 'training', current: false, total: 1, training: true }),
      ]),
    );

    await call('updateSettings', { patch: { tenantId: '' } });
    const back = await call<{ rows: { serialNumber: string }[] }>('listQueue', {});
    expect(back.rows.map((r) => r.serialNumber)).toEqual(['TRAIN1']);
    await s.close();
  });

  it("stops the old tenant's worker before the tenant changes, so nothing queued for one tenant is sent to the other", async () => {
    const dataDir = tmp();
    const { s, call, port } = station(dataDir);
    await call('updateSettings', { patch: { tenantId: TENANT, clientId: '11111111-2222-4333-8444-555555555555' } });
    const q = s.queue();
    await call('updateSettings', { patch: { tenantId: '' } });
    // The first tenant's queue is closed: its store no longer answers.
    expect(() => q.store.countByState()).toThrow();
    await call('queueDevices', { devices: [dev('T2')], groupTag: 'Training' });
    await expect
      .poll(() => s.queue().service.device(s.queue().service.allDevices()[0]!.id)?.state, { timeout: 10_000 })
      .toBe('registered');
    expect(port.log.filter((l) => l.method === 'importBatch').flatMap((l) => l.arg as string[])).toEqual(['T2']);
    await s.close();
  });

  it("a refused tenant change (locked by the admin) leaves the same tenant's queue open and working", async () => {
    const dataDir = tmp();
    const clock = scaledClock(5000);
    const s = createStation({
      host: 'browser',
      dataDir,
      logger: silentLogger,
      clock,
      autopilot: new FakeAutopilot(clock),
      machineSettings: { values: {}, locked: ['tenantId'], found: true, path: 'machine.json' },
      serialPort: { readSerials: async () => ({ system: 'X' }) },
    });
    await s.handlers.queueDevices({ devices: [dev('L1')], groupTag: 'Lab' });
    const before = s.queue();
    await expect(s.handlers.updateSettings({ patch: { tenantId: TENANT } })).rejects.toMatchObject({
      code: 'SETTINGS_LOCKED',
    });
    const after = s.queue();
    expect(after).not.toBe(before); // closed before the change, opened again at once
    expect(after.worker).toBeDefined();
    await expect.poll(() => after.service.allDevices()[0]?.state, { timeout: 10_000 }).toBe('registered');
    await s.close();
  });

  it("moves devices not yet sent to another tenant's queue on request, with their history, and refuses those already sent", async () => {
    const dataDir = tmp();
    const { s, call } = station(dataDir, { worker: false });
    await call('updateSettings', { patch: { tenantId: TENANT, clientId: '11111111-2222-4333-8444-555555555555' } });
    await call('listQueue', {}); // the station has shown this tenant's queue once
    await call('updateSettings', { patch: { tenantId: '' } });
    // Queued in training by mistake: one waiting, one refused, one already sent (imported record id known).
    const r = await call<{ queued: string[]; invalid: string[] }>('queueDevices', {
      devices: [dev('MV1'), dev('MV2', 'bm9wZQ=='), dev('MV3')],
      groupTag: 'Sales',
    });
    const sent = r.queued[1]!;
    s.queue().store.updateDevice(sent, { state: 'importing', importedRecordId: 'rec-1', batchId: 'b1' });
    const target = `global-${TENANT.toLowerCase()}`;
    const moved = await call<{ moved: string[]; refused: { id: string; code: string }[] }>('moveDevices', {
      ids: [...r.queued, ...r.invalid],
      toTenant: target,
    });
    expect(moved.moved).toHaveLength(2);
    expect(moved.refused).toEqual([expect.objectContaining({ id: sent, code: 'MOVE_ALREADY_SENT' })]);
    expect(
      s
        .queue()
        .service.allDevices()
        .map((d) => d.serialNumber),
    ).toEqual(['MV3']);
    await expect(call('moveDevices', { ids: [sent], toTenant: 'global-nobody' })).rejects.toMatchObject({
      code: 'MOVE_UNKNOWN_TENANT',
    });

    await call('updateSettings', { patch: { tenantId: TENANT } });
    const there = s.queue().service.allDevices();
    expect(there.map((d) => `${d.serialNumber}:${d.state}`).sort()).toEqual(['MV1:queued', 'MV2:invalid']);
    const history = await call<{ events: { message: string }[] }>('getDevice', {
      id: there.find((d) => d.serialNumber === 'MV1')!.id,
    });
    expect(history.events.map((e) => e.message)).toEqual([
      expect.stringMatching(/^Queued from typed/),
      'Moved here from the queue of tenant training by the technician',
    ]);
    await s.close();
  });

  it('moves the queue of an earlier version to the tenant configured at that moment, once, and says so in the log', async () => {
    const dataDir = tmp();
    // An earlier version: settings with a tenant, and one queue.db beside them (plus the CLI's training one).
    const legacy = openSqliteQueueStore(dataDir);
    legacy.close();
    const first = station(dataDir, { worker: false });
    await first.call('updateSettings', { patch: { batchSize: 50 } });
    await first.s.close();
    const old = station(dataDir, { worker: false });
    await old.call('queueDevices', { devices: [dev('OLD1')], groupTag: 'Sales' });
    await old.s.close();
    // Put that queue back where an earlier version kept it, with a tenant in the settings.
    for (const f of fs.readdirSync(tenantQueueDir(dataDir, 'training')))
      fs.renameSync(path.join(tenantQueueDir(dataDir, 'training'), f), path.join(dataDir, f));
    fs.writeFileSync(
      path.join(dataDir, 'settings.json'),
      JSON.stringify({ tenantId: TENANT, clientId: '11111111-2222-4333-8444-555555555555' }),
    );
    fs.mkdirSync(path.join(dataDir, 'training'));
    const cli = openSqliteQueueStore(path.join(dataDir, 'training'));
    cli.close();

    const logLines: string[] = [];
    const now = station(dataDir, { worker: false, logLines });
    expect(
      now.s
        .queue()
        .service.allDevices()
        .map((d) => d.serialNumber),
    ).toEqual(['OLD1']);
    expect(fs.existsSync(path.join(dataDir, QUEUE_DB_FILE))).toBe(false);
    expect(fs.existsSync(path.join(tenantQueueDir(dataDir, `global-${TENANT.toLowerCase()}`), QUEUE_DB_FILE))).toBe(
      true,
    );
    expect(fs.existsSync(path.join(tenantQueueDir(dataDir, 'sim-cli'), QUEUE_DB_FILE))).toBe(true);
    expect(logLines.filter((l) => l.includes('Moved the queue of an earlier version'))).toHaveLength(2);
    await now.s.close();
  });
});

describe('actions always answer', () => {
  it('says per device why Retry or Register again did nothing, and asks the tenant now about an import past its time', async () => {
    const dataDir = tmp();
    const { s, call } = station(dataDir, { worker: false, timeScale: 1 });
    const r = await call<{ queued: string[]; invalid: string[] }>('queueDevices', {
      devices: [dev('A1'), dev('A2'), dev('A3'), dev('A4'), dev('BAD', 'bm9wZQ==')],
      groupTag: 'Lab',
    });
    const [queued, importing, overdue, other] = r.queued as [string, string, string, string];
    const store = s.queue().store;
    const now = Date.now();
    store.updateDevice(importing, { state: 'importing', stateSince: now });
    store.createBatch(
      {
        id: 'b-old',
        importId: 'i-old',
        status: 'sent',
        createdAt: now - 3_600_000,
        nextAt: now + 3_600_000,
        attempts: 0,
        deadline: now + 3_600_000,
        deviceCount: 1,
      },
      [overdue],
      { state: 'importing', stateSince: now - 3_600_000, batchId: 'b-old' },
      { at: now, toState: 'importing', message: 'sent', requestIds: [] },
    );
    store.updateDevice(other, { state: 'failed', errorCode: 808, errorName: 'ZtdDeviceAssignedToOtherTenant' });

    const retry = await call<DeviceActionResult>('deviceAction', {
      ids: [queued, importing, overdue, other, r.invalid[0]],
      action: 'retry',
    });
    expect(retry.affected).toBe(0);
    expect(retry.checking).toBe(1);
    expect(Object.fromEntries(retry.skipped.map((k) => [k.serialNumber, k.code]))).toEqual({
      A1: 'RETRY_ALREADY_QUEUED',
      A2: 'RETRY_IMPORTING',
      A4: 'RETRY_OWNED_ELSEWHERE',
      BAD: 'RETRY_STILL_INVALID',
    });
    expect(retry.skipped.find((k) => k.serialNumber === 'A2')?.params).toMatchObject({ minutes: expect.any(Number) });
    // The overdue batch is due now, and the device's history says the technician asked.
    expect(store.getBatch('b-old')!.nextAt).toBeLessThanOrEqual(Date.now() + 1);
    expect(store.events(overdue).at(-1)!.message).toMatch(/check this import with the tenant now/);

    const again = await call<DeviceActionResult>('deviceAction', { ids: [queued, importing], action: 'reregister' });
    expect(again.skipped.map((k) => k.code)).toEqual(['REREGISTER_NOT_SENT', 'ACTION_IN_FLIGHT']);
    const removed = await call<DeviceActionResult>('deviceAction', { ids: [importing, queued], action: 'remove' });
    expect(removed).toMatchObject({ affected: 1, skipped: [{ code: 'ACTION_IN_FLIGHT' }] });
    await s.close();
  });
});

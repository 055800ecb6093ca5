import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type LogRecord } from '../../src-main/kernel/logger.ts';
import { createStation } from '../../src-main/app/createStation.ts';
import type { DiagnosticsFile } from '../../src-main/contract/types.ts';
import { QueueService } from '../../src-main/queue/queueService.ts';
import { readZip } from '../support/readZip.ts';
import { openSqliteQueueStore, QUEUE_DB_FILE } from '../../src-main/queue/sqliteQueueStore.ts';
import { deviceInput, ManualClock } from './queueFakes.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function open(dir: string) {
  const records: LogRecord[] = [];
  const logger = createLogger((_l, r) => records.push(r));
  const store = openSqliteQueueStore(dir, { logger });
  const clock = new ManualClock();
  return {
    store,
    records,
    clock,
    queue: new QueueService({ store, clock, logger, stationName: 'BENCH-1', waitFor: () => 'registered' }),
  };
}

/** Damage a row behind the station's back, as a disk error, a hand edit or a buggy older version would. */
function damage(dir: string, sql: string, ...params: unknown[]) {
  const db = new Database(path.join(dir, QUEUE_DB_FILE));
  db.prepare(sql).run(...params);
  db.close();
}

describe('queue rows are parsed on read', () => {
  it('sets a corrupted device row aside with a logged reason; the rest of the queue lists, counts and works', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-rows-'));
    dirs.push(dir);
    let s = open(dir);
    const r = s.queue.queueDevices([deviceInput('PF1'), deviceInput('PF2'), deviceInput('PF3')], { groupTag: 'Bench' });
    const [id1, id2, id3] = r.queued as [string, string, string];
    s.store.close();
    // PF2: broken JSON in its hash summary; PF3: a state no station ever wrote.
    damage(dir, 'UPDATE devices SET hash_summary = \'{"valid": tru\' WHERE id = ?', id2);
    damage(dir, "UPDATE devices SET state = 'exploded', next_check_at = 0 WHERE id = ?", id3);

    s = open(dir);
    const page = s.queue.listQueue({ offset: 0, limit: 10 });
    expect(page.rows.map((d) => d.serialNumber)).toEqual(['PF1']);
    expect(page.total).toBe(1);
    expect(s.store.getDevice(id2)).toBeUndefined();
    expect(s.store.countByState().queued).toBe(1);
    // The worker's reads skip them too: a due bad row cannot starve the good ones.
    expect(s.store.dueDevices(['queued', 'exploded' as never], Number.MAX_SAFE_INTEGER, 10).map((d) => d.id)).toEqual(
      s.store.dueDevices(['queued'], Number.MAX_SAFE_INTEGER, 10).map((d) => d.id),
    );
    // Still in the file, with the reason, for support (diagnostics).
    expect(s.store.setAsideRows()).toEqual([
      { table: 'devices', id: id2, reason: 'hash: not JSON' },
      { table: 'devices', id: id3, reason: expect.stringMatching(/^state: /) },
    ]);
    const logged = s.records.filter((x) => x.message.startsWith('queue row set aside'));
    expect(logged.map((x) => x.fields?.id)).toEqual([id2, id3]);
    expect(JSON.stringify(logged)).not.toContain('exploded\\"'); // reasons name fields, not values
    // The good device still moves through the queue.
    expect(s.queue.deviceAction([id1], 'remove')).toMatchObject({ affected: 1, skipped: [] });
    expect(s.queue.listQueue({ offset: 0, limit: 10 }).total).toBe(0);
    s.store.close();
    const raw = new Database(path.join(dir, QUEUE_DB_FILE), { readonly: true });
    expect((raw.prepare('SELECT COUNT(*) AS n FROM devices').get() as { n: number }).n).toBe(3);
    raw.close();
  });

  it('sets an unreadable batch aside and skips an unreadable event without losing the rest of the history', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-rows-'));
    dirs.push(dir);
    const s = open(dir);
    const [id] = s.queue.queueDevices([deviceInput('PF1')], { groupTag: 'Bench' }).queued as [string];
    s.store.createBatch(
      {
        id: 'b1',
        importId: 'imp-1',
        status: 'sending',
        createdAt: 1,
        nextAt: 1,
        attempts: 0,
        deadline: 10,
        deviceCount: 1,
      },
      [id],
      { state: 'importing' },
      { at: 1, toState: 'importing', message: 'sent', requestIds: [] },
    );
    s.store.createBatch(
      {
        id: 'b2',
        importId: 'imp-2',
        status: 'sent',
        createdAt: 2,
        nextAt: 1,
        attempts: 0,
        deadline: 10,
        deviceCount: 0,
      },
      [],
      {},
      { at: 1, toState: 'importing', message: 'sent', requestIds: [] },
    );
    damage(dir, "UPDATE batches SET status = 'lost' WHERE id = 'b1'");
    expect(s.store.openBatches().map((b) => b.id)).toEqual(['b2']);
    expect(s.store.getBatch('b1')).toBeUndefined();
    expect(s.store.setAsideRows()).toEqual([
      { table: 'batches', id: 'b1', reason: expect.stringMatching(/^status: /) },
    ]);
    // Events are append-only (triggers): plant a broken one with a fresh insert.
    damage(
      dir,
      "INSERT INTO events (device_id, at, to_state, message, request_ids) VALUES (?, 5, 'queued', 'bad', '[oops')",
      id,
    );
    const history = s.store.events(id);
    expect(history.map((e) => e.message)).not.toContain('bad');
    expect(history.length).toBeGreaterThanOrEqual(2);
    expect(s.records.some((x) => x.message.startsWith('queue event skipped'))).toBe(true);
    s.store.close();
  });

  it('counts set-aside rows in the diagnostics zip', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-rows-station-'));
    dirs.push(dataDir);
    const serialPort = { readSerials: async () => ({ system: 'PF3DIAG01' }) };
    let station = createStation({
      host: 'browser',
      dataDir,
      logger: createLogger(() => {}),
      serialPort,
      queue: { worker: false },
    });
    const queued = await station.handlers.queueDevices({
      devices: [deviceInput('PF1'), deviceInput('PF2')],
      groupTag: 'Bench',
    });
    const file = (station.queue().store as unknown as { file: string }).file;
    await station.close();
    const db = new Database(file);
    db.prepare("UPDATE devices SET flags = 'not json' WHERE id = ?").run(queued.queued[1]);
    db.close();
    station = createStation({
      host: 'browser',
      dataDir,
      logger: createLogger(() => {}),
      serialPort,
      queue: { worker: false },
    });
    expect((await station.handlers.listQueue({ offset: 0, limit: 10 })).total).toBe(1);
    const zip = readZip(
      Buffer.from(((await station.handlers.saveDiagnostics({})) as DiagnosticsFile).base64!, 'base64'),
    );
    expect(JSON.parse(zip.get('queue-set-aside.json')!.toString('utf8'))).toEqual({
      count: 1,
      rows: [{ table: 'devices', id: queued.queued[1], reason: 'flags: not JSON' }],
    });
    await station.close();
  });

  it('prepares each statement once: repeated lists, polls and patches reuse them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-rows-'));
    dirs.push(dir);
    const s = open(dir);
    const ids = s.queue.queueDevices([deviceInput('PF1'), deviceInput('PF2')], { groupTag: 'Bench' }).queued;
    const prepare = vi.spyOn(Database.prototype, 'prepare');
    const round = (i: number) => {
      s.store.listDevices({ offset: 0, limit: 10, states: ['queued'], search: 'PF' });
      s.store.dueDevices(['queued', 'importing'], i, 5);
      s.store.overdueDevices(i);
      s.store.nextDeviceTime();
      s.store.updateDevice(ids[0]!, { attempts: i, nextCheckAt: i });
      s.store.updateBatch('none', { attempts: i });
    };
    round(1);
    const firstRound = prepare.mock.calls.length;
    expect(firstRound).toBeGreaterThan(0); // the spy sees the store's statements
    for (let i = 2; i < 50; i++) round(i);
    expect(prepare.mock.calls.length).toBe(firstRound);
    prepare.mockRestore();
    s.store.close();
  });
});

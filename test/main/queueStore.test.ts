import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { StationError } from '../../src-main/contract/errors.ts';
import { QUEUE_MIGRATIONS } from '../../src-main/queue/queueMigrations.ts';
import { QueueService } from '../../src-main/queue/queueService.ts';
import { openSqliteQueueStore, QUEUE_DB_FILE } from '../../src-main/queue/sqliteQueueStore.ts';
import { deviceInput, hashFor, ManualClock } from './queueFakes.ts';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-store-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function service(dir: string, clock = new ManualClock()) {
  const store = openSqliteQueueStore(dir);
  return {
    store,
    clock,
    queue: new QueueService({
      store,
      clock,
      logger: silentLogger,
      stationName: 'BENCH-1',
      waitFor: () => 'registered',
    }),
  };
}

describe('SQLite queue store', () => {
  it('creates the schema in WAL mode at the latest version and reopens without migrating again', () => {
    const dir = tmp();
    const { store, queue } = service(dir);
    queue.queueDevices([deviceInput('PF1')], { groupTag: 'Bench' });
    store.close();
    const db = new Database(path.join(dir, QUEUE_DB_FILE));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(QUEUE_MIGRATIONS.length);
    db.close();
    const again = service(dir);
    expect(again.queue.listQueue({ offset: 0, limit: 10 }).rows.map((r) => r.serialNumber)).toEqual(['PF1']);
    again.store.close();
  });

  it('has every device on disk when queueDevices returns (read back by a second connection)', () => {
    const dir = tmp();
    const { store, queue } = service(dir);
    const r = queue.queueDevices([deviceInput('PF1'), deviceInput('PF2')], { groupTag: 'Bench' });
    const other = new Database(path.join(dir, QUEUE_DB_FILE), { readonly: true });
    const rows = other.prepare('SELECT id, state, group_tag FROM devices ORDER BY seq').all();
    expect(rows).toEqual(r.queued.map((id) => ({ id, state: 'queued', group_tag: 'Bench' })));
    other.close();
    store.close();
  });

  it('keeps a corrupt database aside, never overwritten, with a clear error', () => {
    const dir = tmp();
    const file = path.join(dir, QUEUE_DB_FILE);
    const garbage = Buffer.from('this is not a database, but a technician captured it'.repeat(200));
    fs.writeFileSync(file, garbage);
    let error: unknown;
    try {
      openSqliteQueueStore(dir);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StationError);
    expect((error as StationError).code).toBe('QUEUE_DB_CORRUPT');
    const movedTo = (error as StationError).details!.movedTo as string;
    expect(path.basename(movedTo)).toMatch(/^queue\.db\.corrupt-\d{4}-\d\d-\d\dT/);
    expect(fs.readFileSync(movedTo)).toEqual(garbage);
    expect(fs.existsSync(file)).toBe(false);
    // The next open starts a fresh queue beside the kept file.
    const fresh = openSqliteQueueStore(dir);
    expect(fresh.listDevices({ offset: 0, limit: 1 }).total).toBe(0);
    fresh.close();
    expect(fs.readFileSync(movedTo)).toEqual(garbage);
  });

  it('leaves a queue it cannot open for another reason where it is (a failed native module or a lock is not damage)', () => {
    const dir = tmp();
    const file = path.join(dir, QUEUE_DB_FILE);
    // SQLite cannot open a folder (SQLITE_CANTOPEN): nothing about the file says its devices are lost.
    fs.mkdirSync(file);
    fs.writeFileSync(path.join(file, 'kept'), 'x');
    expect(() => openSqliteQueueStore(dir)).toThrow(expect.objectContaining({ code: 'QUEUE_DB_UNAVAILABLE' }));
    expect(fs.readdirSync(dir)).toEqual([QUEUE_DB_FILE]);
    expect(fs.readFileSync(path.join(file, 'kept'), 'utf8')).toBe('x');
  });

  it('keeps a database from a newer station aside instead of migrating it', () => {
    const dir = tmp();
    const { store, queue } = service(dir);
    queue.queueDevices([deviceInput('PF9')]);
    store.close();
    const db = new Database(path.join(dir, QUEUE_DB_FILE));
    db.pragma(`user_version = ${QUEUE_MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openSqliteQueueStore(dir)).toThrow(expect.objectContaining({ code: 'QUEUE_DB_TOO_NEW' }));
    const kept = fs
      .readdirSync(dir)
      .find((f) => f.startsWith('queue.db.newer-') && !f.endsWith('-wal') && !f.endsWith('-shm'))!;
    const old = new Database(path.join(dir, kept), { readonly: true });
    expect(old.prepare('SELECT serial FROM devices').all()).toEqual([{ serial: 'PF9' }]);
    old.close();
  });

  it('refuses to rewrite or delete history', () => {
    const dir = tmp();
    const { store, queue } = service(dir);
    const [id] = queue.queueDevices([deviceInput('PF1')]).queued;
    store.close();
    const db = new Database(path.join(dir, QUEUE_DB_FILE));
    expect(() => db.prepare('UPDATE events SET message = ? WHERE device_id = ?').run('forged', id)).toThrow(
      /append-only/,
    );
    expect(() => db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
    db.close();
  });

  it('pages 10,000 devices with counts over the whole queue, filters by state and searches serials', () => {
    const dir = tmp();
    const { store, queue } = service(dir);
    const hash = hashFor('X'); // one valid hash; serials mismatch on purpose for half of them
    const inputs = Array.from({ length: 10_000 }, (_, i) =>
      i % 2
        ? deviceInput(`SN${String(i).padStart(5, '0')}`, { hardwareHash: hash })
        : {
            ...deviceInput(`SN${String(i).padStart(5, '0')}`),
            hardwareHash: hashFor(`SN${String(i).padStart(5, '0')}`),
          },
    );
    const r = queue.queueDevices(inputs);
    expect(r.queued.length + r.invalid.length).toBe(10_000);
    expect(r.invalid.length).toBe(5000); // a hash carrying another serial is a capture mistake
    const page = queue.listQueue({ offset: 200, limit: 100 });
    expect(page.total).toBe(10_000);
    expect(page.rows).toHaveLength(100);
    expect(page.rows[0]!.serialNumber).toBe('SN00200');
    expect(page.counts).toMatchObject({ queued: 5000, invalid: 5000, failed: 0 });
    const invalid = queue.listQueue({ offset: 0, limit: 10, states: ['invalid'] });
    expect(invalid.total).toBe(5000);
    expect(invalid.rows.every((x) => x.state === 'invalid' && x.advice)).toBe(true);
    const search = queue.listQueue({ offset: 0, limit: 50, search: 'sn0012' });
    expect(search.rows.map((x) => x.serialNumber)).toEqual(Array.from({ length: 10 }, (_, i) => `SN0012${i}`));
    // LIKE wildcards in a search are literal characters, not patterns.
    expect(queue.listQueue({ offset: 0, limit: 5, search: '%' }).total).toBe(0);
    expect(queue.listQueue({ offset: 0, limit: 5, search: '_' }).total).toBe(0);
    store.close();
  });
});

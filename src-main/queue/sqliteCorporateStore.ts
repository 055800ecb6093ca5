import Database from 'better-sqlite3';
import type { DeviceState, HashSummary } from '../contract/types.ts';
import {
  CORPORATE_STATES,
  type CorporateEvent,
  type CorporatePatch,
  type CorporateRecord,
  type CorporateState,
  type CorporateStore,
} from './corporateStore.ts';

type Row = Record<string, unknown>;

function toRecord(row: Row): CorporateRecord {
  const r: CorporateRecord = {
    deviceId: row.id as string,
    serialNumber: row.serial as string,
    groupTag: (row.group_tag as string) ?? '',
    stationName: row.station_name as string,
    hash: JSON.parse(row.hash_summary as string) as HashSummary,
    autopilotState: row.state as DeviceState,
    flags: JSON.parse((row.flags as string) ?? '[]') as string[],
    attempts: (row.corporate_attempts as number) ?? 0,
    requestIds: JSON.parse((row.corporate_request_ids as string) ?? '[]') as string[],
  };
  if (row.corporate_state) r.state = row.corporate_state as CorporateState;
  if (row.corporate_since !== null && row.corporate_since !== undefined) r.since = row.corporate_since as number;
  if (row.corporate_next_at !== null && row.corporate_next_at !== undefined) r.nextAt = row.corporate_next_at as number;
  if (row.corporate_batch) r.batchId = row.corporate_batch as string;
  if (row.corporate_identifier) r.identifier = row.corporate_identifier as string;
  if (row.corporate_identity_id) r.identityId = row.corporate_identity_id as string;
  if (row.corporate_error) r.errorCode = row.corporate_error as string;
  if (row.corporate_params) r.params = JSON.parse(row.corporate_params as string) as Record<string, string | number>;
  return r;
}

const PATCH_COLUMNS: Record<string, string> = {
  state: 'corporate_state',
  since: 'corporate_since',
  nextAt: 'corporate_next_at',
  attempts: 'corporate_attempts',
  batchId: 'corporate_batch',
  identifier: 'corporate_identifier',
  identityId: 'corporate_identity_id',
  errorCode: 'corporate_error',
  params: 'corporate_params',
};

/**
 * The corporate columns of the queue database, through a second connection to the same file (WAL:
 * readers and one writer at a time, busy_timeout waits). The queue store applies the migrations; this
 * adapter opens a database that already has them. History events go to the same append-only table.
 */
export function openSqliteCorporateStore(file: string): SqliteCorporateStore {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  const cols = (db.prepare('PRAGMA table_info(devices)').all() as { name: string }[]).map((c) => c.name);
  if (!cols.includes('corporate_state')) {
    db.close();
    throw new Error(
      'The queue database has no corporate identifier columns: open it with the queue store first (migrations).',
    );
  }
  return new SqliteCorporateStore(db);
}

export class SqliteCorporateStore implements CorporateStore {
  private readonly stmts;
  /** Prepared statements built from a patch's or a query's shape, kept (a batch reuses one shape). */
  private readonly shaped = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      unadopted: db.prepare(
        "SELECT * FROM devices WHERE corporate_state IS NULL AND removed_at IS NULL AND state NOT IN ('captured', 'invalid') ORDER BY seq LIMIT ?",
      ),
      get: db.prepare('SELECT * FROM devices WHERE id = ? AND removed_at IS NULL'),
      counts: db.prepare(
        'SELECT corporate_state AS s, COUNT(*) AS n FROM devices WHERE removed_at IS NULL AND corporate_state IS NOT NULL GROUP BY corporate_state',
      ),
      next: db.prepare(
        "SELECT MIN(corporate_next_at) AS t FROM devices WHERE removed_at IS NULL AND corporate_state IN ('queued', 'sending')",
      ),
      insertEvent: db.prepare(
        'INSERT INTO events (device_id, at, from_state, to_state, message, request_ids, error_name) VALUES (?,?,?,?,?,?,?)',
      ),
    };
  }

  unadopted(limit: number): CorporateRecord[] {
    return (this.stmts.unadopted.all(limit) as Row[]).map(toRecord);
  }

  due(states: CorporateState[], now: number, limit: number): CorporateRecord[] {
    const rows = this.statement(
      `SELECT * FROM devices WHERE removed_at IS NULL AND corporate_state IN (${states.map(() => '?').join(',')}) AND corporate_next_at IS NOT NULL AND corporate_next_at <= ? ORDER BY corporate_next_at, seq LIMIT ?`,
    ).all(...states, now, limit) as Row[];
    return rows.map(toRecord);
  }

  get(deviceId: string): CorporateRecord | undefined {
    const row = this.stmts.get.get(deviceId) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  update(deviceIds: string[], patch: CorporatePatch, event?: CorporateEvent): void {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [field, col] of Object.entries(PATCH_COLUMNS)) {
      const v = (patch as Record<string, unknown>)[field];
      if (v === undefined) continue;
      sets.push(`${col} = ?`);
      values.push(v === null ? null : field === 'params' ? JSON.stringify(v) : v);
    }
    const add = (patch.addRequestIds ?? []).filter((x): x is string => !!x);
    const update = sets.length ? this.statement(`UPDATE devices SET ${sets.join(', ')} WHERE id = ?`) : undefined;
    const setIds = this.statement('UPDATE devices SET corporate_request_ids = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const id of deviceIds) {
        update?.run(...values, id);
        const current = this.get(id);
        if (!current) continue;
        if (add.length)
          setIds.run(
            JSON.stringify([...current.requestIds, ...add.filter((x) => !current.requestIds.includes(x))]),
            id,
          );
        if (event) {
          const ids = (event.requestIds ?? []).filter((x): x is string => !!x);
          this.stmts.insertEvent.run(
            id,
            event.at,
            current.autopilotState,
            current.autopilotState,
            event.message,
            JSON.stringify(ids),
            event.errorName ?? null,
          );
        }
      }
    })();
  }

  private statement(sql: string): Database.Statement {
    let st = this.shaped.get(sql);
    if (!st) this.shaped.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  counts(): Record<CorporateState, number> {
    const out = Object.fromEntries(CORPORATE_STATES.map((s) => [s, 0])) as Record<CorporateState, number>;
    for (const r of this.stmts.counts.all() as { s: CorporateState; n: number }[]) if (r.s in out) out[r.s] = r.n;
    return out;
  }

  nextTime(): number | undefined {
    const r = this.stmts.next.get() as { t: number | null };
    return r.t ?? undefined;
  }

  close(): void {
    this.db.close();
  }
}

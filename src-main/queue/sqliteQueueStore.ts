import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../kernel/logger.ts';
import { StationError } from '../contract/errors.ts';
import { DEVICE_STATES, type DeviceState } from '../contract/types.ts';
import { QUEUE_MIGRATIONS } from './queueMigrations.ts';
import { batchRow, describeIssues, deviceRow, eventRow } from './queueRowSchemas.ts';
import type {
  BatchRecord,
  DeviceEventRecord,
  DevicePatch,
  DeviceRecord,
  ImportedRecordRef,
  ListFilter,
  QueueStore,
} from './queueStore.ts';

export const QUEUE_DB_FILE = 'queue.db';

/** Device fields ↔ columns. JSON columns hold arrays and objects. */
const COLUMNS: Record<string, { col: string; json?: boolean }> = {
  id: { col: 'id' },
  serialNumber: { col: 'serial' },
  hardwareHash: { col: 'hardware_hash' },
  hash: { col: 'hash_summary', json: true },
  productKey: { col: 'product_key' },
  groupTag: { col: 'group_tag' },
  assignedUser: { col: 'assigned_user' },
  source: { col: 'source', json: true },
  capturedAt: { col: 'captured_at' },
  stationName: { col: 'station_name' },
  state: { col: 'state' },
  stateSince: { col: 'state_since' },
  deadline: { col: 'deadline' },
  lastKnownState: { col: 'last_known_state' },
  nextCheckAt: { col: 'next_check_at' },
  attempts: { col: 'attempts' },
  waitFor: { col: 'wait_for' },
  errorCode: { col: 'error_code' },
  errorName: { col: 'error_name' },
  errorParams: { col: 'error_params', json: true },
  advice: { col: 'advice' },
  findings: { col: 'findings', json: true },
  importId: { col: 'import_id' },
  batchId: { col: 'batch_id' },
  deviceRegistrationId: { col: 'device_registration_id' },
  importedRecordId: { col: 'imported_record_id' },
  profileStatus: { col: 'profile_status' },
  flags: { col: 'flags', json: true },
};

const BATCH_COLUMNS: Record<string, string> = {
  id: 'id',
  importId: 'import_id',
  status: 'status',
  createdAt: 'created_at',
  postedAt: 'posted_at',
  nextAt: 'next_at',
  attempts: 'attempts',
  deadline: 'deadline',
  deviceCount: 'device_count',
  refused: 'refused',
};

type Row = Record<string, unknown>;

/** A row read back: the record, or why it cannot be trusted (kept in the file, set aside). */
type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function toDevice(row: Row): Parsed<DeviceRecord> {
  const out: Record<string, unknown> = {};
  for (const [field, { col, json }] of Object.entries(COLUMNS)) {
    const v = row[col];
    if (v === null || v === undefined) continue;
    if (!json) {
      out[field] = v;
      continue;
    }
    try {
      out[field] = JSON.parse(v as string);
    } catch {
      return { ok: false, reason: `${field}: not JSON` };
    }
  }
  const parsed = deviceRow.safeParse(out);
  return parsed.success
    ? { ok: true, value: parsed.data as DeviceRecord }
    : { ok: false, reason: describeIssues(parsed.error) };
}

function toBatch(row: Row): Parsed<BatchRecord> {
  const out: Record<string, unknown> = {};
  for (const [field, col] of Object.entries(BATCH_COLUMNS))
    if (row[col] !== null && row[col] !== undefined) out[field] = row[col];
  const parsed = batchRow.safeParse(out);
  return parsed.success
    ? { ok: true, value: parsed.data as BatchRecord }
    : { ok: false, reason: describeIssues(parsed.error) };
}

function toEvent(row: Row): Parsed<DeviceEventRecord> {
  let requestIds: unknown;
  try {
    requestIds = JSON.parse(row.request_ids as string);
  } catch {
    return { ok: false, reason: 'requestIds: not JSON' };
  }
  const e: Record<string, unknown> = {
    deviceId: row.device_id,
    at: row.at,
    toState: row.to_state,
    message: row.message,
    requestIds,
  };
  if (row.from_state) e.fromState = row.from_state;
  if (row.batch_id) e.batchId = row.batch_id;
  if (row.import_id) e.importId = row.import_id;
  if (row.error_code !== null && row.error_code !== undefined) e.errorCode = row.error_code;
  if (row.error_name) e.errorName = row.error_name;
  const parsed = eventRow.safeParse(e);
  return parsed.success
    ? { ok: true, value: parsed.data as DeviceEventRecord }
    : { ok: false, reason: describeIssues(parsed.error) };
}

/** A row set aside on read: still in the database file, no longer shown or worked on. */
export interface SetAsideRow {
  table: 'devices' | 'batches';
  id: string;
  reason: string;
}

function encode(field: string, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return COLUMNS[field]?.json ? JSON.stringify(value) : value;
}

/** Moves a database (and its WAL files) aside so that nothing the technician captured is overwritten. */
function moveAside(file: string, why: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = `${file}.${why}-${stamp}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, target + suffix);
  }
  return target;
}

/**
 * Whether an error opening the queue means the file itself is damaged: SQLite's SQLITE_CORRUPT or
 * SQLITE_NOTADB (https://www.sqlite.org/rescode.html), or a failed quick_check.
 */
function isDamagedDatabase(err: unknown): boolean {
  if (err instanceof Database.SqliteError) return /^SQLITE_(CORRUPT|NOTADB)/.test(err.code);
  return err instanceof Error && err.message.startsWith('integrity check:');
}

/**
 * Opens (or creates) the queue database in `dataDir`. A database that is not SQLite, fails its
 * integrity check, or was written by a newer station is renamed aside with a timestamp and reported
 * as a StationError: the caller decides whether to start a fresh queue. Any other failure to open
 * (QUEUE_DB_UNAVAILABLE) leaves the file where it is.
 */
export function openSqliteQueueStore(dataDir: string, options: { logger?: Logger } = {}): SqliteQueueStore {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, QUEUE_DB_FILE);
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`integrity check: ${String(check)}`);
  } catch (err) {
    db?.close();
    // Only a file SQLite itself calls damaged is set aside. Anything else (the native module failed to
    // load, the file is locked or unreadable) says nothing about the devices in it: leave it in place.
    if (!isDamagedDatabase(err)) {
      throw new StationError({
        code: 'QUEUE_DB_UNAVAILABLE',
        message: `The queue database could not be opened (${err instanceof Error ? err.message : String(err)}). Nothing was moved or deleted.`,
        action:
          'Close any other copy of the station and start it again; if this persists, reinstall the station and send its diagnostics to your admin.',
        details: { file },
      });
    }
    const movedTo = moveAside(file, 'corrupt');
    throw new StationError({
      code: 'QUEUE_DB_CORRUPT',
      message: `The queue database could not be read (${err instanceof Error ? err.message : String(err)}). It was kept aside as ${path.basename(movedTo)} and a new, empty queue was started.`,
      action: 'Devices captured before this are in the kept file; send it to your admin if they are needed.',
      details: { movedTo },
    });
  }
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > QUEUE_MIGRATIONS.length) {
    db.close();
    const movedTo = moveAside(file, 'newer');
    throw new StationError({
      code: 'QUEUE_DB_TOO_NEW',
      message: `The queue database was written by a newer version of the station (schema ${version}). It was kept aside as ${path.basename(movedTo)} and a new, empty queue was started.`,
      action: 'Update the station to the newest version to see the devices in the kept file.',
      details: { movedTo, version },
    });
  }
  for (let v = version; v < QUEUE_MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(QUEUE_MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return new SqliteQueueStore(db, file, options.logger);
}

/** Rows the station shows and works on: not removed by the technician, not set aside as unreadable. */
const LIVE = 'removed_at IS NULL AND set_aside IS NULL';

export class SqliteQueueStore implements QueueStore {
  private readonly stmts;
  /** Statements whose text depends on the call (states, fields): prepared on first use, then reused. */
  private readonly prepared = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    readonly file: string,
    private readonly logger?: Logger,
  ) {
    const deviceCols = Object.values(COLUMNS).map((c) => c.col);
    this.stmts = {
      insertDevice: db.prepare(
        `INSERT INTO devices (${deviceCols.join(',')}, serial_key) VALUES (${deviceCols.map((c) => '@' + c).join(',')}, @serial_key)`,
      ),
      getDevice: db.prepare(`SELECT * FROM devices WHERE id = ? AND ${LIVE}`),
      bySerial: db.prepare(`SELECT * FROM devices WHERE serial_key = ? AND ${LIVE} ORDER BY seq`),
      insertEvent: db.prepare(
        'INSERT INTO events (device_id, at, from_state, to_state, message, batch_id, import_id, request_ids, error_code, error_name) VALUES (?,?,?,?,?,?,?,?,?,?)',
      ),
      events: db.prepare('SELECT * FROM events WHERE device_id = ? ORDER BY seq'),
      counts: db.prepare(`SELECT state, COUNT(*) AS n FROM devices WHERE ${LIVE} GROUP BY state`),
      inBatch: db.prepare(`SELECT * FROM devices WHERE batch_id = ? AND ${LIVE} ORDER BY seq`),
      remove: db.prepare('UPDATE devices SET removed_at = ? WHERE id = ?'),
      insertBatch: db.prepare(
        'INSERT INTO batches (id, import_id, status, created_at, posted_at, next_at, attempts, deadline, device_count, refused) VALUES (@id, @importId, @status, @createdAt, @postedAt, @nextAt, @attempts, @deadline, @deviceCount, @refused)',
      ),
      getBatch: db.prepare('SELECT rowid AS row_key, * FROM batches WHERE id = ? AND set_aside IS NULL'),
      openBatches: db.prepare(
        "SELECT rowid AS row_key, * FROM batches WHERE status <> 'done' AND set_aside IS NULL ORDER BY created_at, id",
      ),
      insertImported: db.prepare(
        'INSERT OR IGNORE INTO imported_records (id, batch_id, device_id, created_at) VALUES (@id, @batchId, @deviceId, @createdAt)',
      ),
      importedOfBatch: db.prepare(
        'SELECT id, batch_id, device_id, created_at FROM imported_records WHERE batch_id = ? AND deleted_at IS NULL ORDER BY created_at, id',
      ),
      hasImported: db.prepare('SELECT 1 FROM imported_records WHERE id = ?'),
      deleteImported: db.prepare('UPDATE imported_records SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL'),
      getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
      setDeviceAside: db.prepare('UPDATE devices SET set_aside = ? WHERE seq = ?'),
      setBatchAside: db.prepare('UPDATE batches SET set_aside = ? WHERE rowid = ?'),
      setAside: db.prepare(
        "SELECT 'devices' AS tbl, id, set_aside AS reason FROM devices WHERE set_aside IS NOT NULL UNION ALL SELECT 'batches' AS tbl, id, set_aside AS reason FROM batches WHERE set_aside IS NOT NULL",
      ),
      nextDeviceTime: db.prepare(
        `SELECT MIN(MIN(COALESCE(next_check_at, deadline), COALESCE(deadline, next_check_at))) AS t FROM devices WHERE ${LIVE} AND (next_check_at IS NOT NULL OR deadline IS NOT NULL)`,
      ),
      overdue: db.prepare(`SELECT * FROM devices WHERE ${LIVE} AND deadline IS NOT NULL AND deadline < ? ORDER BY seq`),
    };
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.prepared.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.prepared.set(sql, stmt);
    }
    return stmt;
  }

  /**
   * Rows read back are parsed; one that fails is set aside (marked in the file with its reason, kept
   * for support, no longer listed or worked on) and logged, so the rest of the queue keeps working.
   */
  private devices(rows: Row[]): DeviceRecord[] {
    const out: DeviceRecord[] = [];
    for (const row of rows) {
      const parsed = toDevice(row);
      if (parsed.ok) out.push(parsed.value);
      else this.setDeviceAside(row, parsed.reason);
    }
    return out;
  }

  private setDeviceAside(row: Row, reason: string): void {
    this.stmts.setDeviceAside.run(clipReason(reason), row.seq);
    this.logger?.error('queue row set aside: it cannot be read as a device', {
      table: 'devices',
      id: String(row.id).slice(0, 64),
      seq: row.seq,
      reason: clipReason(reason),
    });
  }

  private batch(row: Row | undefined): BatchRecord | undefined {
    if (!row) return undefined;
    const parsed = toBatch(row);
    if (parsed.ok) return parsed.value;
    this.stmts.setBatchAside.run(clipReason(parsed.reason), row.row_key);
    this.logger?.error('queue row set aside: it cannot be read as a batch', {
      table: 'batches',
      id: String(row.id).slice(0, 64),
      reason: clipReason(parsed.reason),
    });
    return undefined;
  }

  /** Rows set aside as unreadable (for diagnostics): still in the file, not in the queue. */
  setAsideRows(): SetAsideRow[] {
    return (this.stmts.setAside.all() as { tbl: SetAsideRow['table']; id: string; reason: string }[]).map((r) => ({
      table: r.tbl,
      id: r.id,
      reason: r.reason,
    }));
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  insertDevice(device: DeviceRecord, event: Omit<DeviceEventRecord, 'deviceId'>): void {
    const params: Row = { serial_key: device.serialNumber.toUpperCase() };
    for (const [field, { col }] of Object.entries(COLUMNS))
      params[col] = encode(field, (device as unknown as Row)[field]);
    this.transaction(() => {
      this.stmts.insertDevice.run(params);
      this.appendEvent({ ...event, deviceId: device.id });
    });
  }

  getDevice(id: string): DeviceRecord | undefined {
    const row = this.stmts.getDevice.get(id) as Row | undefined;
    return row ? this.devices([row])[0] : undefined;
  }

  findBySerial(serialNumber: string): DeviceRecord[] {
    return this.devices(this.stmts.bySerial.all(serialNumber.trim().toUpperCase()) as Row[]);
  }

  updateDevice(id: string, patch: DevicePatch, event?: Omit<DeviceEventRecord, 'deviceId'>): DeviceRecord {
    return this.transaction(() => {
      this.patchDevices([id], patch);
      if (event) this.appendEvent({ ...event, deviceId: id });
      const d = this.getDevice(id);
      if (!d) throw new Error(`device ${id} vanished`);
      return d;
    });
  }

  private patchDevices(ids: string[], patch: DevicePatch): void {
    const sets: string[] = [];
    const values: unknown[] = [];
    // A code's params never outlive it: a new (or cleared) errorName without params of its own clears the old ones.
    const entries = Object.entries(patch);
    if (patch.errorName !== undefined && patch.errorParams === undefined) entries.push(['errorParams', null]);
    for (const [field, value] of entries) {
      if (value === undefined) continue;
      const spec = COLUMNS[field];
      if (!spec) throw new Error(`unknown device field ${field}`);
      sets.push(`${spec.col} = ?`);
      values.push(encode(field, value));
    }
    if (!sets.length) return;
    const stmt = this.statement(`UPDATE devices SET ${sets.join(', ')} WHERE id = ?`);
    for (const id of ids) stmt.run(...values, id);
  }

  removeDevice(id: string, event: Omit<DeviceEventRecord, 'deviceId'>): void {
    this.transaction(() => {
      this.stmts.remove.run(event.at, id);
      this.appendEvent({ ...event, deviceId: id });
    });
  }

  appendEvent(e: DeviceEventRecord): void {
    this.stmts.insertEvent.run(
      e.deviceId,
      e.at,
      e.fromState ?? null,
      e.toState,
      e.message,
      e.batchId ?? null,
      e.importId ?? null,
      JSON.stringify(e.requestIds),
      e.errorCode ?? null,
      e.errorName ?? null,
    );
  }

  listDevices(filter: ListFilter): { total: number; rows: DeviceRecord[] } {
    const where = [LIVE];
    const params: unknown[] = [];
    if (filter.states?.length) {
      where.push(`state IN (${filter.states.map(() => '?').join(',')})`);
      params.push(...filter.states);
    }
    const search = filter.search?.trim();
    if (search) {
      where.push("serial_key LIKE ? ESCAPE '\\'");
      params.push(`%${search.toUpperCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`);
    }
    const clause = where.join(' AND ');
    const rows = this.devices(
      this.statement(`SELECT * FROM devices WHERE ${clause} ORDER BY seq LIMIT ? OFFSET ?`).all(
        ...params,
        filter.limit,
        filter.offset,
      ) as Row[],
    );
    // Counted after the page was read: a row set aside while reading it no longer counts.
    const total = (this.statement(`SELECT COUNT(*) AS n FROM devices WHERE ${clause}`).get(...params) as { n: number })
      .n;
    return { total, rows };
  }

  countByState(): Record<DeviceState, number> {
    const counts = Object.fromEntries(DEVICE_STATES.map((s) => [s, 0])) as Record<DeviceState, number>;
    for (const r of this.stmts.counts.all() as { state: DeviceState; n: number }[]) counts[r.state] = r.n;
    return counts;
  }

  dueDevices(states: DeviceState[], now: number, limit: number): DeviceRecord[] {
    const rows = this.statement(
      `SELECT * FROM devices WHERE ${LIVE} AND state IN (${states.map(() => '?').join(',')}) AND next_check_at IS NOT NULL AND next_check_at <= ? ORDER BY next_check_at, seq LIMIT ?`,
    ).all(...states, now, limit) as Row[];
    return this.devices(rows);
  }

  devicesInBatch(batchId: string): DeviceRecord[] {
    return this.devices(this.stmts.inBatch.all(batchId) as Row[]);
  }

  overdueDevices(now: number): DeviceRecord[] {
    return this.devices(this.stmts.overdue.all(now) as Row[]);
  }

  nextDeviceTime(): number | undefined {
    const row = this.stmts.nextDeviceTime.get() as { t: number | null };
    return row.t ?? undefined;
  }

  events(deviceId: string): DeviceEventRecord[] {
    const out: DeviceEventRecord[] = [];
    for (const row of this.stmts.events.all(deviceId) as Row[]) {
      const parsed = toEvent(row);
      // Events are append-only: an unreadable one is skipped (and logged), the rest of the history stays.
      if (parsed.ok) out.push(parsed.value);
      else
        this.logger?.error('queue event skipped: it cannot be read', {
          table: 'events',
          seq: row.seq,
          deviceId: String(row.device_id).slice(0, 64),
          reason: clipReason(parsed.reason),
        });
    }
    return out;
  }

  createBatch(
    batch: BatchRecord,
    deviceIds: string[],
    devicePatch: DevicePatch,
    event: Omit<DeviceEventRecord, 'deviceId'>,
  ): void {
    this.transaction(() => {
      this.stmts.insertBatch.run({ postedAt: null, refused: null, ...batch });
      this.patchDevices(deviceIds, devicePatch);
      for (const id of deviceIds) this.appendEvent({ ...event, deviceId: id });
    });
  }

  updateBatch(id: string, patch: Partial<Omit<BatchRecord, 'id' | 'importId'>>): void {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (!entries.length) return;
    this.statement(`UPDATE batches SET ${entries.map(([k]) => `${BATCH_COLUMNS[k]} = ?`).join(', ')} WHERE id = ?`).run(
      ...entries.map(([, v]) => v),
      id,
    );
  }

  getBatch(id: string): BatchRecord | undefined {
    return this.batch(this.stmts.getBatch.get(id) as Row | undefined);
  }

  openBatches(): BatchRecord[] {
    const out: BatchRecord[] = [];
    for (const row of this.stmts.openBatches.all() as Row[]) {
      const b = this.batch(row);
      if (b) out.push(b);
    }
    return out;
  }

  addImportedRecords(records: ImportedRecordRef[]): void {
    if (!records.length) return;
    this.transaction(() => {
      for (const r of records) this.stmts.insertImported.run(r);
    });
  }

  importedRecords(batchId: string): ImportedRecordRef[] {
    return (this.stmts.importedOfBatch.all(batchId) as Row[]).map((r) => ({
      id: r.id as string,
      batchId: r.batch_id as string,
      deviceId: r.device_id as string,
      createdAt: r.created_at as number,
    }));
  }

  hasImportedRecord(id: string): boolean {
    return this.stmts.hasImported.get(id) !== undefined;
  }

  markImportedDeleted(ids: string[], at: number): void {
    this.transaction(() => {
      for (const id of ids) this.stmts.deleteImported.run(at, id);
    });
  }

  getMeta(key: string): string | undefined {
    return (this.stmts.getMeta.get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmts.setMeta.run(key, value);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function clipReason(reason: string): string {
  return reason.length > 300 ? `${reason.slice(0, 300)}…` : reason;
}

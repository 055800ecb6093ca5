/**
 * Versioned schema of the queue database. Entry i upgrades user_version i to i + 1. Never edit a
 * released entry: add a new one, so that every bench's database can be carried forward.
 */
/** GLOB for XXXXX-XXXXX-XXXXX-XXXXX-XXXXX (letters and digits), the shape of a Windows licence key. */
const LICENCE_KEY_GLOB = Array.from({ length: 5 }, () => '[A-Za-z0-9]'.repeat(5)).join('-');

export const QUEUE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE devices (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    serial TEXT NOT NULL,
    serial_key TEXT NOT NULL,
    hardware_hash TEXT NOT NULL,
    hash_summary TEXT NOT NULL,
    product_key TEXT,
    group_tag TEXT NOT NULL DEFAULT '',
    assigned_user TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    captured_at INTEGER NOT NULL,
    station_name TEXT NOT NULL,
    state TEXT NOT NULL,
    state_since INTEGER NOT NULL,
    deadline INTEGER,
    last_known_state TEXT,
    next_check_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    wait_for TEXT NOT NULL DEFAULT 'registered',
    error_code INTEGER,
    error_name TEXT,
    advice TEXT,
    findings TEXT NOT NULL DEFAULT '[]',
    import_id TEXT,
    batch_id TEXT,
    device_registration_id TEXT,
    imported_record_id TEXT,
    profile_status TEXT,
    flags TEXT NOT NULL DEFAULT '[]',
    removed_at INTEGER
  );
  CREATE INDEX devices_state ON devices(state) WHERE removed_at IS NULL;
  CREATE INDEX devices_serial ON devices(serial_key);
  CREATE INDEX devices_batch ON devices(batch_id);

  CREATE TABLE batches (
    id TEXT PRIMARY KEY,
    import_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    posted_at INTEGER,
    next_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    deadline INTEGER NOT NULL,
    device_count INTEGER NOT NULL
  );
  CREATE INDEX batches_open ON batches(status) WHERE status <> 'done';

  -- Append-only: rows are never updated or deleted (enforced below).
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    message TEXT NOT NULL,
    batch_id TEXT,
    import_id TEXT,
    request_ids TEXT NOT NULL DEFAULT '[]',
    error_code INTEGER,
    error_name TEXT
  );
  CREATE INDEX events_device ON events(device_id, seq);
  CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  // 2: licence keys never stay (docs/domain.md#oa3xml). Stations before it stored OA3.xml's <ProductKey> (the
  // 25-character Windows licence key) as the device's product key; any field holding one is cleared.
  `
  UPDATE devices SET product_key = NULL WHERE product_key GLOB '*${LICENCE_KEY_GLOB}*';
  UPDATE devices SET group_tag = '' WHERE group_tag GLOB '*${LICENCE_KEY_GLOB}*';
  UPDATE devices SET assigned_user = '' WHERE assigned_user GLOB '*${LICENCE_KEY_GLOB}*';
  `,
  // Corporate identifiers (docs/domain.md#corporate-identifiers): a registration of its own beside the Autopilot state.
  // NULL
  // corporate_state: the corporate stage has not looked at the device yet.
  `
  ALTER TABLE devices ADD COLUMN corporate_state TEXT;
  ALTER TABLE devices ADD COLUMN corporate_since INTEGER;
  ALTER TABLE devices ADD COLUMN corporate_next_at INTEGER;
  ALTER TABLE devices ADD COLUMN corporate_attempts INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE devices ADD COLUMN corporate_batch TEXT;
  ALTER TABLE devices ADD COLUMN corporate_identifier TEXT;
  ALTER TABLE devices ADD COLUMN corporate_identity_id TEXT;
  ALTER TABLE devices ADD COLUMN corporate_error TEXT;
  ALTER TABLE devices ADD COLUMN corporate_params TEXT;
  ALTER TABLE devices ADD COLUMN corporate_request_ids TEXT NOT NULL DEFAULT '[]';
  CREATE INDEX devices_corporate ON devices(corporate_state, corporate_next_at) WHERE removed_at IS NULL;
  `,
  // The imported records this station created, by the ids the service gave back (docs/domain.md#what-real-tenants-do):
  // polls, crash reconciliation and cleanup follow these, never the client's importId alone. `refused` keeps a
  // whole-batch refusal (a 5xx that may still have landed) so the batch is split, never resent as is.
  `
  CREATE TABLE imported_records (
    id TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
  );
  CREATE INDEX imported_records_open ON imported_records(batch_id) WHERE deleted_at IS NULL;
  ALTER TABLE batches ADD COLUMN refused TEXT;
  `,
  // Rows that cannot be read back as a device or batch are set aside with their reason (kept for support, not worked
  // on).
  `
  ALTER TABLE devices ADD COLUMN set_aside TEXT;
  ALTER TABLE batches ADD COLUMN set_aside TEXT;
  `,
  // The params of a device's error code: a waiting row said "cannot resolve {host} ({reason})" without them.
  `
  ALTER TABLE devices ADD COLUMN error_params TEXT;
  `,
];

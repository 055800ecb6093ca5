/**
 * Limits several layers check (contract schemas, readers, worker, Graph adapter, simulator, screens, CLI): each is
 * declared here once and imported everywhere. No imports, so the contract and the renderer can use it at run time.
 * A fact from Microsoft names its source in docs/domain.md; the others are the station's own bounds.
 */

/**
 * Devices per import call: the admin centre's 500-row CSV rule (docs/domain.md#batch-size; no documented Graph limit).
 */
export const MAX_IMPORT_BATCH = 500;

/**
 * Requests inside one `POST /{version}/$batch`: Graph's documented maximum, "currently limited to 20"
 * (https://learn.microsoft.com/graph/json-batching; docs/domain.md#json-batching). The simulator refuses more.
 */
export const MAX_BATCH_REQUESTS = 20;

/**
 * The service refuses a second Autopilot sync within 10 minutes, per tenant
 * (docs/domain.md#sync-and-its-10-minute-rule).
 */
export const SYNC_INTERVAL_MS = 10 * 60_000;

/**
 * The largest hash file the station reads, in bytes (10 MB; inclusive). Real ones are a few KB; a 500-row CSV about 2
 * MB.
 */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** MAX_FILE_BYTES as people read it ("10 MB"): the `{limit}` of FILE_TOO_LARGE and the readers' messages. */
export const MAX_FILE_SIZE_TEXT = `${MAX_FILE_BYTES / (1024 * 1024)} MB`;

/**
 * A file's base64 in readFileContents, in characters: MAX_FILE_BYTES as base64 (4 per 3 bytes, 13,981,016) rounded
 * up to the next million, so a file just over the limit reaches the reader and is refused as FILE_TOO_LARGE.
 */
export const MAX_FILE_BASE64_CHARS = Math.ceil((MAX_FILE_BYTES * 4) / 3 / 1e6) * 1e6;

/**
 * Devices (or refused rows, or ids) in one call, rows read from one file, and rows per page of listQueue. A 10 MB CSV
 * of real rows holds at most about 2,500; the bound keeps a hostile file or call of millions of rows out of memory.
 */
export const MAX_DEVICES_PER_CALL = 10_000;

/** A hardware hash, in base64 characters: four times a real one (about 4 KB). */
export const MAX_HASH_CHARS = 16_384;

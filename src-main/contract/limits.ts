/**
 * Rules of the service that several layers check (settings schema, worker, Graph adapter, CSV export).
 * One place each, imported everywhere; no runtime imports so that the contract and the renderer can use it.
 */

/** Devices per import call: the admin centre's 500-row CSV rule (DOMAIN.md; no documented Graph limit). */
export const MAX_IMPORT_BATCH = 500;

/** The service refuses a second Autopilot sync within 10 minutes (per tenant). */
export const SYNC_INTERVAL_MS = 10 * 60_000;

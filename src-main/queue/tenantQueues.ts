import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../kernel/logger.ts';
import type { StationSettings } from '../contract/types.ts';
import { moveVerdict } from './deviceActions.ts';
import type { QueueStore } from './queueStore.ts';
import { QUEUE_DB_FILE } from './sqliteQueueStore.ts';

/**
 * A queue belongs to one tenant: one SQLite file per tenant under `<dataDir>/tenants/<slug>/`, so
 * devices, their history and exports never mix tenants (training devices never reach a real
 * tenant's Intune CSV).
 */
export const TRAINING_SLUG = 'training';
/** `import --tenant sim`: the command line's own simulated tenant, apart from the app's training queue. */
export const SIM_CLI_SLUG = 'sim-cli';

/**
 * `training` without a tenant id (`remote-<host>` for a shared simulated tenant at tenantUrl), else `<cloud>-<tenant id
 * lower-cased>` (the same id in another cloud is another tenant).
 */
export function tenantSlug(s: {
  tenantId?: string | undefined;
  cloud: StationSettings['cloud'];
  tenantUrl?: string | undefined;
}): string {
  if (!s.tenantId && s.tenantUrl)
    return `remote-${new URL(s.tenantUrl).host.toLowerCase().replace(/[^a-z0-9.-]/g, '_')}`;
  if (!s.tenantId) return TRAINING_SLUG;
  return `${s.cloud}-${s.tenantId
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '_')}`;
}

/**
 * The tenant's slug once `patch` is saved over `before` ('' clears a tenant id or a remote tenant's
 * URL), so the old tenant's queue closes before settings that change the tenant are saved.
 */
export function tenantSlugAfter(
  before: Pick<StationSettings, 'tenantId' | 'cloud' | 'tenantUrl'>,
  patch: {
    tenantId?: string | undefined;
    cloud?: StationSettings['cloud'] | undefined;
    tenantUrl?: string | undefined;
  },
): string {
  const cleared = (v: string | undefined, was: string | undefined) => (v === undefined ? was : v || undefined);
  return tenantSlug({
    tenantId: cleared(patch.tenantId, before.tenantId),
    cloud: patch.cloud ?? before.cloud,
    tenantUrl: cleared(patch.tenantUrl, before.tenantUrl),
  });
}

/**
 * The tenant a queue's folder name stands for (`<cloud>-<tenant id>`), or undefined for training, the CLI's and a
 * remote sim's.
 */
export function tenantOfSlug(slug: string): { cloud: StationSettings['cloud']; tenantId: string } | undefined {
  const m = /^(global|usgov|usgovdod|china)-(.+)$/.exec(slug);
  return m ? { cloud: m[1] as StationSettings['cloud'], tenantId: m[2]! } : undefined;
}

export function tenantQueueDir(dataDir: string, slug: string): string {
  return path.join(dataDir, 'tenants', slug);
}

const DB_FILES = [QUEUE_DB_FILE, `${QUEUE_DB_FILE}-wal`, `${QUEUE_DB_FILE}-shm`];

/**
 * Before queues had tenants there was one `<dataDir>/queue.db` (and `<dataDir>/training/queue.db` for
 * `import --tenant sim`). Each is moved once, with its WAL, to the tenant it belongs to: the main one to
 * the tenant configured now (the only tenant it can have been used with since the last change), the
 * command line's training one to `sim-cli`. A tenant that already has a queue keeps it; the old file
 * then stays where it was (logged) rather than being merged by guess.
 */
export function migrateLegacyQueues(dataDir: string, currentSlug: string, logger: Logger): void {
  moveQueue(dataDir, tenantQueueDir(dataDir, currentSlug), currentSlug, logger);
  migrateLegacySimCliQueue(dataDir, logger);
}

/** `import --tenant sim` kept its queue in `<dataDir>/training/`: now `<dataDir>/tenants/sim-cli/`. */
export function migrateLegacySimCliQueue(dataDir: string, logger: Logger): void {
  moveQueue(path.join(dataDir, 'training'), tenantQueueDir(dataDir, SIM_CLI_SLUG), SIM_CLI_SLUG, logger);
}

function moveQueue(fromDir: string, toDir: string, slug: string, logger: Logger): void {
  const from = path.join(fromDir, QUEUE_DB_FILE);
  if (!fs.existsSync(from)) return;
  if (fs.existsSync(path.join(toDir, QUEUE_DB_FILE))) {
    logger.warn('An old queue file was left where it is: this tenant already has its own queue', {
      from,
      tenant: slug,
    });
    return;
  }
  fs.mkdirSync(toDir, { recursive: true });
  for (const name of DB_FILES) {
    const src = path.join(fromDir, name);
    if (fs.existsSync(src)) fs.renameSync(src, path.join(toDir, name));
  }
  logger.info('Moved the queue of an earlier version to its tenant', {
    from,
    to: path.join(toDir, QUEUE_DB_FILE),
    tenant: slug,
  });
}

export interface MoveOutcome {
  moved: string[];
  /** MOVE_NOT_FOUND, MOVE_ALREADY_THERE, or the refusal of moveVerdict (deviceActions.ts). */
  refused: { id: string; serialNumber?: string; code: string }[];
}

/**
 * Moves devices not yet sent (moveVerdict in deviceActions.ts, the verdict each queue row carries) from one
 * tenant's queue to another's, on the technician's explicit request. The device keeps its history
 * (under a new id in the other queue, so moving back and forth never collides); both queues record the move. A device
 * the service has seen (an imported record or a registration) stays: its history belongs to the tenant that saw it.
 */
export function moveDevices(
  from: QueueStore,
  to: QueueStore,
  ids: string[],
  o: { fromSlug: string; toSlug: string; now: number },
): MoveOutcome {
  const out: MoveOutcome = { moved: [], refused: [] };
  for (const id of ids) {
    const d = from.getDevice(id);
    if (!d) {
      out.refused.push({ id, code: 'MOVE_NOT_FOUND' });
      continue;
    }
    const verdict = moveVerdict(d);
    if (!verdict.allowed) {
      out.refused.push({ id, serialNumber: d.serialNumber, code: verdict.reason.code });
      continue;
    }
    if (to.findBySerial(d.serialNumber).some((e) => e.hardwareHash === d.hardwareHash)) {
      out.refused.push({ id, serialNumber: d.serialNumber, code: 'MOVE_ALREADY_THERE' });
      continue;
    }
    const history = from.events(id);
    const newId = randomUUID();
    to.transaction(() => {
      const [first, ...rest] = history;
      const { deviceId: _d, ...firstEvent } = first ?? {
        deviceId: id,
        at: d.capturedAt,
        toState: d.state,
        message: 'Captured',
        requestIds: [],
      };
      to.insertDevice({ ...d, id: newId, ...(d.state === 'queued' ? { nextCheckAt: o.now } : {}) }, firstEvent);
      for (const e of rest) to.appendEvent({ ...e, deviceId: newId });
      to.appendEvent({
        deviceId: newId,
        at: o.now,
        fromState: d.state,
        toState: d.state,
        message: `Moved here from the queue of tenant ${o.fromSlug} by the technician`,
        requestIds: [],
      });
    });
    from.removeDevice(id, {
      at: o.now,
      fromState: d.state,
      toState: d.state,
      message: `Moved to the queue of tenant ${o.toSlug} by the technician`,
      requestIds: [],
    });
    out.moved.push(newId);
  }
  return out;
}

/** The tenants that have a queue in this data folder. */
export function tenantQueueSlugs(dataDir: string): string[] {
  const root = path.join(dataDir, 'tenants');
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(root, e.name, QUEUE_DB_FILE)))
    .map((e) => e.name)
    .sort();
}

import type { Station, StationOptions } from '../app/createStation.ts';
import type { Logger } from '../kernel/logger.ts';
import { settingsPatch } from '../contract/schemas.ts';
import type { StationSettings } from '../contract/types.ts';
import { migrateLegacySimCliQueue, SIM_CLI_SLUG, tenantQueueDir, tenantSlug } from '../queue/tenantQueues.ts';
import { StationError } from '../contract/errors.ts';
import { scaledClock, systemClock } from '../kernel/clock.ts';
import { connectRemoteTenant, readCaFile } from '../graph/remoteTenant.ts';
import { startSimulatedTenant } from '../sim/startSimulatedTenant.ts';
import { trainingConnectionOf } from '../tenant/trainingTenant.ts';
import { usageError } from './cliSupport.ts';

/**
 * Which tenant (and so which queue) a command works on: the one rule every command that reads a
 * queue follows (import, export, check), parsed once here.
 */
export const TENANT_SELECTION_OPTIONS = {
  tenant: { type: 'string' },
  cloud: { type: 'string' },
  scenario: { type: 'string' },
  'tenant-url': { type: 'string' },
  ca: { type: 'string' },
} as const;

/** The lines of `--help` that describe the tenant selection (shared by every command that takes it). */
export const TENANT_SELECTION_HELP = [
  '  --tenant sim|<tenant-id>   sim: the simulated training tenant in this process (its own queue);',
  '                             a tenant id (GUID) or domain: that tenant; absent: the tenant in the settings',
  '  --cloud C                  global (default), usgov, usgovdod or china (with a tenant id)',
  '  --scenario F               with --tenant sim: a scenario file that plays another tenant (its own queue)',
  '  --tenant-url URL --ca F    a simulated tenant shared over the network (`autopilot-station sim` prints both)',
].join('\n');

type Values = {
  tenant?: string | undefined;
  cloud?: string | undefined;
  scenario?: string | undefined;
  'tenant-url'?: string | undefined;
  ca?: string | undefined;
};

/**
 * - `settings`: the station's own settings, changed by `patch` when --tenant/--cloud are given.
 * - `sim`: the in-process simulated tenant (`scenario` another one than training).
 * - `remote`: a simulated tenant elsewhere at `url`, trusted through the CA file `caFile`.
 */
export type TenantSelection =
  | { kind: 'settings'; patch: Pick<Partial<StationSettings>, 'tenantId' | 'cloud'> }
  | { kind: 'sim'; scenario?: string }
  | { kind: 'remote'; url: string; caFile: string };

/**
 * Parses the tenant options of `values` (parseArgs output holding TENANT_SELECTION_OPTIONS).
 * Throws StationError USAGE when they contradict each other or a value is malformed.
 */
export function parseTenantSelection(values: Values): TenantSelection {
  const remote = values['tenant-url'];
  if (values.scenario !== undefined && values.tenant !== 'sim')
    throw usageError('--scenario goes with --tenant sim (the in-process simulated tenant).');
  if ((remote === undefined) !== (values.ca === undefined))
    throw usageError(
      "--tenant-url and --ca go together: the simulated tenant's address and the CA file it wrote (sim-ca.pem).",
    );
  if (remote !== undefined && values.tenant !== undefined)
    throw usageError('--tenant-url names the tenant already; leave out --tenant.');
  if (values.tenant === 'sim' || remote !== undefined) {
    if (values.cloud !== undefined)
      throw usageError('--cloud goes with a tenant id; a simulated tenant has no cloud to choose.');
    if (remote !== undefined) return { kind: 'remote', url: remote, caFile: values.ca! };
    return values.scenario !== undefined ? { kind: 'sim', scenario: values.scenario } : { kind: 'sim' };
  }
  const raw: Record<string, unknown> = {};
  if (values.tenant !== undefined) raw.tenantId = values.tenant;
  if (values.cloud !== undefined) raw.cloud = values.cloud;
  const parsed = settingsPatch.safeParse(raw);
  if (!parsed.success)
    throw usageError(
      `${parsed.error.issues.map((i) => `--${i.path.join('.') === 'tenantId' ? 'tenant' : i.path.join('.')}: ${i.message}`).join('; ')}.`,
    );
  const patch: Pick<Partial<StationSettings>, 'tenantId' | 'cloud'> = {};
  if (parsed.data.tenantId !== undefined) patch.tenantId = parsed.data.tenantId;
  if (parsed.data.cloud !== undefined) patch.cloud = parsed.data.cloud;
  return { kind: 'settings', patch };
}

/** A simulated tenant a command talks to: the station options that point at it, and its queue folder's name. */
export interface SimulatedTenantHandle {
  options: Partial<StationOptions>;
  /** Folder name of its queue under <dataDir>/tenants/ (default 'sim-cli'). */
  dataDirName?: string;
  close(): Promise<void>;
}

export interface TenantStationDeps {
  dataDir: () => string;
  station: (options: StationOptions) => Station;
  /** `--tenant sim [--scenario F]`. */
  simulatedTenant?: (options?: { scenario?: string }) => Promise<SimulatedTenantHandle>;
  /** `--tenant-url URL --ca FILE` (remoteTenantStation by default). */
  remoteTenant?: (source: { url: string; caFile: string }) => Promise<SimulatedTenantHandle>;
}

export interface TenantStation {
  station: Station;
  /** Stops the station, then the simulated tenant it talked to. */
  close(): Promise<void>;
}

/**
 * Opens the station on the selected tenant's queue.
 * - `readOnly: true` (export): the queue is read with the worker off and the settings untouched; a
 *   tenant id pins its queue (`<dataDir>/tenants/<cloud>-<id>`) instead of switching the station to it.
 * - otherwise (import, check): --tenant/--cloud are saved in the settings as the Settings screen does.
 * Simulated tenants always get their own queue (`tenants/sim-cli`, `sim-<id>`, `remote-<id>`), never
 * the real tenant's. Throws StationError NOT_AVAILABLE when the build has no simulated tenant.
 */
export async function openTenantStation(
  selection: TenantSelection,
  deps: TenantStationDeps,
  o: { logger: Logger; readOnly?: boolean; options?: Partial<StationOptions> },
): Promise<TenantStation> {
  const root = deps.dataDir();
  const queueOff = o.readOnly ? { queue: { worker: false } } : {};
  if (selection.kind === 'settings') {
    const slug = selection.patch.tenantId
      ? tenantSlug({ tenantId: selection.patch.tenantId, cloud: selection.patch.cloud ?? 'global', tenantUrl: '' })
      : undefined;
    const pin = o.readOnly && slug ? { queueTenant: { slug, dir: tenantQueueDir(root, slug) } } : {};
    const station = deps.station({
      host: 'browser',
      dataDir: root,
      logger: o.logger,
      ...queueOff,
      ...pin,
      ...(o.options ?? {}),
    });
    try {
      if (!o.readOnly && Object.keys(selection.patch).length)
        await station.handlers.updateSettings({ patch: selection.patch });
    } catch (err) {
      await station.close();
      throw err;
    }
    return { station, close: () => station.close() };
  }
  let sim: SimulatedTenantHandle;
  if (selection.kind === 'sim') {
    if (!deps.simulatedTenant) throw notAvailable();
    sim = await deps.simulatedTenant(selection.scenario !== undefined ? { scenario: selection.scenario } : {});
  } else {
    sim = await (deps.remoteTenant ?? remoteTenantStation)({ url: selection.url, caFile: selection.caFile });
  }
  try {
    // Training devices never mix with a real queue (they would end up in admin-centre exports).
    const slug = sim.dataDirName ?? SIM_CLI_SLUG;
    const dir = tenantQueueDir(root, slug);
    migrateLegacySimCliQueue(root, o.logger);
    const station = deps.station({
      host: 'browser',
      dataDir: dir,
      logger: o.logger,
      queueTenant: { slug, dir },
      ...sim.options,
      ...queueOff,
      ...(o.options ?? {}),
    });
    return {
      station,
      close: async () => {
        try {
          await station.close();
        } finally {
          await sim.close();
        }
      },
    };
  } catch (err) {
    await sim.close();
    throw err;
  }
}

function notAvailable() {
  return new StationError({
    code: 'NOT_AVAILABLE',
    message: 'The simulated tenant is not part of this build.',
    action: 'Use --tenant <tenant-id>.',
  });
}

/** Service seconds per real second for `--tenant sim`: the simulated tenant's minutes pass in seconds. */
export const SIM_TIME_SCALE = 20;

/**
 * `--tenant sim`: the training scenario's simulated tenant in this process over loopback HTTPS, signed in to like a
 * real one.
 */
export async function inProcessSimulatedTenant(options: { scenario?: string } = {}): Promise<SimulatedTenantHandle> {
  const clock = scaledClock(SIM_TIME_SCALE);
  const sim = await startSimulatedTenant({
    clock,
    timeScale: SIM_TIME_SCALE,
    scenario: options.scenario ?? 'training',
  });
  const training = trainingConnectionOf(sim);
  const handle: SimulatedTenantHandle = {
    options: { clock, startTraining: async () => ({ ...training, close: async () => {} }) },
    close: () => sim.stop(),
  };
  // Another scenario is another tenant: its devices get a queue of their own.
  if (options.scenario !== undefined) handle.dataDirName = `sim-${sim.tenantId.toLowerCase()}`;
  return handle;
}

/**
 * `--tenant-url URL --ca FILE`: a simulated tenant elsewhere, signed in to as training mode signs in
 * to its own, with the station's clock at that simulator's pace. Its queue is its own.
 */
export async function remoteTenantStation(source: {
  url: string;
  caFile: string;
}): Promise<SimulatedTenantHandle & { dataDirName: string }> {
  const remote = await connectRemoteTenant({ url: source.url, caPem: await readCaFile(source.caFile) });
  const clock = remote.timeScale === 1 ? systemClock : scaledClock(remote.timeScale);
  return {
    options: { clock, startTraining: async () => remote },
    dataDirName: `remote-${remote.tenantId.toLowerCase()}`,
    close: () => remote.close(),
  };
}

import { parseArgs } from 'node:util';
import { systemClock, type Clock } from '../kernel/clock.ts';
import { createStation, type Station, type StationOptions } from '../app/createStation.ts';
import { stderrLogger } from '../kernel/logger.ts';
import { readHashFile } from '../capture/readHashFile.ts';
import { StationError } from '../contract/errors.ts';
import { groupTag as groupTagSchema, settingsPatch, userPrincipalName } from '../contract/schemas.ts';
import type { DeviceState } from '../contract/types.ts';
import { isProblem, isSettled, type DeviceRecord, type WaitFor } from '../queue/queueStore.ts';
import path from 'node:path';
import { scaledClock } from '../kernel/clock.ts';
import { startSimulatedTenant } from '../sim/startSimulatedTenant.ts';
import { processIo, usageError, type CliCommand, type CliIo } from './cliSupport.ts';
import { defaultDataDir } from './serveCommand.ts';
import { trainingConnectionOf } from '../tenant/trainingTenant.ts';

/** What the import command needs besides its arguments; tests and the simulated tenant provide their own. */
export interface ImportCommandDeps {
  io: CliIo;
  dataDir: () => string;
  /** Builds the station (createStation by default). */
  station: (options: StationOptions) => Station;
  /** `--tenant sim`: the Autopilot port and clock of an in-process simulated tenant. */
  simulatedTenant?: () => Promise<{ options: Partial<StationOptions>; close(): Promise<void> }>;
  clock: Clock;
}

const WAITS = ['imported', 'registered', 'assigned'] as const;

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, value: string, flag: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw usageError(`${flag} "${value.slice(0, 80)}" is not valid: ${r.error.issues[0]?.message ?? 'invalid'}.`);
  return r.data;
}

/** The stable JSON of one device (every key present, null when there is no value). */
export function importDeviceJson(d: Pick<DeviceRecord, 'serialNumber' | 'state' | 'groupTag' | 'errorCode' | 'errorName' | 'deviceRegistrationId' | 'advice'>) {
  return {
    serialNumber: d.serialNumber,
    state: d.state,
    groupTag: d.groupTag,
    errorCode: d.errorCode ?? null,
    errorName: d.errorName ?? null,
    deviceRegistrationId: d.deviceRegistrationId ?? null,
    advice: d.advice ?? null,
  };
}

/**
 * `import <file...> --group-tag T [...]`: reads the hash files, queues every device (kept in the
 * station's queue like any other), follows them until each is settled or --timeout-s passes, and
 * prints each device's final state. Exit 1 when any device ends failed, invalid, timed-out or flagged.
 */
export function makeImportCommand(deps: ImportCommandDeps): CliCommand {
  return async (argv) => {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        'group-tag': { type: 'string' },
        'assigned-user': { type: 'string' },
        tenant: { type: 'string' },
        cloud: { type: 'string' },
        api: { type: 'string' },
        wait: { type: 'string' },
        'timeout-s': { type: 'string' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (!positionals.length) throw usageError('Give at least one hash file: autopilot-station import <file...> --group-tag T.');
    if (values['group-tag'] === undefined) throw usageError('--group-tag is required (use --group-tag "" for no tag).');
    const groupTag = parse(groupTagSchema, values['group-tag'], '--group-tag');
    const assignedUser = values['assigned-user'] === undefined ? undefined : parse(userPrincipalName, values['assigned-user'], '--assigned-user');
    const wait = (values.wait ?? 'registered') as WaitFor;
    if (!WAITS.includes(wait)) throw usageError(`--wait must be one of ${WAITS.join(', ')}, not "${values.wait}".`);
    const timeoutS = values['timeout-s'] === undefined ? 3 * 3600 : Number(values['timeout-s']);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw usageError(`--timeout-s must be a positive number of seconds, not "${values['timeout-s']}".`);
    const tenantPatch: Record<string, unknown> = {};
    if (values.tenant !== undefined && values.tenant !== 'sim') tenantPatch.tenantId = values.tenant;
    if (values.cloud !== undefined) tenantPatch.cloud = values.cloud;
    if (values.api !== undefined) tenantPatch.apiVersion = values.api;
    const patch = settingsPatch.safeParse(tenantPatch);
    if (!patch.success) throw usageError(`${patch.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}.`);
    const { io } = deps;

    // Files first: an unreadable file is reported, the others still go through.
    let unreadable = 0;
    const inputs = [];
    for (const file of positionals) {
      const read = await readHashFile(file);
      for (const e of read.errors) io.stderr(`autopilot-station: ${file}${e.line ? `:${e.line}` : ''}: ${e.message}\n`);
      if (read.errors.length && !read.devices.length) unreadable++;
      for (const d of read.devices) {
        inputs.push({ serialNumber: d.serialNumber, hardwareHash: d.hardwareHash, source: d.source, ...(d.productKey ? { productKey: d.productKey } : {}), ...(d.groupTag ? { groupTag: d.groupTag } : {}), ...(d.assignedUser ? { assignedUser: d.assignedUser } : {}) });
      }
    }

    const logger = stderrLogger();
    let sim: { options: Partial<StationOptions>; close(): Promise<void> } | undefined;
    if (values.tenant === 'sim') {
      if (!deps.simulatedTenant) throw new StationError({ code: 'NOT_AVAILABLE', message: 'The simulated tenant is not part of this build.', action: 'Import into a real tenant with --tenant <tenant-id>.' });
      sim = await deps.simulatedTenant();
    }
    const clock = (sim?.options.clock as Clock | undefined) ?? deps.clock;
    // Training devices never mix with the real queue (they would end up in admin-centre exports).
    const dataDir = sim ? path.join(deps.dataDir(), 'training') : deps.dataDir();
    const station = deps.station({ host: 'browser', dataDir, logger, ...(sim?.options ?? {}) });
    try {
      if (Object.keys(patch.data).length) await station.handlers.updateSettings({ patch: patch.data });
      const queue = station.queue();
      if (queue.problem) io.stderr(`autopilot-station: ${queue.problem.message}\n`);
      const ids: string[] = [];
      if (inputs.length) {
        const r = queue.service.queueDevices(inputs, { groupTag, waitFor: wait, ...(assignedUser !== undefined ? { assignedUser } : {}) });
        ids.push(...new Set([...r.queued, ...r.duplicates, ...r.invalid, ...(r.flagged ?? [])]));
        // Devices captured again that were already settled under another --wait are followed as they are.
      }
      const deadline = clock.now() + timeoutS * 1000;
      const current = () => ids.map((id) => queue.service.device(id)).filter((d): d is DeviceRecord => !!d);
      // Settled devices, and their batches' imported records cleaned up, before the process ends.
      const done = () => current().every((d) => isSettled({ state: d.state, waitFor: wait }) || isSettled(d)) && (!queue.worker || queue.store.openBatches().length === 0);
      while (clock.now() < deadline && !done()) {
        await clock.sleep(Math.min(1000, Math.max(1, deadline - clock.now())));
      }
      const devices = current().map((d) =>
        isSettled({ state: d.state, waitFor: wait }) || isSettled(d)
          ? d
          : { ...d, state: 'timed-out' as DeviceState, advice: `The command stopped waiting after ${timeoutS} s while the device was ${d.state}; it stays in the queue and the station keeps following it.` },
      );
      if (values.json) io.stdout(`${JSON.stringify({ devices: devices.map(importDeviceJson) })}\n`);
      else io.stdout(devices.map((d) => `${d.serialNumber.padEnd(24)} ${d.state.padEnd(18)} ${d.errorCode ?? ''} ${d.errorName ?? ''} ${d.state === 'failed' || d.state === 'invalid' || d.state === 'timed-out' ? (d.advice ?? '') : ''}`.trimEnd()).join('\n') + (devices.length ? '\n' : ''));
      const bad = devices.filter((d) => isProblem(d.state) || d.flags.includes('different-hash') && d.state === 'captured');
      if (bad.length || unreadable || !inputs.length) {
        io.stderr(`autopilot-station: ${bad.length ? `${bad.length} of ${devices.length} device${devices.length === 1 ? '' : 's'} did not reach "${wait}"` : ''}${bad.length && (unreadable || !inputs.length) ? '; ' : ''}${unreadable ? `${unreadable} file${unreadable === 1 ? '' : 's'} could not be read` : !inputs.length ? 'no device found in the files' : ''}.\n`);
        return 1;
      }
      return 0;
    } finally {
      await station.close();
      await sim?.close();
    }
  };
}

/** Service seconds per real second for `--tenant sim`: the simulated tenant's minutes pass in seconds. */
export const SIM_TIME_SCALE = 20;

/** `--tenant sim`: the training scenario's simulated tenant in this process over loopback HTTPS, signed in to like a real one. */
export async function inProcessSimulatedTenant(): Promise<{ options: Partial<StationOptions>; close(): Promise<void> }> {
  const clock = scaledClock(SIM_TIME_SCALE);
  const sim = await startSimulatedTenant({ clock, timeScale: SIM_TIME_SCALE, scenario: 'training' });
  const training = trainingConnectionOf(sim);
  return { options: { clock, startTraining: async () => ({ ...training, close: async () => {} }) }, close: () => sim.stop() };
}

export const importCommand = makeImportCommand({ io: processIo, dataDir: defaultDataDir, station: createStation, clock: systemClock, simulatedTenant: inProcessSimulatedTenant });

import { parseArgs } from 'node:util';
import { systemClock, type Clock } from '../kernel/clock.ts';
import { createStation, type Station } from '../app/createStation.ts';
import { openDataDirLog } from '../app/dataDirLog.ts';
import { hashFileReader } from '../capture/hashFileReader.ts';
import { wrongFileType } from '../capture/fileReadCodes.ts';
import { useHashSerial } from '../capture/checkDevice.ts';
import { ROW_CODES } from '../capture/fileReadCodes.ts';
import type { RefusedRowInput } from '../queue/queueService.ts';
import { ownValueCounts } from './captureOutput.ts';
import { createImportProgress } from './importProgress.ts';
import { groupTag as groupTagSchema, LEGACY_BOTH, settingsPatch, userPrincipalName } from '../contract/schemas.ts';
import {
  DEFAULT_REGISTRATION_TARGETS,
  REGISTRATION_TARGETS,
  type DeviceState,
  type RegistrationTargets,
} from '../contract/types.ts';
import { CORPORATE_FINAL } from '../queue/corporateStore.ts';
import { isProblem, isSettled, type DeviceRecord, type WaitFor } from '../queue/queueStore.ts';
import { WAITING_CODES } from '../queue/worker/sendStage.ts';
import { newestHashes, pairText, sameSerialPairs } from './sameSerialCaptures.ts';
import { processIo, usageError, type CliCommand, type CliIo } from './cliSupport.ts';
import { defaultDataDir } from './serveCommand.ts';
import {
  inProcessSimulatedTenant,
  openTenantStation,
  parseTenantSelection,
  TENANT_SELECTION_OPTIONS,
  type TenantStationDeps,
} from './tenantSelection.ts';

/** What the import command needs besides its arguments; tests and the simulated tenant provide their own. */
export interface ImportCommandDeps extends TenantStationDeps {
  io: CliIo;
  clock: Clock;
}

const WAITS = ['imported', 'registered', 'assigned'] as const;

/**
 * `--register`: one target, or several separated by commas (`autopilot,corporate`); `both` is still
 * read as autopilot and corporate (the spelling before targets were a set). Each name once.
 */
export function parseRegisterFlag(value: string): RegistrationTargets {
  const names: string[] = value === 'both' ? [...LEGACY_BOTH] : value.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !(REGISTRATION_TARGETS as readonly string[]).includes(n));
  if (!value.trim() || unknown.length)
    throw usageError(
      `--register takes ${REGISTRATION_TARGETS.join(', ')} or several of them separated by commas (both = autopilot,corporate), not "${value}".`,
    );
  return REGISTRATION_TARGETS.filter((t) => names.includes(t));
}

function parse<T>(
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
  },
  value: string,
  flag: string,
): T {
  const r = schema.safeParse(value);
  if (!r.success)
    throw usageError(`${flag} "${value.slice(0, 80)}" is not valid: ${r.error.issues[0]?.message ?? 'invalid'}.`);
  return r.data;
}

/** The stable JSON of one device (every key present, null when there is no value). */
export function importDeviceJson(
  d: Pick<
    DeviceRecord,
    'serialNumber' | 'state' | 'groupTag' | 'errorCode' | 'errorName' | 'deviceRegistrationId' | 'advice'
  >,
) {
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
        ...TENANT_SELECTION_OPTIONS,
        api: { type: 'string' },
        wait: { type: 'string' },
        'timeout-s': { type: 'string' },
        json: { type: 'boolean' },
        // A file's per-row Group Tag / Assigned User are kept unless the technician says to replace them.
        'override-group-tag': { type: 'boolean' },
        'override-assigned-user': { type: 'boolean' },
        // Devices whose serial a spreadsheet damaged (leading zeros, 1.23E+11, ".0") take the hash's serial.
        'use-hash-serial': { type: 'boolean' },
        register: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (!positionals.length)
      throw usageError('Give at least one hash file: autopilot-station import <file...> --group-tag T.');
    if (values['group-tag'] === undefined) throw usageError('--group-tag is required (use --group-tag "" for no tag).');
    const groupTag = parse(groupTagSchema, values['group-tag'], '--group-tag');
    const assignedUser =
      values['assigned-user'] === undefined
        ? undefined
        : parse(userPrincipalName, values['assigned-user'], '--assigned-user');
    const wait = (values.wait ?? 'registered') as WaitFor;
    if (!WAITS.includes(wait)) throw usageError(`--wait must be one of ${WAITS.join(', ')}, not "${values.wait}".`);
    const timeoutS = values['timeout-s'] === undefined ? 3 * 3600 : Number(values['timeout-s']);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0)
      throw usageError(`--timeout-s must be a positive number of seconds, not "${values['timeout-s']}".`);
    const selection = parseTenantSelection(values);
    const otherPatch: Record<string, unknown> = {};
    if (values.api !== undefined) otherPatch.apiVersion = values.api;
    if (values.register !== undefined) {
      otherPatch.registrationTargets = parseRegisterFlag(values.register);
    }
    const patch = settingsPatch.safeParse(otherPatch);
    if (!patch.success)
      throw usageError(`${patch.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}.`);
    const { io } = deps;

    // Files first: an unreadable file or a refused row is reported (and kept as a record), the others still go through.
    let unreadable = 0;
    const inputs = [];
    const refusedRows: RefusedRowInput[] = [];
    const refused: { file: string; line: number | null; code: string; reason: string }[] = [];
    const duplicates: { file: string; line: number; firstLine: number; serialNumber: string }[] = [];
    const files: {
      path: string;
      format: string | null;
      devices: number;
      refused: number;
      duplicates: number;
      ownGroupTag: number;
      ownAssignedUser: number;
    }[] = [];
    const reads = [];
    for (const file of positionals) {
      // The files Capture and Import take on the screens (the contract's hashFileTypes.ts), and only those.
      const wrong = wrongFileType(file);
      const read = wrong ? { path: file, devices: [], errors: [wrong] } : await hashFileReader.readFile(file);
      reads.push(read);
      if (values['use-hash-serial']) read.devices = read.devices.map(useHashSerial);
      for (const e of read.errors) {
        io.stderr(`autopilot-station: ${file}${e.line ? `:${e.line}` : ''}: ${e.message}\n`);
        refused.push({ file, line: e.line ?? null, code: e.code, reason: e.message });
        if (ROW_CODES.has(e.code)) {
          const serial = e.params?.serial;
          refusedRows.push({
            source: {
              kind: 'file',
              path: file,
              ...(e.line !== undefined ? { line: e.line } : {}),
              ...(read.format ? { format: read.format } : {}),
            },
            code: e.code,
            message: e.message,
            ...(e.params ? { params: e.params } : {}),
            ...(typeof serial === 'string' ? { serialNumber: serial } : {}),
          });
        }
      }
      for (const d of read.duplicates ?? []) {
        duplicates.push({ file, ...d });
        if (!values.json)
          io.stderr(
            `autopilot-station: ${file}:${d.line}: ${d.serialNumber} repeats line ${d.firstLine} (the same device); read once.\n`,
          );
      }
      if (read.errors.length && !read.devices.length) unreadable++;
      const own = ownValueCounts(read);
      files.push({
        path: file,
        format: read.format ?? null,
        devices: read.devices.length,
        refused: read.errors.length,
        duplicates: read.duplicates?.length ?? 0,
        ownGroupTag: own.groupTag,
        ownAssignedUser: own.assignedUser,
      });
      if (!values.json && (own.groupTag || own.assignedUser)) {
        const keep = (n: number, what: string, override: boolean | undefined) =>
          n
            ? `${n} row${n === 1 ? '' : 's'} carried ${n === 1 ? 'its' : 'their'} own ${what} (${override ? 'replaced by the one given' : 'kept'})`
            : '';
        io.stderr(
          `autopilot-station: ${file}: ${[keep(own.groupTag, 'group tag', values['override-group-tag']), keep(own.assignedUser, 'assigned user', values['override-assigned-user'])].filter(Boolean).join('; ')}.\n`,
        );
      }
      for (const d of read.devices) {
        inputs.push({
          serialNumber: d.serialNumber,
          hardwareHash: d.hardwareHash,
          source: d.source,
          ...(d.productKey ? { productKey: d.productKey } : {}),
          ...(d.groupTag ? { groupTag: d.groupTag } : {}),
          ...(d.assignedUser ? { assignedUser: d.assignedUser } : {}),
        });
      }
    }

    // A serial captured with different hashes: the newest capture is queued first (and registered); the
    // older ones are kept as captured records beside it, for the technician to remove or retry.
    const sameSerial = sameSerialPairs(reads);
    const newest = newestHashes(reads);
    const superseded = new Set<string>();
    if (newest.size) {
      const isOlder = (d: { serialNumber: string; hardwareHash: string }) => {
        const want = newest.get(d.serialNumber.trim().toUpperCase());
        return want !== undefined && want !== d.hardwareHash;
      };
      for (const d of inputs)
        if (isOlder(d)) superseded.add(`${d.serialNumber.trim().toUpperCase()}|${d.hardwareHash}`);
      inputs.sort((a, b) => Number(isOlder(a)) - Number(isOlder(b)));
      if (!values.json) for (const p of sameSerial) io.stderr(`autopilot-station: ${pairText(p)}\n`);
    }

    // The same rotating JSON log as the app, in the data folder (warnings also on stderr).
    const logs = openDataDirLog(deps.dataDir());
    const logger = logs.logger;
    // --timeout-s is wall-clock seconds on every tenant: the training tenant's accelerated service time does not
    // shorten it.
    const clock = deps.clock;
    const opened = await openTenantStation(selection, deps, { logger });
    const station = opened.station;
    try {
      if (Object.keys(patch.data).length) await station.handlers.updateSettings({ patch: patch.data });
      const queue = station.queue();
      if (queue.problem) io.stderr(`autopilot-station: ${queue.problem.message}\n`);
      // Corporate identifiers: the worker's corporate stage registers them when the targets include them.
      const settings = await station.tenant.getSettings();
      const targets = settings.registrationTargets ?? DEFAULT_REGISTRATION_TARGETS;
      const corporate = targets.includes('corporate') ? queue.corporate : undefined;
      const ids: string[] = [];
      if (inputs.length || refusedRows.length) {
        const r = queue.service.queueDevices(inputs, {
          groupTag,
          waitFor: wait,
          // The service decides from the targets whether the devices are corporate identifiers only, as for the
          // screens.
          registrationTargets: targets,
          ...(assignedUser !== undefined ? { assignedUser } : {}),
          ...(values['override-group-tag'] ? { overrideGroupTag: true } : {}),
          ...(values['override-assigned-user'] ? { overrideAssignedUser: true } : {}),
          ...(refusedRows.length ? { refused: refusedRows } : {}),
        });
        ids.push(...new Set([...r.queued, ...r.duplicates, ...r.invalid, ...(r.flagged ?? [])]));
        // Devices captured again that were already settled under another --wait are followed as they are.
      }
      const deadline = clock.now() + timeoutS * 1000;
      const current = () => ids.map((id) => queue.service.device(id)).filter((d): d is DeviceRecord => !!d);
      // Settled devices, and their batches' imported records cleaned up, before the process ends.
      const autopilotDone = (d: DeviceRecord) =>
        d.flags.includes('corporate-only') || isSettled({ state: d.state, waitFor: wait }) || isSettled(d);
      // Devices never adopted by the stage (invalid, waiting for the technician) have no corporate registration to wait
      // for.
      const corporateDone = (d: DeviceRecord) =>
        !corporate ||
        d.state === 'invalid' ||
        d.state === 'captured' ||
        CORPORATE_FINAL.includes(corporate.store.get(d.id)?.state ?? 'queued');
      const done = () =>
        current().every((d) => autopilotDone(d) && corporateDone(d)) &&
        (!queue.worker || queue.store.openBatches().length === 0);
      queue.worker?.kick();
      // Progress on stderr while waiting (never with --json: scripts read stdout and the exit code).
      const progress = values.json ? undefined : createImportProgress(io, clock.now());
      if (progress && ids.length)
        io.stderr(
          `autopilot-station: following ${ids.length} device${ids.length === 1 ? '' : 's'} until "${wait}" (at most ${timeoutS} s); each change is shown here.\n`,
        );
      const showProgress = () => {
        if (!progress) return;
        const now = current();
        progress.update(
          now.map((d) => ({
            id: d.id,
            serialNumber: d.serialNumber,
            state: d.state,
            corporate: corporate?.store.get(d.id)?.state,
          })),
          now.filter((d) => autopilotDone(d) && corporateDone(d)).length,
          clock.now(),
        );
      };
      showProgress();
      while (clock.now() < deadline && !done()) {
        await clock.sleep(Math.min(250, Math.max(1, deadline - clock.now())));
        showProgress();
      }
      // --timeout-s holds for the whole command: Graph stops here (requests in flight are aborted, none
      // start after), so closing below cannot wait on a retry or a Retry-After.
      await stopGraph(station);
      const stopped = `The command stopped waiting after ${timeoutS} s while the device was ${'{state}'}; it stays in the queue and the station keeps following it.`;
      const olderCapture = (d: DeviceRecord) =>
        d.state === 'captured' && superseded.has(`${d.serialNumber.trim().toUpperCase()}|${d.hardwareHash}`);
      const devices = current().map((d) =>
        olderCapture(d)
          ? {
              ...d,
              advice:
                'An older capture of this serial (another hardware hash, captured before): the newest capture was registered. Remove this one, or retry it if it is the right one.',
            }
          : autopilotDone(d)
            ? d
            : // A device held back with a reason (throttled until a time, a captive portal…) says so, in its own state.
              d.errorName && WAITING_CODES.has(d.errorName)
              ? { ...d, advice: `${d.advice ?? ''} ${stopped.replace('{state}', d.state)}`.trim() }
              : { ...d, state: 'timed-out' as DeviceState, advice: stopped.replace('{state}', d.state) },
      );
      const corporateOf = (d: DeviceRecord) => {
        const c = corporate?.store.get(d.id);
        return c?.state ? { state: c.state, identifier: c.identifier ?? null, errorCode: c.errorCode ?? null } : null;
      };
      // The corporate key only when corporate identifiers were asked for: the default output stays as it was.
      if (values.json)
        io.stdout(
          `${JSON.stringify({ devices: devices.map((d) => (corporate ? { ...importDeviceJson(d), corporate: corporateOf(d) } : importDeviceJson(d))), refused, duplicates, files, ...(sameSerial.length ? { sameSerial } : {}) })}\n`,
        );
      else
        io.stdout(
          devices
            .map((d) =>
              `${d.serialNumber.padEnd(24)} ${d.state.padEnd(18)} ${corporate ? `corporate:${(corporateOf(d)?.state ?? '-').padEnd(16)} ` : ''}${d.errorCode ?? ''} ${d.errorName ?? ''} ${d.state === 'failed' || d.state === 'invalid' || d.state === 'timed-out' ? (d.advice ?? '') : ''}`.trimEnd(),
            )
            .join('\n') + (devices.length ? '\n' : ''),
        );
      const corporateProblem = (d: DeviceRecord) => {
        const s = corporateOf(d)?.state;
        return (
          s === 'failed' ||
          s === 'unavailable' ||
          (!!corporate && d.state !== 'invalid' && d.state !== 'captured' && !s)
        );
      };
      // Each registration target answers for itself: a device in Autopilot whose corporate identifier
      // failed is reported as that, never as "did not reach registered".
      const autopilotBad = devices.filter(
        (d) =>
          !d.flags.includes('corporate-only') &&
          !olderCapture(d) &&
          (isProblem(d.state) || (d.flags.includes('different-hash') && d.state === 'captured') || !autopilotDone(d)),
      );
      const corporateBad = devices.filter((d) => corporateProblem(d));
      const bad = [...new Set([...autopilotBad, ...corporateBad])];
      const rowsRefused =
        refused.length - files.filter((f) => f.devices === 0 && f.refused > 0).reduce((n, f) => n + f.refused, 0);
      if (bad.length || unreadable || !inputs.length || refused.length) {
        const corporateWords = (d: DeviceRecord) => {
          const c = corporate?.store.get(d.id);
          return `${d.serialNumber}: ${c?.errorCode ?? c?.state ?? 'not added'}${c?.params ? ` ${JSON.stringify(c.params)}` : ''}`;
        };
        const parts = [
          autopilotBad.length
            ? `${autopilotBad.length} of ${devices.length} device${devices.length === 1 ? '' : 's'} did not reach "${wait}"`
            : '',
          corporateBad.length
            ? `${corporateBad.length} of ${devices.length} corporate identifier${devices.length === 1 ? '' : 's'} not added (${corporateBad.slice(0, 3).map(corporateWords).join('; ')}${corporateBad.length > 3 ? '; …' : ''})`
            : '',
          unreadable
            ? `${unreadable} file${unreadable === 1 ? '' : 's'} could not be read`
            : !inputs.length
              ? 'no device found in the files'
              : '',
          rowsRefused > 0
            ? `${rowsRefused} row${rowsRefused === 1 ? ' was' : 's were'} refused (kept in the queue as invalid)`
            : '',
        ].filter(Boolean);
        io.stderr(`autopilot-station: ${parts.join('; ')}.\n`);
        return 1;
      }
      return 0;
    } finally {
      await stopGraph(station);
      // Bounded: with Graph stopped nothing should hold the close up, and the deadline is a promise.
      await withinMs(CLOSE_GRACE_MS, opened.close());
      logs.close();
    }
  };
}

/** Longest the command waits for the station to close after its deadline (real milliseconds). */
const CLOSE_GRACE_MS = 3_000;

/** Aborts the tenant's Graph client (requests in flight, waits, and any later request); never throws. */
async function stopGraph(station: Station): Promise<void> {
  const graph = await withinMs(
    1_000,
    station.tenant.graph().catch(() => undefined),
  );
  graph?.close();
}

/** `work`'s value, or undefined when it takes longer than `ms` (real time); the work is not awaited after. */
async function withinMs<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

export { inProcessSimulatedTenant, remoteTenantStation, SIM_TIME_SCALE } from './tenantSelection.ts';

export const importCommand = makeImportCommand({
  io: processIo,
  dataDir: defaultDataDir,
  station: createStation,
  clock: systemClock,
  simulatedTenant: inProcessSimulatedTenant,
});

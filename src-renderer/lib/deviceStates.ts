import {
  DEFAULT_WAIT_FOR,
  DEVICE_STATES,
  type DeviceState,
  type StationSettings,
} from '../../src-main/contract/types.ts';

/** How the header and the filters group the ten device states. */
export type StateGroup = 'ready' | 'waiting' | 'failed';

const FAILED: ReadonlySet<DeviceState> = new Set(['invalid', 'failed', 'timed-out']);
/** The path a device walks; the index is its progress step. */
const PATH: readonly DeviceState[] = ['captured', 'queued', 'importing', 'imported', 'registered', 'assigned'];

/** Where the station stops following a device decides which states count as ready. */
export function stateGroup(state: DeviceState, waitFor: StationSettings['waitFor'] = DEFAULT_WAIT_FOR): StateGroup {
  if (FAILED.has(state)) return 'failed';
  if (state === 'already-registered') return 'ready';
  const target = PATH.indexOf(waitFor);
  return PATH.indexOf(state) >= target ? 'ready' : 'waiting';
}

export function statesIn(group: StateGroup, waitFor: StationSettings['waitFor'] = DEFAULT_WAIT_FOR): DeviceState[] {
  return DEVICE_STATES.filter((s) => stateGroup(s, waitFor) === group);
}

export function countGroups(
  counts: Partial<Record<DeviceState, number>>,
  waitFor: StationSettings['waitFor'] = DEFAULT_WAIT_FOR,
): Record<StateGroup, number> {
  const out: Record<StateGroup, number> = { ready: 0, waiting: 0, failed: 0 };
  for (const [state, n] of Object.entries(counts) as [DeviceState, number][]) out[stateGroup(state, waitFor)] += n;
  return out;
}

/** Progress as step/steps toward the state the station waits for; undefined for states off the path. */
export function progressOf(
  state: DeviceState,
  waitFor: StationSettings['waitFor'] = DEFAULT_WAIT_FOR,
): { step: number; steps: number } | undefined {
  const steps = PATH.indexOf(waitFor);
  if (state === 'already-registered') return { step: steps, steps };
  const i = PATH.indexOf(state);
  if (i < 0) return undefined;
  return { step: Math.min(i, steps), steps };
}

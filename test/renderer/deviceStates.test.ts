import { describe, expect, it } from 'vitest';
import { countGroups, progressOf, stateGroup } from '../../src-renderer/lib/deviceStates.ts';
import { DEFAULT_WAIT_FOR } from '../../src-main/contract/types.ts';

describe('device states', () => {
  it('groups states by where the station stops following', () => {
    // One definition of how far the station follows: the settings' default, here too.
    expect(DEFAULT_WAIT_FOR).toBe('registered');
    expect(stateGroup('registered')).toBe('ready');
    expect(stateGroup('imported')).toBe('waiting');
    expect(stateGroup('assigned', 'assigned')).toBe('ready');
    expect(stateGroup('registered', 'assigned')).toBe('waiting');
    expect(stateGroup('registered', 'registered')).toBe('ready');
    expect(stateGroup('imported', 'imported')).toBe('ready');
    expect(stateGroup('already-registered')).toBe('ready');
    expect(stateGroup('timed-out')).toBe('failed');
    expect(stateGroup('invalid')).toBe('failed');
    expect(countGroups({ assigned: 2, queued: 3, failed: 1, invalid: 1, registered: 4 }, 'assigned')).toEqual({
      ready: 2,
      waiting: 7,
      failed: 2,
    });
    expect(countGroups({ assigned: 2, queued: 3, failed: 1, invalid: 1, registered: 4 })).toEqual({
      ready: 6,
      waiting: 3,
      failed: 2,
    });
  });
  it('measures progress toward the target', () => {
    expect(progressOf('queued', 'assigned')).toEqual({ step: 1, steps: 5 });
    expect(progressOf('queued')).toEqual({ step: 1, steps: 4 });
    expect(progressOf('registered', 'registered')).toEqual({ step: 4, steps: 4 });
    expect(progressOf('failed')).toBeUndefined();
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import type {
  CorporateIdentityPort,
  CorporateImportResult,
  ExistingCorporateIdentity,
} from '../../src-main/graph/corporateIdentityPort.ts';
import { graphFailure } from '../../src-main/graph/graphFailures.ts';
import type { RegistrationTargets } from '../../src-main/contract/types.ts';
import { QueueService } from '../../src-main/queue/queueService.ts';
import { openSqliteCorporateStore, type SqliteCorporateStore } from '../../src-main/queue/sqliteCorporateStore.ts';
import { openSqliteQueueStore } from '../../src-main/queue/sqliteQueueStore.ts';
import { ManualClock } from './simSupport.ts';
import { corporateStageOn } from './corporateStageSupport.ts';

/**
 * The stage's rules for each kind of answer, with the real SQLite stores and a scripted port (the
 * end-to-end behaviour against the simulated tenant is in corporateStage.test.ts).
 */
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

type Step = {
  search?: (ids: string[]) => ExistingCorporateIdentity[] | Error;
  import?: (ids: string[]) => boolean[] | Error;
};

function setup(
  serials: string[],
  script: Step[],
  targets: () => RegistrationTargets = () => ['autopilot', 'corporate'],
) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corp-rules-'));
  const queueStore = openSqliteQueueStore(dir);
  const store = openSqliteCorporateStore(queueStore.file);
  cleanups.push(
    () => fs.rmSync(dir, { recursive: true, force: true }),
    () => queueStore.close(),
    () => store.close(),
  );
  const clock = new ManualClock();
  const service = new QueueService({
    store: queueStore,
    clock,
    logger: silentLogger,
    stationName: 'BENCH',
    waitFor: () => 'registered',
  });
  service.queueDevices(
    serials.map((s) => ({
      serialNumber: s,
      hardwareHash: encodeHardwareHash({ serialNumber: s, manufacturer: 'Contoso', model: 'Bench 1' }),
      source: { kind: 'typed' as const },
    })),
  );
  const calls: string[] = [];
  let step = 0;
  const next = () => script[Math.min(step++, script.length - 1)]!;
  const port: CorporateIdentityPort = {
    searchExisting: async (ids) => {
      calls.push(`search ${ids.length}`);
      const r = next().search?.(ids) ?? [];
      if (r instanceof Error) throw r;
      return { value: r, requestId: `req-${calls.length}`, clientRequestId: 'c' };
    },
    importIdentities: async (items) => {
      calls.push(`import ${items.length}`);
      const r = next().import?.(items.map((i) => i.identifier)) ?? items.map(() => true);
      if (r instanceof Error) throw r;
      return {
        value: items.map((i, k): CorporateImportResult => ({
          identifier: i.identifier,
          status: r[k]!,
          ...(r[k] ? { id: `id-${k}` } : {}),
        })),
        requestId: `req-${calls.length}`,
        clientRequestId: 'c',
      };
    },
  };
  const { stage, tick, context } = corporateStageOn({ queueStore, store, port, clock, targets });
  const ids = service.allDevices().map((d) => d.id);
  return { stage, tick, context, store, clock, calls, ids, service, queueStore };
}
const states = (store: SqliteCorporateStore, ids: string[]) =>
  ids.map((id) => [store.get(id)!.state, store.get(id)!.errorCode ?? null]);

describe('corporate stage rules', () => {
  it('status false: found by the search after it → already present; not found → failed, never posted again', async () => {
    const { tick, store, calls, ids } = setup(
      ['F1', 'F2'],
      [{ search: () => [] }, { import: () => [false, false] }, { search: (q) => [{ id: 'x', identifier: q[0]! }] }],
    );
    await tick();
    expect(states(store, ids)).toEqual([
      ['already-present', null],
      ['failed', 'CORP_REFUSED'],
    ]);
    expect(calls).toEqual(['search 2', 'import 2', 'search 2']);
    await tick();
    expect(calls).toHaveLength(3);
  });

  it('status false and the search after it fails: kept as sending, then refused on the next look, with no second POST', async () => {
    const { tick, store, clock, calls, ids } = setup(
      ['G1'],
      [
        { search: () => [] },
        { import: () => [false] },
        { search: () => graphFailure('unavailable', { status: 503 }) },
        { search: () => [] },
      ],
    );
    await tick();
    expect(states(store, ids)).toEqual([['sending', 'CORP_REFUSED_UNCHECKED']]);
    clock.advance(60_000);
    await tick();
    expect(states(store, ids)).toEqual([['failed', 'CORP_REFUSED']]);
    expect(calls.filter((c) => c.startsWith('import'))).toHaveLength(1);
  });

  it('throttled with Retry-After: the stage pauses, nothing is sent before the time, then it goes on', async () => {
    const { tick, context, store, clock, calls, ids } = setup(
      ['T1'],
      [
        { search: () => graphFailure('throttled', { status: 429, retryAfterMs: 120_000 }) },
        { search: () => [] },
        { import: () => [true] },
      ],
    );
    const wake = await tick();
    // One pause for the whole worker (every stage), counted once by the worker's graph().
    expect(context.paused()).toBe(true);
    expect(context.stats).toMatchObject({ requests: 1, throttled: 1 });
    expect(wake).toBeGreaterThanOrEqual(clock.now() + 120_000);
    expect(states(store, ids)).toEqual([['queued', null]]);
    clock.advance(60_000);
    await tick();
    expect(calls).toEqual(['search 1']);
    clock.advance(61_000);
    await tick();
    expect(states(store, ids)).toEqual([['done', null]]);
    expect(store.get(ids[0]!)!.identityId).toBe('id-0');
  });

  it('permission missing → failed with the Graph code; no such endpoint in this cloud → not possible', async () => {
    const a = setup(['P1'], [{ search: () => graphFailure('permission-missing', { status: 403 }) }]);
    await a.tick();
    expect(a.store.get(a.ids[0]!)!.state).toBe('failed');
    expect(a.store.get(a.ids[0]!)!.errorCode).toMatch(/^GRAPH_|PERMISSION/);
    const b = setup(['N1'], [{ search: () => graphFailure('not-found', { status: 404 }) }]);
    await b.tick();
    expect(states(b.store, b.ids)).toEqual([['unavailable', 'CORP_NOT_IN_CLOUD']]);
    // The technician sees why, in the device's history.
    expect(b.service.getDevice(b.ids[0]!).events.at(-1)!.errorName).toBe('CORP_NOT_IN_CLOUD');
  });

  it('a POST whose answer is lost (maybe applied) is searched before anything is sent again', async () => {
    const lost = Object.assign(graphFailure('network', {}), {});
    (lost as { details?: Record<string, unknown> }).details = { maybeApplied: true };
    const { tick, store, clock, calls, ids } = setup(
      ['L1'],
      [{ search: () => [] }, { import: () => lost }, { search: (q) => [{ id: 'landed', identifier: q[0]! }] }],
    );
    await tick();
    expect(states(store, ids)).toEqual([['sending', null]]);
    clock.advance(60_000);
    await tick();
    expect(states(store, ids)).toEqual([['done', null]]);
    expect(calls).toEqual(['search 1', 'import 1', 'search 1']);
  });

  it('retry queues failed and not-requested devices again, and leaves sending ones alone', async () => {
    const { stage, tick, store, calls, ids } = setup(
      ['R1', 'R2'],
      [
        { search: () => [] },
        { import: () => [false, false] },
        { search: () => [] },
        { search: () => [] },
        { import: () => [true, true] },
      ],
    );
    await tick();
    expect(states(store, ids)).toEqual([
      ['failed', 'CORP_REFUSED'],
      ['failed', 'CORP_REFUSED'],
    ]);
    expect(stage.retry([...ids, 'no-such-device'])).toEqual(ids);
    expect(states(store, ids)).toEqual([
      ['queued', null],
      ['queued', null],
    ]);
    await tick();
    expect(states(store, ids)).toEqual([
      ['done', null],
      ['done', null],
    ]);
    expect(calls.filter((c) => c.startsWith('import'))).toHaveLength(2);
    expect(stage.retry(ids)).toEqual([]);
  });

  it("the technician's Retry on the queue also queues failed corporate identifiers again", async () => {
    const { stage, tick, store, clock, ids, queueStore } = setup(
      ['Q1'],
      [
        { search: () => [] },
        { import: () => [false] },
        { search: () => [] },
        { search: () => [] },
        { import: () => [true] },
      ],
    );
    await tick();
    expect(states(store, ids)).toEqual([['failed', 'CORP_REFUSED']]);
    const service = new QueueService({
      store: queueStore,
      clock,
      logger: silentLogger,
      stationName: 'BENCH',
      waitFor: () => 'registered',
      corporate: store,
      corporateRetry: (x) => stage.retry(x),
    });
    // The Autopilot side is queued (nothing to retry there); the corporate side is.
    expect(service.deviceAction(ids, 'retry')).toEqual({ affected: 1, skipped: [] });
    expect(service.getDevice(ids[0]!).row.corporate!.state).toBe('queued');
    await tick();
    expect(states(store, ids)).toEqual([['done', null]]);
  });

  it('Retry on a station registering Autopilot devices only never adds a corporate identifier nobody asked for; once the target includes them, it does', async () => {
    let target: RegistrationTargets = ['autopilot'];
    const { stage, tick, store, calls, ids, clock, queueStore } = setup(
      ['N1'],
      [{ search: () => [] }, { import: () => [true] }],
      () => target,
    );
    await tick();
    expect(states(store, ids)).toEqual([['not-requested', null]]);
    const service = new QueueService({
      store: queueStore,
      clock,
      logger: silentLogger,
      stationName: 'BENCH',
      waitFor: () => 'registered',
      corporate: store,
      corporateRetry: (x) => stage.retry(x),
    });
    service.deviceAction(ids, 'retry');
    await tick();
    expect(states(store, ids)).toEqual([['not-requested', null]]);
    expect(calls).toEqual([]);
    // The admin changes the target to both: a Retry now adds the identifier of a device captured before.
    target = ['autopilot', 'corporate'];
    await tick();
    expect(stage.retry(ids)).toEqual(ids);
    await tick();
    expect(states(store, ids)).toEqual([['done', null]]);
  });
  it('one pause for the whole worker: Graph throttling an Autopilot call holds the corporate stage too', async () => {
    const { tick, context, clock, calls, store, ids } = setup(['P2'], [{ search: () => [] }, { import: () => [true] }]);
    // Any stage's call through the worker's graph() (here an Autopilot read) answered 429 with Retry-After.
    await context.graph(() => Promise.reject(graphFailure('throttled', { status: 429, retryAfterMs: 60_000 })));
    expect(await tick()).toBeGreaterThanOrEqual(clock.now() + 60_000);
    expect(calls).toEqual([]);
    expect(states(store, ids)).toEqual([['queued', null]]);
    clock.advance(60_000);
    await tick();
    expect(states(store, ids)).toEqual([['done', null]]);
  });
});

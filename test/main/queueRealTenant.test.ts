import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { ImportWorker } from '../../src-main/queue/importWorker.ts';
import { openSqliteQueueStore } from '../../src-main/queue/sqliteQueueStore.ts';
import { deviceInput, FakeAutopilot, ManualClock, networkDown } from './queueFakes.ts';
import { bench, cleanupBenches } from './queueWorkerSupport.ts';

afterEach(cleanupBenches);

/** Serials each imported once: what the fake saw posted, per serial. */
function postsPerSerial(port: FakeAutopilot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of port.log.filter((x) => x.method === 'importBatch'))
    for (const s of l.arg as string[]) out[s] = (out[s] ?? 0) + 1;
  return out;
}

/** Requests to the imported-identities collection, counted as Graph would (one DELETE per record). */
function importedRequests(port: FakeAutopilot): number {
  const deletes = port.log
    .filter((l) => l.method === 'deleteImported')
    .reduce((n, l) => n + (l.arg as string[]).length, 0);
  return port.count('importBatch') + port.count('getImported') + port.count('listImported') + deletes;
}

describe('keys the service gives back (importId is only a hint)', () => {
  it('follows devices by record id when the tenant rewrites importId, and cleans up every record it created', async () => {
    const b = bench();
    b.port.switches.importIdRewritten = true;
    b.port.seedRegistered('NOT-OURS', 'Other');
    const foreign = await b.port.importBatch([
      { serialNumber: 'FOREIGN1', hardwareIdentifier: 'x', importId: 'theirs' },
    ]);
    const { queued } = b.queue.queueDevices(
      ['K1', 'K2', 'K3'].map((s) => deviceInput(s)),
      { groupTag: 'Bench' },
    );
    await b.run(20 * 60_000);
    expect(queued.map(b.state)).toEqual(['registered', 'registered', 'registered']);
    for (const id of queued) expect(b.queue.device(id)!.importedRecordId).toMatch(/^imp-/);
    while (b.store.openBatches().length) {
      await b.worker.tick();
      b.clock.advance(1000);
    }
    // Ours deleted by the ids from the POST answer; the other station's record untouched.
    expect([...b.port.imported.keys()]).toEqual([foreign.value[0]!.id]);
    expect(postsPerSerial(b.port)).toEqual({ FOREIGN1: 1, K1: 1, K2: 1, K3: 1 });
    b.store.close();
  });

  it('polls one GET per record when few wait, one listing when many wait, within 1.2 requests per device to imported', async () => {
    const few = bench({ waitFor: 'imported' });
    few.port.switches.importIdRewritten = true;
    few.queue.queueDevices([deviceInput('ONE1')]);
    await few.run();
    expect(few.port.count('getImported')).toBeGreaterThan(0);
    expect(few.port.count('listImported')).toBe(0);
    few.store.close();

    const many = bench({ waitFor: 'imported', batchSize: 100 });
    many.port.switches.importIdRewritten = true;
    many.queue.queueDevices(Array.from({ length: 300 }, (_, i) => deviceInput(`MANY${i}`)));
    await many.run();
    while (many.store.openBatches().length) {
      await many.worker.tick();
      many.clock.advance(1000);
    }
    expect(many.queue.allDevices().every((d) => d.state === 'imported')).toBe(true);
    expect(many.port.count('getImported')).toBe(0);
    expect(importedRequests(many.port) / 300).toBeLessThanOrEqual(1.2);
    expect(many.port.imported.size).toBe(0);
    many.store.close();
  });
});

describe('one reconciliation path: lost answers and crashes with the POST in flight', () => {
  it('a lost answer is reconciled by serial in the imported list: nothing is sent twice, even with importId rewritten', async () => {
    const b = bench({ waitFor: 'imported' });
    b.port.switches.importIdRewritten = true;
    b.port.lostAnswers = 1;
    const { queued } = b.queue.queueDevices(['L1', 'L2'].map((s) => deviceInput(s)));
    await b.run();
    expect(queued.map(b.state)).toEqual(['imported', 'imported']);
    expect(b.port.count('importBatch')).toBe(1);
    expect(b.worker.stats.reconciled).toBe(1);
    b.store.close();
  });

  it('part of a batch landed: the landed devices are followed, only the provably absent ones are sent again', async () => {
    const b = bench({ waitFor: 'imported' });
    const real = b.port.importBatch.bind(b.port);
    const serialsPerPost: string[][] = [];
    b.port.importBatch = async (devices) => {
      serialsPerPost.push(devices.map((d) => d.serialNumber));
      if (serialsPerPost.length > 1) return real(devices);
      await real(devices.slice(0, 2)); // two records land, then the connection drops
      throw networkDown();
    };
    const { queued } = b.queue.queueDevices(['P1', 'P2', 'P3', 'P4'].map((s) => deviceInput(s)));
    await b.run();
    expect(queued.map(b.state)).toEqual(['imported', 'imported', 'imported', 'imported']);
    expect(serialsPerPost).toEqual([
      ['P1', 'P2', 'P3', 'P4'],
      ['P3', 'P4'],
    ]);
    expect([...b.port.imported.values()].filter((r) => ['P1', 'P2'].includes(r.serialNumber))).toHaveLength(0); // cleaned up
    b.store.close();
  });

  it('a 500 after the service applied the batch: found in the list, not resent, not split', async () => {
    const b = bench({ waitFor: 'imported' });
    b.port.switches.importIdRewritten = true;
    b.port.refuse5xxAfterApply = 1;
    const { queued } = b.queue.queueDevices(['F1', 'F2', 'F3'].map((s) => deviceInput(s)));
    await b.run();
    expect(queued.map(b.state)).toEqual(['imported', 'imported', 'imported']);
    expect(b.port.count('importBatch')).toBe(1);
    expect(b.worker.stats.batchesSplit).toBe(0);
    b.store.close();
  });

  it('a station killed with the POST in flight finds the records by serial after the restart and never sends them again', async () => {
    const clock = new ManualClock();
    const port = new FakeAutopilot(clock);
    port.switches.importIdRewritten = true;
    const first = bench({ clock, port, waitFor: 'registered' });
    const real = port.importBatch.bind(port);
    // The POST reaches the service; the process dies before the answer is written anywhere.
    port.importBatch = async (devices) => {
      await real(devices);
      throw new Error('process killed');
    };
    const { queued } = first.queue.queueDevices(['C1', 'C2', 'C3'].map((s) => deviceInput(s)));
    await first.worker.tick();
    first.store.close();
    port.importBatch = real;

    const second = bench({ clock, port, dir: first.dir });
    await second.run();
    expect(queued.map(second.state)).toEqual(['registered', 'registered', 'registered']);
    expect(postsPerSerial(port)).toEqual({ C1: 1, C2: 1, C3: 1 });
    while (second.store.openBatches().length) {
      await second.worker.tick();
      clock.advance(1000);
    }
    expect(port.imported.size).toBe(0);
    second.store.close();
  });
});

describe('records that cannot be found (resume after a restart)', () => {
  it('a batch whose records vanished is looked up by serial after 3x the processing time and re-sent once, not left waiting to its deadline', async () => {
    const b = bench({ timings: { expectedImportMs: 60_000 } });
    b.port.delays.importMs = 60_000;
    const { queued } = b.queue.queueDevices(['V1', 'V2'].map((s) => deviceInput(s)));
    await b.worker.tick();
    const t0 = b.clock.now();
    b.port.imported.clear(); // the tenant forgot them (a training tenant restarted in memory)
    await b.run();
    expect(queued.map(b.state)).toEqual(['registered', 'registered']);
    expect(postsPerSerial(b.port)).toEqual({ V1: 2, V2: 2 });
    const resent = b.queue
      .getDevice(queued[0]!)
      .events.find((e) => e.toState === 'queued' && e.fromState === 'importing')!;
    expect(resent.message).toMatch(/no record of this import/);
    expect(Date.parse(resent.at) - t0).toBeGreaterThanOrEqual(3 * 60_000);
    expect(Date.parse(resent.at) - t0).toBeLessThan(5 * 60_000); // not the 30-minute deadline
    b.store.close();
  });

  it('a vanished record whose device is registered is resumed without sending it again', async () => {
    const b = bench({ timings: { expectedImportMs: 60_000 } });
    const { queued } = b.queue.queueDevices([deviceInput('RV1')]);
    await b.worker.tick();
    b.port.imported.clear();
    b.port.seedRegistered('RV1', '');
    await b.run();
    expect(b.state(queued[0]!)).toBe('registered');
    expect(b.port.count('importBatch')).toBe(1);
    b.store.close();
  });

  it('fails with a reason when the record vanishes a second time', async () => {
    const b = bench({ timings: { expectedImportMs: 60_000 } });
    const { queued } = b.queue.queueDevices([deviceInput('RV2')]);
    for (let i = 0; i < 200 && !['failed', 'registered'].includes(b.state(queued[0]!)); i++) {
      await b.worker.tick();
      b.port.imported.clear();
      b.clock.advance(10_000);
    }
    expect(b.queue.device(queued[0]!)).toMatchObject({ state: 'failed', errorName: 'ImportRecordLost' });
    expect(b.port.count('importBatch')).toBe(2);
    b.store.close();
  });

  it('checkNow looks at the tenant at once instead of after the grace time', async () => {
    const b = bench();
    const { queued } = b.queue.queueDevices([deviceInput('CN1')]);
    await b.worker.tick();
    b.port.imported.clear();
    b.clock.advance(15_000);
    b.worker.checkNow(queued);
    await b.worker.tick();
    // Looked up by serial right away (default grace: 3 × 2 minutes) and queued to be sent again.
    expect(b.queue.getDevice(queued[0]!).events.some((e) => /no record of this import/.test(e.message))).toBe(true);
    expect(b.port.count('findRegisteredBySerial')).toBe(1);
    b.store.close();
  });

  it('checkNow reads a device waiting for registration at once instead of at its next poll', async () => {
    const b = bench();
    b.port.delays.registrationMs = 3600_000;
    const { queued } = b.queue.queueDevices([deviceInput('CN2')]);
    for (let i = 0; i < 20 && b.state(queued[0]!) !== 'imported'; i++) {
      await b.worker.tick();
      b.clock.advance(10_000);
    }
    for (let i = 0; i < 10; i++) {
      await b.worker.tick();
      b.clock.advance(10_000);
    }
    await b.worker.tick(); // whatever was due is read now: the next read is at least 10 s away
    b.port.registered.get(b.queue.device(queued[0]!)!.deviceRegistrationId!)!.visibleAt = 0; // registered now
    const reads = b.port.count('getRegisteredDevice');
    b.worker.checkNow(queued);
    await b.worker.tick(); // no clock advance: only the check makes it due
    expect(b.port.count('getRegisteredDevice')).toBe(reads + 1);
    expect(b.state(queued[0]!)).toBe('registered');
    b.store.close();
  });
});

describe('batches the service refuses as a whole', () => {
  it('splits a batch larger than the service takes until each part goes through; none is sent unchanged twice', async () => {
    const b = bench({ waitFor: 'imported', batchSize: 10 });
    b.port.switches.importBatchLimit = 3;
    const { queued } = b.queue.queueDevices(Array.from({ length: 10 }, (_, i) => deviceInput(`S${i}`)));
    await b.run();
    expect(queued.map(b.state).every((s) => s === 'imported')).toBe(true);
    const posts = b.port.log.filter((l) => l.method === 'importBatch').map((l) => (l.arg as string[]).join(','));
    expect(new Set(posts).size).toBe(posts.length);
    expect(Object.values(postsPerSerial(b.port)).every((n) => n <= 3)).toBe(true);
    b.store.close();
  });

  it('remembers the largest batch the service took: later batches go at that size without being refused again', async () => {
    const b = bench({ waitFor: 'imported', batchSize: 10 });
    b.port.switches.importBatchLimit = 3;
    b.queue.queueDevices(Array.from({ length: 10 }, (_, i) => deviceInput(`FIRST${i}`)));
    await b.run();
    const splits = b.worker.stats.batchesSplit;
    expect(splits).toBeGreaterThan(0);
    const before = b.port.count('importBatch');
    b.queue.queueDevices(Array.from({ length: 10 }, (_, i) => deviceInput(`LATER${i}`)));
    await b.run();
    expect(b.queue.allDevices().every((d) => d.state === 'imported')).toBe(true);
    expect(b.worker.stats.batchesSplit).toBe(splits);
    expect(
      b.port.log
        .filter((l) => l.method === 'importBatch')
        .slice(before)
        .map((l) => (l.arg as string[]).length),
    ).toEqual([3, 3, 3, 1]);
    b.store.close();
  });

  it("isolates the device the service refuses and fails it with the service's message; the rest go on", async () => {
    const b = bench({ waitFor: 'imported', batchSize: 8 });
    b.port.refusedSerials.add('BAD5');
    const serials = ['G1', 'G2', 'G3', 'G4', 'BAD5', 'G6', 'G7', 'G8'];
    const { queued } = b.queue.queueDevices(serials.map((s) => deviceInput(s)));
    await b.run();
    const bad = b.queue.device(queued[4]!)!;
    expect(bad).toMatchObject({ state: 'failed', errorName: 'GRAPH_BAD_REQUEST' });
    expect(bad.advice).toMatch(/Edm\.Binary/);
    expect(b.queue.getDevice(bad.id).events.at(-1)!.requestIds).toEqual(['refused-400']);
    expect(
      queued
        .filter((_, i) => i !== 4)
        .map(b.state)
        .every((s) => s === 'imported'),
    ).toBe(true);
    // 8 → 4+4 → 2+2 → 1+1: three refusals on the way, never the same batch twice.
    const posts = b.port.log.filter((l) => l.method === 'importBatch').map((l) => (l.arg as string[]).join(','));
    expect(new Set(posts).size).toBe(posts.length);
    expect(b.worker.stats.batchesSplit).toBe(3);
    b.store.close();
  });

  it('a 500 that did not land: split after the list shows nothing, never resent as it was', async () => {
    const b = bench({ waitFor: 'imported' });
    const real = b.port.importBatch.bind(b.port);
    let refused = false;
    b.port.importBatch = async (devices) => {
      if (devices.length > 1 && !refused) {
        refused = true;
        b.port.log.push({ method: 'importBatch', at: b.clock.now(), arg: devices.map((d) => d.serialNumber) });
        throw new (await import('../../src-main/graph/autopilotPort.ts')).GraphFailure({
          code: 'GRAPH_UNAVAILABLE',
          message: 'An internal server error has occurred.',
          kind: 'unavailable',
          transient: true,
          status: 500,
          details: { maybeApplied: true },
        });
      }
      return real(devices);
    };
    const { queued } = b.queue.queueDevices(['H1', 'H2', 'H3', 'H4'].map((s) => deviceInput(s)));
    await b.run();
    expect(queued.map(b.state).every((s) => s === 'imported')).toBe(true);
    const posts = b.port.log.filter((l) => l.method === 'importBatch').map((l) => (l.arg as string[]).join(','));
    expect(posts[0]).toBe('H1,H2,H3,H4');
    expect(posts.slice(1).sort()).toEqual(['H1,H2', 'H3,H4']);
    b.store.close();
  });
});

describe('registration that lags', () => {
  it('an 806 the list does not show yet gets one sync and another look, then its tag fixed and confirmed', async () => {
    const b = bench();
    b.port.switches.listLagsUntilSync = true;
    const regId = b.port.seedRegistered('LAG806', 'OldTag', { lagging: true });
    const { queued } = b.queue.queueDevices([deviceInput('LAG806')], { groupTag: 'NewTag', overrideGroupTag: true });
    await b.run();
    expect(b.queue.device(queued[0]!)).toMatchObject({
      state: 'already-registered',
      errorCode: 806,
      deviceRegistrationId: regId,
    });
    expect(b.queue.device(queued[0]!)!.flags).not.toContain('group-tag-unchecked');
    expect(b.port.registered.get(regId)!.groupTag).toBe('NewTag');
    expect(b.port.syncs).toBeGreaterThanOrEqual(1);
    const firstSync = b.port.log.find((l) => l.method === 'requestSync')!.at;
    const update = b.port.log.find((l) => l.method === 'updateDeviceProperties')!.at;
    expect(update).toBeGreaterThan(firstSync);
    b.store.close();
  });

  it('reports a fixed group tag only once the tenant shows it, then asks for a sync', async () => {
    const b = bench({ timings: { syncIntervalMs: 60_000 } });
    b.port.switches.tagUpdateLagMs = 3 * 60_000;
    const regId = b.port.seedRegistered('TAGLAG', 'OldTag');
    const { queued } = b.queue.queueDevices([deviceInput('TAGLAG')], { groupTag: 'NewTag', overrideGroupTag: true });
    await b.run();
    const d = b.queue.device(queued[0]!)!;
    expect(d).toMatchObject({ state: 'already-registered', deviceRegistrationId: regId });
    const events = b.queue.getDevice(d.id).events;
    const updateAt = b.port.log.find((l) => l.method === 'updateDeviceProperties')!.at;
    expect(Date.parse(events.at(-1)!.at) - updateAt).toBeGreaterThanOrEqual(3 * 60_000);
    expect(events.at(-1)!.message).toContain('group tag changed from "OldTag" to "NewTag"');
    expect(
      b.port.log.filter((l) => l.method === 'requestSync').some((l) => l.at >= Date.parse(events.at(-1)!.at)),
    ).toBe(true);
    b.store.close();
  });

  it('a tag change that never shows ends with a visible "unconfirmed" instead of success', async () => {
    const b = bench({ timings: { tagFixDeadlineMs: 5 * 60_000 } });
    b.port.switches.tagUpdateLagMs = 3600_000;
    b.port.seedRegistered('TAGNEVER', 'OldTag');
    const { queued } = b.queue.queueDevices([deviceInput('TAGNEVER')], { groupTag: 'NewTag', overrideGroupTag: true });
    await b.run();
    const d = b.queue.device(queued[0]!)!;
    expect(d.state).toBe('already-registered');
    expect(d.flags).toContain('group-tag-unconfirmed');
    expect(d.advice).toMatch(/did not show/);
    b.store.close();
  });

  it('808 spelled ZtdDeviceAssignedToAnotherTenant with code 0 is the same hard stop as 808', async () => {
    const b = bench();
    b.port.switches.otherTenantSpelling = true;
    b.port.otherTenant.add('OT808');
    const { queued } = b.queue.queueDevices([deviceInput('OT808'), deviceInput('OK1')]);
    await b.run();
    const d = b.queue.device(queued[0]!)!;
    expect(d).toMatchObject({ state: 'failed', errorCode: 808, errorName: 'ZtdDeviceAssignedToAnotherTenant' });
    expect(d.advice).toMatch(/another organisation/);
    expect(b.state(queued[1]!)).toBe('registered');
    b.store.close();
  });

  it('devices the lagging list does not show are found by GET on their registration id, long before a sync', async () => {
    const b = bench({ batchSize: 100 });
    b.port.switches.listLagsUntilSync = true;
    const { queued } = b.queue.queueDevices(Array.from({ length: 30 }, (_, i) => deviceInput(`RL${i}`)));
    await b.run();
    expect(queued.map(b.state).every((s) => s === 'registered')).toBe(true);
    // Imported at ~20 s, registered at ~80 s: seen within the probe time, not at the 5-minute sync.
    const registeredAt = Math.max(
      ...queued.map((id) => Date.parse(b.queue.getDevice(id).events.find((e) => e.toState === 'registered')!.at)),
    );
    const queuedAt = Date.parse(b.queue.getDevice(queued[0]!).events[0]!.at);
    expect(registeredAt - queuedAt).toBeLessThan(5 * 60_000);
    expect(b.port.syncs).toBe(0);
    b.store.close();
  });
});

describe("the 10-minute sync rule lives in the tenant's queue", () => {
  it('is kept across a restart of the worker (same queue file)', async () => {
    const clock = new ManualClock();
    const port = new FakeAutopilot(clock);
    port.delays.registrationMs = 3600_000;
    const first = bench({ clock, port, timings: { syncAfterMs: 60_000 } });
    first.queue.queueDevices([deviceInput('SY1')]);
    for (let i = 0; i < 20 && port.syncs === 0; i++) {
      await first.worker.tick();
      clock.advance(10_000);
    }
    expect(port.syncs).toBe(1);
    first.store.close();
    const store = openSqliteQueueStore(first.dir);
    const worker = new ImportWorker({
      store,
      port,
      clock,
      logger: silentLogger,
      batchSize: () => 10,
      timings: { syncAfterMs: 60_000 },
    });
    const until = clock.now() + 9 * 60_000;
    while (clock.now() < until) {
      await worker.tick();
      clock.advance(10_000);
    }
    expect(port.syncs).toBe(1);
    store.close();
  });
});

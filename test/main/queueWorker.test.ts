import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceState } from '../../src-main/contract/types.ts';
import { GraphFailure } from '../../src-main/graph/autopilotPort.ts';
import { deviceInput, hashFor, networkDown, throttled } from './queueFakes.ts';
import { bench, cleanupBenches } from './queueWorkerSupport.ts';
import { DEADLINE_RENEWED_MESSAGE } from '../../src-main/queue/worker/deadlines.ts';

afterEach(cleanupBenches);

describe('import worker (fake Graph, fake clock)', () => {
  it('imports a batch, follows it to registered, deletes its own records and keeps the history', async () => {
    const b = bench();
    const { queued } = b.queue.queueDevices(
      ['PF1', 'PF2', 'PF3'].map((s) => deviceInput(s)),
      { groupTag: 'Bench' },
    );
    await b.run();
    expect(queued.map(b.state)).toEqual(['registered', 'registered', 'registered']);
    expect(b.port.count('importBatch')).toBe(1);
    // One read per poll, however many devices (more devices than a listing costs: one listing): four polls over the
    // fake's 20 s of processing.
    expect(b.port.count('listImported') + b.port.count('getImported')).toBeLessThanOrEqual(4);
    expect(b.port.imported.size).toBe(0);
    expect(b.port.log.find((l) => l.method === 'deleteImported')!.arg).toHaveLength(3);
    const detail = b.queue.getDevice(queued[0]!);
    expect(detail.events.map((e) => e.toState)).toEqual(['queued', 'importing', 'importing', 'imported', 'registered']);
    expect(detail.row.deviceRegistrationId).toMatch(/^reg-/);
    const importing = detail.events[1]!;
    expect(importing.importId).toMatch(/^[0-9a-f-]{36}$/);
    expect(detail.events[2]!.requestIds).toHaveLength(1);
    expect(
      b.events.some(
        (e) =>
          e.name === 'queueChanged' && (e.payload as { counts: Record<DeviceState, number> }).counts.registered === 3,
      ),
    ).toBe(true);
    expect(
      b.events.some((e) => e.name === 'attention' && (e.payload as { kind: string }).kind === 'batch-finished'),
    ).toBe(true);
    b.store.close();
  });

  it('follows many devices with one listing per poll instead of one GET each', async () => {
    const b = bench({ waitFor: 'assigned', batchSize: 500 });
    const serials = Array.from({ length: 40 }, (_, i) => `M${i}`);
    b.port.seedRegistered('SOMEONE-ELSES', 'Other');
    const { queued } = b.queue.queueDevices(serials.map((s) => deviceInput(s)));
    await b.run();
    expect(queued.map(b.state).every((s) => s === 'assigned')).toBe(true);
    expect(b.port.count('getRegisteredDevice')).toBe(0);
    const lists = b.port.count('listRegisteredDevices');
    expect(lists).toBeGreaterThan(0);
    // One per poll (about 25 over the fake's three minutes of registration and assignment), not one per device per
    // poll.
    expect(lists).toBeLessThan(30);
    // Records it did not create are never deleted; its own are, each once.
    const deleted = b.port.log.filter((l) => l.method === 'deleteImported').flatMap((l) => l.arg as string[]);
    expect(deleted).toHaveLength(40);
    expect(new Set(deleted).size).toBe(40);
    b.store.close();
  });

  it('keeps following registrations while a large batch is still being cleaned up', async () => {
    const b = bench({ batchSize: 500 });
    const { queued } = b.queue.queueDevices(Array.from({ length: 300 }, (_, i) => deviceInput(`CL${i}`)));
    await b.run();
    expect(queued.map(b.state).every((s) => s === 'registered')).toBe(true);
    while (b.store.openBatches().length) {
      await b.worker.tick();
      b.clock.advance(1000);
    }
    // Deletes go out a slice at a time, and registration checks run between the slices instead of after all of them.
    const deletes = b.port.log.filter((l) => l.method === 'deleteImported');
    expect(deletes.every((l) => (l.arg as string[]).length <= 10)).toBe(true);
    expect(deletes.flatMap((l) => l.arg as string[])).toHaveLength(300);
    const firstDelete = b.port.log.indexOf(deletes[0]!);
    const lastDelete = b.port.log.indexOf(deletes.at(-1)!);
    expect(b.port.log.slice(firstDelete, lastDelete).some((l) => l.method === 'listRegisteredDevices')).toBe(true);
    expect(b.port.imported.size).toBe(0);
    b.store.close();
  });

  it('serves devices of different batches with one listing instead of drifting into one GET each', async () => {
    const b = bench({ batchSize: 500 });
    // Two small batches a few seconds apart: neither alone is worth a listing, together they are.
    const first = b.queue.queueDevices(Array.from({ length: 6 }, (_, i) => deviceInput(`DA${i}`)));
    await b.worker.tick();
    b.clock.advance(3000);
    const second = b.queue.queueDevices(Array.from({ length: 6 }, (_, i) => deviceInput(`DB${i}`)));
    await b.run();
    expect([...first.queued, ...second.queued].map(b.state).every((s) => s === 'registered')).toBe(true);
    expect(b.port.count('importBatch')).toBe(2);
    // Listings while both groups wait; one GET each only for the trailing group once the first is done.
    expect(b.port.count('listRegisteredDevices')).toBeGreaterThan(0);
    expect(b.port.count('getRegisteredDevice')).toBeLessThanOrEqual(6);
    b.store.close();
  });

  it('polls fast then backs off from 10 s to 30 s of service time', async () => {
    const b = bench({ waitFor: 'imported' });
    b.port.delays.importMs = 10 * 60_000;
    b.queue.queueDevices([deviceInput('PF1')]);
    await b.run();
    // The POST's answer is the first look; then one read per poll.
    const reads = b.port.log.filter((l) => l.method === 'getImported' || l.method === 'importBatch').map((l) => l.at);
    const gaps = reads.slice(1).map((t, i) => t - reads[i]!);
    expect(gaps[0]).toBe(10_000);
    expect(gaps[1]).toBe(11_000);
    expect(Math.max(...gaps)).toBe(30_000);
    expect(gaps).toEqual([...gaps].sort((x, y) => x - y));
    b.store.close();
  });

  it('splits the queue into batches of the configured size', async () => {
    const b = bench({ batchSize: 2, waitFor: 'imported' });
    b.queue.queueDevices(['A1', 'A2', 'A3', 'A4', 'A5'].map((s) => deviceInput(s)));
    await b.run();
    const sizes = b.port.log.filter((l) => l.method === 'importBatch').map((l) => (l.arg as string[]).length);
    expect(sizes).toEqual([2, 2, 1]);
    expect(b.queue.allDevices().every((d) => d.state === 'imported')).toBe(true);
    b.store.close();
  });

  it('waits for profile assignment when asked, and says when a device is ready to deploy', async () => {
    const b = bench({ waitFor: 'assigned' });
    const { queued } = b.queue.queueDevices([deviceInput('PF1')]);
    await b.run();
    expect(b.state(queued[0]!)).toBe('assigned');
    expect(b.queue.device(queued[0]!)!.profileStatus).toBe('assignedInSync');
    expect(b.queue.getDevice(queued[0]!).events.map((e) => e.toState)).toEqual([
      'queued',
      'importing',
      'importing',
      'imported',
      'registered',
      'assigned',
    ]);
    b.store.close();
  });

  it('treats 806 as success after fixing the group tag of the registered device', async () => {
    const b = bench();
    const regId = b.port.seedRegistered('PF806', 'OldTag');
    // The technician asked for this tag on every device: only then may an 806 change a registered device's tag.
    const { queued } = b.queue.queueDevices([deviceInput('PF806')], { groupTag: 'NewTag', overrideGroupTag: true });
    await b.run();
    const d = b.queue.device(queued[0]!)!;
    expect(d).toMatchObject({ state: 'already-registered', errorCode: 806, deviceRegistrationId: regId });
    expect(b.port.registered.get(regId)!.groupTag).toBe('NewTag');
    expect(b.port.log.filter((l) => l.method === 'updateDeviceProperties').map((l) => l.arg)).toEqual([
      { id: regId, groupTag: 'NewTag' },
    ]);
    const messages = b.queue.getDevice(d.id).events.map((e) => e.message);
    expect(messages.some((m) => m.includes('"OldTag" to "NewTag"'))).toBe(true);
    // Reported fixed once the tenant shows the tag, not when updateDeviceProperties answered.
    expect(messages.at(-1)).toContain('group tag changed from "OldTag" to "NewTag"');
    expect(d.errorName).toBe('GROUP_TAG_CHANGED');
    b.store.close();
  });

  it('does not touch a registered device whose tag is already right', async () => {
    const b = bench();
    b.port.seedRegistered('PF806', 'Bench');
    const { queued } = b.queue.queueDevices([deviceInput('PF806')], { groupTag: 'Bench' });
    await b.run();
    expect(b.state(queued[0]!)).toBe('already-registered');
    expect(b.port.count('updateDeviceProperties')).toBe(0);
    b.store.close();
  });

  it('stops hard on 808 with the code, the name and advice, and keeps the others going', async () => {
    const b = bench();
    b.port.otherTenant.add('PF808');
    const { queued } = b.queue.queueDevices([deviceInput('PF808'), deviceInput('PF1')]);
    await b.run();
    expect(b.queue.device(queued[0]!)).toMatchObject({
      state: 'failed',
      errorCode: 808,
      errorName: 'ZtdDeviceAssignedToOtherTenant',
    });
    expect(b.queue.device(queued[0]!)!.advice).toMatch(/another organisation/);
    expect(b.state(queued[1]!)).toBe('registered');
    expect(
      b.events.some(
        (e) => e.name === 'attention' && (e.payload as { deviceIds: string[] }).deviceIds.includes(queued[0]!),
      ),
    ).toBe(true);
    b.store.close();
  });

  it('retries a StorageError record in a new batch, and keeps unknown codes visible', async () => {
    const b = bench({ waitFor: 'imported' });
    b.port.recordErrors.set('PFS', { code: 0, name: 'StorageError' });
    b.port.recordErrors.set('PFX', { code: 899, name: 'SomethingNew' });
    const { queued } = b.queue.queueDevices([deviceInput('PFS'), deviceInput('PFX')]);
    await b.run();
    // Retried a bounded number of times, then failed with the advice to retry later.
    expect(b.queue.device(queued[0]!)).toMatchObject({ state: 'failed', errorName: 'StorageError' });
    expect(b.port.count('importBatch')).toBe(4);
    b.port.recordErrors.delete('PFS'); // the storage problem passes
    expect(b.queue.deviceAction([queued[0]!], 'retry')).toMatchObject({ affected: 1 });
    await b.run();
    expect(b.state(queued[0]!)).toBe('imported');
    expect(b.queue.device(queued[1]!)).toMatchObject({ state: 'failed', errorCode: 899, errorName: 'SomethingNew' });
    expect(b.queue.device(queued[1]!)!.advice).toContain('899');
    b.store.close();
  });

  it('keeps devices queued (not importing) while it cannot sign in, says why, lets them be removed, and sends them once it can', async () => {
    const b = bench();
    let signedIn = false;
    b.port.readyToImport = async () => {
      if (!signedIn)
        throw new GraphFailure({
          code: 'GRAPH_SIGN_IN_EXPIRED',
          message: 'The sign-in has expired.',
          kind: 'sign-in-expired',
          transient: false,
        });
    };
    const { queued } = b.queue.queueDevices(
      ['H1', 'H2', 'H3'].map((s) => deviceInput(s)),
      { groupTag: 'Bench' },
    );
    for (let i = 0; i < 4; i++) {
      const next = await b.worker.tick();
      // Held, not spinning: the next look is at least 10 s of service time away.
      expect(next - b.clock.now()).toBeGreaterThanOrEqual(10_000);
      b.clock.advance(next - b.clock.now());
    }
    expect(queued.map(b.state)).toEqual(['queued', 'queued', 'queued']);
    expect(b.queue.device(queued[0]!)).toMatchObject({ errorName: 'GRAPH_SIGN_IN_EXPIRED' });
    expect(b.port.count('importBatch')).toBe(0);
    const attention = b.events
      .filter((e) => e.name === 'attention')
      .map((e) => e.payload as { deviceIds: string[]; errorName?: string });
    expect(attention.at(-1)).toMatchObject({
      deviceIds: expect.arrayContaining(queued),
      errorName: 'GRAPH_SIGN_IN_EXPIRED',
    });
    // A queued device can be removed: nothing was sent.
    expect(b.queue.deviceAction([queued[2]!], 'remove').affected).toBe(1);
    signedIn = true;
    b.worker.resumeHeld();
    await b.run();
    expect(queued.slice(0, 2).map(b.state)).toEqual(['registered', 'registered']);
    expect(b.queue.device(queued[0]!)!.errorName).toBeUndefined();
    expect(b.port.count('importBatch')).toBe(1);
  });

  it('a failed tenant check holds devices with the failing step\'s own reason (not just "the check failed")', async () => {
    const b = bench();
    b.port.readyToImport = async () => {
      throw new GraphFailure({
        code: 'CHECK_FAILED',
        message: 'The connection check failed.',
        params: { check: 'authority', code: 'AUTH_NETWORK' },
        kind: 'unknown',
        transient: false,
      });
    };
    const { queued } = b.queue.queueDevices([deviceInput('K1')], { groupTag: 'Bench' });
    await b.worker.tick();
    expect(b.queue.device(queued[0]!)).toMatchObject({ state: 'queued', errorName: 'AUTH_NETWORK' });
    const attention = b.events.filter((e) => e.name === 'attention').at(-1)!.payload as {
      errorName?: string;
      waiting?: boolean;
    };
    expect(attention).toMatchObject({ errorName: 'AUTH_NETWORK', waiting: true });
  });

  it('waits out a throttling storm, honouring Retry-After, without losing anything', async () => {
    const b = bench({ waitFor: 'imported' });
    b.port.fail('importBatch', throttled(30_000), 3);
    b.port.fail('listImported', throttled(20_000), 4);
    const { queued } = b.queue.queueDevices(['T1', 'T2'].map((s) => deviceInput(s)));
    const t0 = b.clock.now();
    await b.run();
    expect(queued.map(b.state)).toEqual(['imported', 'imported']);
    // Each 429 pauses every request for its Retry-After.
    const posts = b.port.log.filter((l) => l.method === 'importBatch').map((l) => l.at - t0);
    expect(
      posts
        .slice(1)
        .map((t, i) => t - posts[i]!)
        .every((g) => g >= 30_000),
    ).toBe(true);
    // Each retry after the first failed POST looked up the importId first: still exactly one import landed.
    expect(
      [...b.port.imported.values()].length +
        b.port.log.filter((l) => l.method === 'deleteImported').flatMap((l) => l.arg as string[]).length,
    ).toBe(2);
    expect(b.worker.stats.throttled).toBe(7);
    b.store.close();
  });

  it('never imports twice when the answer to the POST is lost after Graph applied it', async () => {
    const b = bench({ waitFor: 'imported' });
    const real = b.port.importBatch.bind(b.port);
    let lost = false;
    b.port.importBatch = async (devices) => {
      const r = await real(devices);
      if (!lost) {
        lost = true;
        throw networkDown();
      }
      return r;
    };
    const { queued } = b.queue.queueDevices([deviceInput('L1')]);
    await b.run();
    expect(b.state(queued[0]!)).toBe('imported');
    expect(b.port.count('importBatch')).toBe(1);
    b.store.close();
  });

  it('fails a batch Graph refuses as a bad request, with the request id kept', async () => {
    const b = bench();
    b.port.fail(
      'importBatch',
      new GraphFailure({
        code: 'GRAPH_BAD_REQUEST',
        message: 'Graph refused the request.',
        action: 'Capture again.',
        kind: 'bad-request',
        transient: false,
        status: 400,
        requestId: 'rq-400',
      }),
    );
    const { queued } = b.queue.queueDevices([deviceInput('B1')]);
    await b.run();
    expect(b.queue.device(queued[0]!)).toMatchObject({
      state: 'failed',
      errorName: 'GRAPH_BAD_REQUEST',
      advice: 'Capture again.',
    });
    expect(b.queue.getDevice(queued[0]!).events.at(-1)!.requestIds).toEqual(['rq-400']);
    b.store.close();
  });

  it('times out with the last known state when registration never comes, after one sync', async () => {
    const b = bench({ timings: { registrationDeadlineMs: 30 * 60_000 } });
    b.port.delays.registrationMs = 10 * 3600_000;
    const { queued } = b.queue.queueDevices([deviceInput('SLOW1')]);
    await b.run();
    const d = b.queue.device(queued[0]!)!;
    expect(d).toMatchObject({ state: 'timed-out', lastKnownState: 'imported' });
    const row = b.queue.listQueue({ offset: 0, limit: 1 }).rows[0]!;
    expect(row).toMatchObject({ state: 'timed-out', lastKnownState: 'imported' });
    expect(row.deadline).toBeUndefined();
    // Registration lagged for 30 minutes: at most one sync per 10 minutes, at least one asked.
    expect(b.port.syncs).toBeGreaterThanOrEqual(1);
    const syncAt = b.port.log.filter((l) => l.method === 'requestSync').map((l) => l.at);
    expect(syncAt.slice(1).every((t, i) => t - syncAt[i]! >= 10 * 60_000)).toBe(true);
    // Retry resumes waiting instead of importing again.
    b.port.registered.get(d.deviceRegistrationId!)!.visibleAt = 0;
    expect(b.queue.deviceAction([d.id], 'retry')).toMatchObject({ affected: 1 });
    expect(b.state(d.id)).toBe('imported');
    await b.run();
    expect(b.state(d.id)).toBe('registered');
    expect(b.port.count('importBatch')).toBe(1);
    b.store.close();
  });

  it('shows a visible deadline on a device while it is in a stage', async () => {
    const b = bench();
    b.port.delays.importMs = 3600_000;
    const { queued } = b.queue.queueDevices([deviceInput('D1')]);
    await b.worker.tick();
    const row = b.queue.listQueue({ offset: 0, limit: 1 }).rows[0]!;
    expect(row.state).toBe('importing');
    expect(Date.parse(row.deadline!) - b.clock.now()).toBe(30 * 60_000);
    await b.run();
    expect(b.queue.device(queued[0]!)).toMatchObject({ state: 'timed-out', lastKnownState: 'importing' });
    b.store.close();
  });

  it('a deadline that passed while the station was closed is renewed on restart, after the tenant is asked', async () => {
    const first = bench({ waitFor: 'imported' });
    first.port.delays.importMs = 2 * 3600_000 + 10 * 60_000;
    const { queued } = first.queue.queueDevices([deviceInput('SHUT1')]);
    await first.worker.tick();
    expect(first.state(queued[0]!)).toBe('importing');
    first.store.close();
    // The bench is switched off for two hours: the 30-minute import deadline passes while nobody watches.
    first.clock.advance(2 * 3600_000);
    const b = bench({ waitFor: 'imported', dir: first.dir, clock: first.clock, port: first.port });
    await b.worker.tick();
    const d = b.queue.device(queued[0]!)!;
    expect(d.state).toBe('importing');
    expect(d.deadline).toBe(b.clock.now() + 30 * 60_000);
    expect(b.queue.getDevice(d.id).events.at(-1)!.message).toBe(DEADLINE_RENEWED_MESSAGE);
    // The tenant finishes 10 minutes later, inside the renewed deadline: imported, sent once.
    await b.run();
    expect(b.state(d.id)).toBe('imported');
    expect(b.port.count('importBatch')).toBe(1);
    b.store.close();
  });

  it('a deadline that passes while the station runs still times the device out', async () => {
    const b = bench({ waitFor: 'imported' });
    b.port.delays.importMs = 3 * 3600_000;
    const { queued } = b.queue.queueDevices([deviceInput('RUN1')]);
    await b.worker.tick();
    b.clock.advance(31 * 60_000);
    await b.worker.tick();
    expect(b.queue.device(queued[0]!)).toMatchObject({ state: 'timed-out', lastKnownState: 'importing' });
    b.store.close();
  });

  it('takes a late answer after an import timeout and still cleans up the record', async () => {
    const b = bench({ waitFor: 'imported' });
    b.port.delays.importMs = 40 * 60_000;
    const { queued } = b.queue.queueDevices([deviceInput('LATE1')]);
    for (let i = 0; i < 400 && b.state(queued[0]!) !== 'timed-out'; i++) {
      await b.worker.tick();
      b.clock.advance(30_000);
    }
    expect(b.queue.device(queued[0]!)).toMatchObject({
      state: 'timed-out',
      lastKnownState: 'importing',
      errorName: 'Timeout',
    });
    for (let i = 0; i < 400 && b.store.openBatches().length; i++) {
      await b.worker.tick();
      b.clock.advance(30_000);
    }
    const d = b.queue.device(queued[0]!)!;
    expect(d.state).toBe('imported');
    expect(d.lastKnownState).toBeUndefined();
    expect(d.errorName).toBeUndefined();
    expect(b.port.imported.size).toBe(0);
    expect(b.port.count('importBatch')).toBe(1);
    b.store.close();
  });
});

describe('queue rules', () => {
  it('keeps the same serial and hash captured twice as one device and records the second capture', async () => {
    const b = bench();
    const first = b.queue.queueDevices([deviceInput('DUP1'), deviceInput('DUP1')]);
    expect(first.queued).toHaveLength(1);
    expect(first.duplicates).toEqual(first.queued);
    const again = b.queue.queueDevices([{ ...deviceInput('dup1'), hardwareHash: hashFor('DUP1') }]);
    expect(again.duplicates).toEqual(first.queued);
    expect(
      b.queue.getDevice(first.queued[0]!).events.filter((e) => e.message.startsWith('Captured again')),
    ).toHaveLength(2);
    await b.run();
    expect(b.port.count('importBatch')).toBe(1);
    expect(b.port.log[0]!.arg).toEqual(['DUP1']);
    b.store.close();
  });

  it('flags the same serial with a different hash for the technician and does not import it', async () => {
    const b = bench({ waitFor: 'imported' });
    const first = b.queue.queueDevices([deviceInput('SN1')]);
    const other = b.queue.queueDevices([deviceInput('SN1', { hardwareHash: hashFor('SN1', 'Fabrikam') })]);
    expect(other.flagged).toHaveLength(1);
    const flagged = b.queue.device(other.flagged![0]!)!;
    expect(flagged).toMatchObject({ state: 'captured', flags: ['different-hash'] });
    expect(b.queue.device(first.queued[0]!)!.flags).toEqual(['different-hash']);
    await b.run();
    expect(b.port.count('importBatch')).toBe(1);
    expect(b.state(flagged.id)).toBe('captured');
    b.store.close();
  });

  it('a new capture replaces what could not be imported (a refused row, an invalid capture): queued, not parked', async () => {
    const b = bench({ waitFor: 'imported' });
    const refusedRow = b.queue.queueDevices([], {
      refused: [
        {
          source: { kind: 'file', path: 'bench.csv', line: 2 },
          code: 'CSV_GROUP_TAG_INVALID',
          message: 'Line 2: the group tag "=HQ" cannot start with =.',
          serialNumber: 'FIX1',
        },
      ],
    });
    const invalid = b.queue.queueDevices([deviceInput('FIX2', { hardwareHash: 'bm90IGEgaGFzaA==' })]);
    expect([refusedRow.refused, invalid.invalid].map((x) => x?.length)).toEqual([1, 1]);
    // The technician fixed the file and captured the hash again, as the advice says.
    const fixed = b.queue.queueDevices([deviceInput('FIX1'), deviceInput('FIX2')]);
    expect(fixed.flagged).toEqual([]);
    expect(fixed.queued).toHaveLength(2);
    for (const id of [...refusedRow.refused!, ...invalid.invalid])
      expect(b.queue.device(id)!.flags).not.toContain('different-hash');
    await b.run();
    expect(fixed.queued.map((id) => b.state(id))).toEqual(['imported', 'imported']);
    // Intune refused a hash (802): the hash captured again is sent; a plain second hash still waits for the technician.
    b.port.recordErrors.set('FIX3', { code: 802, name: 'ZtdDeviceHashMissingManufacturer' });
    const refused802 = b.queue.queueDevices([deviceInput('FIX3')]).queued[0]!;
    await b.run();
    expect(b.queue.device(refused802)).toMatchObject({ state: 'failed', errorCode: 802 });
    b.port.recordErrors.delete('FIX3');
    const recaptured = b.queue.queueDevices([deviceInput('FIX3', { hardwareHash: hashFor('FIX3', 'Fabrikam') })]);
    expect(recaptured).toMatchObject({ flagged: [], queued: [expect.any(String)] });
    const rival = b.queue.queueDevices([deviceInput('FIX1', { hardwareHash: hashFor('FIX1', 'Fabrikam') })]);
    expect(rival.flagged).toHaveLength(1);
    b.store.close();
  });

  it('queues invalid devices as invalid with findings and advice, never dropping them', () => {
    const b = bench();
    const r = b.queue.queueDevices([
      deviceInput('PF1', { hardwareHash: 'bm90IGEgaGFzaA==' }),
      deviceInput('Default string', { hardwareHash: hashFor('Default string') }),
    ]);
    expect(r.invalid).toHaveLength(2);
    for (const id of r.invalid) {
      const d = b.queue.getDevice(id);
      expect(d.row.state).toBe('invalid');
      expect(d.row.advice).toBeTruthy();
      expect(d.row.errorName).toMatch(/^[A-Z_]+$/);
      expect(d.findings!.some((f) => f.severity === 'error' && f.code === d.row.errorName)).toBe(true);
    }
    expect(b.queue.deviceAction(r.invalid, 'retry')).toMatchObject({ affected: 0 });
    b.store.close();
  });

  it('edits group tags in the queue before import and in Intune after registration', async () => {
    const b = bench();
    const { queued } = b.queue.queueDevices([deviceInput('E1'), deviceInput('E2')], { groupTag: 'A' });
    expect(await b.queue.editDevices([queued[0]!], { groupTag: 'B' })).toMatchObject({ affected: 1 });
    expect(b.port.count('updateDeviceProperties')).toBe(0);
    await b.run();
    expect((b.port.log.find((l) => l.method === 'importBatch')!.arg as string[]).length).toBe(2);
    const regOf = (id: string) => b.port.registered.get(b.queue.device(id)!.deviceRegistrationId!)!;
    expect(regOf(queued[0]!).groupTag).toBe('B');
    expect(await b.queue.editDevices(queued, { groupTag: 'C', assignedUser: 'tech@contoso.com' })).toMatchObject({
      affected: 2,
    });
    expect(queued.map((id) => regOf(id).groupTag)).toEqual(['C', 'C']);
    expect(regOf(queued[1]!).userPrincipalName).toBe('tech@contoso.com');
    const last = b.queue.getDevice(queued[1]!).events.at(-1)!;
    expect(last.message).toContain('in Intune');
    expect(last.requestIds).toHaveLength(1);
    b.store.close();
  });

  it("removes, retries and re-registers on the technician's word", async () => {
    const b = bench({ waitFor: 'imported' });
    b.port.otherTenant.add('R808');
    const { queued } = b.queue.queueDevices(['R1', 'R808', 'R3'].map((s) => deviceInput(s)));
    await b.run();
    expect(queued.map(b.state)).toEqual(['imported', 'failed', 'imported']);
    expect(b.queue.deviceAction([queued[2]!], 'remove')).toMatchObject({ affected: 1 });
    expect(b.queue.listQueue({ offset: 0, limit: 10 }).total).toBe(2);
    expect(b.queue.device(queued[2]!)).toBeUndefined();
    b.port.otherTenant.delete('R808'); // the reseller released it
    // Retry cannot help an 808 (another tenant owns it) and says so; Register again sends it on purpose.
    expect(b.queue.deviceAction([queued[1]!], 'retry')).toMatchObject({
      affected: 0,
      skipped: [{ code: 'RETRY_OWNED_ELSEWHERE' }],
    });
    expect(b.queue.deviceAction([queued[1]!], 'reregister')).toMatchObject({ affected: 1 });
    expect(b.queue.deviceAction([queued[0]!], 'reregister')).toMatchObject({ affected: 1 });
    await b.run();
    expect(b.state(queued[1]!)).toBe('imported');
    // Registering again a device that is registered here ends as 806, reconciled.
    expect(b.queue.device(queued[0]!)).toMatchObject({ state: 'already-registered', errorCode: 806 });
    expect(b.port.count('importBatch')).toBe(2);
    b.store.close();
  });
});

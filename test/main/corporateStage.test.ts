import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import type { Station } from '../../src-main/app/createStation.ts';
import type { RegistrationTargets } from '../../src-main/contract/types.ts';
import { customCloud } from '../../src-main/graph/clouds.ts';
import { CorporateIdentitiesGraph } from '../../src-main/graph/corporateIdentities.ts';
import type { CorporateIdentityPort } from '../../src-main/graph/corporateIdentityPort.ts';
import { GraphClient } from '../../src-main/graph/graphClient.ts';
import { createNodeNetwork } from '../../src-main/net/nodeNetwork.ts';
import { CORPORATE_FINAL, type CorporateState } from '../../src-main/queue/corporateStore.ts';
import { isSettled } from '../../src-main/queue/queueStore.ts';
import { openSqliteCorporateStore, type SqliteCorporateStore } from '../../src-main/queue/sqliteCorporateStore.ts';
import type { SqliteQueueStore } from '../../src-main/queue/sqliteQueueStore.ts';
import { corporateModelOf } from '../../src-main/sim/CorporateIdentityModel.ts';
import type { SimTenant } from '../../src-main/sim/startSimulatedTenant.ts';
import { hashFor } from './queueFakes.ts';
import { startSim, stationOn, tmpDir, trainingOf } from './queueSimSupport.ts';
import { createStation } from '../../src-main/app/createStation.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { corporateStageOn } from './corporateStageSupport.ts';

/**
 * The corporate identifier stage end to end: a station (real queue, worker, msal-node sign-in) and
 * the stage over the real Graph client, both against the simulated tenant over HTTPS; the tenant's
 * own records and request log do the counting.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const RW = 'DeviceManagementServiceConfig.ReadWrite.All';
const dev = (serialNumber: string, hardwareHash = hashFor(serialNumber, 'Contoso', 'Bench 1')) => ({
  serialNumber,
  hardwareHash,
  source: { kind: 'file' as const, path: 'bench.csv' },
});

/**
 * worker false: the station keeps devices without running its own worker and stage (a test drives a stage of its own).
 */
async function bench(o: { worker?: boolean } = {}) {
  const sim = await startSim({ timeScale: 200 });
  cleanups.push(() => sim.stop());
  const dir = tmpDir('corp-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const station =
    o.worker === false
      ? createStation({
          host: 'browser',
          dataDir: dir,
          logger: silentLogger,
          clock: sim.clock,
          serialPort: { readSerials: async () => ({ system: 'SIMBENCH1' }) },
          startTraining: async () => ({ ...trainingOf(sim), close: async () => {} }),
          queue: { worker: false },
        })
      : stationOn(sim, dir);
  cleanups.push(() => station.close());
  const network = createNodeNetwork({ extraCa: [sim.caCertPem], direct: true });
  cleanups.push(() => network.close());
  const token = sim.issueAccessToken('app', [RW]);
  const graph = new GraphClient({
    cloud: customCloud(sim.graphUrl, sim.authorityHost),
    apiVersion: 'v1.0',
    tokens: { getAccessToken: async () => token },
    clock: sim.clock,
    logger: silentLogger,
    fetch: network.fetch,
    retry: { maxAttempts: 2 },
  });
  return { sim, station, graph, port: new CorporateIdentitiesGraph(graph) };
}

function openStore(station: Station): SqliteCorporateStore {
  const store = openSqliteCorporateStore((station.queue().store as SqliteQueueStore).file);
  cleanups.push(() => store.close());
  return store;
}

/** The corporate stage in a worker context of its own over the station's queue (a process of its own). */
function stageOn(
  sim: SimTenant,
  station: Station,
  store: SqliteCorporateStore,
  port: CorporateIdentityPort,
  targets: RegistrationTargets = ['autopilot', 'corporate'],
) {
  return corporateStageOn({
    queueStore: station.queue().store,
    store,
    port,
    clock: sim.clock,
    targets: () => targets,
    batchSize: 100,
  });
}

/** A stage driven tick by tick (the crash tests' stand-in for a process that stops anywhere). */
async function runUntilFinal(
  sim: SimTenant,
  stage: { tick(): Promise<number> },
  store: SqliteCorporateStore,
  ids: string[],
  limitMs = 30_000,
) {
  const end = Date.now() + limitMs;
  for (;;) {
    const next = await stage.tick();
    const states = ids.map((id) => store.get(id)?.state);
    if (states.every((s) => s && CORPORATE_FINAL.includes(s))) return;
    if (Date.now() > end) throw new Error(`not final: ${JSON.stringify(states)}`);
    await sim.clock.sleep(Math.max(1, Math.min(next - sim.clock.now(), 5_000)));
  }
}

const corporateOf = (store: SqliteCorporateStore, station: Station) =>
  Object.fromEntries(
    station
      .queue()
      .service.allDevices()
      .map((d) => [d.serialNumber, store.get(d.id)!.state as CorporateState]),
  );
const postsOf = (sim: SimTenant) => corporateModelOf(sim.model, sim.clock).postsPerIdentifier;

describe('corporate identifier stage against the simulated tenant', () => {
  it('both: one capture reaches both registrations through the station itself; already-present and missing values end in their own states', async () => {
    const { sim, station } = await bench();
    corporateModelOf(sim.model, sim.clock).seed('Contoso,Bench 1,PRESENT1');
    const noModel = encodeHardwareHash({ serialNumber: 'NOMODEL1', manufacturer: 'Contoso' });
    // The setting, then the technician's queueing: the station's own stage (queueRuntime) does the rest.
    await station.handlers.updateSettings({ patch: { registrationTargets: ['autopilot', 'corporate'] } });
    await station.handlers.queueDevices({
      devices: [dev('CORP1'), dev('CORP2'), dev('CORP3'), dev('PRESENT1'), dev('NOMODEL1', noModel)],
      groupTag: 'Sales',
    });
    const store = station.queue().corporate!.store;
    const ids = station
      .queue()
      .service.allDevices()
      .map((d) => d.id);
    const end = Date.now() + 30_000;
    while (!ids.every((id) => CORPORATE_FINAL.includes(store.get(id)?.state ?? 'queued'))) {
      if (Date.now() > end) throw new Error(`not final: ${JSON.stringify(ids.map((id) => store.get(id)?.state))}`);
      await new Promise((r) => setTimeout(r, 20));
    }

    expect(corporateOf(store, station)).toEqual({
      CORP1: 'done',
      CORP2: 'done',
      CORP3: 'done',
      PRESENT1: 'already-present',
      NOMODEL1: 'unavailable',
    });
    const noModelId = station
      .queue()
      .service.allDevices()
      .find((d) => d.serialNumber === 'NOMODEL1')!.id;
    expect(store.get(noModelId)).toMatchObject({ errorCode: 'CORP_MISSING_VALUES', params: { missing: 'model' } });
    // The firmware's strings, in Intune, with the station and group tag in the description.
    const tenant = corporateModelOf(sim.model, sim.clock).list();
    expect(tenant.find((r) => r.importedDeviceIdentifier === 'Contoso;Bench 1;CORP1')).toMatchObject({
      platform: 'windows',
      importedDeviceIdentityType: 'manufacturerModelSerial',
      description: expect.stringContaining('group tag Sales'),
    });
    // One search and one import for the whole batch; nothing posted twice; the present one never posted.
    expect(sim.requestLog.count({ method: 'POST', pathContains: 'importDeviceIdentityList' })).toBe(1);
    expect(sim.requestLog.count({ method: 'POST', pathContains: 'searchExistingIdentities' })).toBe(1);
    expect([...postsOf(sim).values()].every((n) => n === 1)).toBe(true);
    // Present with commas (an admin's file): still the same device, found by its three parts, never posted.
    expect(postsOf(sim).has('Contoso,Bench 1,PRESENT1') || postsOf(sim).has('Contoso;Bench 1;PRESENT1')).toBe(false);
    // Request ids on the device and in its history, each one the tenant's.
    const corp1 = station
      .queue()
      .service.allDevices()
      .find((d) => d.serialNumber === 'CORP1')!;
    const kept = store.get(corp1.id)!.requestIds;
    expect(kept).toHaveLength(2);
    for (const id of kept) expect(sim.requestLog.entries.some((e) => e.requestId === id)).toBe(true);
    expect(
      station
        .queue()
        .service.getDevice(corp1.id)
        .events.map((e) => e.message),
    ).toContain('Corporate identifier added');
    // The queue's rows (what the screens, the report and diagnostics read) carry the corporate registration.
    const page = await station.handlers.listQueue({ offset: 0, limit: 10 });
    expect(page.rows.find((r) => r.serialNumber === 'CORP1')!.corporate).toEqual({
      state: 'done',
      identifier: 'Contoso;Bench 1;CORP1',
      requestIds: kept,
    });
    expect((await station.handlers.getDevice({ id: noModelId })).row.corporate).toMatchObject({
      state: 'unavailable',
      errorCode: 'CORP_MISSING_VALUES',
    });
    const report = (await station.handlers.exportQueue({ format: 'report' }))[0]!.content;
    expect(report).toMatch(/CORP1,.*,done,"?Contoso;Bench 1;CORP1"?,,/);
    // The Autopilot path went on beside it, untouched.
    const settledBy = Date.now() + 30_000;
    while (
      !station
        .queue()
        .service.allDevices()
        .every((d) => isSettled(d)) &&
      Date.now() < settledBy
    )
      await new Promise((r) => setTimeout(r, 20));
    expect(
      new Set(
        station
          .queue()
          .service.allDevices()
          .map((d) => d.state),
      ),
    ).toEqual(new Set(['registered']));
    expect(sim.requestLog.entries.filter((e) => e.csdlIssues)).toEqual([]);
  });

  it('a crash after the POST landed: the next start finds the identifiers by search and posts nothing again', async () => {
    const { sim, station, port } = await bench({ worker: false });
    await station.handlers.queueDevices({ devices: [dev('CRASH1'), dev('CRASH2')], groupTag: 'Lab' });
    const ids = station
      .queue()
      .service.allDevices()
      .map((d) => d.id);
    const store1 = openSqliteCorporateStore((station.queue().store as SqliteQueueStore).file);
    // The process dies right after the POST reached Intune, before the answer is written: the stage
    // never runs another line (its tick never returns) and its connection goes away.
    let landed!: () => void;
    const posted = new Promise<void>((r) => (landed = r));
    const dying: CorporateIdentityPort = {
      searchExisting: (i) => port.searchExisting(i),
      importIdentities: async (items) => {
        await port.importIdentities(items);
        landed();
        return new Promise(() => {});
      },
    };
    void stageOn(sim, station, store1, dying).tick();
    await posted;
    expect(ids.map((id) => store1.get(id)!.state)).toEqual(['sending', 'sending']);
    store1.close();

    const store2 = openStore(station); // a new process: a new connection, a new stage
    await runUntilFinal(sim, stageOn(sim, station, store2, port), store2, ids);
    expect(ids.map((id) => store2.get(id)!.state)).toEqual(['done', 'done']);
    expect(sim.requestLog.count({ method: 'POST', pathContains: 'importDeviceIdentityList' })).toBe(1);
    expect([...postsOf(sim).values()]).toEqual([1, 1]);
  });

  it('a crash before the POST left: not found by search, sent exactly once', async () => {
    const { sim, station, port } = await bench({ worker: false });
    await station.handlers.queueDevices({ devices: [dev('EARLY1')], groupTag: 'Lab' });
    const ids = station
      .queue()
      .service.allDevices()
      .map((d) => d.id);
    const store1 = openSqliteCorporateStore((station.queue().store as SqliteQueueStore).file);
    // Killed as the POST was about to leave: nothing after the durable 'sending' write runs.
    let reached!: () => void;
    const atPost = new Promise<void>((r) => (reached = r));
    const dying: CorporateIdentityPort = {
      searchExisting: (i) => port.searchExisting(i),
      importIdentities: () => {
        reached();
        return new Promise(() => {});
      },
    };
    void stageOn(sim, station, store1, dying).tick();
    await atPost;
    expect(store1.get(ids[0]!)!.state).toBe('sending');
    store1.close();
    const store2 = openStore(station);
    await runUntilFinal(sim, stageOn(sim, station, store2, port), store2, ids);
    expect(store2.get(ids[0]!)!.state).toBe('done');
    expect([...postsOf(sim).values()]).toEqual([1]);
  });

  it('a lost answer (Intune stored it, the connection dropped) and 503s: retried, searched first, never posted twice', async () => {
    const { sim, station, port } = await bench({ worker: false });
    sim.injectFault({ kind: 'drop-answer', pathContains: 'importDeviceIdentityList', count: 1 });
    sim.injectFault({ kind: '503', pathContains: 'searchExistingIdentities', count: 3 });
    await station.handlers.queueDevices({ devices: [dev('LOST1'), dev('LOST2')], groupTag: 'Lab' });
    const store = openStore(station);
    const ids = station
      .queue()
      .service.allDevices()
      .map((d) => d.id);
    await runUntilFinal(sim, stageOn(sim, station, store, port), store, ids);
    expect(ids.map((id) => store.get(id)!.state)).toEqual(['done', 'done']);
    expect(sim.requestLog.count({ method: 'POST', pathContains: 'importDeviceIdentityList' })).toBe(1);
    expect([...postsOf(sim).values()]).toEqual([1, 1]);
    const events = station
      .queue()
      .service.getDevice(ids[0]!)
      .events.map((e) => e.message);
    expect(events.some((m) => m.includes('found by search'))).toBe(true);
  });

  it('autopilot target (the default): the station marks devices not-requested and never asks Graph about identifiers', async () => {
    const { sim, station } = await bench();
    await station.handlers.queueDevices({ devices: [dev('AP1')], groupTag: 'Lab' });
    const store = station.queue().corporate!.store;
    const id = station.queue().service.allDevices()[0]!.id;
    const end = Date.now() + 10_000;
    while (store.get(id)?.state !== 'not-requested' && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(store.get(id)!.state).toBe('not-requested');
    expect((await station.handlers.getDevice({ id })).row.corporate).toEqual({
      state: 'not-requested',
      requestIds: [],
    });
    expect(sim.requestLog.count({ pathContains: 'importedDeviceIdentities' })).toBe(0);
  });
});

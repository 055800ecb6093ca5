import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStation } from '../../src-main/app/createStation.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { callNames } from '../../src-main/contract/contract.ts';
import type { StationSettings } from '../../src-main/contract/types.ts';
import { startBrowserHost } from '../../src-main/host/browserHost.ts';
import { createDispatcher } from '../../src-main/ipc/dispatch.ts';
import { ContractFuzzer, envelopeProblems } from '../fuzz/contractFuzzer.ts';
import { seedFromEnv } from '../fuzz/fuzzRng.ts';

/**
 * Short fuzz run of the whole contract (the long one is bench/fuzz.bench.ts): every call over the
 * ipc path and browser mode's HTTP, malformed HTTP, forged ipc senders and raw socket garbage, with
 * devices queued beforehand that must survive untouched. FUZZ_SEED replays another sequence.
 */
const seed = seedFromEnv();
const PER_CALL = 30;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'fuzz-contract-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe(`contract under hostile input (seed ${seed})`, () => {
  it('answers every input with a clear envelope, no INTERNAL, no crash, no hang, and loses nothing queued', async () => {
    const report = await new ContractFuzzer({
      seed,
      perCall: PER_CALL,
      httpMalformed: 200,
      senders: 100,
      rawSockets: 20,
      sentinels: 20,
      timeoutMs: 20_000,
      concurrency: 4,
    }).run();
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({
      crashes: 0,
      hangs: 0,
      internal: 0,
      badAnswers: 0,
      wrongVerdicts: 0,
      forgedSendersAccepted: 0,
      queuedLost: 0,
      queuedChanged: 0,
      sentinels: 20,
    });
    // Every call was tried over both transports (a few ipc inputs are ones Electron cannot send at all).
    for (const name of callNames) {
      expect(report.tried[`ipc:${name}`], `ipc:${name}`).toBeGreaterThanOrEqual(PER_CALL * 0.8);
      expect(report.tried[`http:${name}`], `http:${name}`).toBeGreaterThanOrEqual(PER_CALL * 0.8);
    }
    expect(report.totalInputs).toBeGreaterThanOrEqual(1400);
    // Not vacuous: valid inputs went through, malformed ones were refused at each layer.
    expect(report.accepted).toBeGreaterThan(100);
    for (const code of [
      'INPUT_INVALID',
      'CALL_UNKNOWN',
      'SENDER_REFUSED',
      'INPUT_NOT_JSON',
      'SESSION_TOKEN_MISSING',
      'ORIGIN_REFUSED',
      'HOST_REFUSED',
      'BODY_TOO_LARGE',
    ]) {
      expect(report.refusals[code] ?? 0, code).toBeGreaterThan(0);
    }
  }, 240_000);
});

describe('regressions found by the fuzz run', () => {
  const station = createStation({
    host: 'browser',
    dataDir: path.join(tmp, 'regressions'),
    logger: silentLogger,
    queue: { worker: false },
  });
  const dispatch = createDispatcher(station.handlers, silentLogger);
  afterAll(() => station.close());

  it('keeps INPUT_INVALID short when the input carries a huge unknown key or path (zod echoes them)', async () => {
    const key = 'k'.repeat(100_000);
    for (const [name, input] of [
      ['getInfo', { [key]: 1 }],
      ['updateSettings', { patch: { [key]: 1 } }],
      [
        'queueDevices',
        { devices: [{ serialNumber: 'A1', hardwareHash: 'T0E=', source: { kind: 'typed', [key]: 1 } }] },
      ],
    ] as const) {
      const r = await dispatch(name, input);
      expect(r).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID' } });
      expect(envelopeProblems(r)).toEqual([]);
      expect(JSON.stringify(r).length).toBeLessThan(2000);
    }
  });

  it('refuses an input whose getter throws as INPUT_INVALID instead of throwing out of the dispatcher', async () => {
    const hostile = {
      get patch(): never {
        throw new Error('boom');
      },
    };
    await expect(dispatch('updateSettings', hostile)).resolves.toMatchObject({
      ok: false,
      error: { code: 'INPUT_INVALID' },
    });
  });

  it('saves concurrent settings updates one after the other: none fails and none is lost', async () => {
    const patches = [
      { batchSize: 7 },
      { waitFor: 'assigned' },
      { defaultGroupTag: 'Lab' },
      { apiVersion: 'beta' },
      { cloud: 'usgov' },
      { authMode: 'device-code' },
    ];
    const results = await Promise.all(patches.map((patch) => dispatch('updateSettings', { patch })));
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(patches.map(() => 'ok'));
    const settings = await dispatch('getSettings', {});
    expect(settings.ok && (settings.value as StationSettings)).toMatchObject({
      batchSize: 7,
      waitFor: 'assigned',
      defaultGroupTag: 'Lab',
      apiVersion: 'beta',
      cloud: 'usgov',
      authMode: 'device-code',
    });
  });

  it('says what is wrong with a path that is not valid % encoding (browser host)', async () => {
    const staticDir = mkdtempSync(path.join(tmp, 'static-'));
    const host = await startBrowserHost({ dispatch, bus: station.bus, staticDir, logger: silentLogger });
    try {
      const body = await new Promise<string>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: host.port, path: '/%E0%A4%A' }, (res) => {
            let text = '';
            res.on('data', (c) => (text += c));
            res.on('end', () => resolve(text));
          })
          .on('error', reject);
      });
      const error = JSON.parse(body).error;
      expect(error.code).toBe('BAD_PATH');
      expect(error.message.length).toBeGreaterThan(20);
    } finally {
      await host.close();
    }
  });
});

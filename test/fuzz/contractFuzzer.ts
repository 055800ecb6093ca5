import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createStation, type Station } from '../../src-main/app/createStation.ts';
import { silentLogger, type Logger } from '../../src-main/kernel/logger.ts';
import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import { CALL_CHANNEL_PREFIX, callNames, calls, type CallName } from '../../src-main/contract/contract.ts';
import type { CallResult } from '../../src-main/contract/errors.ts';
import { MAX_FILE_BYTES } from '../../src-main/contract/limits.ts';
import type { DeviceDetail, ExportFile, QueueResult } from '../../src-main/contract/types.ts';
import { startBrowserHost, type BrowserHost } from '../../src-main/host/browserHost.ts';
import { createDispatcher, type Dispatch } from '../../src-main/ipc/dispatch.ts';
import { createSenderCheck, registerIpcHandlers, type SenderFacts } from '../../src-main/ipc/registerIpc.ts';
import { mutateFile, seedFiles } from './fuzzFiles.ts';
import {
  hostileValue,
  jsonText,
  mutateInput,
  randomString,
  validInput,
  type Carrier,
  type InputContext,
} from './fuzzInputs.ts';
import { FuzzRng } from './fuzzRng.ts';

/**
 * The contract under hostile input: every call over the Electron ipc path (registerIpc's handlers,
 * sender check, then the dispatcher) and over the real browser host (loopback HTTP with its session
 * token), with valid, mutated and random inputs, plus malformed HTTP, forged ipc senders and raw
 * socket garbage. Devices queued before the run must be there, unchanged, after it (and after a restart).
 */

export interface ContractFuzzOptions {
  seed: number;
  /** Inputs per call and transport (about one in five left valid, the rest mutated or random). */
  perCall: number;
  /** Malformed HTTP requests (body, headers, token, Host, Origin, method, path, size). */
  httpMalformed: number;
  /** Calls from forged ipc senders (other windows, subframes, other pages). */
  senders: number;
  /** Raw TCP connections sending garbage instead of HTTP. */
  rawSockets: number;
  /** Devices queued before the run whose survival is checked. */
  sentinels: number;
  /** An answer slower than this is a hang. */
  timeoutMs: number;
  /** Calls in flight at once (a hostile renderer does not wait for answers). */
  concurrency: number;
  progress?: (line: string) => void;
}

export interface ContractFuzzReport {
  seed: number;
  /** Inputs tried per target: "ipc:<call>", "http:<call>", "http:malformed", "ipc:forged-sender", "tcp:raw". */
  tried: Record<string, number>;
  totalInputs: number;
  /** Answers with ok: true (valid input, or input the schema accepted). */
  accepted: number;
  /** Refusals by error code (envelopes and HTTP error bodies). */
  refusals: Record<string, number>;
  httpStatuses: Record<string, number>;
  /** A transport promise that rejected, a connection dropped without an answer, or an uncaught error in the process. */
  crashes: number;
  hangs: number;
  internal: number;
  /** Answers that were not a well-formed envelope (or HTTP error body) with a clear message. */
  badAnswers: number;
  /** Inputs the schema refused that were answered otherwise, or the reverse. */
  wrongVerdicts: number;
  forgedSendersAccepted: number;
  sentinels: number;
  queuedLost: number;
  queuedChanged: number;
  /** The first problems found, with seed, target and mutation, to reproduce them. */
  /** The slowest call answer (a hint at work the input makes the station do). */
  slowestMs: number;
  slowestInput: string;
  problems: string[];
  ms: number;
}

const TRUSTED_ID = 7;
const TRUSTED_URL = 'app://station/index.html';
const CODE = /^[A-Z][A-Z0-9_]{2,63}$/;
/** A message a technician can read: present, and not a wall of echoed input. */
const MAX_MESSAGE = 1000;

type Answer = { kind: 'answer'; value: unknown } | { kind: 'crash'; error: string } | { kind: 'hang' };

async function within<T>(ms: number, work: () => Promise<T>): Promise<Answer> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Answer>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'hang' }), ms);
  });
  const run = (async (): Promise<Answer> => {
    try {
      return { kind: 'answer', value: await work() };
    } catch (err) {
      return { kind: 'crash', error: err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 300) : String(err) };
    }
  })();
  const started = performance.now();
  try {
    const answer = await Promise.race([run, timeout]);
    // A handler that blocks the event loop keeps the timer from firing: an answer that came too late is a hang too.
    return answer.kind === 'answer' && performance.now() - started > ms ? { kind: 'hang' } : answer;
  } finally {
    clearTimeout(timer);
  }
}

/** Problems with a contract answer; empty when it is a well-formed envelope. */
export function envelopeProblems(value: unknown): string[] {
  if (value === null || typeof value !== 'object') return ['answer is not an object'];
  const r = value as Record<string, unknown>;
  if (r.ok === true) return Object.hasOwn(r, 'value') ? [] : ['ok answer without a value'];
  if (r.ok !== false) return ['answer has no ok flag'];
  return errorProblems(r.error);
}

export function errorProblems(error: unknown): string[] {
  if (error === null || typeof error !== 'object') return ['error is not an object'];
  const e = error as Record<string, unknown>;
  const out: string[] = [];
  if (typeof e.code !== 'string' || !CODE.test(e.code))
    out.push(`bad error code ${JSON.stringify(e.code)?.slice(0, 80)}`);
  if (typeof e.message !== 'string' || e.message.trim().length < 10)
    out.push(`missing or empty message for ${String(e.code)}`);
  else if (e.message.length > MAX_MESSAGE) out.push(`message of ${e.message.length} characters for ${String(e.code)}`);
  if (e.action !== undefined && (typeof e.action !== 'string' || !e.action.trim()))
    out.push(`empty action for ${String(e.code)}`);
  return out;
}

interface SentinelSnapshot {
  id: string;
  detail: Omit<DeviceDetail, 'events'>;
  events: number;
}

/**
 * Builds the station the way the app does, hermetic: no worker, fake firmware, tenant id locked (training mode stays
 * on).
 */
function fuzzStation(dataDir: string, logger: Logger): Station {
  return createStation({
    host: 'browser',
    dataDir,
    logger,
    serialPort: { readSerials: async () => ({ system: 'PF0FUZZ1' }) },
    openBrowser: async () => {},
    machineSettings: { path: 'fuzz-machine-settings.json', found: true, values: {}, locked: ['tenantId'] },
    queue: { worker: false },
  });
}

export class ContractFuzzer {
  private readonly report: ContractFuzzReport;
  private readonly rng: FuzzRng;
  private station!: Station;
  private dispatch!: Dispatch;
  private dispatched = 0;
  private host!: BrowserHost;
  private agent!: http.Agent;
  private readonly ipcHandlers = new Map<string, (event: unknown, input: unknown) => unknown>();
  private sentinels: SentinelSnapshot[] = [];
  private readonly ctx: InputContext;
  private readonly root: string;
  private readonly dataDir: string;
  private readonly onUncaught = (err: unknown) =>
    this.problem('process', 'uncaught', `uncaught ${err instanceof Error ? err.message : String(err)}`, 'crashes');
  private started = 0;

  constructor(private readonly o: ContractFuzzOptions) {
    this.rng = new FuzzRng(o.seed);
    this.report = {
      seed: o.seed,
      tried: {},
      totalInputs: 0,
      accepted: 0,
      refusals: {},
      httpStatuses: {},
      crashes: 0,
      hangs: 0,
      internal: 0,
      badAnswers: 0,
      wrongVerdicts: 0,
      forgedSendersAccepted: 0,
      sentinels: 0,
      queuedLost: 0,
      queuedChanged: 0,
      slowestMs: 0,
      slowestInput: '',
      problems: [],
      ms: 0,
    };
    this.root = mkdtempSync(path.join(os.tmpdir(), 'fuzz-contract-'));
    this.dataDir = path.join(this.root, 'data');
    this.ctx = this.buildContext();
  }

  /**
   * Files the path-taking calls may name: fixtures, mutated files, a 10 MB+ file, folders, devices, a FIFO, nothing.
   */
  private buildContext(): InputContext {
    const files = path.join(this.root, 'files');
    const dropDir = path.join(this.root, 'drop');
    mkdirSync(files);
    mkdirSync(dropDir);
    const seeds = seedFiles();
    const fileRng = this.rng.fork(1);
    const paths: string[] = [];
    seeds.forEach((s, i) => {
      const p = path.join(files, `seed-${i}-${s.name}`);
      writeFileSync(p, s.bytes);
      paths.push(p);
    });
    for (let i = 0; i < 40; i++) {
      const m = mutateFile(fileRng, seeds);
      const p = path.join(files, `mutated-${i}-${m.name}`);
      writeFileSync(p, m.bytes);
      paths.push(p);
      if (i < 5) writeFileSync(path.join(dropDir, `drop-${i}-${m.name}`), m.bytes);
    }
    const big = path.join(files, 'over-10mb.csv');
    writeFileSync(big, Buffer.alloc(MAX_FILE_BYTES + 1, 0x41));
    paths.push(
      big,
      files,
      path.join(files, 'missing.csv'),
      '/dev/null',
      '/dev/zero',
      path.join(files, 'x'.repeat(300)),
    );
    if (process.platform !== 'win32') {
      const fifo = path.join(files, 'fifo.csv');
      execFileSync('mkfifo', [fifo]);
      paths.push(fifo);
    }
    const byteRng = this.rng.fork(2);
    return { ownIds: [], paths, dropDir, fileBytes: () => mutateFile(byteRng, seeds).bytes };
  }

  async start(): Promise<void> {
    this.started = performance.now();
    process.on('uncaughtException', this.onUncaught);
    process.on('unhandledRejection', this.onUncaught);
    this.station = fuzzStation(this.dataDir, silentLogger);
    const real = createDispatcher(this.station.handlers, silentLogger);
    this.dispatch = (name, input) => {
      this.dispatched++;
      return real(name, input);
    };
    // Electron's ipcMain, as registerIpc sees it: handle() and removeHandler().
    const ipcMain = {
      handle: (channel: string, fn: (event: unknown, input: unknown) => unknown) => this.ipcHandlers.set(channel, fn),
      removeHandler: (channel: string) => this.ipcHandlers.delete(channel),
    };
    registerIpcHandlers(
      ipcMain as never,
      this.dispatch,
      createSenderCheck(() => new Set([TRUSTED_ID])),
      silentLogger,
    );
    const staticDir = path.join(this.root, 'static');
    mkdirSync(staticDir);
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>fuzz</title>');
    this.host = await startBrowserHost({
      dispatch: this.dispatch,
      bus: this.station.bus,
      staticDir,
      logger: silentLogger,
    });
    this.agent = new http.Agent({ keepAlive: true, maxSockets: this.o.concurrency });
    await this.queueSentinels();
  }

  // ---------- transports ----------

  private trustedEvent(): SenderFacts {
    return { sender: { id: TRUSTED_ID }, senderFrame: { url: TRUSTED_URL, parent: null } };
  }

  /** What Electron does: the input crosses by structured clone, the handler runs, the answer crosses back. */
  private async ipc(
    name: string,
    input: unknown,
    event: SenderFacts = this.trustedEvent(),
    clone = true,
  ): Promise<unknown> {
    const handler = this.ipcHandlers.get(`${CALL_CHANNEL_PREFIX}${name}`);
    if (!handler) throw new Error(`no ipc handler for ${name}`);
    const answer = await handler(event ?? this.trustedEvent(), clone ? structuredClone(input) : input);
    return structuredClone(answer);
  }

  /**
   * One request on a kept-alive connection, as a browser sends it. A connection the server closed
   * for idleness just as it was reused is retried once on a new one, as browsers (and Node's docs) do.
   */
  private request(
    opts: {
      method?: string;
      path: string;
      headers?: Record<string, string> | undefined;
      body?: Buffer | string | undefined;
    },
    fresh = false,
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.host.port,
          method: opts.method ?? 'POST',
          path: opts.path,
          headers: opts.headers,
          agent: fresh ? false : this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (!fresh && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE'))
          this.request(opts, true).then(resolve, reject);
        else reject(err);
      });
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  }

  private goodHeaders(): Record<string, string> {
    return { Authorization: `Bearer ${this.host.token}`, Origin: this.host.origin, 'Content-Type': 'application/json' };
  }

  private async httpCall(name: string, input: unknown): Promise<unknown> {
    const body = input === undefined ? '' : (jsonText(input) ?? '');
    const res = await this.request({ path: `/api/call/${name}`, headers: this.goodHeaders(), body });
    this.count(this.report.httpStatuses, String(res.status));
    if (res.status === 413) return { ok: false, error: JSON.parse(res.body).error };
    if (res.status !== 200)
      throw new Error(`HTTP ${res.status} for a call with the right token: ${res.body.slice(0, 200)}`);
    return JSON.parse(res.body);
  }

  // ---------- bookkeeping ----------

  private count(map: Record<string, number>, key: string, n = 1): void {
    map[key] = (map[key] ?? 0) + n;
  }

  private problem(
    target: string,
    note: string,
    what: string,
    counter?: 'crashes' | 'hangs' | 'internal' | 'badAnswers' | 'wrongVerdicts' | 'forgedSendersAccepted',
  ): void {
    if (counter) this.report[counter]++;
    if (this.report.problems.length < 25)
      this.report.problems.push(`[seed ${this.o.seed}] ${target} ${note}: ${what}`.slice(0, 600));
  }

  private tried(target: string): void {
    this.count(this.report.tried, target);
    this.report.totalInputs++;
  }

  /** Judges one call answer: envelope shape, INTERNAL, and whether it agrees with the schema's verdict. */
  private judge(target: string, name: string, input: unknown, answer: Answer, note: string): void {
    if (answer.kind === 'hang') return this.problem(target, note, `no answer within ${this.o.timeoutMs} ms`, 'hangs');
    if (answer.kind === 'crash') return this.problem(target, note, answer.error, 'crashes');
    const problems = envelopeProblems(answer.value);
    if (problems.length) return this.problem(target, note, problems.join('; '), 'badAnswers');
    const result = answer.value as CallResult<unknown>;
    const schemaOk = Object.hasOwn(calls, name) && calls[name as CallName].input.safeParse(input).success;
    if (result.ok) {
      this.report.accepted++;
      if (!schemaOk) this.problem(target, note, 'accepted an input the contract refuses', 'wrongVerdicts');
      if (name === 'queueDevices') this.ctx.ownIds.push(...ownIds(result.value as QueueResult));
      return;
    }
    this.count(this.report.refusals, result.error.code);
    if (result.error.code === 'INTERNAL')
      return this.problem(target, note, `INTERNAL: ${result.error.message}`, 'internal');
    if (
      !schemaOk &&
      result.error.code !== 'INPUT_INVALID' &&
      result.error.code !== 'CALL_UNKNOWN' &&
      result.error.code !== 'BODY_TOO_LARGE'
    ) {
      this.problem(target, note, `malformed input answered ${result.error.code}, not INPUT_INVALID`, 'wrongVerdicts');
    }
  }

  // ---------- sentinels ----------

  private async call<T>(name: CallName, input: unknown): Promise<T> {
    const r = await this.dispatch(name, input);
    if (!r.ok) throw new Error(`${name} failed: ${r.error.code} ${r.error.message}`);
    return r.value as T;
  }

  private async queueSentinels(): Promise<void> {
    const devices = Array.from({ length: this.o.sentinels }, (_, i) => {
      const serialNumber = `SENTINEL${String(i).padStart(5, '0')}`;
      return {
        serialNumber,
        hardwareHash: encodeHardwareHash({ serialNumber, manufacturer: 'LENOVO', model: 'Sentinel' }),
        groupTag: 'Keep',
        source: { kind: 'typed' },
      };
    });
    const r = await this.call<QueueResult>('queueDevices', { devices });
    if (r.queued.length !== devices.length)
      throw new Error(`sentinels not all queued: ${JSON.stringify(r).slice(0, 300)}`);
    this.sentinels = await this.snapshot(r.queued);
    this.report.sentinels = this.sentinels.length;
  }

  private async snapshot(ids: string[], via: Dispatch = this.dispatch): Promise<SentinelSnapshot[]> {
    const out: SentinelSnapshot[] = [];
    for (const id of ids) {
      const r = await via('getDevice', { id });
      if (!r.ok) continue;
      const { events, ...detail } = r.value as DeviceDetail;
      out.push({ id, detail, events: events.length });
    }
    return out;
  }

  private async exportOf(ids: string[], via: Dispatch): Promise<string> {
    const r = await via('exportQueue', { format: 'intune', ids });
    return r.ok ? (r.value as ExportFile[]).map((f) => f.content).join('\n') : `export failed: ${r.error.code}`;
  }

  /** Every sentinel still there with the same data (events may only have been added). */
  private async checkSentinels(via: Dispatch, when: string): Promise<void> {
    const ids = this.sentinels.map((s) => s.id);
    const now = new Map((await this.snapshot(ids, via)).map((s) => [s.id, s]));
    for (const before of this.sentinels) {
      const after = now.get(before.id);
      if (!after) {
        this.report.queuedLost++;
        this.problem('queue', when, `sentinel ${before.detail.row.serialNumber} lost`);
      } else if (JSON.stringify(after.detail) !== JSON.stringify(before.detail) || after.events < before.events) {
        this.report.queuedChanged++;
        this.problem('queue', when, `sentinel ${before.detail.row.serialNumber} changed`);
      }
    }
    if (!this.sentinelExport) this.sentinelExport = await this.exportOf(ids, via);
    else if ((await this.exportOf(ids, via)) !== this.sentinelExport)
      this.problem('queue', when, 'sentinel export changed', 'badAnswers');
  }
  private sentinelExport?: string;

  // ---------- phases ----------

  /** Runs tasks with at most `concurrency` in flight. */
  private async pool(count: number, task: (i: number) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < count) await task(next++);
    };
    await Promise.all(Array.from({ length: Math.max(1, this.o.concurrency) }, worker));
  }

  /** One input for a call: valid (20%), a mutation of a valid one (65%), or anything at all (15%). */
  private inputFor(rng: FuzzRng, name: CallName, carrier: Carrier): { input: unknown; note: string } {
    const roll = rng.next();
    const valid = validInput(rng, name, this.ctx);
    if (roll < 0.2) return { input: valid, note: 'valid' };
    if (roll < 0.85) {
      const m = mutateInput(rng, valid, carrier);
      return { input: m.input, note: m.ops.join(',') };
    }
    return { input: hostileValue(rng, carrier), note: 'random' };
  }

  async fuzzCalls(): Promise<void> {
    for (const carrier of ['ipc', 'json'] as const) {
      const target = carrier === 'ipc' ? 'ipc' : 'http';
      for (const name of callNames) {
        const rng = this.rng.fork(hashName(`${target}:${name}`));
        await this.pool(this.o.perCall, async (i) => {
          const { input, note } = this.inputFor(rng, name, carrier);
          const key = `${target}:${name}`;
          // Electron sends a structured clone (what it refuses never reaches main): judge what main receives.
          const received = carrier === 'ipc' ? cloned(input) : undefined;
          if (carrier === 'ipc' && !received) return;
          // Nor can a page send what JSON cannot say.
          const text = carrier === 'json' ? jsonText(input) : '';
          if (text === undefined) return;
          this.tried(key);
          const t = performance.now();
          const answer = await within(this.o.timeoutMs, () =>
            carrier === 'ipc' ? this.ipc(name, received!.value, undefined, false) : this.httpCall(name, input),
          );
          const ms = performance.now() - t;
          if (ms > this.report.slowestMs)
            Object.assign(this.report, {
              slowestMs: Math.round(ms),
              slowestInput: `${key} #${i} ${note}`.slice(0, 200),
            });
          // Over HTTP the input the server parsed is the JSON text, not the JS value.
          const parsedInput = carrier === 'json' ? (text ? JSON.parse(text) : {}) : received!.value;
          this.judge(key, name, parsedInput, answer, `#${i} ${note}`);
        });
        this.o.progress?.(`${target}:${name} ${this.report.tried[`${target}:${name}`] ?? 0}`);
      }
    }
    // Unknown call names, prototype names included, on both transports.
    const rng = this.rng.fork(3);
    for (let i = 0; i < Math.max(10, this.o.perCall); i++) {
      const name = rng.pick([
        '__proto__',
        'constructor',
        'toString',
        'hasOwnProperty',
        'getinfo',
        'GetInfo',
        'nope',
        randomString(rng, 30).replace(/[^A-Za-z0-9]/g, '') || 'x',
      ]);
      this.tried('dispatch:unknown-call');
      const answer = await within(this.o.timeoutMs, () => this.dispatch(name, {}));
      this.judge('dispatch:unknown-call', name, {}, answer, name);
      if (answer.kind === 'answer' && (answer.value as CallResult<unknown>).ok)
        this.problem('dispatch:unknown-call', name, 'unknown call accepted', 'wrongVerdicts');
    }
  }

  /** Calls from senders that are not our window's top frame: all refused before the dispatcher runs. */
  async fuzzSenders(): Promise<void> {
    const rng = this.rng.fork(4);
    const urls = [
      'app://station.evil/index.html',
      'app://evil/index.html',
      'https://station/index.html',
      'http://127.0.0.1:5173/',
      'file:///C:/Windows/x.html',
      'app://station:8080/index.html',
      'APP://STATION/index.html',
      'javascript:alert(1)',
      'data:text/html,<script>x</script>',
      'about:blank',
      'devtools://devtools/bundled/x.html',
      'not a url',
      '',
      'app:station',
      'app:///index.html',
    ];
    for (let i = 0; i < this.o.senders; i++) {
      const name = rng.pick(callNames);
      const kind = rng.int(4);
      const event: SenderFacts =
        kind === 0
          ? {
              sender: { id: rng.pick([0, 1, TRUSTED_ID + 1, -1, 2 ** 31]) },
              senderFrame: { url: TRUSTED_URL, parent: null },
            }
          : kind === 1
            ? {
                sender: { id: TRUSTED_ID },
                senderFrame: { url: TRUSTED_URL, parent: rng.pick([{}, { url: TRUSTED_URL }, 0, false]) },
              }
            : kind === 2
              ? { sender: { id: TRUSTED_ID }, senderFrame: null }
              : { sender: { id: TRUSTED_ID }, senderFrame: { url: rng.pick(urls), parent: null } };
      this.tried('ipc:forged-sender');
      const before = this.dispatched;
      const answer = await within(this.o.timeoutMs, () => this.ipc(name, validInput(rng, name, this.ctx), event));
      const note = `#${i} ${JSON.stringify(event).slice(0, 160)}`;
      if (answer.kind !== 'answer') {
        this.judge('ipc:forged-sender', name, {}, answer, note);
        continue;
      }
      const r = answer.value as CallResult<unknown>;
      const problems = envelopeProblems(r);
      if (problems.length) this.problem('ipc:forged-sender', note, problems.join('; '), 'badAnswers');
      else if (r.ok || r.error.code !== 'SENDER_REFUSED' || this.dispatched !== before)
        this.problem('ipc:forged-sender', note, 'forged sender reached the dispatcher', 'forgedSendersAccepted');
      else this.count(this.report.refusals, r.error.code);
    }
  }

  /** Requests a browser page, another site or a local program could send, each with the statuses it may get. */
  async fuzzHttp(): Promise<void> {
    const rng = this.rng.fork(5);
    const t = this.host.token;
    const o = this.host.origin;
    const port = this.host.port;
    type Case = {
      label: string;
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: Buffer | string;
      allowed: number[];
    };
    const good = () => this.goodHeaders();
    const without = (key: string) => Object.fromEntries(Object.entries(good()).filter(([k]) => k !== key));
    const badBodies: (string | Buffer)[] = [
      '{',
      '{"a":}',
      'NaN',
      '{"offset": NaN}',
      '{"limit": Infinity}',
      '{"offset": -Infinity}',
      "{'a':1}",
      '{"a":1}garbage',
      '\ufeff{}',
      '[1,2',
      '"unterminated',
      '{"patch":{"batchSize":0x10}}',
      '{"__proto__":',
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
      Buffer.from('{}', 'utf16le'),
      'undefined',
      '//comment\n{}',
    ];
    const oddJson = [
      '{"offset":1e999,"limit":1}',
      '{"limit":-0}',
      '{"offset":1.0}',
      '{"offset":0,"offset":5}',
      '{"__proto__":{"isAdmin":true}}',
      '{"constructor":{"prototype":{"x":1}}}',
      '[]',
      '[{}]',
      'null',
      '0',
      '""',
      'true',
    ];
    const deepJson = [
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`,
      `{"patch":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
    ];
    const cases: (() => Case)[] = [
      () => ({
        label: 'not json',
        path: `/api/call/${rng.pick(callNames)}`,
        headers: good(),
        body: rng.pick(badBodies),
        allowed: [200, 400],
      }),
      () => ({
        label: 'odd json',
        path: `/api/call/${rng.pick(callNames)}`,
        headers: good(),
        body: rng.pick(oddJson),
        allowed: [200],
      }),
      // Parsed, or refused as not JSON when the parser gives up on the depth: either way a clear answer.
      () => ({
        label: 'deep json',
        path: `/api/call/${rng.pick(callNames)}`,
        headers: good(),
        body: rng.pick(deepJson),
        allowed: [200, 400],
      }),
      () => ({
        label: 'content-type',
        path: '/api/call/listQueue',
        headers: {
          ...good(),
          'Content-Type': rng.pick([
            'text/plain',
            'multipart/form-data; boundary=x',
            'application/x-www-form-urlencoded',
            'application/json; charset=utf-16',
            'image/png',
            '',
          ]),
        },
        body: rng.pick(['{}', 'a=1&b=2', '--x\r\n\r\n--x--']),
        allowed: [200, 400],
      }),
      () => ({
        label: 'no token',
        path: `/api/call/${rng.pick(callNames)}`,
        headers: without('Authorization'),
        body: '{}',
        allowed: [401],
      }),
      () => ({
        label: 'wrong token',
        path: '/api/call/getInfo',
        headers: {
          ...good(),
          Authorization: rng.pick([
            'Bearer ',
            'Bearer wrong',
            `bearer ${t}`,
            `Bearer  ${t}`,
            `Bearer ${t}x`,
            `Bearer ${t.slice(1)}`,
            `Basic ${Buffer.from(`u:${t}`).toString('base64')}`,
            t,
            `Bearer ${t.toUpperCase()}`,
            `Bearer ${'A'.repeat(t.length)}`,
          ]),
        },
        body: '{}',
        allowed: [401],
      }),
      () => ({
        label: 'token in query',
        path: `/api/call/getInfo?token=${t}`,
        headers: without('Authorization'),
        body: '{}',
        allowed: [401],
      }),
      () => ({
        label: 'huge token',
        path: '/api/call/getInfo',
        headers: { ...good(), Authorization: `Bearer ${'x'.repeat(rng.pick([1000, 20_000]))}` },
        body: '{}',
        allowed: [401, 431],
      }),
      () => ({
        label: 'bad host',
        path: '/api/call/getInfo',
        headers: {
          ...good(),
          Host: rng.pick([
            'evil.example',
            `evil.example:${port}`,
            '127.0.0.1',
            `127.0.0.1:${port + 1}`,
            `127.0.0.1:${port}.evil.com`,
            `localhost.evil:${port}`,
            `0.0.0.0:${port}`,
            `127.1:${port}`,
          ]),
        },
        body: '{}',
        allowed: [403, 400],
      }),
      () => ({
        label: 'bad origin',
        path: '/api/call/getInfo',
        headers: {
          ...good(),
          Origin: rng.pick([
            'null',
            'http://evil.example',
            'http://127.0.0.1:1',
            `https://127.0.0.1:${port}`,
            `${o}.evil.com`,
            `${o}/`,
            'file://',
            '',
          ]),
        },
        body: '{}',
        allowed: [403],
      }),
      () => ({ label: 'no origin', path: '/api/call/getInfo', headers: without('Origin'), body: '{}', allowed: [403] }),
      () => ({
        label: 'cross-site',
        path: '/api/call/getInfo',
        headers: { ...good(), 'Sec-Fetch-Site': rng.pick(['cross-site', 'same-site']) },
        body: '{}',
        allowed: [403],
      }),
      () => ({
        label: 'method',
        method: rng.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']),
        path: '/api/call/getInfo',
        headers: good(),
        body: '{}',
        allowed: [404],
      }),
      () => ({
        label: 'path',
        path: rng.pick([
          '/api/call/',
          '/api/call/getInfo/',
          '/api/call/get-info',
          '/api/call/%67etInfo',
          `/api/call/${'a'.repeat(5000)}`,
          '/api/',
          '/api/calls/getInfo',
          '/api/call/getInfo/../getSettings',
        ]),
        headers: good(),
        body: '{}',
        allowed: [200, 404],
      }),
      () => ({
        label: 'prototype call',
        path: `/api/call/${rng.pick(['constructor', 'toString', 'hasOwnProperty', 'valueOf'])}`,
        headers: good(),
        body: '{}',
        allowed: [200],
      }),
      () => ({
        label: 'static',
        method: 'GET',
        path: rng.pick([
          '/../../etc/passwd',
          '/%2e%2e/%2e%2e/etc/passwd',
          '/%00',
          '/index.html%00',
          '/%',
          '/%E0%A4%A',
          '/..%5c..%5cwindows',
          `/${'a/'.repeat(2000)}`,
          '/index.html?x=%00',
        ]),
        headers: {},
        allowed: [200, 400, 404],
      }),
      () => ({
        label: 'static post',
        method: rng.pick(['POST', 'PUT', 'DELETE']),
        path: '/index.html',
        headers: {},
        body: 'x',
        allowed: [405],
      }),
      () => ({
        label: 'events',
        method: rng.pick(['GET', 'POST']),
        path: rng.pick([
          '/api/events',
          '/api/events?token=',
          '/api/events?token=wrong',
          `/api/events?token=x&token=${t}`,
        ]),
        headers: {},
        allowed: [401, 404],
      }),
      () => ({
        label: 'huge body',
        path: '/api/call/readFileContents',
        headers: good(),
        body: Buffer.alloc(16 * 1024 * 1024 + rng.int(4096) + 1, 0x20),
        allowed: [413],
      }),
      () => ({
        label: 'big json',
        path: '/api/call/queueDevices',
        headers: good(),
        body: JSON.stringify({
          devices: new Array(rng.pick([10_001, 100_000])).fill({
            serialNumber: 'X',
            hardwareHash: 'T0E=',
            source: { kind: 'typed' },
          }),
        }),
        allowed: [200, 413],
      }),
    ];
    for (let i = 0; i < this.o.httpMalformed; i++) {
      const c = rng.pick(cases)();
      this.tried('http:malformed');
      const note = `#${i} ${c.label} ${c.method ?? 'POST'} ${(c.path ?? '').slice(0, 60)}${c.headers?.Host !== undefined ? ` Host=${JSON.stringify(c.headers.Host)}` : ''}`;
      const answer = await within(this.o.timeoutMs, () =>
        this.request({
          method: c.method ?? 'POST',
          path: c.path ?? '/',
          headers: c.headers,
          body: c.method === 'GET' || c.method === 'HEAD' ? undefined : c.body,
        }),
      );
      if (answer.kind !== 'answer') {
        this.judge('http:malformed', '', {}, answer, note);
        continue;
      }
      const res = answer.value as { status: number; body: string };
      this.count(this.report.httpStatuses, String(res.status));
      if (res.status >= 500)
        this.problem('http:malformed', note, `status ${res.status}: ${res.body.slice(0, 200)}`, 'internal');
      else if (!c.allowed.includes(res.status))
        this.problem(
          'http:malformed',
          note,
          `status ${res.status}, expected ${c.allowed.join('/')}: ${res.body.slice(0, 200)}`,
          'wrongVerdicts',
        );
      if (res.status === 200 && (c.path ?? '').startsWith('/api/call/')) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(res.body);
        } catch {
          parsed = undefined;
        }
        const problems = envelopeProblems(parsed);
        if (problems.length) this.problem('http:malformed', note, problems.join('; '), 'badAnswers');
        else if (!(parsed as CallResult<unknown>).ok) {
          const code = (parsed as { error: { code: string } }).error.code;
          this.count(this.report.refusals, code);
          if (code === 'INTERNAL') this.problem('http:malformed', note, 'INTERNAL', 'internal');
        } else this.report.accepted++;
      } else if (res.status >= 400 && res.status !== 431 && c.method !== 'HEAD') {
        // Our own refusals carry a code and a message; 431 comes from Node's parser without a body.
        let error: unknown;
        try {
          error = (JSON.parse(res.body) as { error?: unknown }).error;
        } catch {
          error = undefined;
        }
        const problems = errorProblems(error);
        if (problems.length) this.problem('http:malformed', note, `${res.status} ${problems.join('; ')}`, 'badAnswers');
        else this.count(this.report.refusals, (error as { code: string }).code);
      }
    }
  }

  /** Bytes that are not HTTP at all, or HTTP broken at the parser level: answered 4xx or closed, never a crash. */
  async fuzzRawSockets(): Promise<void> {
    const rng = this.rng.fork(6);
    const t = this.host.token;
    const payloads: (() => Buffer)[] = [
      () => Buffer.from(Array.from({ length: rng.range(1, 4096) }, () => rng.int(256))),
      () => Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      () =>
        Buffer.from(
          `POST /api/call/getInfo HTTP/1.1\r\nHost: 127.0.0.1:${this.host.port}\r\nContent-Length: 5\r\n\r\n{}{}{}{}garbage\r\n\r\n`,
        ),
      () =>
        Buffer.from(
          `POST /api/call/getInfo HTTP/1.1\r\nHost: 127.0.0.1:${this.host.port}\r\nTransfer-Encoding: chunked\r\nAuthorization: Bearer ${t}\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
        ),
      () =>
        Buffer.from(
          `POST /api/call/getInfo HTTP/1.1\r\nHost: 127.0.0.1:${this.host.port}\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
        ),
      () => Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${this.host.port}\r\nX: a\u0000b\r\n\r\n`),
      () =>
        Buffer.from(
          `GET /${'a'.repeat(rng.pick([10_000, 100_000]))} HTTP/1.1\r\nHost: 127.0.0.1:${this.host.port}\r\n\r\n`,
        ),
      () => Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
      () => Buffer.from('GET /\r\n'),
      () => Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${this.host.port}\r\n${'X-A: b\r\n'.repeat(3000)}\r\n`),
      () =>
        Buffer.from(
          `POST /api/call/getInfo HTTP/1.1\r\nHost: 127.0.0.1:${this.host.port}\r\nAuthorization: Bearer ${t}\r\nOrigin: ${this.host.origin}\r\nContent-Length: 1000\r\n\r\n{"par`,
        ),
      () => Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${this.host.port}\r\n\r\n`.repeat(rng.pick([2, 50]))),
    ];
    for (let i = 0; i < this.o.rawSockets; i++) {
      const which = rng.int(payloads.length);
      const bytes = payloads[which]!();
      this.tried('tcp:raw');
      const answer = await within(this.o.timeoutMs, () => rawExchange(this.host.port, bytes, which === 10 ? 300 : 800));
      const note = `#${i} payload ${which} (${bytes.length} bytes)`;
      if (answer.kind === 'crash') {
        this.problem('tcp:raw', note, answer.error, 'crashes');
        continue;
      }
      if (answer.kind === 'hang') {
        this.problem('tcp:raw', note, 'socket neither answered nor closed', 'hangs');
        continue;
      }
      const reply = answer.value as string;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1];
      if (status) this.count(this.report.httpStatuses, status);
      if (status && status.startsWith('5')) this.problem('tcp:raw', note, `status ${status}`, 'internal');
    }
  }

  // ---------- end ----------

  async finish(): Promise<ContractFuzzReport> {
    // Still alive: the host answers, and the queue holds the sentinels.
    const alive = await within(this.o.timeoutMs, () => this.httpCall('getInfo', {}));
    if (alive.kind !== 'answer' || !(alive.value as CallResult<unknown>).ok)
      this.problem('http:getInfo', 'after the run', 'the browser host no longer answers', 'crashes');
    await this.checkSentinels(this.dispatch, 'after the run');
    await this.host.close();
    this.agent.destroy();
    await this.station.close();
    // And after a restart: what was queued is on disk, not only in memory.
    const again = fuzzStation(this.dataDir, silentLogger);
    await this.checkSentinels(createDispatcher(again.handlers, silentLogger), 'after a restart');
    await again.close();
    process.off('uncaughtException', this.onUncaught);
    process.off('unhandledRejection', this.onUncaught);
    rmSync(this.root, { recursive: true, force: true });
    this.report.ms = Math.round(performance.now() - this.started);
    return this.report;
  }

  async run(): Promise<ContractFuzzReport> {
    await this.start();
    try {
      await this.fuzzCalls();
      await this.fuzzSenders();
      await this.fuzzHttp();
      await this.fuzzRawSockets();
    } catch (err) {
      this.problem('harness', 'run', err instanceof Error ? (err.stack ?? err.message) : String(err), 'crashes');
    }
    return this.finish();
  }
}

function cloned(value: unknown): { value: unknown } | undefined {
  try {
    return { value: structuredClone(value) };
  } catch {
    return undefined;
  }
}

function ownIds(r: QueueResult): string[] {
  return [...r.queued, ...r.invalid, ...(r.flagged ?? [])];
}

function hashName(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Sends bytes on a fresh connection and collects what comes back until the server closes or goes quiet. */
function rawExchange(port: number, bytes: Buffer, quietMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let quiet: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(quiet);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const arm = () => {
      clearTimeout(quiet);
      quiet = setTimeout(done, quietMs);
    };
    socket.on('connect', () => {
      socket.write(bytes, () => arm());
    });
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      arm();
    });
    socket.on('close', done);
    socket.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' || err.code === 'EPIPE' ? done() : reject(err),
    );
  });
}

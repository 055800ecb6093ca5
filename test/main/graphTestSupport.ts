import type { Clock } from '../../src-main/kernel/clock.ts';
import { ManualClock } from './simSupport.ts';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Virtual time: sleep() advances the clock at once and records the wait, so backoff is observable. */
export class FakeClock extends ManualClock {
  readonly sleeps: number[] = [];
  constructor(t = Date.UTC(2026, 0, 1)) {
    super(t);
  }
  override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await super.sleep(ms, signal);
    this.sleeps.push(ms);
    await Promise.resolve();
  }
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Destroy the socket instead of answering (a reset). */
  reset?: boolean;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A real HTTP server on loopback that answers from a script, for the client's retry rules. The
 * simulated tenant covers the service's behaviour; this covers exact edge cases (Retry-After forms).
 */
export async function scriptedServer(
  answer: (req: SeenRequest, index: number) => ScriptedAnswer,
): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(r);
      const a = answer(r, seen.length - 1);
      if (a.reset) {
        req.socket.destroy();
        return;
      }
      const body = a.body === undefined ? '' : JSON.stringify(a.body);
      res.writeHead(a.status, { 'content-type': 'application/json', 'request-id': `srv-${seen.length}`, ...a.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { startSimulatedTenant } from '../../src-main/sim/startSimulatedTenant.ts';
import type { RequestLog } from '../../src-main/sim/RequestLog.ts';
import type { FaultSpec, SimScenarioInput } from '../../src-main/sim/simScenario.ts';
import type { TrainingTenant } from '../../src-main/tenant/tenantSession.ts';
import { trainingConnectionOf } from '../../src-main/tenant/trainingTenant.ts';

/** What the Graph and sign-in integration tests need from the simulated tenant. */
export interface SimHandle extends TrainingTenant {
  approveDeviceCode(userCode: string): void;
  inject(fault: FaultSpec): void;
  clearFaults(): void;
  log: RequestLog;
}

export async function startSimForTests(o: {
  clock: Clock;
  timeScale: number;
  scenario?: SimScenarioInput;
}): Promise<SimHandle> {
  const sim = await startSimulatedTenant({
    clock: o.clock,
    timeScale: o.timeScale,
    ...(o.scenario ? { scenario: o.scenario } : {}),
  });
  return {
    ...trainingConnectionOf(sim),
    approveDeviceCode: (code) => {
      if (!sim.approveDeviceCode(code)) throw new Error(`unknown user code ${code}`);
    },
    inject: (f) => void sim.injectFault(f),
    clearFaults: () => sim.clearFaults(),
    log: sim.requestLog,
    close: () => sim.stop(),
  };
}

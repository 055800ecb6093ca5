import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { AutopilotGraph, importRequestBody, odataString } from '../../src-main/graph/autopilotGraph.ts';
import { customCloud } from '../../src-main/graph/clouds.ts';
import { GraphClient } from '../../src-main/graph/graphClient.ts';
import { FakeClock, scriptedServer, type ScriptedAnswer, type SeenRequest } from './graphTestSupport.ts';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(script: (req: SeenRequest, i: number) => ScriptedAnswer, clock = new FakeClock()) {
  const server = await scriptedServer(script);
  close = server.close;
  const graph = new GraphClient({
    cloud: customCloud(server.url, server.url),
    apiVersion: 'v1.0',
    tokens: { getAccessToken: async () => 't' },
    clock,
    logger: silentLogger,
    random: () => 0.5,
  });
  const ap = new AutopilotGraph({ graph, logger: silentLogger });
  return { server, graph, ap, clock };
}

const device = (serialNumber: string) => ({
  serialNumber,
  hardwareIdentifier: 'T0EAAA==',
  importId: 'batch-1',
  groupTag: 'Lab',
});
const record = (serialNumber: string, i: number) => ({
  id: `imp-${i}`,
  serialNumber,
  importId: 'batch-1',
  groupTag: 'Lab',
  state: { deviceImportStatus: 'unknown', deviceRegistrationId: '', deviceErrorCode: 0, deviceErrorName: '' },
});

describe('AutopilotGraph (request shapes and edge cases over loopback HTTP)', () => {
  it('importBatch: one POST; a lost answer goes back to the caller (the worker reconciles), never re-posted here', async () => {
    let posts = 0;
    const { ap, server } = await setup((r) => {
      if (r.method === 'POST') {
        posts++;
        return { status: 0, reset: true };
      }
      return { status: 200, body: { value: [record('A1', 1), record('B2', 2)] } };
    });
    await expect(ap.importBatch([device('A1'), device('B2')])).rejects.toMatchObject({
      kind: 'network',
      details: { maybeApplied: true },
    });
    expect(posts).toBe(1);
    expect(server.seen.map((s) => s.method)).toEqual(['POST']);
  });

  it('importBatch: a 500 is not re-posted either', async () => {
    const { ap, server } = await setup(() => ({
      status: 500,
      body: { error: { code: 'InternalServerError', message: 'An internal server error has occurred.' } },
    }));
    await expect(ap.importBatch([device('A1')])).rejects.toMatchObject({
      status: 500,
      details: { maybeApplied: true },
    });
    expect(server.seen).toHaveLength(1);
  });

  it('getImported reads one record by id, and a 404 is "gone", not a failure', async () => {
    const { ap, server } = await setup((r) =>
      r.url.endsWith('/imp-9')
        ? { status: 404, body: { error: { code: 'NotFound', message: 'no' } } }
        : { status: 200, body: { ...record('A1', 1), importId: 'imp-1' } },
    );
    expect((await ap.getImported('imp-1')).value).toMatchObject({ id: 'imp-1', serialNumber: 'A1', importId: 'imp-1' });
    expect((await ap.getImported('imp-9')).value).toBeUndefined();
    expect(server.seen.map((s) => s.url)).toEqual([
      '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/imp-1',
      '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/imp-9',
    ]);
  });

  it('listImported lists without any importId filter, asks for $select, and drops $select for good after a 500', async () => {
    const { ap, server } = await setup((r) =>
      r.url.includes('%24select') || r.url.includes('$select')
        ? { status: 500, body: { error: { code: 'InternalServerError', message: 'boom' } } }
        : { status: 200, body: { value: [record('A1', 1)] } },
    );
    const first = await ap.listImported();
    expect(first.value.map((r) => r.id)).toEqual(['imp-1']);
    expect(first.requests).toBe(1);
    const withSelect = server.seen.filter((s) => decodeURIComponent(s.url).includes('$select'));
    expect(withSelect.length).toBeGreaterThan(0);
    expect(server.seen.every((s) => !decodeURIComponent(s.url).includes('$filter'))).toBe(true);
    const before = server.seen.length;
    await ap.listImported();
    // Remembered: the second listing goes straight to the plain request.
    expect(server.seen.slice(before).map((s) => decodeURIComponent(s.url))).toEqual([
      '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities',
    ]);
  });

  it('refuses empty and oversized batches before any request', async () => {
    const { ap, server } = await setup(() => ({ status: 200, body: { value: [] } }));
    await expect(ap.importBatch([])).rejects.toThrow(RangeError);
    await expect(ap.importBatch(Array.from({ length: 501 }, (_, i) => device(`S${i}`)))).rejects.toThrow(/500/);
    expect(server.seen).toHaveLength(0);
  });

  it("requestSync: one call each time; the 10-minute rule is the worker's (kept in the tenant's queue)", async () => {
    const { ap, server } = await setup(() => ({ status: 204 }));
    expect(await ap.requestSync()).toBe('requested');
    expect(server.seen.map((s) => s.url)).toEqual(['/beta/deviceManagement/windowsAutopilotSettings/sync']);
  });

  it('requestSync: 409 is "in progress", the service\'s 429 is "too soon", and neither is retried', async () => {
    const a = await setup(() => ({ status: 409, headers: { 'retry-after': '60' } }));
    expect(await a.ap.requestSync()).toBe('in-progress');
    expect(a.server.seen).toHaveLength(1);
    await close?.();
    const b = await setup(() => ({ status: 429, headers: { 'retry-after': '600' } }));
    expect(await b.ap.requestSync()).toBe('too-soon');
    expect(b.server.seen).toHaveLength(1);
    expect(b.graph.budget.usage().pausedForMs).toBe(0);
  });

  it('deleteImported deletes exactly the ids given, once each, and a 404 counts as gone', async () => {
    const { ap, server } = await setup((r) =>
      r.url.endsWith('/gone') ? { status: 404, body: { error: { code: 'NotFound', message: 'no' } } } : { status: 204 },
    );
    await ap.deleteImported(['x1', 'gone', 'x1', 'x2']);
    expect(server.seen.map((s) => `${s.method} ${s.url}`).sort()).toEqual([
      'DELETE /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/gone',
      'DELETE /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/x1',
      'DELETE /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/x2',
    ]);
  });

  it('deleteImported stops at the first real failure and reports it', async () => {
    const { ap } = await setup((r) =>
      r.url.endsWith('/bad')
        ? { status: 403, body: { error: { code: 'Forbidden', message: 'not authorized' } } }
        : { status: 204 },
    );
    await expect(ap.deleteImported(['a', 'bad', 'b'])).rejects.toMatchObject({ kind: 'permission-missing' });
  });

  it('builds bodies and literals as the service expects', () => {
    expect(odataString("O'Brien")).toBe("'O''Brien'");
    expect(importRequestBody([{ ...device('A1'), productKey: '', assignedUserPrincipalName: 'a@b.c' }])).toEqual({
      importedWindowsAutopilotDeviceIdentities: [
        {
          serialNumber: 'A1',
          hardwareIdentifier: 'T0EAAA==',
          importId: 'batch-1',
          groupTag: 'Lab',
          assignedUserPrincipalName: 'a@b.c',
        },
      ],
    });
  });
});

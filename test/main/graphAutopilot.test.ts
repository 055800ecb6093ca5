import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { AutopilotGraph, importRequestBody, odataString } from '../../src-main/graph/autopilotGraph.ts';
import { customCloud } from '../../src-main/graph/clouds.ts';
import { GraphClient } from '../../src-main/graph/graphClient.ts';
import { JsonSyncStampStore } from '../../src-main/graph/syncStampStore.ts';
import { FakeClock, scriptedServer, type ScriptedAnswer, type SeenRequest } from './graphTestSupport.ts';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(script: (req: SeenRequest, i: number) => ScriptedAnswer, stampFile?: string, clock = new FakeClock()) {
  const server = await scriptedServer(script);
  close = server.close;
  const graph = new GraphClient({ cloud: customCloud(server.url, server.url), apiVersion: 'v1.0', tokens: { getAccessToken: async () => 't' }, clock, logger: silentLogger, random: () => 0.5 });
  const file = stampFile ?? path.join(await mkdtemp(path.join(tmpdir(), 'ap-')), 'sync.json');
  const ap = new AutopilotGraph({ graph, tenantKey: 'global:contoso', syncStamps: new JsonSyncStampStore(file), logger: silentLogger });
  return { server, graph, ap, clock, file };
}

const device = (serialNumber: string) => ({ serialNumber, hardwareIdentifier: 'T0EAAA==', importId: 'batch-1', groupTag: 'Lab' });
const record = (serialNumber: string, i: number) => ({ id: `imp-${i}`, serialNumber, importId: 'batch-1', groupTag: 'Lab', state: { deviceImportStatus: 'unknown', deviceRegistrationId: '', deviceErrorCode: 0, deviceErrorName: '' } });

describe('AutopilotGraph (request shapes and edge cases over loopback HTTP)', () => {
  it('importBatch: when the answer is lost after the records landed, reads them by importId instead of importing twice', async () => {
    let posts = 0;
    const { ap, server } = await setup((r) => {
      if (r.method === 'POST') {
        posts++;
        return { status: 0, reset: true };
      }
      return { status: 200, body: { value: [record('A1', 1), record('B2', 2)] } };
    });
    const res = await ap.importBatch([device('A1'), device('B2')]);
    expect(posts).toBe(1);
    expect(res.value.map((r) => r.id)).toEqual(['imp-1', 'imp-2']);
    expect(decodeURIComponent(server.seen[1]!.url)).toContain("$filter=importId eq 'batch-1'");
  });

  it('importBatch: when nothing landed, sends only what is missing', async () => {
    const bodies: string[] = [];
    const { ap } = await setup((r) => {
      if (r.method === 'POST') {
        bodies.push(r.body);
        return bodies.length === 1 ? { status: 500 } : { status: 200, body: { value: JSON.parse(r.body).importedWindowsAutopilotDeviceIdentities.map((d: { serialNumber: string }, k: number) => record(d.serialNumber, 10 + k)) } };
      }
      return { status: 200, body: { value: [record('A1', 1)] } }; // A1 landed, B2 did not
    });
    const res = await ap.importBatch([device('A1'), device('B2')]);
    expect(JSON.parse(bodies[1]!).importedWindowsAutopilotDeviceIdentities.map((d: { serialNumber: string }) => d.serialNumber)).toEqual(['B2']);
    expect(res.value.map((r) => r.serialNumber).sort()).toEqual(['A1', 'B2']);
  });

  it('refuses empty and oversized batches before any request', async () => {
    const { ap, server } = await setup(() => ({ status: 200, body: { value: [] } }));
    await expect(ap.importBatch([])).rejects.toThrow(RangeError);
    await expect(ap.importBatch(Array.from({ length: 501 }, (_, i) => device(`S${i}`)))).rejects.toThrow(/500/);
    expect(server.seen).toHaveLength(0);
  });

  it('requestSync: at most once per 10 minutes per tenant, remembered across restarts', async () => {
    const clock = new FakeClock();
    const first = await setup(() => ({ status: 204 }), undefined, clock);
    expect(await first.ap.requestSync()).toBe('requested');
    expect(await first.ap.requestSync()).toBe('too-soon');
    await close?.();
    // a new station process with the same data dir
    const second = await setup(() => ({ status: 204 }), first.file, clock);
    clock.advance(9 * 60_000);
    expect(await second.ap.requestSync()).toBe('too-soon');
    expect(second.server.seen).toHaveLength(0);
    clock.advance(60_001);
    expect(await second.ap.requestSync()).toBe('requested');
    expect(second.server.seen.map((s) => s.url)).toEqual(['/beta/deviceManagement/windowsAutopilotSettings/sync']);
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
    const { ap, server } = await setup((r) => (r.url.endsWith('/gone') ? { status: 404, body: { error: { code: 'NotFound', message: 'no' } } } : { status: 204 }));
    await ap.deleteImported(['x1', 'gone', 'x1', 'x2']);
    expect(server.seen.map((s) => `${s.method} ${s.url}`).sort()).toEqual([
      'DELETE /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/gone',
      'DELETE /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/x1',
      'DELETE /v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/x2',
    ]);
  });

  it('deleteImported stops at the first real failure and reports it', async () => {
    const { ap } = await setup((r) => (r.url.endsWith('/bad') ? { status: 403, body: { error: { code: 'Forbidden', message: 'not authorized' } } } : { status: 204 }));
    await expect(ap.deleteImported(['a', 'bad', 'b'])).rejects.toMatchObject({ kind: 'permission-missing' });
  });

  it('builds bodies and literals as the service expects', () => {
    expect(odataString("O'Brien")).toBe("'O''Brien'");
    expect(importRequestBody([{ ...device('A1'), productKey: '', assignedUserPrincipalName: 'a@b.c' }])).toEqual({
      importedWindowsAutopilotDeviceIdentities: [{ serialNumber: 'A1', hardwareIdentifier: 'T0EAAA==', importId: 'batch-1', groupTag: 'Lab', assignedUserPrincipalName: 'a@b.c' }],
    });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { GraphFailure } from '../../src-main/graph/autopilotPort.ts';
import { customCloud } from '../../src-main/graph/clouds.ts';
import {
  CorporateIdentitiesGraph,
  importDeviceIdentityListBody,
  searchExistingIdentitiesBody,
} from '../../src-main/graph/corporateIdentities.ts';
import { GraphClient } from '../../src-main/graph/graphClient.ts';
import { validateActionBody } from '../../src-main/sim/csdlModel.ts';
import { FakeClock, scriptedServer, type ScriptedAnswer, type SeenRequest } from './graphTestSupport.ts';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(script: (req: SeenRequest, i: number) => ScriptedAnswer) {
  const server = await scriptedServer(script);
  close = server.close;
  // The station's chosen version is v1.0: corporate identifiers must still go to beta.
  const graph = new GraphClient({
    cloud: customCloud(server.url, server.url),
    apiVersion: 'v1.0',
    tokens: { getAccessToken: async () => 't' },
    clock: new FakeClock(),
    logger: silentLogger,
    random: () => 0.5,
  });
  return { server, port: new CorporateIdentitiesGraph(graph) };
}

const result = (identifier: string, status: boolean, id = '7c9e6679-7425-40de-944b-e07fc1f90ae7') => ({
  '@odata.type': '#microsoft.graph.importedDeviceIdentityResult',
  id,
  importedDeviceIdentifier: identifier,
  importedDeviceIdentityType: 'manufacturerModelSerial',
  status,
});

describe('corporate identifier Graph operations', () => {
  it('bodies fit the beta extract exactly', () => {
    expect(
      validateActionBody(
        'importDeviceIdentityList',
        importDeviceIdentityListBody([{ identifier: 'LENOVO,20XW,PF1', description: 'x'.repeat(400) }]),
        { api: 'beta' },
      ),
    ).toEqual([]);
    expect(
      importDeviceIdentityListBody([{ identifier: 'A,B,C', description: 'x'.repeat(400) }]).importedDeviceIdentities[0]!
        .description,
    ).toHaveLength(256);
    expect(
      importDeviceIdentityListBody([{ identifier: 'A,B,C', description: 'd' }]).overwriteImportedDeviceIdentities,
    ).toBe(false);
    expect(
      validateActionBody('searchExistingIdentities', searchExistingIdentitiesBody(['A,B,C']), { api: 'beta' }),
    ).toEqual([]);
  });

  it('imports through beta, matches answers by identifier whatever their order, keeps the request id, drops all-zero ids', async () => {
    const { server, port } = await setup(() => ({
      status: 200,
      body: {
        value: [result('hp,x,2', false, '00000000-0000-0000-0000-000000000000'), result('Contoso,Bench 1,S1', true)],
      },
    }));
    const res = await port.importIdentities([
      { identifier: 'Contoso,Bench 1,S1', description: 'd1' },
      { identifier: 'HP,X,2', description: 'd2' },
    ]);
    expect(server.seen[0]!.method).toBe('POST');
    expect(server.seen[0]!.url).toBe('/beta/deviceManagement/importedDeviceIdentities/importDeviceIdentityList');
    expect(JSON.parse(server.seen[0]!.body)).toEqual(
      importDeviceIdentityListBody([
        { identifier: 'Contoso,Bench 1,S1', description: 'd1' },
        { identifier: 'HP,X,2', description: 'd2' },
      ]),
    );
    expect(res.value).toEqual([
      { identifier: 'Contoso,Bench 1,S1', status: true, id: '7c9e6679-7425-40de-944b-e07fc1f90ae7' },
      { identifier: 'HP,X,2', status: false },
    ]);
    expect(res.requestId).toBe('srv-1');
    expect(res.clientRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('the import is never resent by the client after a 5xx (it may have landed); a search is', async () => {
    const { server, port } = await setup((r, i) =>
      i === 0 || (r.url.includes('search') && i === 1)
        ? { status: 502, body: { error: { code: 'BadGateway', message: 'x' } } }
        : { status: 200, body: { value: [] } },
    );
    const err = await port.importIdentities([{ identifier: 'A,B,C', description: '' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphFailure);
    expect((err as GraphFailure).details?.maybeApplied).toBe(true);
    expect(server.seen).toHaveLength(1);
    const found = await port.searchExisting(['A,B,C']);
    expect(found.value).toEqual([]);
    expect(server.seen.filter((s) => s.url.endsWith('/searchExistingIdentities'))).toHaveLength(2);
  });

  it('search returns what the tenant has, and costs nothing for an empty list', async () => {
    const { server, port } = await setup(() => ({
      status: 200,
      body: {
        value: [
          {
            ...result('A,B,C', true),
            '@odata.type': '#microsoft.graph.importedDeviceIdentity',
            description: 'Added by Autopilot Station X',
          },
        ],
      },
    }));
    expect((await port.searchExisting([])).value).toEqual([]);
    expect(server.seen).toHaveLength(0);
    expect((await port.searchExisting(['A,B,C'])).value).toEqual([
      { id: '7c9e6679-7425-40de-944b-e07fc1f90ae7', identifier: 'A,B,C', description: 'Added by Autopilot Station X' },
    ]);
  });
});

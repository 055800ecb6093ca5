import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src-main/kernel/clock.ts';
import { createStation, type Station } from '../../src-main/app/createStation.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';

let station: Station | undefined;
afterEach(async () => {
  await station?.close();
  station = undefined;
});

describe('createStation: settings, sign-in and group tags', () => {
  it('training mode signs in to the built-in simulated tenant by itself and lists its group tags', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'station-'));
    station = createStation({ host: 'browser', dataDir, logger: silentLogger, clock: scaledClock(50) });
    const events: string[] = [];
    station.bus.subscribe((name) => events.push(name));
    const h = station.handlers;
    expect(await h.getSettings({})).toMatchObject({ cloud: 'global', apiVersion: 'v1.0', locked: [] });
    const status = await h.getAuthStatus({});
    expect(status).toMatchObject({ state: 'training', account: { tenantId: '6f1c3a52-8d0e-4b7a-9c4e-2a5b7d9e0f13' } });
    const tags = await h.listGroupTags({});
    expect(tags.tenant).toEqual(expect.arrayContaining(['Training', 'Kiosk']));
    // the autopilot operations the queue will use are live against the same tenant
    const ap = await station.tenant.autopilot();
    expect((await ap.findRegisteredBySerial('PF3REG01')).value).toHaveLength(1);
    // the training sign-in is cached encrypted, never in clear
    expect((await readdir(dataDir)).sort()).toEqual(
      expect.arrayContaining(['training-token-cache.bin', 'token-cache.key']),
    );
  });

  it('a tenant without a client id explains what is missing; a complete one waits for sign-in; clearing the tenant goes back to training', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'station-'));
    station = createStation({ host: 'browser', dataDir, logger: silentLogger, clock: scaledClock(50) });
    const h = station.handlers;
    await h.updateSettings({ patch: { tenantId: 'contoso.onmicrosoft.com' } });
    expect(await h.getAuthStatus({})).toMatchObject({ state: 'error', error: { code: 'AUTH_CLIENT_ID_REQUIRED' } });
    await h.updateSettings({
      patch: { clientId: '0b3c5d7e-9f10-4a2b-8c3d-4e5f6a7b8c9d', authMode: 'device-code', cloud: 'usgov' },
    });
    expect(await h.getAuthStatus({})).toMatchObject({ state: 'signed-out', mode: 'device-code' });
    expect(await h.listGroupTags({})).toEqual({ tenant: [], recent: [] });
    await h.updateSettings({ patch: { tenantId: '' } });
    expect(await h.getAuthStatus({})).toMatchObject({ state: 'training' });
  });
});

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStation } from '../../src-main/app/createStation.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { StationError } from '../../src-main/contract/errors.ts';
import type { Handlers } from '../../src-main/contract/contract.ts';
import { createDispatcher } from '../../src-main/ipc/dispatch.ts';

describe('dispatcher', () => {
  const station = createStation({ host: 'browser', dataDir: '/nonexistent', logger: silentLogger });
  const dispatch = createDispatcher(station.handlers, silentLogger);

  it('answers getInfo with the station facts in training mode when no tenant is set', async () => {
    const result = await dispatch('getInfo', {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({
      name: 'Autopilot Station',
      mode: 'training',
      host: 'browser',
      platform: process.platform,
    });
  });

  it('reports tenant mode once a tenant is set in the settings, and training again when it is cleared', async () => {
    const s = createStation({
      host: 'electron',
      dataDir: await mkdtemp(path.join(tmpdir(), 'station-info-')),
      logger: silentLogger,
    });
    const call = createDispatcher(s.handlers, silentLogger);
    const tenantId = '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';
    expect(await call('updateSettings', { patch: { tenantId, cloud: 'usgov' } })).toMatchObject({ ok: true });
    expect(await call('getInfo', {})).toMatchObject({
      ok: true,
      value: { mode: 'tenant', tenant: { tenantId, cloud: 'usgov' } },
    });
    // Any GUID the Settings form accepts (8-4-4-4-12 hex) is accepted here too, whatever its version digits.
    expect(await call('updateSettings', { patch: { clientId: '11111111-2222-3333-4444-555555555555' } })).toMatchObject(
      { ok: true },
    );
    expect(await call('updateSettings', { patch: { clientId: 'not-a-guid' } })).toMatchObject({
      ok: false,
      error: { code: 'INPUT_INVALID' },
    });
    await call('updateSettings', { patch: { tenantId: '', clientId: '' } });
    expect(await call('getInfo', {})).toMatchObject({ ok: true, value: { mode: 'training' } });
    await s.close();
  });

  it('refuses unknown calls, including prototype names', async () => {
    for (const name of ['nope', '__proto__', 'constructor', 'toString']) {
      const r = await dispatch(name, {});
      expect(r).toMatchObject({ ok: false, error: { code: 'CALL_UNKNOWN' } });
    }
  });

  it('refuses input that does not match the schema before any handler runs', async () => {
    for (const bad of [undefined, null, 'x', 42, [], { extra: 1 }]) {
      const r = await dispatch('getInfo', bad);
      expect(r).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID' } });
    }
  });

  it('returns a StationError as data and hides unexpected errors behind a generic message', async () => {
    const failing = (err: Error): Handlers => ({
      ...station.handlers,
      getInfo: async () => {
        throw err;
      },
    });
    const known = await createDispatcher(
      failing(new StationError({ code: 'X_CODE', message: 'known', action: 'do this' })),
      silentLogger,
    )('getInfo', {});
    expect(known).toEqual({ ok: false, error: { code: 'X_CODE', message: 'known', action: 'do this' } });
    const unknown = await createDispatcher(failing(new Error('secret internals')), silentLogger)('getInfo', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(unknown)).not.toContain('secret internals');
  });
});

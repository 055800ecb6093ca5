import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createStation } from '../../src-main/app/createStation.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import type { RawSerials } from '../../src-main/capture/systemSerialPort.ts';
import type { CapturedDevice, FileReadResult, ThisDeviceCapture } from '../../src-main/contract/types.ts';
import { createDispatcher } from '../../src-main/ipc/dispatch.ts';
import { devices, goodFixtures, hashOf } from '../fixtures/capture/fixtureFiles.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const good = path.join(here, '..', 'fixtures', 'capture', 'good');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'capture-calls-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The station as the renderer reaches it: every call through the contract's schema and the dispatcher. */
function station(serials: RawSerials, dropFolder?: string) {
  const s = createStation({
    host: 'browser',
    dataDir: path.join(tmp, 'data'),
    logger: silentLogger,
    serialPort: { readSerials: async () => serials },
    ...(dropFolder ? { dropFolder } : {}),
  });
  const dispatch = createDispatcher(s.handlers, silentLogger);
  const call = async <T>(name: string, input: unknown): Promise<T> => {
    const r = await dispatch(name, input);
    if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
    return r.value as T;
  };
  return { s, dispatch, call };
}

describe('capture calls through the contract', () => {
  it('readFiles: paths from the file dialog, one result per file', async () => {
    const { call, s } = station({});
    const results = await call<FileReadResult[]>('readFiles', {
      paths: [
        path.join(good, 'admin-centre-5col.csv'),
        path.join(good, 'oa3-utf16le-bom.xml'),
        path.join(tmp, 'gone.csv'),
      ],
    });
    expect(results.map((r) => [r.format, r.devices.length, r.errors.map((e) => e.code)])).toEqual([
      ['autopilot-csv', 2, []],
      ['oa3-xml', 1, []],
      [undefined, 0, ['FILE_NOT_FOUND']],
    ]);
    await s.close();
  });

  it('readFileContents: browser mode sends base64 and a name (never a path it could not have)', async () => {
    const { call, dispatch, s } = station({});
    const fixture = goodFixtures().find((f) => f.name === 'gwai-ps51-utf16le-3col.csv')!;
    const [r] = await call<FileReadResult[]>('readFileContents', {
      files: [{ name: 'C:\\Users\\tech\\Desktop\\AutopilotHWID.csv', base64: fixture.bytes.toString('base64') }],
    });
    expect(r).toMatchObject({
      path: 'AutopilotHWID.csv',
      format: 'autopilot-csv',
      encoding: 'utf-16le-bom',
      errors: [],
    });
    expect(r!.devices.map((d) => [d.serialNumber, d.valid])).toEqual([['5CG1234XYZ', true]]);

    const [notB64] = await call<FileReadResult[]>('readFileContents', {
      files: [{ name: 'x.csv', base64: 'not base64!!' }],
    });
    expect(notB64!.errors.map((e) => e.code)).toEqual(['FILE_UNREADABLE']);
    const [big] = await call<FileReadResult[]>('readFileContents', {
      files: [{ name: 'big.csv', base64: 'A'.repeat(13_999_996) }],
    });
    expect(big!.errors.map((e) => e.code)).toEqual(['FILE_TOO_LARGE']);
    // Over the contract's limits: refused before any service runs.
    expect(await dispatch('readFileContents', { files: [] })).toMatchObject({
      ok: false,
      error: { code: 'INPUT_INVALID' },
    });
    await s.close();
  });

  it('checkDevice: a typed serial turns a device without one into a valid device; a wrong one is stopped', async () => {
    const { call, s } = station({});
    const device = {
      serialNumber: '5CG1234XYZ',
      hardwareHash: hashOf(devices.hp, true),
      source: { kind: 'typed' as const },
    };
    const ok = await call<CapturedDevice>('checkDevice', { device });
    expect(ok).toMatchObject({ valid: true, serialNumber: '5CG1234XYZ', hash: { padded: true, manufacturer: 'HP' } });
    const wrong = await call<CapturedDevice>('checkDevice', { device: { ...device, serialNumber: 'JX0K2M3' } });
    expect(wrong.valid).toBe(false);
    expect(wrong.findings.map((f) => f.code)).toContain('SERIAL_MISMATCH');
    await s.close();
  });

  it("captureThisDevice: the cached serial with this machine's hash file, or a request for the serial", async () => {
    const hashFile = path.join(tmp, 'this.csv');
    writeFileSync(
      hashFile,
      `Device Serial Number,Windows Product ID,Hardware Hash\r\n${devices.hp2.serialNumber},,${hashOf(devices.hp2)}\r\n${devices.dell.serialNumber},,${hashOf(devices.dell)}\r\n`,
    );
    const real = station({ system: 'JX0K2M3', bios: 'JX0K2M3' });
    const c = await real.call<ThisDeviceCapture>('captureThisDevice', { hashFilePath: hashFile });
    expect(c).toMatchObject({
      serial: { value: 'JX0K2M3', source: 'system' },
      needsSerial: false,
      device: { serialNumber: 'JX0K2M3', valid: true, source: { kind: 'this-device', line: 3 } },
    });
    await real.s.close();

    const vm = station({ system: 'To be filled by O.E.M.', bios: '', chassis: 'Default string' });
    const asks = await vm.call<ThisDeviceCapture>('captureThisDevice', {});
    expect(asks).toEqual({ serial: { problem: 'placeholder', raw: 'To be filled by O.E.M.' }, needsSerial: true });
    const typed = await vm.call<ThisDeviceCapture>('captureThisDevice', {
      serialNumber: 'CND9876QRS',
      hashFilePath: hashFile,
    });
    expect(typed).toMatchObject({
      serial: { value: 'CND9876QRS', source: 'typed' },
      needsSerial: false,
      device: { serialNumber: 'CND9876QRS', valid: true },
    });
    await vm.s.close();
  });

  it('readDropFolder: the folder given to the station, each file once', async () => {
    const folder = path.join(tmp, 'drop');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'OA3.xml'), `<Key><HardwareHash>${hashOf(devices.surface)}</HardwareHash></Key>`);
    const { call, s } = station({}, folder);
    const first = await call<FileReadResult[]>('readDropFolder', {});
    expect(first.flatMap((r) => r.devices.map((d) => [d.serialNumber, d.source.kind]))).toEqual([
      ['0F1234567890AB', 'drop-folder'],
    ]);
    expect(await call('readDropFolder', {})).toEqual([]);
    await s.close();
    const none = station({});
    expect(await none.dispatch('readDropFolder', {})).toMatchObject({
      ok: false,
      error: { code: 'DROP_FOLDER_NOT_SET' },
    });
    await none.s.close();
  });
});

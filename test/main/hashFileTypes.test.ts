import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStation } from '../../src-main/app/createStation.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import {
  ACCEPTED_FILE_EXTENSIONS,
  HASH_FILE_ACCEPT,
  isAcceptedFileName,
} from '../../src-main/contract/hashFileTypes.ts';
import type { FileReadResult, ThisDeviceCapture } from '../../src-main/contract/types.ts';
import { createDispatcher } from '../../src-main/ipc/dispatch.ts';
import { devices, hashOf } from '../fixtures/capture/fixtureFiles.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'hash-file-types-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A note with commas: read by content it would be refused for its header, not for what it is. */
const NOTE = 'Serial,Model,Hash\r\nsee the USB stick,,\r\n';
const CSV = `Device Serial Number,Windows Product ID,Hardware Hash\r\n${devices.hp.serialNumber},,${hashOf(devices.hp)}\r\n`;

function station(dropFolder?: string) {
  const s = createStation({
    host: 'browser',
    dataDir: path.join(tmp, 'data'),
    logger: silentLogger,
    serialPort: { readSerials: async () => ({ system: devices.hp.serialNumber }) },
    ...(dropFolder ? { dropFolder } : {}),
  });
  const dispatch = createDispatcher(s.handlers, silentLogger);
  const call = async <T>(name: string, input: unknown): Promise<T> => {
    const r = await dispatch(name, input);
    if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
    return r.value as T;
  };
  return { s, call };
}

describe('one rule for the files Capture and Import take, declared once in the contract', () => {
  it('takes hash files (.csv, .xml) and workbooks (named, not read), in any case; nothing else', () => {
    expect(ACCEPTED_FILE_EXTENSIONS).toEqual(['.csv', '.xml', '.xlsx', '.xls']);
    for (const name of ['AutopilotHWID.csv', 'OA3.XML', 'report.xlsx', 'old.XLS', 'C:\\Hashes\\a.Csv'])
      expect(isAcceptedFileName(name), name).toBe(true);
    for (const name of ['notes.txt', 'hash', 'a.csv.txt', 'report.pdf', '.csv'])
      expect(isAcceptedFileName(name), name).toBe(false);
    expect(HASH_FILE_ACCEPT).toBe('.csv,.xml,text/csv,text/xml,application/xml');
  });

  it('Capture (a chosen hash file by path) refuses notes.txt, saying which files are accepted', async () => {
    const { s, call } = station();
    const note = path.join(tmp, 'notes.txt');
    writeFileSync(note, NOTE);
    const capture = await call<ThisDeviceCapture>('captureThisDevice', { hashFilePath: note });
    expect(capture.device).toBeUndefined();
    expect(capture.hashFile?.errors).toEqual([
      {
        code: 'FILE_WRONG_TYPE',
        message: expect.stringMatching(/notes\.txt.*\.csv, \.xml/),
        params: { name: 'notes.txt', accepted: '.csv, .xml' },
      },
    ]);
    await s.close();
  });

  it("Capture and Import in browser mode (the file's bytes and name) refuse it the same way; a .csv is read", async () => {
    const { s, call } = station();
    const [note, csv] = await call<FileReadResult[]>('readFileContents', {
      files: [
        { name: 'notes.txt', base64: Buffer.from(NOTE).toString('base64') },
        { name: 'a.csv', base64: Buffer.from(CSV).toString('base64') },
      ],
    });
    expect(note!.errors.map((e) => e.code)).toEqual(['FILE_WRONG_TYPE']);
    expect(csv!.devices.map((d) => d.serialNumber)).toEqual([devices.hp.serialNumber]);
    const [byPath] = await call<FileReadResult[]>('readFiles', { paths: [path.join(tmp, 'notes.txt')] });
    expect(byPath!.errors.map((e) => e.code)).toEqual(['FILE_WRONG_TYPE']);
    await s.close();
  });

  it('the drop folder reads the same files: a note beside the hash file is left alone', async () => {
    const drop = path.join(tmp, 'drop');
    mkdirSync(drop);
    writeFileSync(path.join(drop, 'notes.txt'), NOTE);
    writeFileSync(path.join(drop, 'AutopilotHWID.csv'), CSV);
    const { s, call } = station(drop);
    const results = await call<FileReadResult[]>('readDropFolder', {});
    expect(results.map((r) => [path.basename(r.path), r.devices.length, r.errors.map((e) => e.code)])).toEqual([
      ['AutopilotHWID.csv', 1, []],
    ]);
    await s.close();
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeHardwareHash } from '../../src-main/capture/decodeHardwareHash.ts';
import {
  assembleHash,
  encodeHardwareHash,
  encodeHardwareHashBytes,
  standardRecords,
} from '../../src-main/capture/encodeHardwareHash.ts';
import { RecordType } from '../../src-main/capture/hashLayout.ts';

const spec = {
  serialNumber: 'PF3ABC12',
  manufacturer: 'LENOVO',
  model: '21CB004LUS',
  productKeyId: '3306201234567',
  macAddresses: ['8C:8C:AA:01:02:03', '00:15:5D:AA:BB:CC'],
  smbiosUuid: '1B2C3D4E-5F60-7182-93A4-B5C6D7E8F901',
};
const codes = (b64: string, expectedSerial?: string) =>
  decodeHardwareHash(b64, expectedSerial === undefined ? {} : { expectedSerial }).findings.map((f) => f.code);

describe('hardware hash codec', () => {
  it('decodes every field of a valid hash, byte for byte', () => {
    const bytes = encodeHardwareHashBytes(spec);
    const r = decodeHardwareHash(bytes.toString('base64'), { expectedSerial: 'pf3abc12' });
    expect(r).toMatchObject({
      valid: true,
      padded: false,
      checksumOk: true,
      serialNumber: 'PF3ABC12',
      manufacturer: 'LENOVO',
      model: '21CB004LUS',
      productKeyId: '3306201234567',
      smbiosUuid: '1B2C3D4E-5F60-7182-93A4-B5C6D7E8F901',
      macAddresses: ['8C:8C:AA:01:02:03', '00:15:5D:AA:BB:CC'],
      tpmEkPresent: true,
      byteLength: 2998,
      length: 4000,
    });
    expect(r.findings).toEqual([]);
    // The records the decoder saw are exactly the ones the encoder wrote, in order and size.
    expect(r.records.map((x) => [x.type, x.length])).toEqual(
      standardRecords(spec).map((x) => [x.type, x.payload.length]),
    );
    // The checksum sits right after the records and covers bytes [0, totalLength).
    const totalLength = bytes.readUInt16LE(2);
    expect(bytes.toString('latin1', totalLength, totalLength + 4)).toBe('CS$\0');
    expect(bytes.subarray(totalLength + 4, totalLength + 36)).toEqual(
      createHash('sha256').update(bytes.subarray(0, totalLength)).digest(),
    );
  });

  it('pads unpadded base64 and says so', () => {
    const unpadded = encodeHardwareHash({ ...spec, totalBytes: 2999 }, { unpadded: true });
    expect(unpadded.length % 4).not.toBe(0);
    const r = decodeHardwareHash(unpadded);
    expect(r.padded).toBe(true);
    expect(r.valid).toBe(true);
    expect(r.normalized!.length % 4).toBe(0);
    expect(codes(unpadded)).toEqual(['HASH_PADDING_FIXED']);
  });

  it('accepts short but well-formed hashes (structure, not length)', () => {
    const small = assembleHash(standardRecords({ serialNumber: 'S1', manufacturer: 'M' }));
    expect(decodeHardwareHash(small.toString('base64')).valid).toBe(true);
  });

  it('refuses text that is not base64', () => {
    expect(codes('not*base64!')).toEqual(['HASH_NOT_BASE64']);
    expect(codes('QUJD=A')).toEqual(['HASH_NOT_BASE64']);
    expect(codes('A')).toEqual(['HASH_NOT_BASE64']);
    expect(codes('')).toEqual(['HASH_EMPTY']);
  });

  it('refuses a blob without the OA marker (Microsoft docs example: base64 of "hardwareIdentifier")', () => {
    expect(codes(Buffer.from('hardwareIdentifier').toString('base64'))).toEqual(['HASH_BAD_MAGIC']);
  });

  it('finds truncation, broken records, a missing trailer and a bad checksum', () => {
    const bytes = encodeHardwareHashBytes(spec);
    const totalLength = bytes.readUInt16LE(2);
    expect(codes(bytes.subarray(0, 100).toString('base64'))).toContain('HASH_TRUNCATED');
    expect(codes(bytes.subarray(0, totalLength + 10).toString('base64'))).toContain('HASH_TRUNCATED');
    expect(codes(bytes.subarray(0, 3).toString('base64'))).toEqual(['HASH_TRUNCATED']);
    // Cut before its serial and manufacturer records: the cut is the finding, not "no manufacturer" (a firmware fault).
    expect(codes(bytes.subarray(0, 100).toString('base64'))).toEqual(['HASH_TRUNCATED']);

    const badRecord = Buffer.from(bytes);
    badRecord.writeUInt16LE(2, 6); // first record claims length 2 (< header)
    expect(codes(badRecord.toString('base64'))).toContain('HASH_BAD_RECORD');

    const reserved = Buffer.from(bytes);
    reserved[5] = 7;
    expect(codes(reserved.toString('base64'))).toContain('HASH_BAD_RECORD');

    const noTrailer = Buffer.from(bytes);
    noTrailer.write('XX', totalLength, 'latin1');
    expect(codes(noTrailer.toString('base64'))).toContain('HASH_NO_TRAILER');

    const flipped = Buffer.from(bytes);
    flipped[20] = flipped[20]! ^ 0xff;
    const r = decodeHardwareHash(flipped.toString('base64'));
    expect(r.checksumOk).toBe(false);
    expect(r.findings.map((f) => f.code)).toContain('HASH_CHECKSUM_MISMATCH');
    expect(r.valid).toBe(false);

    const trailing = Buffer.from(bytes);
    trailing[trailing.length - 1] = 1;
    expect(decodeHardwareHash(trailing.toString('base64')).findings).toEqual([
      expect.objectContaining({ code: 'HASH_TRAILING_DATA', severity: 'warning' }),
    ]);
  });

  it('marks hashes without serial or manufacturer invalid (the service answers 802)', () => {
    expect(codes(encodeHardwareHash({ manufacturer: 'HP' }))).toEqual(['HASH_NO_SERIAL']);
    expect(codes(encodeHardwareHash({ serialNumber: '5CG1234' }))).toEqual(['HASH_NO_MANUFACTURER']);
  });

  it('stops a hash captured on another device, and placeholder serials', () => {
    const b64 = encodeHardwareHash(spec);
    expect(codes(b64, 'OTHER999')).toEqual(['SERIAL_MISMATCH']);
    expect(decodeHardwareHash(b64, { expectedSerial: 'OTHER999' }).valid).toBe(false);
    expect(codes(b64, 'To be filled by O.E.M.')).toEqual(['SERIAL_PLACEHOLDER']);
    const placeholderInside = decodeHardwareHash(
      encodeHardwareHash({ serialNumber: 'Default string', manufacturer: 'ASUS' }),
    );
    expect(placeholderInside.findings).toEqual([
      expect.objectContaining({ code: 'SERIAL_PLACEHOLDER', severity: 'warning' }),
    ]);
  });

  it('reads UTF-16 GPU names and TPM-less devices without confusion', () => {
    const gpu = Buffer.from('Intel Iris Xe\0', 'utf16le');
    const r = decodeHardwareHash(
      encodeHardwareHash({ ...spec, tpmEk: false, extraRecords: [{ type: RecordType.gpuName, payload: gpu }] }),
    );
    expect(r.valid).toBe(true);
    expect(r.tpmEkPresent).toBe(false);
    expect(r.records.at(-1)).toMatchObject({ type: RecordType.gpuName, length: gpu.length });
  });
});

describe('hardware hash text forms (fast and slow paths agree)', () => {
  const padded = encodeHardwareHash({ ...spec, totalBytes: 2999 });
  const unpadded = padded.replace(/=+$/, '');

  it('reads wrapped, spaced and unpadded text to the same padded base64', () => {
    const wrapped = padded.replace(/(.{76})/g, '$1\r\n');
    const spaced = ` ${unpadded.slice(0, 10)} \t${unpadded.slice(10)}\n`;
    for (const text of [padded, unpadded, wrapped, spaced]) {
      const r = decodeHardwareHash(text);
      expect(r.valid).toBe(true);
      expect(r.normalized).toBe(padded);
      expect(r.length).toBe(padded.length);
      expect(r.padded).toBe(!text.trimEnd().endsWith('='));
    }
  });

  it('refuses URL-safe base64 and stray characters that Node would silently skip', () => {
    const urlSafe = padded.replace(/\+/g, '-').replace(/\//g, '_');
    expect(urlSafe).not.toBe(padded);
    expect(codes(urlSafe)).toEqual(['HASH_NOT_BASE64']);
    expect(codes(`${padded.slice(0, 200)}.${padded.slice(200)}`)).toEqual(['HASH_NOT_BASE64']);
    expect(codes('   ')).toEqual(['HASH_EMPTY']);
  });
});

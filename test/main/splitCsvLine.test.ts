import { describe, expect, it } from 'vitest';
import { readHashFileBytes } from '../../src-main/capture/readHashFile.ts';
import { splitCsvLine } from '../../src-main/capture/splitCsvLine.ts';
import { devices, hashOf } from '../fixtures/capture/fixtureFiles.ts';

describe('splitCsvLine', () => {
  it('reads quoted and unquoted fields alike', () => {
    expect(splitCsvLine('a,,c', ',')).toEqual({ ok: true, fields: ['a', '', 'c'] });
    expect(splitCsvLine('"a","","c"', ',')).toEqual({ ok: true, fields: ['a', '', 'c'] });
    expect(splitCsvLine('"a ""b"", c",d', ',')).toEqual({ ok: true, fields: ['a "b", c', 'd'] });
    expect(splitCsvLine('a; "b" ;c', ';')).toEqual({ ok: true, fields: ['a', 'b', 'c'] });
    expect(splitCsvLine('a,"b",', ',')).toEqual({ ok: true, fields: ['a', 'b', ''] });
  });

  it('refuses broken quoting instead of guessing', () => {
    expect(splitCsvLine('"a,b', ',')).toMatchObject({ ok: false });
    expect(splitCsvLine('"a"x,b', ',')).toMatchObject({ ok: false });
    expect(splitCsvLine('a"b,c', ',')).toMatchObject({ ok: false });
  });
});

describe('CSV rows that look odd but are real', () => {
  const header = 'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User';
  it('a lone "-" serial is a firmware placeholder to fix, not a formula to refuse', () => {
    const r = readHashFileBytes(
      Buffer.from(`${header}\r\n-,,${hashOf({ serialNumber: '-', manufacturer: 'System manufacturer' })},,\r\n`),
      'x.csv',
    );
    expect(r.errors).toEqual([]);
    expect(r.devices[0]).toMatchObject({ serialNumber: '-', valid: false });
    expect(r.devices[0]!.findings.map((f) => f.code)).toContain('SERIAL_PLACEHOLDER');
  });

  it('rows missing only the trailing optional columns are read; Excel\'s ",,,," rows are skipped', () => {
    const r = readHashFileBytes(
      Buffer.from(
        `${header}\n${devices.dell.serialNumber},,${hashOf(devices.dell)}\n,,,,\n${devices.hp.serialNumber},,${hashOf(devices.hp)},Lab\n`,
      ),
      'x.csv',
    );
    expect(r.errors).toEqual([]);
    expect(r.devices.map((d) => [d.serialNumber, d.groupTag, d.source.line])).toEqual([
      ['JX0K2M3', undefined, 2],
      ['5CG1234XYZ', 'Lab', 4],
    ]);
  });

  it('empty columns Excel adds on the right are ignored', () => {
    const r = readHashFileBytes(
      Buffer.from(
        `Device Serial Number,Windows Product ID,Hardware Hash,,\r\n${devices.asus.serialNumber},,${hashOf(devices.asus)},,\r\n`,
      ),
      'x.csv',
    );
    expect(r.errors).toEqual([]);
    expect(r.devices).toHaveLength(1);
  });

  it('header names are matched without case, quotes or spaces around them', () => {
    const r = readHashFileBytes(
      Buffer.from(
        ` "device serial number" , WINDOWS PRODUCT ID,Hardware Hash\n${devices.asus.serialNumber},,${hashOf(devices.asus)}\n`,
      ),
      'x.csv',
    );
    expect(r.errors).toEqual([]);
    expect(r.devices).toHaveLength(1);
  });
});

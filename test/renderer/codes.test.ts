import { afterEach, describe, expect, it } from 'vitest';
import { adviceKeyFor, adviceKind, fill, hasWords, wordAdvice, wordCode } from '../../src-renderer/lib/codes.ts';
import { errorText } from '../../src-renderer/lib/stores/errorText.ts';
import { ApiError } from '../../src-renderer/lib/api.ts';
import { i18n, tn } from '../../src-renderer/lib/i18n/i18n.svelte.ts';
import { en } from '../../src-renderer/lib/i18n/en.ts';
import { ja } from '../../src-renderer/lib/i18n/ja.ts';
import { collectCodeSites, collectLeftOutCodes, collectStationCodes } from './stationCodes.ts';

/** Codes the renderer makes itself (api.ts, settings store) besides those of src-main. */
const RENDERER_CODES = ['STATION_UNREACHABLE', 'SIGN_IN_FAILED', 'HTTP_500', 'CALL_UNKNOWN', 'NOT_AVAILABLE'];
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

afterEach(() => i18n.setLocale('en'));

describe('advice catalogue', () => {
  const codes = collectStationCodes();

  it('finds the codes of the main process in its source (the walk itself works)', () => {
    // A few from each family, so a broken collector cannot pass the test below by finding nothing (the last three
    // stand in an item(), a failure() and a constant: docs/architecture.md#tests-and-benchmarks).
    for (const c of [
      'SERIAL_MISMATCH',
      'HASH_CHECKSUM_MISMATCH',
      'CSV_FORMULA',
      'XML_DTD_REFUSED',
      'GRAPH_THROTTLED',
      'AUTH_CONSENT_MISSING',
      'INPUT_INVALID',
      'DROP_FOLDER_NOT_SET',
      'Timeout',
      'ProfileAssignmentFailed',
      'ZtdDeviceDuplicated',
      'StorageError',
      'ZtdDeviceAssignedToOtherTenant',
      'DEVICE_INVALID',
      'CHECK_TENANT_OK',
      'REMOTE_TENANT_URL_INVALID',
      'GROUP_TAG_KEPT',
    ]) {
      expect(codes.names, c).toContain(c);
    }
    // Intune's numbers come from the one table (a new code joins by itself); the documented ones are among them.
    expect(codes.numbers).toEqual(expect.arrayContaining([801, 802, 803, 806, 807, 808, 809, 810, 811, 812, 813, 814]));
    expect(codes.names).toContain('ZtdDeviceAssignedToAnotherTenant');
    expect(codes.names.length).toBeGreaterThan(80);
  });

  it('words every code the station or Graph can produce, in English and in Japanese', () => {
    const missing: string[] = [];
    const notJapanese: string[] = [];
    const unfilled: string[] = [];
    // Each code is worded with the params its sites send (a check item always sends {host}); codeParams.test.ts
    // checks the sites one by one. A code handed on in a variable (item('failed', code, …)) has no site the source
    // shows: its own placeholders stand in, so only a broken bracket is caught for it.
    const sent = new Map<string, Record<string, string>>();
    for (const site of collectCodeSites())
      sent.set(site.code, {
        ...sent.get(site.code),
        ...Object.fromEntries((site.params ?? []).map((p) => [p, `<${p}>`])),
      });
    const ownPlaceholders = (code: string) =>
      Object.fromEntries(
        [...`${en[`code.${code}` as keyof typeof en] ?? ''}`.matchAll(/\{(\w+)\}/g)].map((m) => [m[1]!, `<${m[1]}>`]),
      );
    for (const code of codes.names) if (!sent.has(code)) sent.set(code, ownPlaceholders(code));
    for (const code of [...codes.names, ...codes.numbers, ...RENDERER_CODES]) {
      if (!hasWords(code)) missing.push(String(code));
      i18n.setLocale('en');
      const en = wordCode(code, sent.get(String(code)));
      i18n.setLocale('ja');
      const ja = wordCode(code, sent.get(String(code)));
      if (!JAPANESE.test(ja) || ja === en) notJapanese.push(String(code));
      if (/[{}[\]]/.test(en + ja)) unfilled.push(String(code));
    }
    expect(
      missing,
      'codes without words: add error.<code> (an Intune error) or code.<CODE> to en.ts and ja.ts',
    ).toEqual([]);
    // A key only en.ts has reads as English in Japanese: name the key, not just the code.
    const jaLacks = Object.keys(en).filter((k) => /^(error|code)\./.test(k) && !Object.hasOwn(ja, k));
    expect(jaLacks, 'ja.ts lacks these keys that en.ts has').toEqual([]);
    expect(notJapanese, 'codes whose Japanese words are missing or still English in ja.ts').toEqual([]);
    expect(unfilled, 'codes whose words keep a {placeholder} or [bracket] unfilled').toEqual([]);
  });

  it("leaves out only the command line's and the simulated tenant's own codes, which no screen shows", () => {
    // The command line prints a StationError's English message and action; the simulator's codes are Microsoft's
    // side of an answer (docs/architecture.md#tests-and-benchmarks). A new code there joins this list on purpose.
    const csdlIssues = [
      'BAD_BINARY',
      'BAD_DATETIME',
      'BAD_ENUM_VALUE',
      'BETA_ONLY_PROPERTY',
      'MISSING_PROPERTY',
      'NULL_NOT_ALLOWED',
      'UNKNOWN_PROPERTY',
      'UNKNOWN_TYPE',
      'WRONG_ODATA_TYPE',
      'WRONG_TYPE',
    ];
    expect(collectLeftOutCodes().filter((c) => !csdlIssues.includes(c))).toEqual([
      'SIM_SCENARIO_INVALID',
      'SIM_SCENARIO_UNREADABLE',
      'USAGE',
    ]);
  });

  it('an unknown code says so with the code, in the technician language, never the English message', () => {
    i18n.setLocale('ja');
    const text = errorText(
      new ApiError({ code: 'SOMETHING_NEW', message: 'Something new went wrong.', action: 'Do this.' }),
    );
    expect(text).toContain('SOMETHING_NEW');
    expect(text).toMatch(JAPANESE);
    expect(text).not.toContain('went wrong');
    expect(wordAdvice(899, 'ZtdNotARealCodeForTests')).toMatch(JAPANESE);
  });

  it('uses params where the code has them, and words well without them', () => {
    expect(wordCode('FILE_NOT_FOUND', { path: 'D:\\OA3.xml' })).toBe(
      'The file was not found (D:\\OA3.xml). Check the path or choose the file again.',
    );
    expect(wordCode('FILE_NOT_FOUND')).toBe('The file was not found. Check the path or choose the file again.');
    expect(wordCode('SERIAL_MISMATCH', { hashSerial: 'PF1', serial: 'PF2' })).toContain('(PF1)');
    expect(fill('a[ b {x}][ c {y}] d', { x: 1 })).toBe('a b 1 d');
    i18n.setLocale('ja');
    expect(errorText(new ApiError({ code: 'FILE_TOO_MANY_ROWS', message: 'x', params: { limit: 10000 } }))).toContain(
      '10,000 行',
    );
  });

  it("a refused input names the field in the screen's words", () => {
    const err = new ApiError({
      code: 'INPUT_INVALID',
      message: 'x',
      details: { call: 'updateSettings', issues: ['patch.tenantId: must be a tenant id (GUID) or a domain'] },
    });
    expect(errorText(err)).toBe(
      'A value was refused as not valid. Check the values you entered and try again. Refused: Tenant ID.',
    );
    i18n.setLocale('ja');
    expect(errorText(err)).toContain('拒否された項目: テナント ID。');
  });

  it('an invalid device is worded by its finding, not as an unknown error', () => {
    expect(wordAdvice(undefined, 'SERIAL_MISMATCH')).toBe(wordCode('SERIAL_MISMATCH'));
    expect(wordAdvice(undefined, 'SERIAL_MISMATCH')).not.toBe(i18n.t('error.unknown'));
    expect(wordAdvice(undefined, 'InvalidZtdHardwareHash')).toBe(i18n.t('error.802'));
  });

  it("finds advice by code, then by name in any of Microsoft's spellings, else none", () => {
    expect(adviceKeyFor(808, 'ZtdDeviceAssignedToOtherTenant')).toBe('error.808');
    expect(adviceKeyFor(0, 'ZtdDeviceAssignedToAnotherTenant')).toBe('error.808');
    expect(adviceKeyFor(undefined, 'ZtdDeviceDuplicated')).toBe('error.ZtdDeviceDuplicated');
    expect(adviceKeyFor(undefined, 'StorageError')).toBe('error.StorageError');
    expect(adviceKeyFor(806, 'GROUP_TAG_KEPT')).toBe('code.GROUP_TAG_KEPT');
    expect(adviceKeyFor(undefined, 'Timeout')).toBe('code.Timeout');
    expect(adviceKeyFor(899, 'ZtdNotARealCodeForTests')).toBeUndefined();
  });

  it('sorts outcomes so that colours mean one thing', () => {
    expect(adviceKind(806, 'ZtdDeviceAlreadyAssigned')).toBe('done');
    for (const n of [808, 809, 810, 811]) expect(adviceKind(n, undefined)).toBe('stop');
    expect(adviceKind(undefined, 'ZtdDeviceOwnedByOtherTenant')).toBe('stop');
    expect(adviceKind(0, 'ZtdDeviceAssignedToAnotherTenant')).toBe('stop');
    expect(adviceKind(undefined, 'ZtdDeviceDuplicated')).toBe('fix');
    expect(adviceKind(undefined, 'DEVICE_INVALID')).toBe('fix');
    expect(adviceKind(802, undefined)).toBe('fix');
    expect(adviceKind(undefined, 'SERIAL_PLACEHOLDER')).toBe('fix');
    // A row refused for what the file says: fix the file, not the capture.
    expect(adviceKind(undefined, 'CSV_GROUP_TAG_INVALID')).toBe('fixFile');
    expect(adviceKind(undefined, 'CSV_BAD_VALUE')).toBe('fixFile');
    expect(adviceKind(undefined, 'CSV_NO_HASH')).toBe('fix');
    expect(adviceKind(undefined, 'StorageError')).toBe('retry');
    expect(adviceKind(undefined, 'GRAPH_THROTTLED')).toBe('retry');
  });
});

describe('plurals', () => {
  it('English: one and other by Intl.PluralRules', () => {
    expect(tn('import.readingFiles', 1)).toBe('Reading 1 file…');
    expect(tn('import.readingFiles', 2)).toBe('Reading 2 files…');
    expect(tn('import.readingFiles', 0)).toBe('Reading 0 files…');
    expect(tn('queue.removed', 1)).toBe('1 device removed from the queue.');
    expect(tn('queue.removed', 1200)).toBe('1,200 devices removed from the queue.');
    expect(tn('queue.devicesShown', 1, { shown: 1, total: 1 })).toBe('1 of 1 device');
  });
  it('Japanese: one form, counters and grouping in the locale', () => {
    i18n.setLocale('ja');
    expect(tn('import.readingFiles', 1)).toBe('1 個のファイルを読み取っています…');
    expect(tn('queue.removed', 1200)).toBe('1,200 台のデバイスをキューから削除しました。');
  });
});

describe('what a waiting row says to do (it used to read "Retry" while Retry was disabled)', () => {
  it('a bench signed out says Sign in; a bench offline says Fix the network; a Graph failure still says Retry', () => {
    for (const name of ['GRAPH_SIGN_IN_EXPIRED', 'AUTH_DECLINED', 'AUTH_CONSENT_MISSING'])
      expect(adviceKind(undefined, name)).toBe('signIn');
    for (const name of [
      'GRAPH_NETWORK',
      'AUTH_NETWORK',
      'CHECK_DNS_FAILED',
      'CHECK_TCP_FAILED',
      'CHECK_TLS_INTERCEPTED',
    ])
      expect(adviceKind(undefined, name)).toBe('network');
    expect(adviceKind(undefined, 'GRAPH_THROTTLED')).toBe('retry');
  });
  it('each kind has its own words in both languages', async () => {
    const { en } = await import('../../src-renderer/lib/i18n/en.ts');
    const { ja } = await import('../../src-renderer/lib/i18n/ja.ts');
    for (const kind of ['done', 'stop', 'fix', 'fixFile', 'retry', 'signIn', 'network']) {
      expect(en).toHaveProperty(`advice.${kind}`);
      expect(ja).toHaveProperty(`advice.${kind}`);
    }
    expect(en['advice.signIn']).not.toBe(en['advice.retry']);
  });
});

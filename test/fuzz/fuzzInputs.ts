import { encodeHardwareHash } from '../../src-main/capture/encodeHardwareHash.ts';
import type { CallName } from '../../src-main/contract/contract.ts';
import { DEVICE_STATES } from '../../src-main/contract/types.ts';
import type { FuzzRng } from './fuzzRng.ts';

/**
 * Hostile values and schema-aware mutations of valid contract inputs. Everything is derived from a
 * FuzzRng, so a seed replays the same inputs. Two flavours of values: what Electron's structured
 * clone can carry (undefined, NaN, BigInt, Map, Date, typed arrays...) and what JSON can carry
 * (browser mode); the HTTP layer adds its own malformed bodies on top.
 */

export type Carrier = 'ipc' | 'json';

export const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'then',
];

/** Strings that break naive code: control and bidi characters, lone surrogates, paths, formulas, injections. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u202eevil',
  '\u200b',
  '\ufeff',
  '\ud800',
  '\udfff',
  'x\ud83d',
  '😀',
  '👩‍👩‍👧‍👦',
  'ｱｲｳ',
  'シリアル',
  'e\u0301',
  '\r\n',
  '\t',
  '\u0085',
  '\u2028',
  '%00',
  '%2e%2e%2f',
  '../../../../etc/passwd',
  '..\\..\\Windows\\System32',
  'C:\\',
  '\\\\?\\C:\\x',
  '\\\\server\\share\\x.csv',
  'CON',
  'NUL.csv',
  '/dev/zero',
  '/dev/stdin',
  '/proc/self/mem',
  '%s%s%n',
  "' OR 1=1 --",
  '"; DROP TABLE devices; --',
  '<script>alert(1)</script>',
  '${process.exit()}',
  '{{constructor.constructor("x")()}}',
  "=cmd|'/c calc'!A0",
  '@SUM(A1)',
  '+1',
  '-1',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-0',
  '1e999',
  '0x10',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'a@b.c',
  'To be filled by O.E.M.',
  '00000000-0000-0000-0000-000000000000',
  'T0E=',
  '====',
];

const ALPHABETS = [
  'abcdefghijklmnopqrstuvwxyz',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=',
  ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  '\u0000\u0001\u0007\u0008\u000b\u000c\u001b\u007f\u0080\u009f',
  'éüß漢字シリアル😀\u202e\u200b\ufeff',
];

export function randomString(rng: FuzzRng, maxLength = 40): string {
  if (rng.chance(0.3)) return rng.pick(NASTY_STRINGS);
  const alphabet = rng.pick(ALPHABETS);
  const n = rng.int(maxLength + 1);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[rng.int(alphabet.length)];
  // A lone surrogate now and then: valid in JS strings, invalid in UTF-8.
  if (rng.chance(0.05)) s += rng.pick(['\ud800', '\udc00']);
  return s;
}

/** 64 KB to 1 MB, sometimes 2 MB: past every max() in the contract without exhausting memory. */
export function hugeString(rng: FuzzRng): string {
  const size = rng.pick([65_537, 300_000, 1_048_577, 2_100_000]);
  const unit = rng.pick(['A', 'é', '😀', '\u0000', 'QUFB', '"', ',', '<a>', '\ud800']);
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

export function edgeNumber(rng: FuzzRng, carrier: Carrier): number {
  const json = [
    0,
    -1,
    1,
    1.5,
    -0.5,
    2 ** 31,
    2 ** 32,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53),
    1e308,
    -1e308,
    5e-324,
    10_001,
    500,
    501,
    1000,
    1001,
    65,
  ];
  const ipcOnly = [NaN, Infinity, -Infinity, -0];
  return rng.pick(carrier === 'ipc' && rng.chance(0.4) ? ipcOnly : json);
}

/** Any JSON value, up to a small depth. */
export function randomJson(rng: FuzzRng, depth = 3): unknown {
  const kind = rng.int(depth > 0 ? 7 : 5);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.chance(0.5) ? edgeNumber(rng, 'json') : (rng.next() - 0.5) * 10 ** rng.int(12);
    case 3:
    case 4:
      return randomString(rng);
    case 5:
      return Array.from({ length: rng.int(5) }, () => randomJson(rng, depth - 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(5); i > 0; i--)
        setOwn(o, rng.chance(0.2) ? rng.pick(PROTO_KEYS) : randomString(rng, 12), randomJson(rng, depth - 1));
      return o;
    }
  }
}

/** Defines an own property even for "__proto__" (plain assignment would change the prototype instead). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function nested(depth: number, leaf: unknown, asArray: boolean): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { a: v };
  return v;
}

/** Values that break parsers: huge, deep, wide, prototype keys, and (over ipc) what JSON cannot say. */
export function hostileValue(rng: FuzzRng, carrier: Carrier): unknown {
  const kinds = carrier === 'ipc' ? 16 : 10;
  switch (rng.int(kinds)) {
    case 0:
      return randomJson(rng);
    case 1:
      return hugeString(rng);
    case 2:
      return nested(rng.pick([100, 1000, 5000]), randomJson(rng, 0), rng.chance(0.5));
    case 3: {
      // Separate objects, not one shared: a later mutation of one item must not grow them all.
      const kind = rng.int(3);
      return Array.from({ length: rng.pick([10_001, 100_000]) }, () => (kind === 0 ? 'a' : kind === 1 ? 0 : {}));
    }
    case 4: {
      const o: Record<string, unknown> = {};
      for (const k of PROTO_KEYS)
        if (rng.chance(0.5)) setOwn(o, k, rng.chance(0.5) ? { polluted: true } : randomJson(rng, 1));
      return o;
    }
    case 5: {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < 10_000; i++) o[`k${i}`] = i;
      return o;
    }
    case 6:
      return edgeNumber(rng, carrier);
    case 7:
      return rng.pick(NASTY_STRINGS);
    case 8:
      // A long key: error messages must not echo it whole.
      return { [hugeString(rng).slice(0, rng.pick([300, 70_000]))]: 1 };
    case 9:
      return rng.pick([null, true, false, 0, '', [], {}]);
    // structured clone only
    case 10:
      return rng.pick([undefined, NaN, Infinity, -Infinity, -0]);
    case 11:
      return BigInt(rng.pick(['0', '1', '-1', '9007199254740993', '1' + '0'.repeat(400)]));
    case 12:
      return rng.pick([new Date(0), new Date(NaN), /x+/g, new Map([['a', 1]]), new Set([1, 2])]);
    case 13:
      return rng.pick([new Uint8Array(rng.int(64)), new ArrayBuffer(16), new Float64Array([NaN])]);
    case 14: {
      const sparse: unknown[] = [];
      sparse[rng.pick([5, 9_999, 1_000_000])] = 'x';
      return sparse;
    }
    default: {
      const err = new Error(randomString(rng));
      return rng.chance(0.5) ? err : Object.assign(Object.create(null), { a: 1 });
    }
  }
}

// ---------- valid inputs, per call ----------

export interface InputContext {
  /** Devices the fuzz queued itself: the only ids valid inputs may name (never the sentinel devices). */
  ownIds: string[];
  /** Paths of files on disk (fixtures, mutated files, folders, missing files, devices). */
  paths: string[];
  /** File bytes for browser-mode reads. */
  fileBytes: () => Uint8Array;
  /** A folder with a few hash files (drop folder setting). */
  dropDir: string;
}

const TAGS = ['', 'Lab', 'Sales-EU', 'Kiosk (1F)', 'A.B:C/D#E&F_G', 'x'.repeat(128)];
const USERS = ['', 'tech@contoso.com', 'a.b-c@sub.contoso.co.jp'];
const GUID = '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';

export function fuzzSerial(rng: FuzzRng): string {
  const chars = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
  let s = 'FZ';
  for (let i = 0; i < 8; i++) s += chars[rng.int(chars.length)];
  return s;
}

/** A device as checkDevice takes it: usually a real hash for its serial, sometimes a damaged or foreign one. */
export function deviceInput(rng: FuzzRng): Record<string, unknown> {
  const serialNumber = fuzzSerial(rng);
  const roll = rng.int(10);
  const hardwareHash =
    roll < 7
      ? encodeHardwareHash(
          { serialNumber, manufacturer: rng.pick(['LENOVO', 'HP', 'Dell Inc.']), model: 'Fuzz 1' },
          { unpadded: rng.chance(0.3) },
        )
      : roll === 7
        ? encodeHardwareHash({ serialNumber: 'OTHER1234', manufacturer: 'HP' })
        : roll === 8
          ? ''
          : Buffer.from(randomString(rng, 400)).toString('base64');
  const d: Record<string, unknown> = {
    serialNumber,
    hardwareHash,
    source: rng.chance(0.5)
      ? { kind: 'typed' }
      : { kind: 'file', path: `C:\\hashes\\${serialNumber}.csv`, line: rng.int(500), format: 'autopilot-csv' },
  };
  if (rng.chance(0.3)) d.productKey = rng.pick(['', 'NPPR9-FWDCX-D2C8J-H872K-2YT43', '3306201234567']);
  if (rng.chance(0.3)) d.groupTag = rng.pick(TAGS);
  if (rng.chance(0.2)) d.assignedUser = rng.pick(USERS);
  return d;
}

function someIds(rng: FuzzRng, ctx: InputContext): string[] {
  const n = rng.range(1, 4);
  return Array.from({ length: n }, () =>
    ctx.ownIds.length && rng.chance(0.7)
      ? rng.pick(ctx.ownIds)
      : rng.pick(['nope', 'a'.repeat(64), '00000000-0000-0000-0000-000000000000', 'x_y-z']),
  );
}

function settingsPatch(rng: FuzzRng, ctx: InputContext): Record<string, unknown> {
  const all: Record<string, () => unknown> = {
    // tenantId is locked on the fuzz station (training mode stays on): a new value is SETTINGS_LOCKED.
    tenantId: () => rng.pick(['', GUID, 'contoso.onmicrosoft.com']),
    clientId: () => rng.pick(['', GUID]),
    cloud: () => rng.pick(['global', 'usgov', 'usgovdod', 'china']),
    apiVersion: () => rng.pick(['v1.0', 'beta']),
    authMode: () => rng.pick(['browser', 'device-code', 'certificate']),
    certificatePath: () => rng.pick(['', '/nonexistent/cert.pem', ctx.dropDir]),
    defaultGroupTag: () => rng.pick(TAGS),
    batchSize: () => rng.pick([1, 100, 500]),
    dropFolder: () => rng.pick(['', ctx.dropDir, '/nonexistent/drop', rng.pick(ctx.paths)]),
    waitFor: () => rng.pick(['imported', 'registered', 'assigned']),
  };
  const patch: Record<string, unknown> = {};
  for (const [k, make] of Object.entries(all)) if (rng.chance(0.25)) patch[k] = make();
  return patch;
}

const NO_INPUT: CallName[] = [
  'getInfo',
  'readDropFolder',
  'getSettings',
  'getAuthStatus',
  'signIn',
  'signOut',
  'listGroupTags',
  'saveDiagnostics',
];

/** A valid input for each call, with optional keys present or not. */
export function validInput(rng: FuzzRng, name: CallName, ctx: InputContext): Record<string, unknown> {
  if (NO_INPUT.includes(name)) return {};
  switch (name) {
    case 'captureThisDevice': {
      const input: Record<string, unknown> = {};
      if (rng.chance(0.6)) input.hashFilePath = rng.pick(ctx.paths);
      if (rng.chance(0.4))
        input.serialNumber = rng.pick(['PF0FUZZ1', fuzzSerial(rng), ' padded ', 'To be filled by O.E.M.']);
      return input;
    }
    case 'readFiles':
      return { paths: Array.from({ length: rng.range(1, 3) }, () => rng.pick(ctx.paths)) };
    case 'readFileContents':
      return {
        files: Array.from({ length: rng.range(1, 2) }, () => ({
          name: rng.pick(['OA3.xml', 'hashes.csv', '..\\..\\x.csv', 'シリアル.csv', 'a/b/c']),
          base64: Buffer.from(ctx.fileBytes()).toString('base64'),
        })),
      };
    case 'checkDevice':
      return { device: deviceInput(rng) };
    case 'queueDevices': {
      const input: Record<string, unknown> = {
        devices: Array.from({ length: rng.range(1, 3) }, () => deviceInput(rng)),
      };
      if (rng.chance(0.3)) input.groupTag = rng.pick(TAGS);
      if (rng.chance(0.2)) input.assignedUser = rng.pick(USERS);
      return input;
    }
    case 'listQueue': {
      const input: Record<string, unknown> = {};
      if (rng.chance(0.5)) input.offset = rng.pick([0, 1, 100, 2 ** 40]);
      if (rng.chance(0.5)) input.limit = rng.pick([1, 50, 10_000]);
      if (rng.chance(0.3)) input.states = [rng.pick(DEVICE_STATES)];
      if (rng.chance(0.3)) input.search = rng.pick(['FZ', '%', '_', '\\', "'", 'SENTINEL', 'x'.repeat(64)]);
      return input;
    }
    case 'getDevice':
      return { id: someIds(rng, ctx)[0]! };
    case 'deviceAction':
      return { ids: someIds(rng, ctx), action: rng.pick(['retry', 'remove', 'reregister']) };
    case 'editDevices': {
      const input: Record<string, unknown> = { ids: someIds(rng, ctx) };
      if (rng.chance(0.6)) input.groupTag = rng.pick(TAGS);
      if (rng.chance(0.4)) input.assignedUser = rng.pick(USERS);
      return input;
    }
    case 'exportQueue': {
      const input: Record<string, unknown> = { format: rng.pick(['intune', 'report']) };
      if (rng.chance(0.5)) input.ids = someIds(rng, ctx);
      return input;
    }
    case 'updateSettings':
      return { patch: settingsPatch(rng, ctx) };
    default:
      return {};
  }
}

// ---------- mutations ----------

type Container = Record<string, unknown> | unknown[];
interface Slot {
  parent: Container | undefined;
  key: string | number | undefined;
  value: unknown;
}

/** Every position in the value (the root, object members, array items), depth-first, bounded. */
function slots(root: unknown): Slot[] {
  const out: Slot[] = [{ parent: undefined, key: undefined, value: root }];
  const walk = (v: unknown, depth: number) => {
    if (depth > 6 || v === null || typeof v !== 'object') return;
    // Only plain objects and arrays are taken apart; Maps, typed arrays and Errors are leaves.
    const proto = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return;
    if (Array.isArray(v)) {
      v.slice(0, 20).forEach((item, i) => {
        out.push({ parent: v, key: i, value: item });
        walk(item, depth + 1);
      });
    } else {
      for (const [k, item] of Object.entries(v)) {
        out.push({ parent: v as Record<string, unknown>, key: k, value: item });
        walk(item, depth + 1);
      }
    }
  };
  walk(root, 0);
  return out;
}

function leafMutation(rng: FuzzRng, value: unknown, carrier: Carrier): unknown {
  if (typeof value === 'string') {
    switch (rng.int(6)) {
      case 0:
        return hugeString(rng);
      case 1:
        return value + rng.pick(NASTY_STRINGS);
      case 2:
        return rng.pick(NASTY_STRINGS) + value;
      case 3:
        return value.slice(0, rng.int(value.length + 1));
      case 4:
        return value.length ? value.slice(0, 1) + '\u0000' + value.slice(1) : '\u0000';
      default:
        return rng.chance(0.5) ? Number(value.length) : [value];
    }
  }
  if (typeof value === 'number') return rng.chance(0.7) ? edgeNumber(rng, carrier) : String(value);
  if (typeof value === 'boolean') return rng.pick([0, 1, 'true', null]);
  if (Array.isArray(value)) {
    switch (rng.int(4)) {
      case 0:
        return [];
      case 1: {
        // Copies of a small item only: 100k copies of a 2 MB string would test the harness's memory, not the station.
        const item = value[0] ?? 'x';
        const small = (jsonText(item)?.length ?? Infinity) <= 40 ? item : 'x';
        return Array.from({ length: rng.pick([1001, 10_001, 100_000]) }, () =>
          typeof small === 'object' && small !== null ? structuredClone(small) : small,
        );
      }
      case 2:
        return [...value, hostileValue(rng, carrier)];
      default:
        return value[0];
    }
  }
  return hostileValue(rng, carrier);
}

export interface Mutated {
  input: unknown;
  /** What was done, for failure messages. */
  ops: string[];
}

/**
 * One to three mutations at random positions of a valid input: a hostile value in place of a member,
 * a member removed, an extra or prototype key added, a leaf changed type or blown up, the whole
 * input replaced. Returns a new value; the given one is not changed.
 */
export function mutateInput(rng: FuzzRng, valid: unknown, carrier: Carrier): Mutated {
  let root = structuredClone(valid);
  const ops: string[] = [];
  const count = rng.range(1, 3);
  for (let n = 0; n < count; n++) {
    const all = slots(root);
    const slot = rng.pick(all);
    const where = slot.key === undefined ? 'input' : String(slot.key);
    const op = rng.int(6);
    const replace = (v: unknown) => {
      if (slot.parent === undefined) root = v;
      else if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = v;
      else setOwn(slot.parent, slot.key as string, v);
    };
    if (op === 0 || (slot.parent === undefined && op === 1)) {
      replace(hostileValue(rng, carrier));
      ops.push(`hostile@${where}`);
    } else if (op === 1) {
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete (slot.parent as Record<string, unknown>)[slot.key as string];
      ops.push(`delete@${where}`);
    } else if (op === 2) {
      const objects = all.filter(
        (s) =>
          s.value !== null &&
          typeof s.value === 'object' &&
          [Object.prototype, null].includes(Object.getPrototypeOf(s.value)),
      );
      if (!objects.length) continue;
      const target = rng.pick(objects).value as Record<string, unknown>;
      const key = rng.chance(0.5) ? rng.pick(PROTO_KEYS) : randomString(rng, 20);
      setOwn(target, key, rng.chance(0.5) ? randomJson(rng, 2) : hostileValue(rng, carrier));
      ops.push(`extraKey(${JSON.stringify(key.slice(0, 20))})`);
    } else if (op === 3) {
      replace(leafMutation(rng, slot.value, carrier));
      ops.push(`leaf@${where}`);
    } else if (op === 4) {
      replace(rng.chance(0.5) ? [slot.value] : { value: slot.value });
      ops.push(`wrap@${where}`);
    } else {
      replace(rng.chance(0.5) ? jsonOrNull(slot.value) : null);
      ops.push(`retype@${where}`);
    }
  }
  return { input: root, ops };
}

/**
 * JSON text of a value, or undefined when JSON cannot say it (too deep, BigInt) as a browser could not send it either.
 */
export function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? '';
  } catch {
    return undefined;
  }
}

function jsonOrNull(value: unknown): string | null {
  return jsonText(value) ?? null;
}

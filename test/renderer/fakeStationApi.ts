import { ApiError, type StationApi } from '../../src-renderer/lib/api.ts';
import type { CallInput, CallName, EventName, EventPayload, Handlers } from '../../src-main/contract/contract.ts';
import { StationError } from '../../src-main/contract/errors.ts';
import { foldSerial } from '../../src-main/contract/serialNumberRule.ts';
import { isPlaceholderSerial, sameSerial } from '../../src-main/capture/placeholderSerial.ts';
import { wrongFileType } from '../../src-main/capture/fileReadCodes.ts';
import { createDispatcher } from '../../src-main/ipc/dispatch.ts';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { actionVerdict, moveVerdict, notUploadable, type ActionSubject } from '../../src-main/queue/deviceActions.ts';
import {
  DEVICE_STATES,
  type AuthStatus,
  type CapturedDevice,
  type DeviceDetail,
  type DeviceSkip,
  type DeviceState,
  type FileReadResult,
  type FindingData,
  type GroupTags,
  type MoveDevicesResult,
  type QueueRow,
  type StationInfo,
  type StationSettings,
  type TenantQueueInfo,
  type ThisDeviceCapture,
} from '../../src-main/contract/types.ts';
import { readFakeHash } from './fakeHash.ts';
import { actionSubjectOf, withActions, type SeededDevice } from './seedQueue.ts';

type DeviceInput = CallInput<'queueDevices'>['devices'][number];

export interface FakeOptions {
  info?: Partial<StationInfo>;
  settings?: Partial<StationSettings>;
  auth?: AuthStatus;
  groupTags?: GroupTags;
  devices?: SeededDevice[];
  /** What captureThisDevice reports about this machine. */
  thisDevice?: Omit<ThisDeviceCapture, 'device' | 'hashFile'>;
  /** Files "on disk" for readFiles, captureThisDevice({hashFilePath}) and the drop folder, by path. */
  files?: Record<string, string>;
  now?: () => number;
}

/**
 * An in-memory StationApi for component tests and the screenshot harness. It owns no rule of its own:
 * every input goes through main's dispatcher (the contract's schemas, so the same group tag, user name,
 * serial and formula rules as the station, and the same INPUT_INVALID envelope); a row's allowed actions
 * and each action's verdict come from main's deviceActions.ts; serials are judged with main's
 * placeholderSerial.ts. Records every call in `calls`.
 */
export class FakeStationApi {
  readonly calls: { name: CallName; input: unknown }[] = [];
  readonly devices = new Map<string, DeviceDetail & { hardwareHash: string }>();
  info: StationInfo;
  settings: StationSettings;
  auth: AuthStatus;
  groupTags: GroupTags;
  thisDevice: Omit<ThisDeviceCapture, 'device' | 'hashFile'>;
  files: Record<string, string>;
  private listeners = new Map<string, Set<(p: unknown) => void>>();
  private nextId = 1;
  private pendingSignIn: ((s: AuthStatus) => void) | undefined;
  private readonly now: () => number;

  constructor(options: FakeOptions = {}) {
    this.now = options.now ?? Date.now;
    this.info = {
      name: 'Autopilot Station',
      version: '0.1.0',
      mode: 'training',
      host: 'browser',
      platform: 'win32',
      arch: 'x64',
      stationName: 'BENCH-01',
      ...options.info,
    };
    this.settings = {
      cloud: 'global',
      apiVersion: 'v1.0',
      authMode: 'browser',
      batchSize: 100,
      waitFor: 'assigned',
      locked: [],
      ...options.settings,
    };
    this.auth = options.auth ?? { state: 'training' };
    this.groupTags = options.groupTags ?? { tenant: ['Sales-Tokyo', 'Kiosk', 'Engineering'], recent: ['HR-Osaka'] };
    this.thisDevice = options.thisDevice ?? { serial: { value: 'PF4XK2QZ', source: 'system' }, needsSerial: false };
    this.files = options.files ?? {};
    for (const d of options.devices ?? []) this.devices.set(d.row.id, { ...d.detail, hardwareHash: d.hardwareHash });
  }

  /** The StationApi the screens get: each call parsed by main's dispatcher, answered by `call_<name>`. */
  get api(): StationApi {
    const dispatch = createDispatcher(this.handlers(), silentLogger);
    return new Proxy({} as StationApi, {
      get: (_t, prop) => {
        if (prop === 'on') return this.on;
        if (typeof prop !== 'string' || prop === 'then') return undefined;
        return async (input: unknown) => {
          this.calls.push({ name: prop as CallName, input });
          // Like the real bridge: answers arrive asynchronously and as copies.
          await Promise.resolve();
          const result = await dispatch(prop, input ?? {});
          if (!result.ok) throw new ApiError(result.error);
          return structuredClone(result.value);
        };
      },
    });
  }

  /** `call_<name>` as the station's handlers; a call the fake lacks answers NOT_AVAILABLE. */
  private handlers(): Handlers {
    const self = this as unknown as Record<string, ((input: unknown) => unknown) | undefined>;
    return new Proxy({} as Handlers, {
      get: (_t, prop) => {
        const impl = self[`call_${String(prop)}`];
        return async (input: unknown) => {
          if (!impl) throw new StationError({ code: 'NOT_AVAILABLE', message: `${String(prop)} is not available.` });
          try {
            return await impl.call(this, input);
          } catch (err) {
            // The fake's refusals travel as the station's do: a StationError becomes the envelope.
            if (err instanceof ApiError) throw new StationError(err);
            throw err;
          }
        };
      },
    });
  }

  on = <E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): (() => void) => {
    const set = this.listeners.get(name) ?? new Set();
    set.add(listener as (p: unknown) => void);
    this.listeners.set(name, set);
    return () => set.delete(listener as (p: unknown) => void);
  };

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const l of this.listeners.get(name) ?? []) l(structuredClone(payload));
  }

  listenerCount(name: EventName): number {
    return this.listeners.get(name)?.size ?? 0;
  }

  counts(): Record<DeviceState, number> {
    const counts = Object.fromEntries(DEVICE_STATES.map((s) => [s, 0])) as Record<DeviceState, number>;
    for (const d of this.devices.values()) counts[d.row.state]++;
    return counts;
  }

  /** Moves a device as the worker would, with the event the worker would send. */
  setState(id: string, state: DeviceState, extra: Partial<QueueRow> = {}): void {
    const d = this.devices.get(id);
    if (!d) return;
    const from = d.row.state;
    Object.assign(d.row, { state, stateSince: new Date(this.now()).toISOString() }, extra);
    d.events.push({ at: d.row.stateSince, fromState: from, toState: state, message: `Now ${state}`, requestIds: [] });
    this.changed([id]);
  }

  completeSignIn(username = 'tech@contoso.com'): void {
    this.auth = {
      state: 'signed-in',
      mode: this.settings.authMode,
      account: { username, tenantId: this.settings.tenantId ?? 'contoso.onmicrosoft.com' },
    };
    this.emit('authChanged', this.auth);
    this.pendingSignIn?.(this.auth);
    this.pendingSignIn = undefined;
  }

  private changed(ids: string[]): void {
    this.emit('queueChanged', { deviceIds: ids, at: new Date(this.now()).toISOString(), counts: this.counts() });
  }

  /** What main's action rules read of a fake row (deviceActions.ts), at the fake's settings. */
  private subject(row: Omit<QueueRow, 'actions'>): ActionSubject {
    return actionSubjectOf(row, this.settings.waitFor);
  }

  /** A row as main sends it: with main's verdict on each action now. */
  private sent(row: Omit<QueueRow, 'actions'>): QueueRow {
    return withActions(row, this.now(), this.settings.waitFor);
  }

  // ---------- calls ----------

  call_getInfo(): StationInfo {
    return this.info;
  }

  call_captureThisDevice(input: CallInput<'captureThisDevice'>): ThisDeviceCapture {
    const out: ThisDeviceCapture = structuredClone(this.thisDevice);
    if (input.serialNumber) out.serial = { value: input.serialNumber, source: 'typed' };
    if (input.hashFilePath) {
      const text = this.files[input.hashFilePath];
      if (text === undefined)
        throw new ApiError({
          code: 'FILE_NOT_FOUND',
          message: `${input.hashFilePath} does not exist.`,
          action: 'Check the path.',
        });
      const file = this.parseFile(input.hashFilePath, text, 'this-device');
      const first = file.devices[0];
      if (first && out.serial.value) file.devices[0] = this.judge({ ...first, serialNumber: out.serial.value });
      out.hashFile = file;
      if (file.devices[0]) out.device = file.devices[0];
    }
    return out;
  }

  call_readFiles(input: CallInput<'readFiles'>): FileReadResult[] {
    return input.paths.map((p) => {
      const text = this.files[p];
      return text === undefined
        ? { path: p, devices: [], errors: [{ code: 'FILE_NOT_FOUND', message: `${p} does not exist.` }] }
        : this.parseFile(p, text, 'file');
    });
  }

  call_readFileContents(input: CallInput<'readFileContents'>): FileReadResult[] {
    return input.files.map((f) => {
      const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
      return this.parseFile(f.name, new TextDecoder().decode(bytes), 'file');
    });
  }

  call_readDropFolder(): FileReadResult[] {
    const folder = this.settings.dropFolder;
    if (!folder)
      throw new ApiError({
        code: 'DROP_FOLDER_NOT_SET',
        message: 'No drop folder is set.',
        action: 'Set one in Settings.',
      });
    return Object.entries(this.files)
      .filter(([p]) => p.startsWith(folder))
      .map(([p, text]) => this.parseFile(p, text, 'drop-folder'));
  }

  call_checkDevice(input: CallInput<'checkDevice'>): CapturedDevice {
    return this.judge(input.device);
  }

  call_queueDevices(input: CallInput<'queueDevices'>) {
    const result = {
      queued: [] as string[],
      duplicates: [] as string[],
      invalid: [] as string[],
      flagged: [] as string[],
      refused: [] as string[],
    };
    const now = new Date(this.now()).toISOString();
    // Rows refused before upload are kept as 'invalid' records with their file, line and reason.
    for (const row of input.refused ?? []) {
      const id = `new-${this.nextId++}`;
      const queueRow = this.sent({
        id,
        serialNumber: row.serialNumber ?? '',
        groupTag: '',
        assignedUser: '',
        state: 'invalid',
        stateSince: now,
        source: row.source,
        capturedAt: now,
        flags: ['refused'],
        errorName: row.code,
        advice: row.message,
      });
      this.devices.set(id, {
        row: queueRow,
        hash: {
          valid: false,
          padded: false,
          checksumOk: false,
          macAddresses: [],
          tpmEkPresent: false,
          length: 0,
          findings: [],
        },
        events: [{ at: now, toState: 'invalid', message: 'Refused before upload', requestIds: [] }],
        hardwareHash: '',
      });
      result.refused.push(id);
    }
    for (const input_ of input.devices) {
      const device = this.judge(input_);
      const same = [...this.devices.values()].find(
        (d) => d.row.serialNumber === device.serialNumber && d.hardwareHash === device.hardwareHash,
      );
      if (same) {
        result.duplicates.push(same.row.id);
        continue;
      }
      const sameSerialRows = [...this.devices.values()].filter((d) =>
        sameSerial(d.row.serialNumber, device.serialNumber),
      );
      const id = `new-${this.nextId++}`;
      const row: Omit<QueueRow, 'actions'> = {
        id,
        serialNumber: device.serialNumber,
        // A row's own tag and user are kept unless the technician overrides them.
        groupTag: (input.overrideGroupTag ? input.groupTag : input_.groupTag || input.groupTag) ?? '',
        assignedUser:
          (input.overrideAssignedUser ? input.assignedUser : input_.assignedUser || input.assignedUser) ?? '',
        state: device.valid ? 'queued' : 'invalid',
        stateSince: now,
        source: device.source,
        capturedAt: now,
        flags: [],
      };
      if (device.hash.manufacturer) row.manufacturer = device.hash.manufacturer;
      if (device.hash.model) row.model = device.hash.model;
      // As queueService does: an invalid device carries its first error finding as its error name.
      const firstError = device.findings.find((f) => f.severity === 'error');
      if (!device.valid)
        Object.assign(row, { errorName: firstError?.code ?? 'DEVICE_INVALID', advice: firstError?.message ?? '' });
      else if (sameSerialRows.length) Object.assign(row, { state: 'captured', flags: ['different-hash'] });
      this.devices.set(id, {
        row: this.sent(row),
        hash: device.hash,
        findings: device.findings,
        events: [
          {
            at: now,
            toState: row.state,
            message: 'Queued',
            requestIds: [],
            ...(row.errorName ? { errorName: row.errorName } : {}),
          },
        ],
        hardwareHash: device.hardwareHash,
      });
      (!device.valid ? result.invalid : sameSerialRows.length ? result.flagged : result.queued).push(id);
    }
    this.changed([...result.queued, ...result.invalid, ...result.flagged, ...result.refused]);
    return result;
  }

  call_listQueue(input: CallInput<'listQueue'>) {
    const offset = input.offset ?? 0;
    const limit = input.limit ?? 200;
    const needle = input.search?.toUpperCase();
    const all = [...this.devices.values()]
      .map((d) => d.row)
      .filter(
        (r) =>
          (!input.states || input.states.includes(r.state)) &&
          (!needle || r.serialNumber.toUpperCase().includes(needle)),
      );
    return { total: all.length, offset, rows: all.slice(offset, offset + limit), counts: this.counts() };
  }

  call_getDevice(input: CallInput<'getDevice'>): DeviceDetail {
    const d = this.devices.get(input.id);
    if (!d) throw new ApiError({ code: 'DEVICE_NOT_FOUND', message: 'That device is no longer in the queue.' });
    const { hardwareHash: _omit, ...detail } = d;
    return { ...detail, row: this.sent(d.row) };
  }

  call_deviceAction(input: CallInput<'deviceAction'>) {
    let affected = 0;
    let checking = 0;
    const skipped: DeviceSkip[] = [];
    for (const id of input.ids) {
      const d = this.devices.get(id);
      if (!d) {
        skipped.push({ id, code: 'ACTION_DEVICE_GONE' });
        continue;
      }
      // The station's own verdict (deviceActions.ts): what the row's button was drawn from.
      const verdict = actionVerdict(input.action, this.subject(d.row), this.now());
      if (!verdict.allowed) {
        skipped.push({
          id,
          serialNumber: d.row.serialNumber,
          code: verdict.reason.code,
          ...(verdict.reason.params ? { params: verdict.reason.params } : {}),
        });
      } else if (input.action === 'remove') {
        this.devices.delete(id);
        affected++;
      } else if (input.action === 'retry' && d.row.state === 'importing') {
        checking++;
      } else {
        delete d.row.errorCode;
        delete d.row.errorName;
        delete d.row.advice;
        this.setStateQuiet(d, 'queued');
        affected++;
      }
    }
    this.changed(input.ids);
    return { affected, skipped, ...(checking ? { checking } : {}) };
  }

  call_editDevices(input: CallInput<'editDevices'>) {
    let affected = 0;
    for (const id of input.ids) {
      const d = this.devices.get(id);
      if (!d) continue;
      if (input.groupTag !== undefined) d.row.groupTag = input.groupTag;
      if (input.assignedUser !== undefined) d.row.assignedUser = input.assignedUser;
      affected++;
    }
    this.changed(input.ids);
    return { affected };
  }

  call_exportQueue(input: CallInput<'exportQueue'>) {
    // As queueService does: the whole queue's Intune file holds only devices that can still be uploaded.
    const leftOut: Record<string, number> = {};
    // The station's rule (deviceActions.ts): what an upload file leaves out, and why.
    const why = (r: QueueRow): string | undefined => notUploadable(this.subject(r), !!input.ids);
    const rows = [...this.devices.values()].filter((d) => {
      if (input.ids && !input.ids.includes(d.row.id)) return false;
      if (input.format !== 'intune') return true;
      const reason = why(d.row);
      if (reason) leftOut[reason] = (leftOut[reason] ?? 0) + 1;
      return !reason;
    });
    const lines =
      input.format === 'intune'
        ? [
            'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User',
            ...rows.map((d) =>
              [d.row.serialNumber, d.productKey ?? '', d.hardwareHash, d.row.groupTag, d.row.assignedUser].join(','),
            ),
          ]
        : [
            'Serial,State,Error',
            ...rows.map((d) => [d.row.serialNumber, d.row.state, d.row.errorCode ?? ''].join(',')),
          ];
    return [
      {
        name: input.format === 'intune' ? 'autopilot-devices.csv' : 'queue-report.csv',
        content: lines.join('\r\n') + '\r\n',
        rows: rows.length,
        ...(Object.keys(leftOut).length ? { leftOut } : {}),
      },
    ];
  }

  call_getSettings(): StationSettings {
    return this.settings;
  }

  call_updateSettings(input: CallInput<'updateSettings'>): StationSettings {
    for (const key of Object.keys(input.patch)) {
      if (this.settings.locked.includes(key))
        throw new ApiError({ code: 'SETTING_LOCKED', message: `${key} is locked by your administrator.` });
    }
    Object.assign(this.settings, input.patch);
    return this.settings;
  }

  call_getAuthStatus(): AuthStatus {
    return this.auth;
  }

  call_signIn(): Promise<AuthStatus> | AuthStatus {
    if (this.info.mode === 'training') return this.auth;
    this.auth = { state: 'signing-in', mode: this.settings.authMode };
    this.emit('authChanged', this.auth);
    if (this.settings.authMode === 'device-code') {
      this.emit('deviceCode', {
        userCode: 'HK7Q-M2XP',
        verificationUri: 'https://microsoft.com/devicelogin',
        expiresAt: new Date(this.now() + 15 * 60_000).toISOString(),
        message:
          'To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code HK7Q-M2XP to authenticate.',
      });
    }
    // Answers when the technician finishes on the other device (completeSignIn).
    return new Promise((resolve) => (this.pendingSignIn = resolve));
  }

  call_signOut(): AuthStatus {
    this.auth = this.info.mode === 'training' ? { state: 'training' } : { state: 'signed-out' };
    this.emit('authChanged', this.auth);
    return this.auth;
  }

  /** This queue (current) and one tenant's, as a station that has been signed in to one tenant lists them. */
  call_listTenantQueues(): TenantQueueInfo[] {
    return [
      { slug: 'training', current: true, training: true, total: this.devices.size },
      {
        slug: 'global-contoso.onmicrosoft.com',
        current: false,
        training: false,
        total: 0,
        tenantId: 'contoso.onmicrosoft.com',
        cloud: 'global',
      },
    ];
  }

  /** Moves what main's verdict allows (moveVerdict, the one each row carries); the rest are refused with its reason. */
  call_moveDevices(input: CallInput<'moveDevices'>): MoveDevicesResult {
    const result: MoveDevicesResult = { moved: [], refused: [] };
    for (const id of input.ids) {
      const d = this.devices.get(id);
      const verdict = d ? moveVerdict(this.subject(d.row)) : undefined;
      if (!d) result.refused.push({ id, code: 'MOVE_NOT_FOUND' });
      else if (verdict && !verdict.allowed)
        result.refused.push({ id, serialNumber: d.row.serialNumber, code: verdict.reason.code });
      else {
        this.devices.delete(id);
        result.moved.push(id);
      }
    }
    if (result.moved.length) this.changed(result.moved);
    return result;
  }

  call_listGroupTags(): GroupTags {
    return this.groupTags;
  }

  // ---------- helpers ----------

  private setStateQuiet(d: DeviceDetail, state: DeviceState): void {
    const from = d.row.state;
    d.row.state = state;
    d.row.stateSince = new Date(this.now()).toISOString();
    d.events.push({ at: d.row.stateSince, fromState: from, toState: state, message: `Now ${state}`, requestIds: [] });
  }

  private judge(
    input: Pick<DeviceInput, 'serialNumber' | 'hardwareHash' | 'source'> & Partial<DeviceInput>,
  ): CapturedDevice {
    const decoded = readFakeHash(input.hardwareHash);
    const findings: FindingData[] = [];
    if (!decoded)
      findings.push({ code: 'HASH_BAD_MAGIC', severity: 'error', message: 'This is not a Windows hardware hash.' });
    const serial = foldSerial(input.serialNumber);
    if (isPlaceholderSerial(serial))
      findings.push({
        code: serial ? 'SERIAL_PLACEHOLDER' : 'SERIAL_MISSING',
        severity: 'error',
        message: 'Not a real serial.',
      });
    else if (decoded && !sameSerial(decoded.serial, serial))
      findings.push({
        code: 'SERIAL_MISMATCH',
        severity: 'error',
        message: `The hash belongs to ${decoded.serial}.`,
        params: { serial, hashSerial: decoded.serial },
      });
    const hash: CapturedDevice['hash'] = {
      valid: !!decoded,
      padded: true,
      checksumOk: !!decoded,
      macAddresses: [],
      tpmEkPresent: true,
      length: input.hardwareHash.length,
      findings: findings.filter((f) => f.code.startsWith('HASH')),
    };
    if (decoded)
      Object.assign(hash, { serialNumber: decoded.serial, manufacturer: decoded.manufacturer, model: decoded.model });
    const device: CapturedDevice = {
      serialNumber: serial,
      hardwareHash: input.hardwareHash,
      hash,
      source: input.source,
      findings,
      valid: !findings.some((f) => f.severity === 'error'),
    };
    if (input.productKey) device.productKey = input.productKey;
    if (input.groupTag) device.groupTag = input.groupTag;
    if (input.assignedUser) device.assignedUser = input.assignedUser;
    return device;
  }

  /**
   * Get-WindowsAutopilotInfo CSV (header repeated when concatenated) or OA3.xml; other names refused by main's rule.
   */
  parseFile(path: string, text: string, kind: 'this-device' | 'file' | 'drop-folder'): FileReadResult {
    const wrong = wrongFileType(path);
    if (wrong) return { path, devices: [], errors: [wrong] };
    const result: FileReadResult = { path, devices: [], errors: [], encoding: 'utf-8' };
    if (/^\s*</.test(text)) {
      result.format = 'oa3-xml';
      const hash = /<HardwareHash>([^<]*)<\/HardwareHash>/.exec(text)?.[1]?.trim();
      if (!hash)
        result.errors.push({ code: 'XML_NO_HARDWARE_HASH', message: 'The file has no <HardwareHash> element.' });
      else
        result.devices.push(
          this.judge({
            serialNumber: readFakeHash(hash)?.serial ?? '',
            hardwareHash: hash,
            source: { kind, path, format: 'oa3-xml' },
          }),
        );
      return result;
    }
    result.format = 'autopilot-csv';
    const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
    lines.forEach((line, i) => {
      if (!line.trim() || line.startsWith('Device Serial Number')) return;
      const cols = line.split(',');
      const [serial, productKey, hash, groupTag, user] = cols;
      if (cols.length < 3 || cols.length > 5 || !hash) {
        result.errors.push({
          code: 'CSV_WRONG_COLUMNS',
          line: i + 1,
          message: `Line ${i + 1} has ${cols.length} columns; expected 3 to 5.`,
        });
        return;
      }
      const device = this.judge({
        serialNumber: serial ?? '',
        hardwareHash: hash,
        source: { kind, path, line: i + 1, format: 'autopilot-csv' },
      });
      if (productKey) device.productKey = productKey;
      if (groupTag) device.groupTag = groupTag;
      if (user) device.assignedUser = user;
      result.devices.push(device);
    });
    return result;
  }
}

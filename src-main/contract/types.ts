/** Plain data that crosses the bridge. No class instances, no functions, no secrets, no tokens. */

export type StationMode = 'training' | 'tenant';

export interface StationInfo {
  name: 'Autopilot Station';
  version: string;
  mode: StationMode;
  /** Where this renderer is hosted: the Electron app or browser mode. */
  host: 'electron' | 'browser';
  platform: string;
  arch: string;
  stationName: string;
  /** When mode is 'tenant': which tenant and cloud. Never a token. */
  tenant?: { tenantId: string; cloud: string };
}

// ---------- capture ----------

export type FindingSeverity = 'error' | 'warning' | 'info';
export interface FindingData {
  /** Stable code (HASH_CHECKSUM_MISMATCH, SERIAL_PLACEHOLDER, ...); the UI translates by code. */
  code: string;
  severity: FindingSeverity;
  /** English fallback (CLI, logs); the renderer words the code with `params` in the technician's language. */
  message: string;
  params?: Record<string, string | number>;
}

/** What the decoder found in a hash; never the hash itself. */
export interface HashSummary {
  valid: boolean;
  padded: boolean;
  checksumOk: boolean;
  serialNumber?: string;
  manufacturer?: string;
  model?: string;
  productKeyId?: string;
  smbiosUuid?: string;
  macAddresses: string[];
  tpmEkPresent: boolean;
  /** Base64 characters. */
  length: number;
  findings: FindingData[];
}

export type FileFormat = 'oa3-xml' | 'autopilot-csv' | 'configmgr-report';
export type CaptureSourceKind = 'this-device' | 'file' | 'drop-folder' | 'typed';

export interface CaptureSource {
  kind: CaptureSourceKind;
  /** File path (or file name in browser mode). */
  path?: string | undefined;
  line?: number | undefined;
  format?: FileFormat | undefined;
}

/** A device read from this machine or a file, not yet queued. Carries its hash so it can be queued as read. */
export interface CapturedDevice {
  serialNumber: string;
  productKey?: string;
  groupTag?: string;
  assignedUser?: string;
  /** Padded base64, as it will be uploaded. */
  hardwareHash: string;
  hash: HashSummary;
  source: CaptureSource;
  /** Device-level findings (serial and hash together). */
  findings: FindingData[];
  valid: boolean;
}

export interface FileReadError {
  code: string;
  line?: number;
  /** English fallback (CLI, logs); the renderer words the code with `params`. */
  message: string;
  params?: Record<string, string | number>;
}

export interface FileReadResult {
  path: string;
  format?: FileFormat;
  encoding?: string;
  devices: CapturedDevice[];
  errors: FileReadError[];
  /**
   * Rows that repeat a device already read from this file (same serial and hash): reported once here, not read twice.
   */
  duplicates?: FileDuplicate[];
}

/**
 * Codes of one row of a file whose other rows were read (no hash, a PKID only, a formula…): such rows
 * are kept in the queue as refused records (queueDevices' `refused`). Whole-file codes are not rows.
 */
export const REFUSED_ROW_CODES: readonly string[] = [
  'CSV_WRONG_COLUMNS',
  'CSV_FORMULA',
  'CSV_CONTROL_CHARACTERS',
  'CSV_LINE_TOO_LONG',
  'CSV_BAD_QUOTES',
  'CSV_NO_HASH',
  'CSV_BAD_VALUE',
  'CSV_GROUP_TAG_TOO_LONG',
  'CSV_GROUP_TAG_INVALID',
  'CSV_PKID_ONLY',
  'CSV_TUPLE_ONLY',
  'XML_BAD_VALUE',
];

export interface FileDuplicate {
  line: number;
  /** The line that first brought this device. */
  firstLine: number;
  serialNumber: string;
}

export interface ThisDeviceCapture {
  /** The serial read through systeminformation, with where it came from, or why it cannot be used. */
  serial: {
    value?: string;
    source?: 'system' | 'bios' | 'chassis' | 'typed';
    problem?: 'placeholder' | 'virtual-machine' | 'missing';
    raw?: string;
  };
  /** True when the technician must scan or type the serial. */
  needsSerial: boolean;
  /** The device when a hash file was found or given. */
  device?: CapturedDevice;
  hashFile?: FileReadResult;
}

// ---------- queue ----------

/** A device's states in the queue, declared once: the type, the contract's enum and every list derive from it. */
export const DEVICE_STATES = [
  'captured',
  'invalid',
  'queued',
  'importing',
  'imported',
  'registered',
  'assigned',
  'already-registered',
  'failed',
  'timed-out',
] as const;

export type DeviceState = (typeof DEVICE_STATES)[number];

export interface QueueRow {
  id: string;
  serialNumber: string;
  manufacturer?: string;
  model?: string;
  groupTag: string;
  assignedUser: string;
  state: DeviceState;
  /** ISO time the device entered its state. */
  stateSince: string;
  /** ISO time by which the current stage should end (service time), when one runs. */
  deadline?: string;
  errorCode?: number;
  errorName?: string;
  /** What the screens fill into errorName's words ({host}, {reason}, {serial}…). */
  errorParams?: Record<string, string | number>;
  /** English advice; the UI shows its own translation keyed by errorName/errorCode. */
  advice?: string;
  source: CaptureSource;
  capturedAt: string;
  importId?: string;
  deviceRegistrationId?: string;
  profileStatus?: string;
  /** Set when the same serial was captured with a different hash. */
  flags: string[];
  /** For 'timed-out': the stage the device was stuck in. */
  lastKnownState?: DeviceState;
  /** The corporate identifier registration, when the station's target includes it. */
  corporate?: CorporateRegistration;
  /**
   * What the technician can do with this device now, decided by main (`src-main/queue/deviceActions.ts`,
   * [architecture](../../docs/architecture.md#allowed-actions)); the screens show it and never judge it.
   */
  actions: DeviceActions;
}

/** The technician's actions on queued devices, in the order the screens show them. */
export const DEVICE_ACTIONS = ['retry', 'reregister', 'remove'] as const;
export type DeviceActionName = (typeof DEVICE_ACTIONS)[number];

/**
 * Main's verdict on one action for one device: allowed (perhaps asked first, as it costs an import and
 * usually ends as before: the question's code, worded under `code.<code>`), or refused with why (a code
 * worded under `code.<code>` in both dictionaries, with its params).
 */
export type ActionVerdict =
  | { allowed: true; ask?: { code: string } }
  | { allowed: false; reason: { code: string; params?: Record<string, string | number> } };

/**
 * One verdict per action, and `move`: to another tenant's queue (the `moveDevices` call). A verdict that changes with
 * time alone is sent again (`queueChanged`) when it changes.
 */
export type DeviceActions = Record<DeviceActionName, ActionVerdict> & { move: ActionVerdict };

export interface QueuePage {
  total: number;
  offset: number;
  rows: QueueRow[];
  /** Counts over the whole queue, not just this page. */
  counts: Record<DeviceState, number>;
}

export interface DeviceEvent {
  at: string;
  fromState?: DeviceState | undefined;
  toState: DeviceState;
  message: string;
  batchId?: string | undefined;
  importId?: string | undefined;
  requestIds: string[];
  errorCode?: number | undefined;
  errorName?: string | undefined;
}

export interface DeviceDetail {
  row: QueueRow;
  hash: HashSummary;
  /** Device-level findings (serial and hash together), as checkDevice judged them when queued. */
  findings?: FindingData[];
  productKey?: string;
  events: DeviceEvent[];
}

export interface QueueResult {
  queued: string[];
  /** Same serial and hash already queued: recorded on the existing device. */
  duplicates: string[];
  /** Devices that failed validation: queued as 'invalid' with findings. */
  invalid: string[];
  /** Same serial as a queued device but a different hash: kept as 'captured' and flagged for the technician. */
  flagged?: string[];
  /** Rows refused before upload, kept as 'invalid' records with their file, line and reason (flag 'refused'). */
  refused?: string[];
}

export interface QueueChanged {
  /** Ids of devices whose record changed (empty means "reload everything"). */
  deviceIds: string[];
  at: string;
  counts?: Record<DeviceState, number>;
}

export interface ExportFile {
  name: string;
  /** UTF-8 text (CSV). */
  content: string;
  rows: number;
  /** Intune export of the whole queue: devices left out because they cannot be uploaded, by reason. */
  leftOut?: Partial<Record<ExportLeftOutReason, number>>;
}

/**
 * Why a device is not in an Intune upload file: already registered (or 806), owned by another tenant (808-811),
 * invalid, or being imported.
 */
export type ExportLeftOutReason = 'registered' | 'otherTenant' | 'invalid' | 'inFlight';

// ---------- tenant, sign-in, settings ----------

export type CloudName = 'global' | 'usgov' | 'usgovdod' | 'china';
export type ApiVersion = 'v1.0' | 'beta';
export type AuthMode = 'browser' | 'device-code' | 'certificate';

export interface StationSettings {
  tenantId?: string;
  clientId?: string;
  cloud: CloudName;
  apiVersion: ApiVersion;
  authMode: AuthMode;
  certificatePath?: string;
  defaultGroupTag?: string;
  batchSize: number;
  dropFolder?: string;
  /** How far the worker follows each device. */
  waitFor: 'imported' | 'registered' | 'assigned';
  /** Settings the admin pre-seeded and locked; the UI shows them read-only. */
  locked: string[];
  /**
   * Training against a simulated tenant elsewhere (a classroom's): its https URL, and the CA file trusted for it only.
   */
  tenantUrl?: string;
  caFile?: string;
  /** The admin allows devices without a group tag: the Capture screen does not ask "no group tag: continue?". */
  allowEmptyGroupTag?: boolean;
  /** What captured devices are registered as (default 'autopilot'). */
  registrationTargets?: RegistrationTargets;
  /**
   * The admin's machine-wide settings file exists but was ignored (MACHINE_SETTINGS_INVALID or
   * _UNREADABLE): params `path`, and where known `line`, `column`, `setting`. Every setting is then locked.
   */
  machineSettingsProblem?: { code: string; params: Record<string, string | number> };
}

export interface AuthStatus {
  state: 'training' | 'signed-out' | 'signing-in' | 'signed-in' | 'error';
  account?: { username: string; tenantId: string };
  mode?: AuthMode;
  error?: { code: string; message: string; action?: string; params?: Record<string, string | number> };
}

export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  expiresAt: string;
  message: string;
}

export interface GroupTags {
  tenant: string[];
  recent: string[];
}

export interface Attention {
  kind: 'batch-finished' | 'device-needs-attention';
  deviceIds: string[];
  /** English text; the renderer words it in the technician's language from the fields below when it can. */
  message: string;
  /** batch-finished: devices in the batch. */
  count?: number;
  /** device-needs-attention about one device. */
  serialNumber?: string;
  /**
   * device-needs-attention: the devices wait to be imported (not signed in, tenant check failed, throttled); nothing
   * failed.
   */
  waiting?: boolean;
  errorCode?: number;
  errorName?: string;
  /** What the screens fill into errorName's words ({host}, {reason}…). */
  params?: Record<string, string | number>;
}

// ---------- support ----------

/** A diagnostics bundle (zip of logs and state, no tokens or full hashes). */
export interface DiagnosticsFile {
  fileName: string;
  bytes: number;
  /** Electron: where the zip was written. */
  path?: string;
  /** Browser mode: the zip itself, for the page to download. */
  base64?: string;
}

/**
 * How far the station follows a device unless the settings say otherwise: registered as an Autopilot
 * device. The one definition: settings, the queue, the header's Ready count and the README agree on it.
 */
export const DEFAULT_WAIT_FOR: StationSettings['waitFor'] = 'registered';

/** A tenant that has a queue in this station's data folder (`training`, `sim-cli`, `<cloud>-<tenant id>`). */
export interface TenantQueueInfo {
  slug: string;
  /** The queue the station shows and works on now. */
  current: boolean;
  training: boolean;
  /** Devices in that queue (not removed). */
  total: number;
  /** The tenant it belongs to, read from its folder name (absent for training and simulated tenants). */
  tenantId?: string;
  cloud?: StationSettings['cloud'];
}

/** Why an action left a device as it was: a code the renderer words (`code.<CODE>`), with its params. */
export interface DeviceSkip {
  id: string;
  serialNumber?: string;
  code: string;
  params?: Record<string, string | number>;
}

export interface DeviceActionResult {
  affected: number;
  /** Devices the action could not help, each with why. */
  skipped: DeviceSkip[];
  /** Retry on devices importing past their expected time: the station asked the tenant about them now. */
  checking?: number;
}

export interface MoveDevicesResult {
  /** Ids of the devices in the other tenant's queue. */
  moved: string[];
  refused: DeviceSkip[];
}

// ---------- pre-flight check (the read-only connection check) ----------

/** The checks, in the order they run; a check that needs an earlier one is 'not-checked' when that one failed. */
export type CheckId = 'authority' | 'graph' | 'clock' | 'tenant' | 'sign-in' | 'permission' | 'intune' | 'features';
export type CheckStatus = 'ok' | 'warning' | 'failed' | 'not-checked';

export interface CheckResult {
  id: CheckId;
  status: CheckStatus;
  /** Stable code; the renderer words it (`code.<code>` and `code.<code>.action`) with `params`. */
  code: string;
  params?: Record<string, string | number>;
  /** English fallback (CLI, logs): what was seen. */
  message: string;
  /** English fallback: what to do. */
  action?: string;
  /** For support: AADSTS codes, HTTP statuses, request ids, timings. */
  seen: string[];
}

export interface ConnectionCheckReport {
  mode: StationMode;
  tenant: string;
  cloud: string;
  method: AuthMode;
  apiVersion: ApiVersion;
  startedAt: string;
  durationMs: number;
  /** 'failed' when any check failed, 'warning' when any warned, else 'ok'. */
  status: 'ok' | 'warning' | 'failed';
  checks: CheckResult[];
  /** Fallbacks the station will use on this tenant (optional Graph features that did not answer). */
  fallbacks: string[];
  /** Requests the check sent itself: to the sign-in service (probes, metadata) and to Graph (0 writes, always). */
  requests: { signIn: number; graph: number; graphWrites: number };
  /**
   * How the station reached the services: its network stack (Chromium's in the Electron app, Node's
   * in the command line and browser mode) and, per host, 'direct' or the proxy's origin (never its
   * credentials). Absent in reports saved by earlier versions.
   */
  network?: { stack: 'electron' | 'node'; authority: string; graph: string };
}

// ---------- corporate identifiers (docs/domain.md#corporate-identifiers) ----------

/**
 * What a captured device can be registered as, each on its own: a Windows Autopilot device (by its
 * hardware hash) and a Windows corporate identifier (manufacturer, model, serial). The station's
 * setting is a set of these (`RegistrationTargets`). A new target starts with one more entry here and
 * reaches every layer (Graph port, store columns, worker stage, queue service, CLI, screens, simulator):
 * docs/architecture.md#recipe-add-a-registration-target lists the places; docs/domain.md#corporate-identifiers.
 */
export const REGISTRATION_TARGETS = ['autopilot', 'corporate'] as const;
export type RegistrationTarget = (typeof REGISTRATION_TARGETS)[number];
/**
 * The station's targets: at least one, each once, in REGISTRATION_TARGETS order (registrationTargets in schemas.ts).
 */
export type RegistrationTargets = RegistrationTarget[];
/** Without a saved setting a station registers Autopilot devices only. */
export const DEFAULT_REGISTRATION_TARGETS: readonly RegistrationTarget[] = ['autopilot'];

export type CorporateRegistrationState =
  'not-requested' | 'queued' | 'sending' | 'done' | 'already-present' | 'failed' | 'unavailable';

/** A device's corporate identifier registration, beside its Autopilot state (QueueRow.corporate). */
export interface CorporateRegistration {
  state: CorporateRegistrationState;
  /** "manufacturer,model,serial" as the firmware wrote them. */
  identifier?: string;
  /** CORP_* code (or a Graph failure's code) the renderer words with params. */
  errorCode?: string;
  params?: Record<string, string | number>;
  requestIds: string[];
}

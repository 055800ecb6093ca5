import { z } from 'zod';
import { call, event } from './define.ts';
import type { CallResult } from './errors.ts';
import { MAX_DEVICES_PER_CALL, MAX_FILE_BASE64_CHARS } from './limits.ts';
import * as s from './schemas.ts';
import { DEVICE_ACTIONS, DEVICE_STATES } from './types.ts';
import type {
  Attention,
  AuthStatus,
  CapturedDevice,
  ConnectionCheckReport,
  DeviceCodePrompt,
  DeviceDetail,
  DiagnosticsFile,
  ExportFile,
  FileReadResult,
  GroupTags,
  QueueChanged,
  QueuePage,
  QueueResult,
  StationInfo,
  StationSettings,
  ThisDeviceCapture,
  DeviceActionResult,
  MoveDevicesResult,
  TenantQueueInfo,
} from './types.ts';

/**
 * The station's one contract. Every call the renderer can make and every event it can receive is
 * declared here once: main registers handlers from it, the preload builds window.station from it,
 * the browser host serves it and the renderer's api type is derived from it.
 * This file imports nothing but zod and its own schemas and types.
 */
export const calls = {
  getInfo: call(z.object({}).strict())<StationInfo>(),

  // capture
  /** This machine: cached serial (systeminformation) and, when given or found, its hash file. */
  captureThisDevice: call(
    z.object({ hashFilePath: s.filePath.optional(), serialNumber: s.serialNumber.optional() }).strict(),
  )<ThisDeviceCapture>(),
  /** OEM hash files by path (file dialog, drag and drop in Electron). */
  readFiles: call(z.object({ paths: z.array(s.filePath).min(1).max(1000) }).strict())<FileReadResult[]>(),
  /** Browser mode has no paths: file contents as base64, at most MAX_FILE_BYTES (10 MB) each. */
  readFileContents: call(
    z
      .object({
        files: z
          .array(z.object({ name: z.string().min(1).max(255), base64: z.string().max(MAX_FILE_BASE64_CHARS) }).strict())
          .min(1)
          .max(50),
      })
      .strict(),
  )<FileReadResult[]>(),
  /** New or changed files in the configured drop folder (each file read once). */
  readDropFolder: call(z.object({}).strict())<FileReadResult[]>(),
  /** Re-checks one device as edited by the technician (typed serial), before queueing. */
  checkDevice: call(z.object({ device: s.deviceInput }).strict())<CapturedDevice>(),

  // queue
  /** Writes devices to the queue (SQLite) before answering. Invalid ones are kept as 'invalid'. */
  queueDevices: call(
    z
      .object({
        // Empty when a file brought only refused rows: those are kept too.
        devices: z.array(s.deviceInput).max(MAX_DEVICES_PER_CALL),
        groupTag: s.groupTag.optional(),
        assignedUser: s.userPrincipalName.optional(),
        /**
         * The tag (user) above replaces each row's own only when true ("use this tag for every row"); otherwise it
         * fills rows without one.
         */
        overrideGroupTag: z.boolean().optional(),
        overrideAssignedUser: z.boolean().optional(),
        /** Rows refused before upload, kept as 'invalid' records with their file, line and reason. */
        refused: z.array(s.refusedRow).max(MAX_DEVICES_PER_CALL).optional(),
      })
      .strict(),
  )<QueueResult>(),
  listQueue: call(
    z
      .object({
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(MAX_DEVICES_PER_CALL).default(200),
        states: z.array(s.deviceState).max(DEVICE_STATES.length).optional(),
        search: z.string().max(64).optional(),
      })
      .strict(),
  )<QueuePage>(),
  getDevice: call(z.object({ id: s.deviceId }).strict())<DeviceDetail>(),
  /** Technician actions on one or many devices. */
  deviceAction: call(z.object({ ids: s.deviceIds, action: z.enum(DEVICE_ACTIONS) }).strict())<DeviceActionResult>(),
  /** Group tag or user: before import in the queue, after registration through updateDeviceProperties. */
  editDevices: call(
    z
      .object({ ids: s.deviceIds, groupTag: s.groupTag.optional(), assignedUser: s.userPrincipalName.optional() })
      .strict(),
  )<{ affected: number }>(),
  exportQueue: call(
    z.object({ format: z.enum(['intune', 'report', 'corporate']), ids: s.deviceIds.optional() }).strict(),
  )<ExportFile[]>(),

  // tenant
  getSettings: call(z.object({}).strict())<StationSettings>(),
  updateSettings: call(z.object({ patch: s.settingsPatch }).strict())<StationSettings>(),
  getAuthStatus: call(z.object({}).strict())<AuthStatus>(),
  signIn: call(z.object({}).strict())<AuthStatus>(),
  signOut: call(z.object({}).strict())<AuthStatus>(),
  listGroupTags: call(z.object({}).strict())<GroupTags>(),

  // support
  /** Zips the logs and the queue's state (no tokens, no full hashes) for support. */
  saveDiagnostics: call(z.object({}).strict())<DiagnosticsFile>(),

  // lifecycle
  /** The tenants that have a queue in this station (the current one first). */
  listTenantQueues: call(z.object({}).strict())<TenantQueueInfo[]>(),
  /** Moves devices not yet sent to the current tenant into another tenant's queue (confirmed by the technician). */
  moveDevices: call(
    z.object({ ids: s.deviceIds, toTenant: z.string().regex(/^[a-z0-9._-]{1,100}$/) }).strict(),
  )<MoveDevicesResult>(),
  /** Stops a browser or device-code sign-in that is waiting for the technician. */
  cancelSignIn: call(z.object({}).strict())<AuthStatus>(),
  // pre-flight check (docs/admin-guide.md#9-check-a-tenant-before-the-first-device)
  /** Read-only check of this bench, the tenant and the app registration; signs in when signed out. */
  checkConnection: call(z.object({}).strict())<ConnectionCheckReport>(),
  /** The last check of the current tenant (from Settings, the CLI or the first import's own check), or null. */
  lastConnectionCheck: call(z.object({}).strict())<ConnectionCheckReport | null>(),
} as const;

export const events = {
  queueChanged: event<QueueChanged>(),
  authChanged: event<AuthStatus>(),
  deviceCode: event<DeviceCodePrompt>(),
  attention: event<Attention>(),
  dropFolderRead: event<FileReadResult[]>(),
  /** Settings were saved (any window, the command line of this process): mode, banner, sign-in and queue follow. */
  settingsChanged: event<StationSettings>(),
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type CallInput<K extends CallName> = z.input<Calls[K]['input']>;
export type ParsedInput<K extends CallName> = z.output<Calls[K]['input']>;
export type CallOutput<K extends CallName> = Calls[K]['output'];

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = Events[E]['payload'];

export const callNames = Object.keys(calls) as CallName[];
export const eventNames = Object.keys(events) as EventName[];

/** What the main process implements: one async function per call, taking parsed input. */
export type Handlers = { [K in CallName]: (input: ParsedInput<K>) => Promise<CallOutput<K>> };

/** What the renderer sees (lib/api.ts), whichever way it talks to main. */
export type StationApi = { [K in CallName]: (input: CallInput<K>) => Promise<CallOutput<K>> } & {
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/**
 * What the preload exposes as window.station. Results come as envelopes because errors thrown
 * across contextBridge lose everything but their message; the renderer's api unwraps them.
 */
export type StationBridge = {
  [K in CallName]: (input?: CallInput<K>) => Promise<CallResult<CallOutput<K>>>;
} & {
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** Channel names on Electron's ipc: one per call, one for all events. */
export const CALL_CHANNEL_PREFIX = 'station:call:';
export const EVENT_CHANNEL = 'station:event';

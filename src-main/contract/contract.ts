import { z } from 'zod';
import { call, event } from './define.ts';
import type { CallResult } from './errors.ts';
import type { QueueChanged, StationInfo } from './types.ts';

/**
 * The station's one contract. Every call the renderer can make and every event it can receive is
 * declared here once: main registers handlers from it, the preload builds window.station from it,
 * the browser host serves it and the renderer's api type is derived from it.
 * This file imports nothing but zod.
 */
export const calls = {
  getInfo: call(z.object({}).strict())<StationInfo>(),
} as const;

export const events = {
  queueChanged: event<QueueChanged>(),
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

/** What the renderer sees as window.station (or its browser-mode twin). */
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

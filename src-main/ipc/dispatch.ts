import { calls, type CallName, type Handlers } from '../contract/contract.ts';
import { StationError, type CallResult, type StationErrorData } from '../contract/errors.ts';
import type { Logger } from '../app/logger.ts';

export type Dispatch = (name: string, rawInput: unknown) => Promise<CallResult<unknown>>;

/**
 * The one path every call takes after its sender was checked (Electron ipc or browser host):
 * known name → input parsed by the contract's schema → handler → plain data or an error envelope.
 * Nothing thrown here reaches the transport; unexpected failures are logged and reported generically.
 */
export function createDispatcher(handlers: Handlers, logger: Logger): Dispatch {
  return async (name, rawInput) => {
    if (!Object.hasOwn(calls, name)) {
      return fail({ code: 'CALL_UNKNOWN', message: `The station has no call named "${truncate(name)}".`, action: 'Update the station: the screen and the main process are from different versions.' });
    }
    const key = name as CallName;
    const parsed = calls[key].input.safeParse(rawInput);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`);
      return fail({
        code: 'INPUT_INVALID',
        message: `The request "${key}" was refused because its input is not valid (${issues.join('; ')}).`,
        action: 'Check the values you entered and try again.',
        details: { call: key, issues },
      });
    }
    try {
      const handler = handlers[key] as (input: unknown) => Promise<unknown>;
      const value = await handler(parsed.data);
      return { ok: true, value };
    } catch (err) {
      if (err instanceof StationError) return fail(err.toData());
      logger.error('call failed unexpectedly', { call: key, error: err instanceof Error ? err.message : String(err) });
      return fail({
        code: 'INTERNAL',
        message: `The station hit an unexpected problem while handling "${key}". Nothing already captured was lost.`,
        action: 'Try again. If it keeps happening, save diagnostics and send them to your admin.',
      });
    }
  };
}

function fail(error: StationErrorData): CallResult<never> {
  return { ok: false, error };
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

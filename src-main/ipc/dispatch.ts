import { calls, type CallName, type Handlers } from '../contract/contract.ts';
import { StationError, type CallResult, type StationErrorData } from '../contract/errors.ts';
import type { Logger } from '../kernel/logger.ts';

export type Dispatch = (name: string, rawInput: unknown) => Promise<CallResult<unknown>>;

/**
 * The one path every call takes after its sender was checked (Electron ipc or browser host):
 * known name → input parsed by the contract's schema → handler → plain data or an error envelope.
 * Nothing thrown here reaches the transport; unexpected failures are logged and reported generically.
 */
export function createDispatcher(handlers: Handlers, logger: Logger): Dispatch {
  return async (name, rawInput) => {
    if (!Object.hasOwn(calls, name)) {
      return fail({
        code: 'CALL_UNKNOWN',
        message: `The station has no call named "${truncate(name)}".`,
        action: 'Update the station: the screen and the main process are from different versions.',
      });
    }
    const key = name as CallName;
    let parsed: ReturnType<(typeof calls)[CallName]['input']['safeParse']>;
    try {
      parsed = calls[key].input.safeParse(rawInput);
    } catch {
      // Only an in-process caller can pass a getter or proxy that throws; ipc and HTTP carry plain data.
      return fail({
        code: 'INPUT_INVALID',
        message: `The request "${key}" was refused because its input could not be read.`,
        action: 'Check the values you entered and try again.',
        details: { call: key },
      });
    }
    if (!parsed.success) {
      // Zod echoes unknown keys and paths: clipped, so a hostile 1 MB key never becomes a 1 MB message.
      const issues = parsed.error.issues
        .slice(0, 5)
        .map((i) =>
          clip(`${i.path.length ? i.path.map((p) => clip(String(p), 40)).join('.') : 'input'}: ${i.message}`, 160),
        );
      // A field rule that names what failed (groupTagRule.ts, userPrincipalNameRule.ts) gives its code: the screens
      // word it.
      const reason = parsed.error.issues
        .map((i) => ('params' in i ? (i.params as { reason?: unknown } | undefined)?.reason : undefined))
        .find((r): r is string => typeof r === 'string');
      return fail({
        code: 'INPUT_INVALID',
        message: `The request "${key}" was refused because its input is not valid (${issues.join('; ')}).`,
        action: 'Check the values you entered and try again.',
        ...(reason ? { params: { reason } } : {}),
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
  return clip(s, 60);
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

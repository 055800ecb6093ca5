/**
 * The error shape that crosses the bridge. Electron's ipc drops custom error fields, so handlers
 * return a result envelope instead of throwing, and the renderer's api turns it back into an error.
 */
export interface StationErrorData {
  /** Stable code (e.g. INPUT_INVALID, GRAPH_THROTTLED). Tests and the UI key on it. */
  code: string;
  /** What is wrong, in words a technician understands. */
  message: string;
  /** What to do next. */
  action?: string;
  /**
   * The values the message names (file, line, limit, tenant...), so the renderer can word the code in
   * the technician's language; `message`/`action` are the English fallback (CLI, logs).
   */
  params?: Record<string, string | number>;
  /** Details safe to show (never a token, secret or full hash). */
  details?: Record<string, unknown>;
}

export type CallResult<T> = { ok: true; value: T } | { ok: false; error: StationErrorData };

export class StationError extends Error implements StationErrorData {
  readonly code: string;
  readonly action?: string;
  readonly params?: Record<string, string | number>;
  readonly details?: Record<string, unknown>;
  constructor(data: StationErrorData) {
    super(data.message);
    this.name = 'StationError';
    this.code = data.code;
    if (data.action !== undefined) this.action = data.action;
    if (data.params !== undefined) this.params = data.params;
    if (data.details !== undefined) this.details = data.details;
  }
  toData(): StationErrorData {
    const out: StationErrorData = { code: this.code, message: this.message };
    if (this.action !== undefined) out.action = this.action;
    if (this.params !== undefined) out.params = this.params;
    if (this.details !== undefined) out.details = this.details;
    return out;
  }
}

export function isStationErrorData(value: unknown): value is StationErrorData {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as StationErrorData).code === 'string' &&
    typeof (value as StationErrorData).message === 'string'
  );
}

/**
 * Logging port. Every line passes through redact(): tokens, secrets, assertions and hardware hashes
 * never reach a sink, whatever a caller passes in.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface LogRecord {
  time: string;
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown>;
}
export type LogSink = (line: string, record: LogRecord) => void;

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const SECRET_KEYS = /^(access_?token|refresh_?token|id_?token|token|authorization|client_?secret|client_?assertion|password|secret|private_?key|hardware_?(hash|identifier)|hardwareIdentifier|hardwareHash|code|device_?code|sessionToken)$/i;
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi;
// Long base64 runs are hardware hashes (or keys): keep a short prefix so lines can still be correlated.
const LONG_BASE64 = /[A-Za-z0-9+/]{120,}={0,2}/g;
const TOKEN_QUERY = /([?&#](?:token|access_token|code)=)[^&\s"']+/gi;

export function redactString(s: string): string {
  return s
    .replace(JWT, '[redacted-jwt]')
    .replace(BEARER, '$1[redacted]')
    .replace(TOKEN_QUERY, '$1[redacted]')
    .replace(LONG_BASE64, (m) => `${m.slice(0, 8)}…[redacted ${m.length} chars]`);
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}

export function createLogger(sink: LogSink, base: Record<string, unknown> = {}, minLevel: LogLevel = 'info'): Logger {
  const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (order[level] < order[minLevel]) return;
    const merged = { ...base, ...fields };
    const record: LogRecord = { time: new Date().toISOString(), level, message: redactString(message) };
    if (Object.keys(merged).length) record.fields = redact(merged) as Record<string, unknown>;
    sink(JSON.stringify(record), record);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger(sink, { ...base, ...fields }, minLevel),
  };
}

/** A logger for command-line and browser-mode runs: JSON lines on stderr so stdout stays for --json output. */
export function stderrLogger(minLevel: LogLevel = (process.env.STATION_LOG_LEVEL as LogLevel) || 'warn'): Logger {
  return createLogger((line) => process.stderr.write(`${line}\n`), {}, minLevel);
}

export const silentLogger: Logger = createLogger(() => {}, {}, 'error');

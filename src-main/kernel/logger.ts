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

// Keys whose values never reach a sink: anything naming a token, secret, password or assertion, plus
// exact names for codes, product keys and hardware hashes (errorCode, productKeyId stay readable).
const SECRET_KEYS =
  /token|secret|passw(or)?d|passphrase|assertion|authorization|cookie|private_?key|^(code|device_?code|product_?key|hardware_?(hash|identifier)|pfx)$/i;
const PEM = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g;
// Line-wrapped base64 (PEM bodies, hashes copied from XML with wrapping): two or more long lines in a row.
// Starts only where a run starts (lookbehind) so one long unwrapped hash is scanned once, not once per character.
const WRAPPED_BASE64 = /(?<![A-Za-z0-9+/=])(?:[A-Za-z0-9+/]{40,}={0,2}(?:\r?\n|\\r\\n|\\n)){2,}[A-Za-z0-9+/]*={0,2}/g;
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi;
// Long base64 or base64url runs are hardware hashes, keys or opaque tokens (MSAL refresh tokens,
// device codes): keep a short prefix so lines can still be correlated. One pass over both alphabets,
// so a token mixing "-" and "/" cannot leave pieces behind. Graph URL paths (words and GUIDs between
// slashes) are not secrets and stay readable.
const LONG_RUN = /[A-Za-z0-9+/_-]{100,}={0,2}/g;
const PATH_SEGMENT = /^([A-Za-z]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|v1|)$/i;
const redactRun = (m: string) =>
  m.includes('/') && m.split('/').every((seg) => PATH_SEGMENT.test(seg))
    ? m
    : `${m.slice(0, 8)}…[redacted ${m.length} chars]`;
// key=value in query strings and form bodies (token requests echoed in errors).
// (exact "code" and "device_code" only: errorCode=802 stays readable).
const SECRET_PARAM = /((?:^|[?&#\s])(?:[a-z_]*(?:token|secret|password|assertion)|code|device_code)=)[^&\s"']+/gi;
// "key": "value" inside JSON text (response bodies logged as strings).
const SECRET_JSON =
  /("[a-z_]*(?:token|secret|password|assertion|hardwareIdentifier|hardwareHash|device_code)"\s*:\s*")(?:[^"\\]|\\.)*"/gi;

// Entra ID client secrets: three characters, a digit, "Q~", then 31 to 34 more.
const ENTRA_SECRET = /\b[A-Za-z0-9_.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}/g;

export function redactString(s: string): string {
  return s
    .replace(ENTRA_SECRET, '[redacted-secret]')
    .replace(PEM, '[redacted-pem]')
    .replace(WRAPPED_BASE64, (m) => `${m.slice(0, 8)}…[redacted ${m.length} chars]`)
    .replace(JWT, '[redacted-jwt]')
    .replace(BEARER, '$1[redacted]')
    .replace(SECRET_PARAM, '$1[redacted]')
    .replace(SECRET_JSON, '$1[redacted]"')
    .replace(LONG_RUN, redactRun);
}

/**
 * A "code" that is an error code (802, GRAPH_THROTTLED, AADSTS50020) is kept; an OAuth authorization code never looks
 * like one.
 */
const isErrorCode = (key: string, value: unknown) =>
  /^code$/i.test(key) &&
  (typeof value === 'number' ||
    (typeof value === 'string' && /^([A-Z][A-Z0-9_]{1,63}|AADSTS\d{1,9}|[a-z]+(_[a-z]+)*)$/.test(value)));

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEYS.test(k) && !isErrorCode(k, v) ? '[redacted]' : redact(v, depth + 1);
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

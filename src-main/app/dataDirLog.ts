import path from 'node:path';
import { createLogger, type LogLevel, type Logger, type LogSink } from '../kernel/logger.ts';
import { createRotatingLogFile, teeSinks } from './rotatingLogFile.ts';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface DataDirLog {
  logger: Logger;
  /** The log files, newest first: what "save diagnostics" collects. */
  files: () => string[];
  close(): void;
}

/**
 * Browser mode and the command line log like the app: JSON lines at info level into the rotating
 * files in `<dataDir>/logs`, so "save diagnostics" has them in every mode. The terminal still gets
 * the lines at `stderrLevel` and above (the CLI's quiet default: warnings).
 */
export function openDataDirLog(dataDir: string, o: { stderrLevel?: LogLevel | false } = {}): DataDirLog {
  const stderrLevel =
    o.stderrLevel === undefined ? ((process.env.STATION_LOG_LEVEL as LogLevel | undefined) ?? 'warn') : o.stderrLevel;
  let reported = false;
  const file = createRotatingLogFile({
    dir: path.join(dataDir, 'logs'),
    onError: (err) => {
      if (reported) return;
      reported = true;
      process.stderr.write(`log file disabled: ${err instanceof Error ? err.message : String(err)}\n`);
    },
  });
  const sinks: LogSink[] = [file.sink];
  if (stderrLevel)
    sinks.push((line, record) => ORDER[record.level] >= ORDER[stderrLevel] && process.stderr.write(`${line}\n`));
  const fileLevel: LogLevel = stderrLevel && ORDER[stderrLevel] < ORDER.info ? stderrLevel : 'info';
  return { logger: createLogger(teeSinks(...sinks), {}, fileLevel), files: file.files, close: () => file.close() };
}

import fs from 'node:fs';
import path from 'node:path';
import type { LogSink } from '../kernel/logger.ts';

export interface RotatingLogFileOptions {
  /** Folder for the log files (Electron: <userData>/logs). Created when missing. */
  dir: string;
  /** station.log, then station.1.log (newest) ... station.<maxFiles-1>.log (oldest). */
  baseName?: string;
  /** Rotate before a line would make the current file bigger than this. */
  maxBytes?: number;
  /** Files kept in all, the current one included. */
  maxFiles?: number;
  /** Where to say that writing the log failed (once per run of failures; never throws into the caller). */
  onError?: (err: unknown) => void;
}

export interface RotatingLogFile {
  sink: LogSink;
  /** Current file first, then older ones: what "save diagnostics" collects. */
  files(): string[];
  close(): void;
}

export const LOG_FILE_DEFAULTS = { baseName: 'station', maxBytes: 2 * 1024 * 1024, maxFiles: 5 } as const;

/**
 * A LogSink writing JSON lines to size-rotated files. Lines arrive already redacted by the logger.
 * Writes are synchronous so that the last lines before a crash are on disk. A failed write (an
 * antivirus scanner holding the file during rotation, a full disk for a moment) never reaches the
 * caller and never ends file logging: the line is counted as lost, the file is opened again on the
 * next write, and the first line written after the hiccup says how many were lost. A rotation that
 * fails keeps writing to the current file and tries again 64 KB later.
 */
export function createRotatingLogFile(options: RotatingLogFileOptions): RotatingLogFile {
  const baseName = options.baseName ?? LOG_FILE_DEFAULTS.baseName;
  const maxBytes = options.maxBytes ?? LOG_FILE_DEFAULTS.maxBytes;
  const maxFiles = Math.max(1, options.maxFiles ?? LOG_FILE_DEFAULTS.maxFiles);
  const fileAt = (i: number) => path.join(options.dir, i === 0 ? `${baseName}.log` : `${baseName}.${i}.log`);
  let fd: number | undefined;
  let size = 0;
  /** Lines lost since the last good write; > 0 means we are in a failure streak (reported once). */
  let lost = 0;
  let failing = false;
  /** After a failed rotation: the size at which to try rotating again. */
  let rotateAgainAt = 0;

  const open = () => {
    fs.mkdirSync(options.dir, { recursive: true });
    fd = fs.openSync(fileAt(0), 'a', 0o600);
    size = fs.fstatSync(fd).size;
  };

  const closeQuietly = () => {
    if (fd === undefined) return;
    try {
      fs.closeSync(fd);
    } catch {
      // already gone
    }
    fd = undefined;
  };

  const rotate = () => {
    closeQuietly();
    try {
      fs.rmSync(fileAt(maxFiles - 1), { force: true });
      for (let i = maxFiles - 2; i >= 0; i--) {
        if (fs.existsSync(fileAt(i))) fs.renameSync(fileAt(i), fileAt(i + 1));
      }
      rotateAgainAt = 0;
    } catch (err) {
      // Keep logging into the current file rather than losing lines; try again a little later.
      rotateAgainAt = size + 64 * 1024;
      report(err);
    }
    open();
  };

  const report = (err: unknown) => {
    if (failing) return;
    failing = true;
    options.onError?.(err);
  };

  const write = (text: string) => {
    if (fd === undefined) open();
    const bytes = Buffer.from(text, 'utf8');
    if (size > 0 && size + bytes.length > maxBytes && size >= rotateAgainAt) rotate();
    fs.writeSync(fd!, bytes);
    size += bytes.length;
  };

  const sink: LogSink = (line) => {
    try {
      if (lost > 0) {
        const time = new Date().toISOString();
        write(
          `${JSON.stringify({ time, level: 'warn', message: 'log lines lost while the log file could not be written', fields: { count: lost } })}\n`,
        );
        lost = 0;
      }
      write(`${line}\n`);
      failing = false;
    } catch (err) {
      lost++;
      closeQuietly();
      report(err);
    }
  };

  return {
    sink,
    files: () => Array.from({ length: maxFiles }, (_, i) => fileAt(i)).filter((f) => fs.existsSync(f)),
    close: closeQuietly,
  };
}

/** Sends every line to several sinks (file + console in development); one failing sink does not stop the others. */
export function teeSinks(...sinks: LogSink[]): LogSink {
  return (line, record) => {
    for (const s of sinks) {
      try {
        s(line, record);
      } catch {
        // a console that went away must not break file logging
      }
    }
  };
}

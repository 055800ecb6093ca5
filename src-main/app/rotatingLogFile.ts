import fs from 'node:fs';
import path from 'node:path';
import type { LogSink } from './logger.ts';

export interface RotatingLogFileOptions {
  /** Folder for the log files (Electron: <userData>/logs). Created when missing. */
  dir: string;
  /** station.log, then station.1.log (newest) ... station.<maxFiles-1>.log (oldest). */
  baseName?: string;
  /** Rotate before a line would make the current file bigger than this. */
  maxBytes?: number;
  /** Files kept in all, the current one included. */
  maxFiles?: number;
  /** Where to say, once, that logging to disk failed (never throws into the caller). */
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
 * Writes are synchronous so that the last lines before a crash are on disk; a disk problem
 * disables the file (reported once) instead of taking the station down.
 */
export function createRotatingLogFile(options: RotatingLogFileOptions): RotatingLogFile {
  const baseName = options.baseName ?? LOG_FILE_DEFAULTS.baseName;
  const maxBytes = options.maxBytes ?? LOG_FILE_DEFAULTS.maxBytes;
  const maxFiles = Math.max(1, options.maxFiles ?? LOG_FILE_DEFAULTS.maxFiles);
  const fileAt = (i: number) => path.join(options.dir, i === 0 ? `${baseName}.log` : `${baseName}.${i}.log`);
  let fd: number | undefined;
  let size = 0;
  let broken = false;

  const open = () => {
    fs.mkdirSync(options.dir, { recursive: true });
    fd = fs.openSync(fileAt(0), 'a', 0o600);
    size = fs.fstatSync(fd).size;
  };

  const rotate = () => {
    if (fd !== undefined) fs.closeSync(fd);
    fd = undefined;
    fs.rmSync(fileAt(maxFiles - 1), { force: true });
    for (let i = maxFiles - 2; i >= 0; i--) {
      if (fs.existsSync(fileAt(i))) fs.renameSync(fileAt(i), fileAt(i + 1));
    }
    open();
  };

  const sink: LogSink = (line) => {
    if (broken) return;
    try {
      if (fd === undefined) open();
      const bytes = Buffer.from(`${line}\n`, 'utf8');
      if (size > 0 && size + bytes.length > maxBytes) rotate();
      fs.writeSync(fd!, bytes);
      size += bytes.length;
    } catch (err) {
      broken = true;
      options.onError?.(err);
    }
  };

  return {
    sink,
    files: () => Array.from({ length: maxFiles }, (_, i) => fileAt(i)).filter((f) => fs.existsSync(f)),
    close: () => {
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
    },
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

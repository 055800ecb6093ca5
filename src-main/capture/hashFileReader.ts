import { Worker } from 'node:worker_threads';
import type { FileReadResult } from '../contract/types.ts';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { readHashFile, readHashFileBytes } from './readHashFile.ts';
import type { HashFileReply, HashFileRequest } from './hashFileWorker.ts';
import type { HashFileOptions } from './readHashFile.ts';

/**
 * Reads hash files on a worker thread: the same results and errors as readHashFile /
 * readHashFileBytes (the worker runs them), while the calling thread (Electron's main process,
 * which also answers the window) stays free. One worker, started on first use, kept while the
 * process lives but never keeping the process alive. Should the worker fail to start or die, the
 * reads in flight are done on the calling thread instead (same results; onWorkerError is told).
 *
 * The worker script is dist/main/hashFileWorker.js beside the bundle that imports this module,
 * or src-main/capture/hashFileWorker.ts run through tsx in a checkout (tests, `npm run station`
 * without a build).
 */
export class HashFileReader {
  private worker: Worker | undefined;
  /** The worker's thread id while one runs (tests: proof the reads happen off this thread). */
  get workerThreadId(): number | undefined {
    return this.worker?.threadId;
  }
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { devices: FileReadResult['devices']; resolve: (r: FileReadResult | Promise<FileReadResult>) => void }
  >();
  /** The requests in flight, kept to read them here if the worker dies. */
  private readonly requests = new Map<number, Omit<HashFileRequest, 'id'>>();
  /** Told when the worker fails (the read still answers, on this thread); the station logs it. */
  onWorkerError: ((err: Error) => void) | undefined;

  constructor(private readonly script: URL = defaultWorkerScript()) {}

  /** readHashFile on the worker: reads `path` (bounded to 10 MB, read-only) and decodes it. Never rejects. */
  readFile(path: string, options: HashFileOptions = {}): Promise<FileReadResult> {
    return this.send({ path, options });
  }

  /** readHashFileBytes on the worker: `bytes` are copied (the caller keeps its buffer). Never rejects. */
  readBytes(bytes: Uint8Array, path: string, options: HashFileOptions = {}): Promise<FileReadResult> {
    return this.send({ path, options, bytes: new Uint8Array(bytes) });
  }

  /** Stops the worker (a later read starts a new one). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private send(req: Omit<HashFileRequest, 'id'>): Promise<FileReadResult> {
    const id = this.nextId++;
    return new Promise<FileReadResult>((resolve) => {
      this.pending.set(id, { devices: [], resolve });
      this.requests.set(id, req);
      const worker = this.started();
      worker.ref();
      worker.postMessage({ id, ...req } satisfies HashFileRequest);
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    // In a checkout the worker is TypeScript: tsx's loader is registered inside the worker first.
    const worker = this.script.pathname.endsWith('.ts')
      ? new Worker(
          `import(${JSON.stringify(tsxApiUrl())}).then((m) => { m.register(); return import(${JSON.stringify(this.script.href)}); })`,
          { eval: true },
        )
      : // The built worker is plain JavaScript: no loader flags inherited from the parent (tsx's --import).
        new Worker(this.script, { execArgv: [] });
    worker.on('message', (msg: HashFileReply) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      if ('devices' in msg) {
        for (const d of msg.devices) p.devices.push(d);
        return;
      }
      this.pending.delete(msg.id);
      this.requests.delete(msg.id);
      p.resolve({ ...msg.result, devices: p.devices });
      if (!this.pending.size) worker.unref();
    });
    const fail = () => {
      if (this.worker === worker) this.worker = undefined;
      // What was in flight is read on this thread instead (same result, never lost); the next read starts a new worker.
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        const req = this.requests.get(id)!;
        p.resolve(
          req.bytes ? readHashFileBytes(req.bytes, req.path, req.options) : readHashFile(req.path, req.options),
        );
      }
      this.requests.clear();
    };
    worker.on('error', (err) => {
      this.onWorkerError?.(err);
      fail();
    });
    worker.on('exit', fail);
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

/**
 * tsx's ES module API (its package.json's `./esm/api` import entry), to register its loader inside a worker in a
 * checkout.
 */
function tsxApiUrl(): string {
  const pkgFile = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return new URL(pkg.exports['./esm/api']!.import.default, pathToFileURL(pkgFile)).href;
}

function defaultWorkerScript(): URL {
  const here = import.meta.url;
  // Bundled (dist/main/*.js): the worker bundle sits beside it. Source: beside this file.
  return here.endsWith('.ts') ? new URL('./hashFileWorker.ts', here) : new URL('./hashFileWorker.js', here);
}

/**
 * The process's one reader (services share it: one worker thread, not one per service). A station replaces
 * onWorkerError with its log.
 */
export const hashFileReader = new HashFileReader();
hashFileReader.onWorkerError = (err) =>
  process.stderr.write(
    `autopilot-station: the hash-file reader thread failed (${err.message}); reading on the main thread.\n`,
  );

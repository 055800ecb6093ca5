/** The import worker lives in ./worker/, one file per stage; this module keeps the import path callers use. */
export { ImportWorker, type ImportWorkerOptions } from './worker/importWorker.ts';
export { DEFAULT_TIMINGS, WorkerContext, type WorkerStage, type WorkerTimings } from './worker/workerContext.ts';

import { parentPort } from 'node:worker_threads';
import type { FileReadResult } from '../contract/types.ts';
import { readHashFile, readHashFileBytes, type HashFileOptions } from './readHashFile.ts';

/**
 * The worker thread that reads and decodes hash files (started by hashFileReader.ts), so that a
 * 10 MB file never stalls the thread that answers the window. Built by scripts/build-main.ts into
 * dist/main/hashFileWorker.js; run through tsx in a checkout.
 *
 * In:  { id, path, options } (a file on disk) or { id, path, bytes, options } (bytes already read).
 * Out: { id, devices } chunks of at most DEVICES_PER_MESSAGE devices, then { id, result } with the
 *      rest of the FileReadResult (its devices empty; the reader puts the chunks back in order).
 */
export interface HashFileRequest {
  id: number;
  path: string;
  bytes?: Uint8Array;
  options: HashFileOptions;
}

export type HashFileReply = { id: number; devices: FileReadResult['devices'] } | { id: number; result: FileReadResult };

/** Devices per message: the main thread turns each message back into objects in one go, so each stays short. */
export const DEVICES_PER_MESSAGE = 100;

const port = parentPort;
if (port) {
  port.on('message', (req: HashFileRequest) => {
    void (async () => {
      const result = req.bytes
        ? readHashFileBytes(req.bytes, req.path, req.options)
        : await readHashFile(req.path, req.options);
      for (let i = 0; i < result.devices.length; i += DEVICES_PER_MESSAGE) {
        port.postMessage({
          id: req.id,
          devices: result.devices.slice(i, i + DEVICES_PER_MESSAGE),
        } satisfies HashFileReply);
      }
      port.postMessage({ id: req.id, result: { ...result, devices: [] } } satisfies HashFileReply);
    })();
  });
}

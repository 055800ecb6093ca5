import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../kernel/logger.ts';
import type { Handlers } from '../contract/contract.ts';
import { StationError } from '../contract/errors.ts';
import { createDispatcher, type Dispatch } from '../ipc/dispatch.ts';

export interface BrowserConfinementOptions {
  logger: Logger;
  /**
   * Folders a drop folder may be chosen in from browser mode: the admin's pre-seeded drop folder and
   * the station's own drop area (`<dataDir>/drop`). The Electron app and the admin's settings.json
   * may point anywhere; browser mode may not.
   */
  dropFolderRoots: () => string[];
}

/** Where the station keeps drop folders that browser mode may create and choose. */
export function stationDropArea(dataDir: string): string {
  return path.join(dataDir, 'drop');
}

/**
 * Browser mode answers anyone holding the session token, so path-taking calls must not let that
 * caller probe the disk (does this file exist? read that CSV, list that folder). A path is accepted
 * only inside the drop folder now configured; a new drop folder only inside the allowed roots; a new
 * certificate path not at all (the admin's settings.json or the Electron app set it). Uploaded files
 * (readFileContents) carry their bytes, not a path, and pass unchanged. Every refusal is logged.
 */
export function confineBrowserCalls(handlers: Handlers, options: BrowserConfinementOptions): Handlers {
  const log = options.logger.child({ host: 'browser' });
  const currentDropFolder = async () => (await handlers.getSettings({})).dropFolder;

  const refuse = (call: string, setting: string, given: string, allowed: string | undefined): never => {
    log.warn('browser call refused: path outside what browser mode may read', {
      call,
      setting,
      path: clip(given),
      allowed: allowed ?? '(none)',
    });
    throw new StationError({
      code: 'PATH_NOT_ALLOWED',
      message: allowed
        ? `In browser mode the station only reads files inside ${allowed}; "${clip(given)}" is outside it.`
        : `In browser mode the station reads no file by path; "${clip(given)}" was refused.`,
      action:
        setting === 'dropFolder'
          ? 'Choose a folder inside the allowed drop folder, or ask your admin to set the drop folder in the station settings file.'
          : setting === 'certificatePath' || setting === 'caFile'
            ? 'Ask your admin to set this file in the station settings file, or set it in the station app.'
            : 'Upload the file instead, or put it in the drop folder.',
      params: { call, setting, path: clip(given), allowed: allowed ?? '' },
    });
  };

  const requireInsideDropFolder = async (call: string, setting: string, file: string) => {
    const folder = await currentDropFolder();
    if (!folder || !isInside(folder, file, false)) refuse(call, setting, file, folder);
  };

  return {
    ...handlers,
    readFiles: async (input) => {
      for (const p of input.paths) await requireInsideDropFolder('readFiles', 'paths', p);
      return handlers.readFiles(input);
    },
    captureThisDevice: async (input) => {
      if (input.hashFilePath !== undefined)
        await requireInsideDropFolder('captureThisDevice', 'hashFilePath', input.hashFilePath);
      return handlers.captureThisDevice(input);
    },
    updateSettings: async (input) => {
      const now = await handlers.getSettings({});
      const { dropFolder, certificatePath, caFile } = input.patch;
      // The settings screen sends every field: an unchanged value or a cleared one is not a new path.
      if (dropFolder && dropFolder !== now.dropFolder) {
        const roots = options.dropFolderRoots().filter((r) => r.length > 0);
        if (!roots.some((root) => isInside(root, dropFolder, true)))
          refuse('updateSettings', 'dropFolder', dropFolder, roots.join(' or ') || undefined);
      }
      if (certificatePath && certificatePath !== now.certificatePath)
        refuse('updateSettings', 'certificatePath', certificatePath, undefined);
      // The shared training tenant's CA file is a path too: reading it would tell whether a file exists anywhere.
      if (caFile && caFile !== now.caFile) refuse('updateSettings', 'caFile', caFile, undefined);
      return handlers.updateSettings(input);
    },
  };
}

/**
 * True when `candidate` is inside `root` (or is `root` itself when `orSame`), both as written and
 * after symbolic links are followed, so a link inside the folder cannot point out of it. A candidate
 * that does not exist yet is judged as written (reading it then fails inside the folder).
 */
export function isInside(root: string, candidate: string, orSame: boolean): boolean {
  if (!path.isAbsolute(candidate)) return false;
  const lexical = within(path.resolve(root), path.resolve(candidate), orSame);
  if (!lexical) return false;
  const realRoot = realOrUndefined(root);
  const realCandidate = realOrUndefined(candidate) ?? realParent(candidate);
  if (realRoot === undefined || realCandidate === undefined) return true;
  return within(realRoot, realCandidate, orSame);
}

function within(root: string, candidate: string, orSame: boolean): boolean {
  const rel = path.relative(root, candidate);
  if (rel === '') return orSame;
  return !rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel);
}

function realOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}

/** A file not there yet: its nearest existing folder, followed through links, plus the rest as written. */
function realParent(p: string): string | undefined {
  let dir = path.resolve(p);
  const rest: string[] = [];
  for (;;) {
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    rest.unshift(path.basename(dir));
    dir = parent;
    const real = realOrUndefined(dir);
    if (real !== undefined) return path.join(real, ...rest);
  }
}

function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/**
 * The dispatcher browser mode serves (`serve`, the end-to-end tests): the station's handlers with
 * their paths confined. The drop folder may be chosen inside the admin's pre-seeded one or inside
 * the station's own drop area.
 */
export function browserModeDispatch(
  handlers: Handlers,
  options: { logger: Logger; dataDir: string; adminDropFolder?: string | undefined },
): Dispatch {
  const area = stationDropArea(options.dataDir);
  try {
    fs.mkdirSync(area, { recursive: true });
  } catch (err) {
    options.logger.warn('station drop area not created', {
      path: area,
      error: err instanceof Error ? err.message : String(err),
    });
  }
  const roots = [area, ...(options.adminDropFolder ? [options.adminDropFolder] : [])];
  return createDispatcher(
    confineBrowserCalls(handlers, { logger: options.logger, dropFolderRoots: () => roots }),
    options.logger,
  );
}

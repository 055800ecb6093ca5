'use strict';
// electron-builder beforePack hook (electron-builder.yml: beforePack). Native modules cannot load
// from inside app.asar, so they ship beside it in app.asar.unpacked, which Electron's asar
// integrity check does not cover; the portable build even unpacks them into the user's %TEMP%.
// After npmRebuild and before packing, this records each shipped .node file's SHA-256 in
// dist/main/native-modules.json, which goes *inside* the integrity-checked asar; the app compares
// the unpacked files against it before it loads any (src-main/app/nativeModuleIntegrity.ts).

const { createHash } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

/** The .node files the app loads, relative to the app folder (electron-builder.yml ships only these). */
const NATIVE_MODULES = ['node_modules/better-sqlite3/build/Release/better_sqlite3.node'];
const DIGESTS_FILE = 'dist/main/native-modules.json';

/**
 * Writes {"<relative path>": "<sha256 hex>"} for every native module under appDir.
 * @param {string} appDir  the folder being packaged (the project root)
 * @returns {Record<string, string>} the digests written
 * @throws Error when a native module is missing (the package would not start)
 */
function recordNativeDigests(appDir) {
  const digests = {};
  for (const rel of NATIVE_MODULES) {
    digests[rel] = createHash('sha256')
      .update(readFileSync(path.join(appDir, rel)))
      .digest('hex');
  }
  writeFileSync(path.join(appDir, DIGESTS_FILE), `${JSON.stringify(digests, null, 2)}\n`);
  return digests;
}

/** @param {{ packager: { info: { appDir: string } } }} context  electron-builder's BeforePackContext */
async function beforePack(context) {
  recordNativeDigests(context.packager.info.appDir);
}

module.exports = beforePack;
module.exports.default = beforePack;
module.exports.beforePack = beforePack;
module.exports.recordNativeDigests = recordNativeDigests;
module.exports.NATIVE_MODULES = NATIVE_MODULES;
module.exports.DIGESTS_FILE = DIGESTS_FILE;

import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { StationErrorData } from '../contract/errors.ts';
import { SETTING_KEYS, settingsPatch } from '../contract/schemas.ts';
import { jsonErrorPosition, lineColumn } from './jsonErrorPosition.ts';

export type SettingsPatch = z.infer<typeof settingsPatch>;
export type SettingKey = keyof SettingsPatch;

/** What an admin pre-seeded for every technician on this machine. */
export interface MachineSettings {
  /** The file that was looked at. */
  path: string;
  /** True when the file exists (even if it was ignored). */
  found: boolean;
  /** Setting values to use instead of the defaults. Empty when the file is absent or ignored. */
  values: SettingsPatch;
  /** Settings the technician may not change (shown read-only); empty when the file is absent or ignored. */
  locked: SettingKey[];
  /**
   * Why the file was ignored, for the log and the screens (banner, Settings): its params name the file
   * (`path`), and where known the `line` and `column` of the mistake and the `setting` it is about.
   * While there is a problem every setting is locked: the bench does not fall back to settings a
   * technician may change (the admin meant to decide them).
   */
  problem?: StationErrorData;
}

/** The file format: every setting of the settings screen (same rules), plus "locked". */
export const machineSettingsFile = settingsPatch
  .extend({
    /** Lets admins point their editor at a schema; ignored. */
    $schema: z.string().max(2048).optional(),
    /** The keys technicians may not change, or `true` for every key set in the file. */
    locked: z.union([z.literal(true), z.array(z.enum(SETTING_KEYS)).max(SETTING_KEYS.length * 2)]).default([]),
  })
  .strict();

const MAX_BYTES = 64 * 1024;

/**
 * Where admins deploy the file, machine-wide:
 *   Windows  %ProgramData%\Autopilot Station\settings.json
 *   macOS    /Library/Application Support/Autopilot Station/settings.json
 *   Linux    /etc/autopilot-station/settings.json
 * Deliberately no environment override: a technician could otherwise unlock locked settings.
 */
export function machineSettingsPath(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (platform === 'win32') {
    const programData = env.ProgramData || env.PROGRAMDATA || 'C:\\ProgramData';
    return path.win32.join(programData, 'Autopilot Station', 'settings.json');
  }
  if (platform === 'darwin') return '/Library/Application Support/Autopilot Station/settings.json';
  return '/etc/autopilot-station/settings.json';
}

/**
 * Reads and checks the admin's file. Never throws: a missing file means "nothing pre-seeded", a bad
 * one is ignored as a whole (half a configuration could sign in to the wrong tenant) and described.
 */
export function readMachineSettings(
  filePath: string,
  readFile: (p: string) => Buffer = (p) => fs.readFileSync(p),
): MachineSettings {
  let bytes: Buffer;
  try {
    bytes = readFile(filePath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { path: filePath, found: false, values: {}, locked: [] };
    return ignored(
      filePath,
      'MACHINE_SETTINGS_UNREADABLE',
      `The pre-seeded settings file ${filePath} could not be read (${code ?? 'error'}).`,
      'Check that the file is a file and that Users may read it.',
      { path: filePath, reason: code ?? 'error' },
    );
  }
  return parseMachineSettings(bytes, filePath);
}

/** The checking half of readMachineSettings, on bytes already read. */
export function parseMachineSettings(bytes: Buffer, filePath: string): MachineSettings {
  if (bytes.length > MAX_BYTES) {
    return ignored(
      filePath,
      'MACHINE_SETTINGS_INVALID',
      `The pre-seeded settings file ${filePath} is larger than 64 KB, so it is not a settings file.`,
      'Deploy the settings.json described in the admin guide.',
      { path: filePath },
    );
  }
  let data: unknown;
  let text = '';
  try {
    text = decodeText(bytes);
    data = JSON.parse(text);
  } catch (err) {
    // An odd number of bytes after a UTF-16 BOM fails in decodeText: no position to give then.
    const at = text ? jsonErrorPosition(text) : undefined;
    const where = at ? ` at line ${at.line}, column ${at.column}` : '';
    return ignored(
      filePath,
      'MACHINE_SETTINGS_INVALID',
      `The pre-seeded settings file ${filePath} is not valid JSON${where}: ${(err as Error).message}.`,
      'Fix the file (for example with a JSON validator) and restart the station. Until then every setting stays locked.',
      { path: filePath, ...(at ? { line: at.line, column: at.column } : {}) },
    );
  }
  const parsed = machineSettingsFile.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const setting = first?.path[0] !== undefined ? String(first.path[0]) : undefined;
    const line = setting ? lineOfKey(text, setting) : undefined;
    const reasons = parsed.error.issues
      .slice(0, 5)
      .map(
        (i) =>
          `${i.path.join('.') || '(file)'}${i.path[0] !== undefined && lineOfKey(text, String(i.path[0])) ? ` (line ${lineOfKey(text, String(i.path[0]))})` : ''}: ${i.message}`,
      );
    return ignored(
      filePath,
      'MACHINE_SETTINGS_INVALID',
      `The pre-seeded settings file ${filePath} was ignored: ${reasons.join('; ')}.`,
      'Fix these settings in the file and restart the station. Until then every setting stays locked.',
      {
        path: filePath,
        ...(setting ? { setting: setting.slice(0, 64) } : {}),
        ...(line ? { line } : {}),
      },
    );
  }
  const { locked, $schema: _schema, ...values } = parsed.data;
  const lockedKeys = locked === true ? (Object.keys(values) as SettingKey[]) : locked;
  return { path: filePath, found: true, values, locked: [...new Set(lockedKeys)] };
}

/** The file ignored as a whole; `params` name the file (`path`) and, where known, the line, column and setting. */
function ignored(
  filePath: string,
  code: string,
  message: string,
  action: string,
  params: { path: string } & Record<string, string | number>,
): MachineSettings {
  return {
    path: filePath,
    found: true,
    values: {},
    locked: [],
    problem: { code, message, action, params, details: { path: filePath } },
  };
}

/** The line where a top-level key is written ("tenantId": …), for a setting the schema refused. */
function lineOfKey(text: string, key: string): number | undefined {
  const at = text.indexOf(JSON.stringify(key));
  return at < 0 ? undefined : lineColumn(text, at).line;
}

/** Notepad saves UTF-8 with or without a BOM, or UTF-16 ("Unicode"): accept all of them. */
function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  return bytes.toString('utf8');
}

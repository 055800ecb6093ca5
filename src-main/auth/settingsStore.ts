import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import type { Logger } from '../kernel/logger.ts';
import type { MachineSettings } from '../app/machineSettings.ts';
import { StationError } from '../contract/errors.ts';
import { SETTING_KEYS, settingsPatch } from '../contract/schemas.ts';
import { DEFAULT_REGISTRATION_TARGETS, DEFAULT_WAIT_FOR, type StationSettings } from '../contract/types.ts';

export type SettingsPatch = z.output<typeof settingsPatch>;
type SettingKey = keyof SettingsPatch;

export const DEFAULT_SETTINGS: Readonly<StationSettings> = Object.freeze({
  cloud: 'global',
  apiVersion: 'v1.0',
  authMode: 'browser',
  batchSize: 100,
  waitFor: DEFAULT_WAIT_FOR,
  locked: [],
  registrationTargets: [...DEFAULT_REGISTRATION_TARGETS],
});

const CLEARABLE = new Set<SettingKey>([
  'tenantId',
  'clientId',
  'certificatePath',
  'dropFolder',
  'defaultGroupTag',
  'tenantUrl',
  'caFile',
]);

export interface SettingsStoreOptions {
  /** The technician's settings: settings.json in the data dir. */
  file: string;
  /**
   * Machine-wide settings an administrator pre-seeded (Windows: %ProgramData%\Autopilot Station\settings.json),
   * already read and checked by readMachineSettings: values, and the keys technicians may not change.
   */
  machine?: Pick<MachineSettings, 'values' | 'locked'> & Partial<Pick<MachineSettings, 'problem'>>;
  logger: Logger;
}

/**
 * Station settings as JSON in the data dir, over the administrator's pre-seeded values. Locked keys
 * always come from the machine file and cannot be changed from the station. No tenant id = training.
 */
export class SettingsStore {
  private cached?: StationSettings | undefined;
  private updating: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: SettingsStoreOptions) {}

  async load(): Promise<StationSettings> {
    return this.loadSync();
  }

  /** The same as load(), for callers that must know the tenant at once (which queue a station opens). */
  loadSync(): StationSettings {
    if (this.cached) return structuredClone(this.cached);
    const machine = this.options.machine ?? { values: {}, locked: [] };
    const user = this.salvage(this.readJson(this.options.file), 'your settings file');
    const merged: StationSettings = { ...DEFAULT_SETTINGS, locked: [] };
    applyPatch(merged, machine.values);
    if (machine.problem) {
      // The admin's file is broken: nothing the technician saved applies and nothing may be changed until it is fixed.
      merged.locked = [...SETTING_KEYS].sort();
      merged.machineSettingsProblem = { code: machine.problem.code, params: { ...(machine.problem.params ?? {}) } };
      this.cached = merged;
      return structuredClone(merged);
    }
    applyPatch(merged, omit(user, machine.locked));
    merged.locked = [...machine.locked].sort();
    this.cached = merged;
    return structuredClone(merged);
  }

  /**
   * One update at a time: two saves at once (a double click, two windows) would share the temporary
   * file, so one rename failed, and each would write back the file as read before the other's change.
   */
  update(patch: SettingsPatch): Promise<StationSettings> {
    const run = this.updating.then(() => this.applyUpdate(patch));
    this.updating = run.catch(() => {});
    return run;
  }

  private async applyUpdate(patch: SettingsPatch): Promise<StationSettings> {
    const current = await this.load();
    const refused = (Object.keys(patch) as SettingKey[]).filter(
      (k) => current.locked.includes(k) && !sameValue(current, k, patch[k]),
    );
    if (refused.length) {
      throw new StationError({
        code: 'SETTINGS_LOCKED',
        message: `These settings were set by your administrator and cannot be changed here: ${refused.join(', ')}.`,
        action: 'Ask the administrator who set up this bench to change them.',
        details: { locked: refused },
      });
    }
    const user = this.salvage(this.readJson(this.options.file), 'your settings file');
    for (const k of Object.keys(patch) as SettingKey[]) {
      if (current.locked.includes(k)) continue;
      (user as Record<string, unknown>)[k] = patch[k];
    }
    await mkdir(path.dirname(this.options.file), { recursive: true });
    const tmp = `${this.options.file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(user, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, this.options.file);
    this.cached = undefined;
    return this.load();
  }

  /** Synchronous: a settings file is a few hundred bytes, and the queue must know its tenant without waiting. */
  private readJson(file: string): Record<string, unknown> {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    try {
      const v = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown; // Notepad writes a BOM
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
    } catch {
      this.options.logger.error('A settings file is not valid JSON and was ignored', { file });
      return {};
    }
  }

  /** Keeps every valid key, drops (and logs) the rest, so one bad value does not lose the others. */
  private salvage(raw: Record<string, unknown>, what: string): SettingsPatch {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) {
      const field = (settingsPatch.shape as Record<string, z.ZodType>)[k];
      const parsed = field?.safeParse(v);
      if (parsed?.success) out[k] = parsed.data;
      else this.options.logger.warn(`Ignored a setting in ${what}`, { key: k });
    }
    return out as SettingsPatch;
  }
}

function applyPatch(target: StationSettings, patch: SettingsPatch): void {
  const t = target as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    if (v === '' && CLEARABLE.has(k as SettingKey)) delete t[k];
    else t[k] = v;
  }
}

function omit(patch: SettingsPatch, keys: SettingKey[]): SettingsPatch {
  const out = { ...patch } as Record<string, unknown>;
  for (const k of keys) delete out[k];
  return out as SettingsPatch;
}

function sameValue(current: StationSettings, key: SettingKey, value: unknown): boolean {
  const now = (current as unknown as Record<string, unknown>)[key];
  return now === value || ((now === undefined || now === '') && value === '');
}

/** Training mode: no tenant configured, the station works against its built-in simulated tenant. */
export function isTrainingMode(settings: StationSettings): boolean {
  return !settings.tenantId;
}

import { t, type MessageKey } from './i18n/i18n.svelte.ts';

/**
 * A device's history is written by the station in English (logs and support read it as it is). For
 * other languages the ordinary events are worded again from the English line: each pattern below is
 * one message the main process writes (src-main/queue), with its variable parts as params. A line no
 * pattern knows stays unworded (the caller shows the state change and the advice instead, the English
 * line as a tooltip). `test/renderer/eventWords.test.ts` checks every pattern in both languages.
 */
const SOURCES = ['this-device', 'drop-folder', 'file', 'typed'] as const;

/** "file C:\x.csv" / "this-device" → the source in the current language, with its path. */
function whereWords(where: string): string {
  const kind = SOURCES.find((k) => where === k || where.startsWith(`${k} `));
  if (!kind) return where;
  const rest = where.slice(kind.length).trim();
  return rest ? `${t(`source.${kind}`)} ${rest}` : t(`source.${kind}`);
}

type Params = Record<string, string>;
const PATTERNS: [RegExp, MessageKey, ((g: Params) => Params)?][] = [
  [/^Queued from (?<where>.+)$/, 'event.queuedFrom', (g) => ({ where: whereWords(g.where!) })],
  [
    /^Captured from (?<where>.+?) but not valid: (?<codes>.+)$/,
    'event.capturedInvalid',
    (g) => ({ where: whereWords(g.where!), codes: g.codes! }),
  ],
  [
    /^Captured from (?<where>.+?); this serial is already in the queue with a different hash$/,
    'event.capturedOtherHash',
    (g) => ({ where: whereWords(g.where!) }),
  ],
  [/^Captured$/, 'event.captured'],
  [/^Captured again with a different hardware hash$/, 'event.capturedAgainOtherHash'],
  [
    /^Captured again \((?<where>.+)\); kept as one device$/,
    'event.capturedAgain',
    (g) => ({ where: whereWords(g.where!) }),
  ],
  [/^Refused before upload \((?<where>.+)\): (?<code>\S+)$/, 'event.refusedBeforeUpload'],
  [/^Refused again \((?<where>.+)\); kept as one record$/, 'event.refusedAgain'],
  [/^Importing in a batch of (?<count>\d+)$/, 'event.importingBatch'],
  [/^Batch sent( to Intune)?$/, 'event.batchSent'],
  [/^Batch found by serial in the imported list/, 'event.batchFoundBySerial'],
  [/^Imported; waiting for registration$/, 'event.importedWaiting'],
  [/^Imported$/, 'event.imported'],
  [/^Registered in Autopilot; waiting for a deployment profile$/, 'event.registeredWaitingProfile'],
  [/^Registered in Autopilot$/, 'event.registered'],
  [/^Deployment profile assigned \((?<profile>[^)]+)\): ready to deploy$/, 'event.profileAssigned'],
  [/^Deployment profile assignment failed$/, 'event.profileFailed'],
  [/^Queued again by the technician$/, 'event.queuedAgain'],
  [/^Queued to register again$/, 'event.queuedReregister'],
  [/^Checked again and queued$/, 'event.checkedAgain'],
  [/^Waiting again$/, 'event.waitingAgain'],
  [
    /^The station was not running when this stage's deadline passed; watching it again from now$/,
    'event.deadlineRenewed',
  ],
  [/^Removed from the queue by the technician$/, 'event.removed'],
  [/^The technician asked the station to check this import with the tenant now$/, 'event.checkNow'],
  [/^Its import record was not where it was; found again by serial$/, 'event.recordFoundAgain'],
  [/^Not in the registered list yet after the sync; looking again as the list catches up$/, 'event.notListedYet'],
  [/^Already registered in this tenant; group tag already correct$/, 'event.alreadyTagOk'],
  [/^Already registered in this tenant; Intune now shows the group tag "(?<tag>.*)"$/, 'event.alreadyTagFixed'],
  [
    /^Already registered in this tenant; changing its group tag from "(?<from>.*)" to "(?<to>.*)"$/,
    'event.alreadyTagChanging',
  ],
  [
    /^Already registered in this tenant; the new group tag "(?<tag>.*)" did not show in time$/,
    'event.alreadyTagUnconfirmed',
  ],
  [/^Timed out while (?<state>[a-z-]+)$/, 'event.timedOut', (g) => ({ state: t(`state.${g.state}` as MessageKey) })],
  [/^Moved here from the queue of tenant (?<from>\S+) by the technician$/, 'event.movedHere'],
  [/^Moved to the queue of tenant (?<to>\S+) by the technician$/, 'event.movedAway'],
  [/^Corporate identifier queued: (?<identifier>.+)$/, 'event.corporateQueued'],
  [/^Corporate identifier added/, 'event.corporateAdded'],
  [/^Corporate identifier already in the tenant/, 'event.corporateAlready'],
  [/^Corporate identifier queued again$/, 'event.corporateQueuedAgain'],
];

/** The event's English line worded in the current language, or undefined when no pattern knows it. */
export function eventWords(message: string): string | undefined {
  for (const [re, key, map] of PATTERNS) {
    const m = re.exec(message);
    if (!m) continue;
    const groups = { ...(m.groups ?? {}) } as Params;
    return t(key, map ? map(groups) : groups);
  }
  return undefined;
}

/** For the test: every pattern's key, and the key that words a line. */
export const EVENT_KEYS: readonly MessageKey[] = PATTERNS.map(([, key]) => key);
export function eventKeyOf(message: string): MessageKey | undefined {
  return PATTERNS.find(([re]) => re.test(message))?.[1];
}

import { afterEach, describe, expect, it } from 'vitest';
import { EVENT_KEYS, eventKeyOf, eventWords } from '../../src-renderer/lib/eventWords.ts';
import { i18n } from '../../src-renderer/lib/i18n/i18n.svelte.ts';

const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;
afterEach(() => i18n.setLocale('en'));

/** Lines as the main process writes them (src-main/queue), one per pattern at least. */
const LINES = [
  'Captured',
  'Captured again with a different hardware hash',
  'Queued from file training-devices.csv',
  'Queued from this-device',
  'Captured from file a.csv but not valid: SERIAL_MISMATCH, HASH_NO_MANUFACTURER',
  'Captured from typed; this serial is already in the queue with a different hash',
  'Captured again (drop-folder D:\\drop\\x.csv); kept as one device',
  'Refused before upload (a.csv line 8): CSV_NO_HASH',
  'Refused again (a.csv line 8); kept as one record',
  'Importing in a batch of 6',
  'Batch sent to Intune',
  'Batch found by serial in the imported list (its answer had been lost)',
  'Imported; waiting for registration',
  'Imported',
  'Registered in Autopilot; waiting for a deployment profile',
  'Registered in Autopilot',
  'Deployment profile assigned (assignedUnkownSyncState): ready to deploy',
  'Deployment profile assignment failed',
  'Queued again by the technician',
  'Queued to register again',
  'Checked again and queued',
  'Waiting again',
  "The station was not running when this stage's deadline passed; watching it again from now",
  'Removed from the queue by the technician',
  'The technician asked the station to check this import with the tenant now',
  'Its import record was not where it was; found again by serial',
  'Not in the registered list yet after the sync; looking again as the list catches up',
  'Already registered in this tenant; group tag already correct',
  'Already registered in this tenant; Intune now shows the group tag "Kiosk"',
  'Already registered in this tenant; changing its group tag from "Old" to "Kiosk"',
  'Already registered in this tenant; the new group tag "Kiosk" did not show in time',
  'Timed out while importing',
  'Moved here from the queue of tenant training by the technician',
  'Moved to the queue of tenant global-contoso by the technician',
  'Corporate identifier queued: Contoso,Bench 1,PF3TRN01',
  'Corporate identifier added',
  'Corporate identifier already in the tenant: nothing to add',
  'Corporate identifier queued again',
];

describe('event words', () => {
  it('words every ordinary history line in Japanese, keeping its values, with no English sentence left', () => {
    i18n.setLocale('ja');
    const unworded: string[] = [];
    for (const line of LINES) {
      const ja = eventWords(line);
      if (!ja || !JAPANESE.test(ja) || /\b(the|and|queue|batch|from)\b/i.test(ja) || /[{}]/.test(ja))
        unworded.push(`${line} → ${ja}`);
    }
    expect(unworded).toEqual([]);
    expect(eventWords('Importing in a batch of 6')).toBe('6 台のバッチでインポート中');
    expect(eventWords('Queued from file training-devices.csv')).toBe(
      'ファイル training-devices.csv からキューに追加しました',
    );
    expect(eventWords('Timed out while importing')).toMatch(/^インポート中/);
    expect(eventWords('A line the station never writes')).toBeUndefined();
  });

  it('every pattern is exercised by a line above', () => {
    const used = new Set(LINES.map(eventKeyOf));
    expect(EVENT_KEYS.filter((k) => !used.has(k))).toEqual([]);
  });
});

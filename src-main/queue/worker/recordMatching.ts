import type { ImportedIdentity } from '../../graph/autopilotPort.ts';
import type { DeviceRecord } from '../queueStore.ts';
import { serialKey } from './workerContext.ts';

/**
 * Which imported record answers for which device. The keys are the ones the service gives back: a
 * device that knows its record id is matched by that id only; a device without one (a lost answer,
 * a record gone missing) by serial, trimmed and case-insensitive, and by hash when the record carries
 * one. `importId` only breaks ties (a real tenant has rewritten it to the record's own id).
 * `free(id)` says whether a record may still be claimed (not already another device's).
 */
export function matchRecords(
  devices: DeviceRecord[],
  records: ImportedIdentity[],
  free: (recordId: string) => boolean,
  opts: { ignoreKnownIds?: boolean } = {},
): Map<string, ImportedIdentity> {
  const out = new Map<string, ImportedIdentity>();
  const byId = new Map(records.filter((r) => r.id).map((r) => [r.id, r]));
  const taken = new Set<string>();
  const needSerial: DeviceRecord[] = [];
  for (const d of devices) {
    if (d.importedRecordId && !opts.ignoreKnownIds) {
      const r = byId.get(d.importedRecordId);
      if (r) {
        out.set(d.id, r);
        taken.add(r.id);
      }
      continue;
    }
    needSerial.push(d);
  }
  if (!needSerial.length) return out;
  const bySerial = new Map<string, ImportedIdentity[]>();
  for (const r of records) {
    if (taken.has(r.id) || !r.id || !free(r.id)) continue;
    const k = serialKey(r.serialNumber);
    bySerial.set(k, [...(bySerial.get(k) ?? []), r]);
  }
  for (const d of needSerial) {
    const candidates = (bySerial.get(serialKey(d.serialNumber)) ?? []).filter(
      (r) => !taken.has(r.id) && (r.hardwareIdentifier == null || r.hardwareIdentifier === d.hardwareHash),
    );
    if (!candidates.length) continue;
    const r = candidates.find((x) => d.importId !== undefined && x.importId === d.importId) ?? candidates[0]!;
    out.set(d.id, r);
    taken.add(r.id);
  }
  return out;
}

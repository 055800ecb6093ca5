import type { HashSummary } from '../contract/types.ts';

/**
 * A device's Windows corporate identifier: manufacturer, model and serial exactly as the firmware
 * wrote them into the hardware hash (records 16, 17 and 14), never retyped or trimmed, because
 * Intune matches them against what the device reports when it enrolls.
 */
export type CorporateIdentifierResult =
  | { ok: true; manufacturer: string; model: string; serialNumber: string; identifier: string }
  | { ok: false; code: 'CORP_MISSING_VALUES' | 'CORP_VALUE_HAS_COMMA'; params: Record<string, string>; message: string };

export function corporateIdentifierOf(hash: Pick<HashSummary, 'manufacturer' | 'model' | 'serialNumber'>): CorporateIdentifierResult {
  const values = { manufacturer: hash.manufacturer, model: hash.model, serial: hash.serialNumber };
  const missing = Object.entries(values)
    .filter(([, v]) => v === undefined || v.trim() === '')
    .map(([k]) => k);
  if (missing.length) {
    return {
      ok: false,
      code: 'CORP_MISSING_VALUES',
      params: { missing: missing.join(', ') },
      message: `The hardware hash has no ${missing.join(', ')}: this device cannot be added as a corporate identifier. Register it as an Autopilot device, or re-capture the hash on the device after the OEM fixes its firmware data.`,
    };
  }
  // The admin centre's file and the Graph identifier separate the three values with commas and
  // quote nothing: a comma inside a value cannot be expressed.
  const withComma = Object.entries(values)
    .filter(([, v]) => v!.includes(','))
    .map(([k]) => k);
  if (withComma.length) {
    return {
      ok: false,
      code: 'CORP_VALUE_HAS_COMMA',
      params: { fields: withComma.join(', ') },
      message: `The firmware's ${withComma.join(', ')} contains a comma, which a corporate identifier cannot carry. Register this device as an Autopilot device.`,
    };
  }
  const { manufacturer, model, serial } = values as { manufacturer: string; model: string; serial: string };
  return { ok: true, manufacturer, model, serialNumber: serial, identifier: `${manufacturer},${model},${serial}` };
}

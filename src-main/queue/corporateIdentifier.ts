import type { HashSummary } from '../contract/types.ts';

/**
 * A device's Windows corporate identifier: manufacturer, model and serial exactly as the firmware
 * wrote them into the hardware hash (records 16, 17 and 14), never retyped or trimmed, because
 * Intune matches them against what the device reports when it enrolls.
 */
export type CorporateIdentifierResult =
  | {
      ok: true;
      manufacturer: string;
      model: string;
      serialNumber: string;
      /** Graph's importedDeviceIdentifier: `manufacturer;model;serial`. */
      identifier: string;
      /** The admin centre's CSV line: `manufacturer,model,serial`. */
      csvLine: string;
    }
  | {
      ok: false;
      code: 'CORP_MISSING_VALUES' | 'CORP_VALUE_HAS_SEMICOLON';
      params: Record<string, string>;
      message: string;
    };

/**
 * The delimiter of Graph's manufacturerModelSerial identifier. Microsoft's Graph reference
 * (importedDeviceIdentityType, beta): "Device Identity is of type manufacturer + model + serial number
 * semi-colon delimited tuple with enforced order" —
 * https://learn.microsoft.com/graph/api/resources/intune-enrollment-importeddeviceidentitytype?view=graph-rest-beta
 * The admin centre's upload is a CSV file and separates the same three values with commas
 * (https://learn.microsoft.com/intune/intune-service/enrollment/corporate-identifiers-add, "Add Windows
 * corporate identifiers": `Microsoft,surface 5,01234567890123`); public scripts that put commas into
 * the Graph identifier work only while no value carries a comma, which MSI's manufacturer
 * ("Micro-Star International Co., Ltd.") does. The station follows the reference for Graph and the
 * admin centre's format for its CSV export.
 */
export const TUPLE_DELIMITER = ';';

export function corporateIdentifierOf(
  hash: Pick<HashSummary, 'manufacturer' | 'model' | 'serialNumber'>,
): CorporateIdentifierResult {
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
  // Graph's tuple is semicolon-delimited and quotes nothing: a semicolon inside a value cannot be expressed.
  const withDelimiter = Object.entries(values)
    .filter(([, v]) => v!.includes(TUPLE_DELIMITER))
    .map(([k]) => k);
  if (withDelimiter.length) {
    return {
      ok: false,
      code: 'CORP_VALUE_HAS_SEMICOLON',
      params: { fields: withDelimiter.join(', ') },
      message: `The firmware's ${withDelimiter.join(', ')} contains a semicolon, which a corporate identifier cannot carry. Register this device as an Autopilot device.`,
    };
  }
  const { manufacturer, model, serial } = values as { manufacturer: string; model: string; serial: string };
  return {
    ok: true,
    manufacturer,
    model,
    serialNumber: serial,
    identifier: [manufacturer, model, serial].join(TUPLE_DELIMITER),
    csvLine: `${manufacturer},${model},${serial}`,
  };
}

/**
 * How an identifier is compared with the tenant's: case-insensitive (inference: Intune matches serials
 * so), and a manufacturerModelSerial tuple by its three parts, since the tenant may hold one written with
 * commas (added by the admin centre's file or by a script that sends commas). Text that is not a
 * three-part tuple is compared as is.
 */
export function identifierKey(identifier: string): string {
  const delimiter = identifier.includes(TUPLE_DELIMITER) ? TUPLE_DELIMITER : ',';
  const parts = identifier.split(delimiter);
  return (parts.length === 3 ? parts.join(TUPLE_DELIMITER) : identifier).toUpperCase();
}

import type { CaptureSource, CapturedDevice, HashSummary } from '../contract/types.ts';
import { decodeHardwareHash, type HardwareHashReport } from './decodeHardwareHash.ts';
import { finding, hasErrors, type Finding } from './hashFindings.ts';
import { containsLicenceKey, startsLikeFormula } from './fieldRules.ts';
import { isVirtualMachine, serialProblem } from './placeholderSerial.ts';
import { foldSerial, isLabelSerial, OFFERS_HASH_SERIAL, serialWasFolded } from '../contract/serialNumberRule.ts';

export interface DeviceFields {
  serialNumber: string;
  hardwareHash: string;
  productKey?: string | undefined;
  groupTag?: string | undefined;
  assignedUser?: string | undefined;
  /** What a Partner Center file says the device is; compared with the hash, never stored. */
  manufacturer?: string | undefined;
  model?: string | undefined;
  source: CaptureSource;
}

const FIELD_LABEL = {
  serialNumber: 'serial number',
  productKey: 'product key',
  groupTag: 'group tag',
  assignedUser: 'assigned user',
} as const;

/** The decoder's report without the hash bytes: what may be shown, stored beside the device and logged. */
export function toHashSummary(report: HardwareHashReport): HashSummary {
  const summary: HashSummary = {
    valid: report.valid,
    padded: report.padded,
    checksumOk: report.checksumOk,
    macAddresses: report.macAddresses,
    tpmEkPresent: report.tpmEkPresent,
    length: report.length,
    findings: report.findings,
  };
  if (report.serialNumber !== undefined) summary.serialNumber = report.serialNumber;
  if (report.manufacturer !== undefined) summary.manufacturer = report.manufacturer;
  if (report.model !== undefined) summary.model = report.model;
  if (report.productKeyId !== undefined) summary.productKeyId = report.productKeyId;
  if (report.smbiosUuid !== undefined) summary.smbiosUuid = report.smbiosUuid;
  return summary;
}

/**
 * Judges one device exactly as the service would (and a little stricter: a hash from another serial
 * stops here). Main calls this on everything it queues, whatever the renderer said about it.
 */
export function checkDevice(input: DeviceFields): CapturedDevice {
  const findings: Finding[] = [];
  // A licence key never travels, whichever field it came in (OA3.xml's <ProductKey> pasted as the product key, a typo'd
  // column).
  const fields: DeviceFields = { ...input };
  for (const key of ['serialNumber', 'productKey', 'groupTag', 'assignedUser'] as const) {
    if (containsLicenceKey(fields[key])) {
      if (key === 'serialNumber') fields.serialNumber = '';
      else delete fields[key];
      findings.push(
        finding(
          'LICENCE_KEY_DROPPED',
          'warning',
          `The ${FIELD_LABEL[key]} held a Windows licence key (25 characters); the station dropped it: licence keys are never stored or sent.`,
          { field: key },
        ),
      );
    }
  }
  // Full-width ＰＦ１２３ (a Japanese IME, in a file or typed) is the label's PF123: folded here, whatever brought
  // it.
  const serial = foldSerial(fields.serialNumber);
  if (serial && serialWasFolded(fields.serialNumber) && isLabelSerial(serial)) {
    const typed = fields.serialNumber.trim().slice(0, 64);
    findings.push(
      finding(
        'SERIAL_WIDTH_FOLDED',
        'info',
        `The serial "${typed}" was typed in full-width characters; it is read as "${serial}".`,
        { typed, serial },
      ),
    );
  }
  const report = decodeHardwareHash(fields.hardwareHash, serial ? { expectedSerial: serial } : {});
  findings.push(...report.findings);
  // A spreadsheet turns the 13-digit PKID into 3.30123E+12: never sent as is; the hash's own PKID (record 24) replaces
  // it when it has one.
  if (fields.productKey && /^\d[.,]\d+E\+?\d+$/i.test(fields.productKey.trim())) {
    const fromHash = report.productKeyId?.trim();
    const damaged = fields.productKey.trim();
    if (fromHash && /^\d{1,20}$/.test(fromHash)) fields.productKey = fromHash;
    else delete fields.productKey;
    findings.push(
      finding(
        'PRODUCT_KEY_SPREADSHEET_DAMAGE',
        'warning',
        `The Windows Product ID "${damaged}" was turned into a number by a spreadsheet; ${fromHash ? `the hash's own (${fromHash}) is used instead` : 'it was left out (the hash is enough to register the device)'}.`,
        {
          value: damaged,
          ...(fromHash ? { hashValue: fromHash } : {}),
        },
      ),
    );
  }
  if (!serial) {
    findings.push(
      finding('SERIAL_MISSING', 'error', 'The device has no serial number. Scan the serial label or type the serial.'),
    );
  } else if (startsLikeFormula(serial)) {
    findings.push(
      finding(
        'VALUE_FORMULA',
        'error',
        `The serial number starts with "${printable(serial[0]!)}", which spreadsheets run as a formula: it is not a serial. Scan the label or type the serial.`,
        { field: 'serialNumber' },
      ),
    );
  } else if (
    serialProblem(serial) === 'placeholder' &&
    !findings.some((f) => f.code === 'SERIAL_PLACEHOLDER' && f.severity === 'error')
  ) {
    findings.push(
      finding(
        'SERIAL_PLACEHOLDER',
        'error',
        `"${serial}" is not a real serial number. Scan the serial label or type the serial.`,
        { serial },
      ),
    );
  } else if (serialProblem(serial) === 'virtual-machine' || isVirtualMachine(report.manufacturer, report.model)) {
    findings.push(
      finding(
        'SERIAL_VIRTUAL_MACHINE',
        'info',
        `"${serial}" is a virtual machine's own serial: it is registered exactly as the VM reports it.`,
        { serial },
      ),
    );
  }
  if (fields.assignedUser && startsLikeFormula(fields.assignedUser)) {
    findings.push(
      finding(
        'VALUE_FORMULA',
        'error',
        `The assigned user starts with "${printable(fields.assignedUser[0]!)}", which spreadsheets run as a formula. Type the user name again.`,
        { field: 'assignedUser' },
      ),
    );
  }
  if (fields.manufacturer && report.manufacturer && norm(fields.manufacturer) !== norm(report.manufacturer)) {
    findings.push(
      finding(
        'MANUFACTURER_MISMATCH',
        'warning',
        `The file says the manufacturer is "${fields.manufacturer}" but the hash says "${report.manufacturer}": check that the row belongs to this hash.`,
        { file: fields.manufacturer, hash: report.manufacturer },
      ),
    );
  }
  if (fields.model && report.model && norm(fields.model) !== norm(report.model)) {
    findings.push(
      finding(
        'MODEL_MISMATCH',
        'warning',
        `The file says the model is "${fields.model}" but the hash says "${report.model}": check that the row belongs to this hash.`,
        { file: fields.model, hash: report.model },
      ),
    );
  }
  const device: CapturedDevice = {
    serialNumber: serial,
    hardwareHash: report.normalized ?? fields.hardwareHash,
    hash: toHashSummary(report),
    source: fields.source,
    findings,
    valid: !hasErrors(findings),
  };
  if (fields.productKey) device.productKey = fields.productKey;
  if (fields.groupTag) device.groupTag = fields.groupTag;
  if (fields.assignedUser) device.assignedUser = fields.assignedUser;
  return device;
}

/** Manufacturer and model compare without case, spaces and punctuation ("Dell Inc." and "DELL INC"). */
function norm(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/(inc|corporation|corp|ltd|co)$/, '');
}

function printable(c: string): string {
  return c === '\t' ? 'tab' : c === '\r' ? 'carriage return' : c;
}

/**
 * The device judged again under the serial its hash carries: the technician's answer to
 * SERIAL_SPREADSHEET_DAMAGE (a spreadsheet dropped leading zeros or wrote 1.23457E+11) and to
 * SERIAL_NOT_ON_LABEL (characters no serial label has). Devices without such a finding come back unchanged: a hash from
 * another device is never waved through this way.
 */
export function useHashSerial(device: CapturedDevice): CapturedDevice {
  const hashSerial = device.hash.serialNumber?.trim();
  if (!hashSerial || !device.findings.some((f) => OFFERS_HASH_SERIAL.has(f.code))) return device;
  return checkDevice({
    serialNumber: hashSerial,
    hardwareHash: device.hardwareHash,
    ...(device.productKey ? { productKey: device.productKey } : {}),
    ...(device.groupTag ? { groupTag: device.groupTag } : {}),
    ...(device.assignedUser ? { assignedUser: device.assignedUser } : {}),
    source: device.source,
  });
}

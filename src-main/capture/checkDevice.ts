import type { CaptureSource, CapturedDevice, HashSummary } from '../contract/types.ts';
import { decodeHardwareHash, type HardwareHashReport } from './decodeHardwareHash.ts';
import { finding, hasErrors, type Finding } from './hashFindings.ts';
import { serialProblem } from './placeholderSerial.ts';

export interface DeviceFields {
  serialNumber: string;
  hardwareHash: string;
  productKey?: string;
  groupTag?: string;
  assignedUser?: string;
  source: CaptureSource;
}

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
export function checkDevice(fields: DeviceFields): CapturedDevice {
  const serial = fields.serialNumber.trim();
  const report = decodeHardwareHash(fields.hardwareHash, serial ? { expectedSerial: serial } : {});
  const findings: Finding[] = [...report.findings];
  if (!serial) {
    findings.push(finding('SERIAL_MISSING', 'error', 'The device has no serial number. Scan the serial label or type the serial.'));
  } else if (serialProblem(serial) && !findings.some((f) => f.code === 'SERIAL_PLACEHOLDER' && f.severity === 'error')) {
    findings.push(finding('SERIAL_PLACEHOLDER', 'error', `"${serial}" is not a real serial number. Scan the serial label or type the serial.`));
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

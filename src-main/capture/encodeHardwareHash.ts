import { createHash } from 'node:crypto';
import { HASH_MAGIC, HEADER_SIZE, RECORD_HEADER_SIZE, RecordType, TRAILER_MAGIC } from './hashLayout.ts';

/**
 * Builds hardware hashes in the real layout. No real hash ships with the project, so the tests, the
 * simulated tenant's sample devices (training mode) and the benchmarks all make theirs here.
 */
export interface HashSpec {
  serialNumber?: string;
  manufacturer?: string;
  model?: string;
  productKeyId?: string;
  /** Canonical GUID text; stored with SMBIOS byte order. */
  smbiosUuid?: string;
  macAddresses?: string[];
  tpmEk?: boolean;
  /** Extra or replacement records, written after the standard ones. */
  extraRecords?: { type: number; payload: Buffer }[];
  /** Pad with zeros to this many bytes after the checksum (real hashes are ~3000 bytes, 4000 base64 characters). */
  totalBytes?: number;
}

export interface HashRecordInput {
  type: number;
  payload: Buffer;
}

const cstr = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);

export function standardRecords(spec: HashSpec): HashRecordInput[] {
  const records: HashRecordInput[] = [];
  const push = (type: number, payload: Buffer) => records.push({ type, payload });
  push(RecordType.toolBuild, Buffer.from([0x00, 0x5a, 0x0a, 0x00, 0x09, 0x00])); // build 22618-ish, x64
  push(RecordType.cpuCounts, Buffer.from([0x08, 0x00, 0x10, 0x00]));
  push(RecordType.cpuVendor, cstr('GenuineIntel'));
  push(RecordType.cpuModel, cstr('Intel(R) Core(TM) i5-1245U'));
  push(RecordType.ram, Buffer.from([0x00, 0x40, 0x00, 0x00]));
  push(RecordType.diskCapacity, Buffer.from([0x00, 0x00, 0x20, 0x77, 0x00, 0x00, 0x00, 0x00, 0x11]));
  push(RecordType.diskSerial, cstr(`NVME_${(spec.serialNumber ?? 'X').padEnd(8, '0')}`));
  for (const mac of spec.macAddresses ?? ['00:15:5D:01:02:03']) {
    push(
      RecordType.nic,
      Buffer.concat([
        Buffer.from([0x01, 0x00, 0x00, 0x00]),
        Buffer.from(mac.split(/[:-]/).map((h) => parseInt(h, 16))),
      ]),
    );
  }
  push(RecordType.chassisType, Buffer.from([0x0a, 0x00]));
  push(
    RecordType.offlineDeviceId,
    Buffer.concat([
      Buffer.from([spec.tpmEk === false ? 0 : 1]),
      createHash('sha256')
        .update(`odid:${spec.serialNumber ?? ''}`)
        .digest(),
    ]),
  );
  push(RecordType.smbiosUuid, uuidBytes(spec.smbiosUuid ?? '4C4C4544-0042-3510-8051-B4C04F533533'));
  push(RecordType.tpmVersion, cstr('2.0'));
  if (spec.serialNumber !== undefined) push(RecordType.smbiosSerial, cstr(spec.serialNumber));
  push(RecordType.firmwareVendor, cstr('Station Test BIOS'));
  if (spec.manufacturer !== undefined) push(RecordType.manufacturer, cstr(spec.manufacturer));
  if (spec.model !== undefined) push(RecordType.productName, cstr(spec.model));
  if (spec.productKeyId !== undefined) push(RecordType.productKeyId, cstr(spec.productKeyId));
  if (spec.tpmEk !== false)
    push(
      RecordType.tpmEkPublicKey,
      createHash('sha512')
        .update(`ek:${spec.serialNumber ?? ''}`)
        .digest(),
    );
  for (const extra of spec.extraRecords ?? []) push(extra.type, extra.payload);
  return records;
}

/** Raw layout from records: header, records, "CS$\0", SHA-256, zero padding. */
export function assembleHash(records: HashRecordInput[], totalBytes?: number): Buffer {
  const parts = records.map(({ type, payload }) => {
    const header = Buffer.alloc(RECORD_HEADER_SIZE);
    header[0] = type;
    header[1] = 0;
    header.writeUInt16LE(RECORD_HEADER_SIZE + payload.length, 2);
    return Buffer.concat([header, payload]);
  });
  const body = Buffer.concat(parts);
  const totalLength = HEADER_SIZE + body.length;
  const head = Buffer.alloc(HEADER_SIZE);
  head.write(HASH_MAGIC, 0, 'latin1');
  head.writeUInt16LE(totalLength, 2);
  const signed = Buffer.concat([head, body]);
  const checksum = createHash('sha256').update(signed).digest();
  const full = Buffer.concat([signed, Buffer.from(TRAILER_MAGIC, 'latin1'), checksum]);
  const size = Math.max(full.length, totalBytes ?? 0);
  return size > full.length ? Buffer.concat([full, Buffer.alloc(size - full.length)]) : full;
}

export function encodeHardwareHashBytes(spec: HashSpec): Buffer {
  return assembleHash(standardRecords(spec), spec.totalBytes ?? 2998);
}

/** Base64 text of a hash; `unpadded` gives the form devices report (WMI DeviceHardwareData). */
export function encodeHardwareHash(spec: HashSpec, options: { unpadded?: boolean } = {}): string {
  const b64 = encodeHardwareHashBytes(spec).toString('base64');
  return options.unpadded ? b64.replace(/=+$/, '') : b64;
}

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  const b = Buffer.from(hex, 'hex');
  const out = Buffer.from(b);
  out.set(Buffer.from(b.subarray(0, 4)).reverse(), 0);
  out.set(Buffer.from(b.subarray(4, 6)).reverse(), 4);
  out.set(Buffer.from(b.subarray(6, 8)).reverse(), 6);
  return out;
}

/**
 * The Windows Autopilot hardware hash ("4K hash") layout, as described in docs/domain.md#layout.
 * All integers little-endian.
 *   0..1  "OA"              2..3  u16 totalLength (from byte 0 to the end of the last record)
 *   4..totalLength          records: [type u8][reserved u8 = 0][len u16 incl. this header][payload]
 *   totalLength             "CS$\0", then SHA-256 of bytes [0, totalLength) (32 bytes), then zero padding
 */
export const HASH_MAGIC = 'OA';
export const TRAILER_MAGIC = 'CS$\0';
export const HEADER_SIZE = 4;
export const RECORD_HEADER_SIZE = 4;
export const CHECKSUM_SIZE = 32;

export const RecordType = {
  toolBuild: 1,
  cpuCounts: 2,
  cpuVendor: 3,
  cpuModel: 4,
  ram: 5,
  diskCapacity: 6,
  diskSerial: 7,
  nic: 8,
  display: 9,
  chassisType: 10,
  offlineDeviceId: 11,
  smbiosUuid: 12,
  tpmVersion: 13,
  smbiosSerial: 14,
  firmwareVendor: 15,
  manufacturer: 16,
  productName: 17,
  sku: 18,
  family: 19,
  firmwareVendor2: 20,
  boardProduct: 21,
  boardVersion: 22,
  systemVersion: 23,
  productKeyId: 24,
  tpmEkPublicKey: 25,
  productKeyPartNumber: 26,
  diskSerialKernel: 28,
  gpuMemory: 29,
  gpuName: 30,
} as const;

/** Record types whose payload is a NUL-terminated UTF-8 string (type 30 is UTF-16LE). */
export const STRING_RECORD_TYPES: ReadonlySet<number> = new Set([
  3, 4, 7, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 26, 28,
]);

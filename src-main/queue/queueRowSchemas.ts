import { z } from 'zod';
import { captureSource, deviceState } from '../contract/schemas.ts';
import type { CaptureSourceKind, DeviceState, FileFormat, FindingSeverity } from '../contract/types.ts';
import type { BatchRecord, BatchStatus, DeviceEventRecord, DeviceRecord, WaitFor } from './queueStore.ts';

/**
 * What a stored row must look like once read back (Signal's job queue parses every stored job the
 * same way). A row that fails is set aside by the store, never cast into a device. Objects are loose:
 * a column another version added passes through, the fields the station relies on are checked.
 * Stored text is not re-judged by the input rules (a refused row keeps the serial it was captured with).
 * A field read back is absent or has a value, never undefined (the store leaves NULL columns out), hence
 * `exactOptional()`.
 */

const params = z.record(z.string(), z.union([z.string(), z.number()]));

export const findingRow = z.looseObject({
  code: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  params: params.exactOptional(),
});

export const hashSummaryRow = z.looseObject({
  valid: z.boolean(),
  padded: z.boolean(),
  checksumOk: z.boolean(),
  serialNumber: z.string().exactOptional(),
  manufacturer: z.string().exactOptional(),
  model: z.string().exactOptional(),
  productKeyId: z.string().exactOptional(),
  smbiosUuid: z.string().exactOptional(),
  macAddresses: z.array(z.string()),
  tpmEkPresent: z.boolean(),
  length: z.number(),
  findings: z.array(findingRow),
});

/** The contract's capture source, loosened: stored rows may carry what later versions add. */
export const captureSourceRow = captureSource.loose();

const waitFor = z.enum(['imported', 'registered', 'assigned']);

export const deviceRow = z.looseObject({
  id: z.string().min(1),
  serialNumber: z.string(),
  hardwareHash: z.string(),
  hash: hashSummaryRow,
  productKey: z.string().exactOptional(),
  groupTag: z.string(),
  assignedUser: z.string(),
  source: captureSourceRow,
  capturedAt: z.number(),
  stationName: z.string(),
  state: deviceState,
  stateSince: z.number(),
  deadline: z.number().exactOptional(),
  lastKnownState: deviceState.exactOptional(),
  nextCheckAt: z.number().exactOptional(),
  attempts: z.number().int().nonnegative(),
  waitFor,
  errorCode: z.number().exactOptional(),
  errorName: z.string().exactOptional(),
  errorParams: z.record(z.string(), z.union([z.string(), z.number()])).exactOptional(),
  advice: z.string().exactOptional(),
  findings: z.array(findingRow),
  importId: z.string().exactOptional(),
  batchId: z.string().exactOptional(),
  deviceRegistrationId: z.string().exactOptional(),
  importedRecordId: z.string().exactOptional(),
  profileStatus: z.string().exactOptional(),
  flags: z.array(z.string()),
});

export const batchRow = z.looseObject({
  id: z.string().min(1),
  importId: z.string().min(1),
  status: z.enum(['sending', 'sent', 'cleanup', 'done']),
  createdAt: z.number(),
  postedAt: z.number().exactOptional(),
  nextAt: z.number(),
  attempts: z.number().int().nonnegative(),
  deadline: z.number(),
  deviceCount: z.number().int().nonnegative(),
});

export const eventRow = z.looseObject({
  deviceId: z.string(),
  at: z.number(),
  fromState: deviceState.exactOptional(),
  toState: deviceState,
  message: z.string(),
  batchId: z.string().exactOptional(),
  importId: z.string().exactOptional(),
  requestIds: z.array(z.string()),
  errorCode: z.number().exactOptional(),
  errorName: z.string().exactOptional(),
});

// The schemas must keep describing the records: a field renamed in queueStore.ts fails the typecheck here.
type Covers<Record, Parsed> = Parsed extends Record ? true : never;
const covers: [
  Covers<DeviceRecord, z.infer<typeof deviceRow>>,
  Covers<BatchRecord, z.infer<typeof batchRow>>,
  Covers<DeviceEventRecord, z.infer<typeof eventRow>>,
] = [true, true, true];
void covers;
// Every value a record may hold must parse: a state, kind or status added to the types but not here fails the typecheck
// (otherwise rows written with it would be set aside on read).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameEnums: [
  Same<DeviceState, z.infer<typeof deviceRow>['state']>,
  Same<CaptureSourceKind, z.infer<typeof captureSourceRow>['kind']>,
  Same<FileFormat, NonNullable<z.infer<typeof captureSourceRow>['format']>>,
  Same<FindingSeverity, z.infer<typeof findingRow>['severity']>,
  Same<WaitFor, z.infer<typeof deviceRow>['waitFor']>,
  Same<BatchStatus, z.infer<typeof batchRow>['status']>,
] = [true, true, true, true, true, true];
void sameEnums;

/** One line for the log and diagnostics: which fields failed, never their values (a hash may be among them). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'row'}: ${i.message}`)
    .join('; ');
}

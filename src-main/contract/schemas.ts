import { z } from 'zod';
import { MAX_DEVICES_PER_CALL, MAX_HASH_CHARS, MAX_IMPORT_BATCH } from './limits.ts';
import { DEVICE_STATES } from './types.ts';
import { groupTagProblem, groupTagProblemText } from './groupTagRule.ts';
import { userPrincipalNameProblem, userPrincipalNameProblemText } from './userPrincipalNameRule.ts';
import { foldSerial, SERIAL_MAX, SERIAL_TEXT_PATTERN } from './serialNumberRule.ts';
import { REGISTRATION_TARGETS, type RegistrationTarget } from './types.ts';

/** Field schemas shared by several calls. Limits keep hostile payloads small and obvious. */

export const deviceId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a device id');
export const deviceIds = z.array(deviceId).min(1).max(MAX_DEVICES_PER_CALL);
export const filePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'contains a NUL character');

/**
 * Intune's group tag rule (groupTagRule.ts: letters of any language, at most 512 characters). A refusal names the
 * rule that failed: its words, and its code as the issue's `params.reason` (the dispatcher's INPUT_INVALID carries it).
 */
export const groupTag = z
  .string()
  .max(64 * 1024)
  .superRefine((tag, ctx) => {
    const problem = groupTagProblem(tag);
    if (problem)
      ctx.addIssue({ code: 'custom', message: groupTagProblemText(problem, tag), params: { reason: problem } });
  });

/** The Assigned User rule (userPrincipalNameRule.ts); a refusal names the rule that failed, as groupTag does. */
export const userPrincipalName = z
  .string()
  .max(64 * 1024)
  .superRefine((upn, ctx) => {
    const problem = userPrincipalNameProblem(upn);
    if (problem)
      ctx.addIssue({
        code: 'custom',
        message: userPrincipalNameProblemText(problem, upn),
        params: { reason: problem },
      });
  });

/**
 * A typed, scanned or file serial: full-width characters folded (serialNumberRule.ts), then text without
 * control characters. A serial with characters no label has still passes here: checkDevice keeps such a
 * device as invalid with SERIAL_NOT_ON_LABEL (and offers the hash's serial), so nothing captured is lost.
 */
export const serialNumber = z
  .string()
  .max(1024)
  .transform(foldSerial)
  .pipe(
    z
      .string()
      .min(1, 'is empty')
      .max(SERIAL_MAX)
      .regex(SERIAL_TEXT_PATTERN, 'has control characters: scan the label or type the serial again'),
  );

/** Padded or unpadded base64; the decoder judges it (MAX_HASH_CHARS: four times a real hash). */
export const hardwareHash = z.string().max(MAX_HASH_CHARS);

/** Where a capture came from (file and line for rows); devices and refused rows share it. */
export const captureSource = z
  .object({
    kind: z.enum(['this-device', 'file', 'drop-folder', 'typed']),
    path: z.string().max(4096).optional(),
    line: z.number().int().nonnegative().optional(),
    format: z.enum(['oa3-xml', 'autopilot-csv', 'configmgr-report']).optional(),
  })
  .strict();

export const deviceInput = z
  .object({
    serialNumber,
    hardwareHash,
    productKey: z.string().max(64).optional(),
    groupTag: groupTag.optional(),
    assignedUser: userPrincipalName.optional(),
    source: captureSource,
  })
  .strict();

export const deviceState = z.enum(DEVICE_STATES);

/** One registration target (REGISTRATION_TARGETS in types.ts). */
export const registrationTarget = z.enum(REGISTRATION_TARGETS);

/**
 * The one combination settings files (and `import --register`) spelled before targets were a set: 'both' meant these
 * two.
 */
export const LEGACY_BOTH: readonly RegistrationTarget[] = ['autopilot', 'corporate'];

/**
 * The station's registration targets: a set of single targets, read back as an array with each once,
 * in REGISTRATION_TARGETS order. At least one: a station that registers nothing has no use. The
 * spelling 'both' of settings files (and machine-wide files) written before is read as the two
 * targets it meant, so those files still load.
 */
export const registrationTargets = z
  .union([
    z.literal('both').transform(() => [...LEGACY_BOTH]),
    z
      .array(registrationTarget)
      .min(1)
      .max(REGISTRATION_TARGETS.length * 2),
  ])
  .transform((set): RegistrationTarget[] => REGISTRATION_TARGETS.filter((t) => set.includes(t)));

export const settingsPatch = z
  .object({
    tenantId: z
      .union([
        z.literal(''),
        z.guid(),
        z
          .string()
          .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'must be a tenant id (GUID) or a domain like contoso.onmicrosoft.com'),
      ])
      .optional(),
    clientId: z.union([z.literal(''), z.guid()]).optional(),
    cloud: z.enum(['global', 'usgov', 'usgovdod', 'china']).optional(),
    apiVersion: z.enum(['v1.0', 'beta']).optional(),
    authMode: z.enum(['browser', 'device-code', 'certificate']).optional(),
    certificatePath: z.union([z.literal(''), filePath]).optional(),
    defaultGroupTag: groupTag.optional(),
    batchSize: z.number().int().min(1).max(MAX_IMPORT_BATCH).optional(),
    dropFolder: z.union([z.literal(''), filePath]).optional(),
    waitFor: z.enum(['imported', 'registered', 'assigned']).optional(),
    /**
     * A simulated tenant that runs elsewhere (a classroom's shared training tenant): its https URL. '' = the built-in
     * one.
     */
    tenantUrl: z
      .union([
        z.literal(''),
        z
          .string()
          .max(2048)
          .regex(/^https:\/\/[^\s/?#]+\/?$/i, 'must be an https:// address with no path, like https://trainer-pc:8443'),
      ])
      .optional(),
    /** The CA certificate (PEM file) trusted for tenantUrl's connection only. */
    caFile: z.union([z.literal(''), filePath]).optional(),
    /** Admin's switch: devices may be queued without a group tag without the Capture screen asking. */
    allowEmptyGroupTag: z.boolean().optional(),
    registrationTargets: registrationTargets.optional(),
  })
  .strict();

/** Every setting's name (the settings screen's fields): what a machine-wide file may pre-seed and lock. */
export const SETTING_KEYS = Object.keys(settingsPatch.shape) as [
  keyof z.infer<typeof settingsPatch>,
  ...(keyof z.infer<typeof settingsPatch>)[],
];

/** A file's row refused before upload (no hash, a PKID only, a formula…): kept in the queue as an 'invalid' record. */
export const refusedRow = z
  .object({
    source: captureSource,
    code: z.string().regex(/^[A-Z0-9_]{1,64}$/, 'not a refusal code'),
    message: z.string().max(2000),
    params: z.record(z.string().max(64), z.union([z.string().max(256), z.number()])).optional(),
    serialNumber: z.string().max(256).optional(),
  })
  .strict();

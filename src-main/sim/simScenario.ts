import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { StationError } from '../contract/errors.ts';

/**
 * A scenario seeds the simulated tenant: devices already registered here, devices owned by another
 * tenant, profile rules (group tag → profile), service delays, throttle limits and faults.
 * Every duration is in service seconds; the time scale shrinks them all by one factor.
 */
const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID');

export const faultSpecSchema = z
  .object({
    /**
     * reset: drop the connection unanswered, before the request is handled; drop-answer: handle it (an import happens)
     * and drop the answer.
     * html-200: a captive portal (hotel, guest or bench Wi-Fi) or a filtering proxy answers in Graph's place with
     * `200 OK` and an HTML sign-in page; the request never reaches the tenant. Evidence: how captive portals work
     * (RFC 8952 §1: they intercept HTTP traffic until the user signs in) and public reports of Graph clients
     * failing to parse HTML from proxies.
     */
    kind: z.enum([
      '503',
      '500',
      '502',
      '429',
      'reset',
      'drop-answer',
      'slow',
      'expire-tokens',
      'record-error',
      'html-200',
    ]),
    /** Applies to the next N matching requests (default 1 unless probability is given). */
    count: z.number().int().min(1).optional(),
    /** Applies to each matching request with this probability (0..1), without end unless count is given too. */
    probability: z.number().min(0).max(1).optional(),
    /** Only requests whose path contains this text (e.g. "/import", "/oauth2/"). */
    pathContains: z.string().optional(),
    /** Only this HTTP method. */
    method: z.string().optional(),
    /** slow: service milliseconds to wait before answering. */
    delayMs: z.number().int().min(0).optional(),
    /** 503/429: the Retry-After seconds to send. */
    retryAfterS: z.number().int().min(0).optional(),
    /** record-error: the error the next imported records end with (e.g. StorageError). */
    errorCode: z.number().int().optional(),
    errorName: z.string().optional(),
    /** record-error: only the record with this serial number (case-insensitive). */
    serialNumber: z.string().optional(),
  })
  .strict();
export type FaultSpec = z.infer<typeof faultSpecSchema>;

const registeredSeed = z
  .object({
    serialNumber: z.string().min(1),
    manufacturer: z.string().optional(),
    model: z.string().optional(),
    groupTag: z.string().optional(),
    userPrincipalName: z.string().optional(),
    id: guid.optional(),
    /**
     * With realTenant.listLagsUntilSync: false keeps the seed out of the list until the next sync (an 806 the list does
     * not show yet).
     */
    listed: z.boolean().optional(),
  })
  .strict();

const otherTenantSeed = z
  .object({ serialNumber: z.string().min(1), manufacturer: z.string().optional(), tenantName: z.string().optional() })
  .strict();

/**
 * How real tenants break the assumptions the training tenant confirms (docs/domain.md#what-real-tenants-do
 * do"). Every switch is off by default, so training keeps its behaviour; `"realTenant": "realistic"`
 * turns every one on. The evidence for each is public but undocumented by Microsoft.
 */
export const realTenantObjectSchema = z
  .object({
    /**
     * Answers and reads carry importId (and productKey) equal to the record's own id, so
     * `$filter=importId eq '<client importId>'` finds nothing. Evidence: a real import answer seen with
     * both rewritten; a docs thread says the action keeps only serial, hash, group tag and user.
     */
    importIdRewritten: z.boolean().default(false),
    /**
     * Any `$select` answers 500, on imported and registered identities alike. Evidence: issue threads (v1.0 and beta).
     */
    selectFails: z.boolean().default(false),
    /**
     * 429s carry no Retry-After header and `"RetryAfter": null` in the body, the sync's 10-minute
     * refusal included. Evidence: Intune answers quoted in issue threads.
     */
    noRetryAfter: z.boolean().default(false),
    /**
     * The last page's `@odata.nextLink` points to that same page forever (skiptoken on the last serial). Evidence:
     * issue threads.
     */
    nextLinkRepeats: z.boolean().default(false),
    /**
     * `contains(serialNumber,'…')` with a '-' or a space answers 400 (overrides dashInSerialFilter). Evidence: issue
     * threads.
     */
    containsDashFails: z.boolean().default(false),
    /**
     * A registered device is found by GET-by-id as soon as its import completes, but is listed only
     * after a sync that started after that. 806 can come for a device the list does not show yet.
     */
    listLagsUntilSync: z.boolean().default(false),
    /** 808 comes as `ZtdDeviceAssignedToAnotherTenant` with deviceErrorCode 0 (Microsoft's pages use both names). */
    otherTenantSpelling: z.boolean().default(false),
    /**
     * updateDeviceProperties answers 204 at once; the new group tag shows delays.tagUpdateS later (tools poll until it
     * does).
     */
    tagUpdateLags: z.boolean().default(false),
    /**
     * The import action refuses (400) a batch of more than this many records. No public figure exists: an inference.
     */
    importBatchLimit: z.number().int().min(1).optional(),
    /*
     * Misbehaviour drills. Off in the `realistic` preset too: each is a failure a tenant or
     * its network goes through at times, not its everyday behaviour, and turning it on is a test's choice.
     */
    /**
     * Every `POST /{version}/$batch` answers 503 (Retry-After 5) while single requests work. Evidence:
     * Graph documents 503 for any request including `$batch` (learn.microsoft.com/graph/errors), and
     * JSON batching can fail as a whole while the requests inside would succeed alone.
     */
    batchUnavailable: z.boolean().default(false),
    /**
     * With listLagsUntilSync: a sync lists the devices registered before it only this many service
     * seconds after the sync has run (default 0: at once). Evidence: issue threads report devices
     * showing in the list up to an hour after "Sync" in the admin centre.
     */
    listLagAfterSyncS: z.number().min(0).default(0),
    /**
     * Graph answers the first request of every access token that lacks the `xms_cc` CP1 capability
     * claim with 401 and `WWW-Authenticate: Bearer ... error="insufficient_claims", claims="<base64>"`
     * (a Conditional Access / Continuous Access Evaluation challenge); a token requested with those
     * claims is accepted. Evidence: learn.microsoft.com/entra/identity-platform/claims-challenge and
     * app-resilience-continuous-access-evaluation (CAE-aware clients declare CP1 and answer the challenge).
     */
    claimsChallenge: z.boolean().default(false),
    /**
     * importDeviceIdentityList accepts a manufacturerModelSerial identifier only as Microsoft's Graph
     * reference describes it: "manufacturer + model + serial number semi-colon delimited tuple with
     * enforced order"
     * (learn.microsoft.com/graph/api/resources/intune-enrollment-importeddeviceidentitytype?view=graph-rest-beta); a
     * comma-delimited one is refused (status false). Off: both delimiters are accepted, as the public scripts that send
     * commas report working.
     */
    semicolonTupleOnly: z.boolean().default(false),
  })
  .strict();
export type RealTenantSwitches = z.infer<typeof realTenantObjectSchema>;

/** Switches that drill a failure rather than describe a tenant's everyday behaviour: off in every preset. */
export const MISBEHAVIOUR_DRILLS: readonly (keyof RealTenantSwitches)[] = [
  'batchUnavailable',
  'listLagAfterSyncS',
  'claimsChallenge',
  'semicolonTupleOnly',
];

/** The `realistic` preset: every real-tenant switch on, batches above 100 refused; the misbehaviour drills stay off. */
export const REALISTIC: RealTenantSwitches = Object.freeze({
  importIdRewritten: true,
  selectFails: true,
  noRetryAfter: true,
  nextLinkRepeats: true,
  containsDashFails: true,
  listLagsUntilSync: true,
  otherTenantSpelling: true,
  tagUpdateLags: true,
  importBatchLimit: 100,
  batchUnavailable: false,
  listLagAfterSyncS: 0,
  claimsChallenge: false,
  semicolonTupleOnly: false,
}) as RealTenantSwitches;
export const REAL_TENANT_OFF: RealTenantSwitches = realTenantObjectSchema.parse({});

/**
 * `"realistic"`, `"off"`, or an object of switches (`{ "realistic": true, "importBatchLimit": 20 }` starts from the
 * preset).
 */
const realTenantPartial = z
  .object({
    realistic: z.boolean().optional(),
    importIdRewritten: z.boolean().optional(),
    selectFails: z.boolean().optional(),
    noRetryAfter: z.boolean().optional(),
    nextLinkRepeats: z.boolean().optional(),
    containsDashFails: z.boolean().optional(),
    listLagsUntilSync: z.boolean().optional(),
    otherTenantSpelling: z.boolean().optional(),
    tagUpdateLags: z.boolean().optional(),
    importBatchLimit: z.number().int().min(1).optional(),
    batchUnavailable: z.boolean().optional(),
    listLagAfterSyncS: z.number().min(0).optional(),
    claimsChallenge: z.boolean().optional(),
    semicolonTupleOnly: z.boolean().optional(),
  })
  .strict();
export const realTenantSchema = z
  .union([z.literal('realistic'), z.literal('off'), realTenantPartial])
  .default('off')
  .transform((v): RealTenantSwitches => {
    if (v === 'realistic') return { ...REALISTIC };
    if (v === 'off') return { ...REAL_TENANT_OFF };
    const { realistic, ...rest } = v;
    const given = Object.fromEntries(Object.entries(rest).filter(([, val]) => val !== undefined));
    return { ...(realistic ? REALISTIC : REAL_TENANT_OFF), ...given };
  });
export type RealTenantInput = z.input<typeof realTenantSchema>;

/** Switches from a preset name or a partial object, for startSimulatedTenant's option and sim.setRealTenant. */
export function resolveRealTenant(input: RealTenantInput | undefined): RealTenantSwitches {
  return realTenantSchema.parse(input ?? 'off');
}

export const scenarioSchema = z
  .object({
    name: z.string().default('default'),
    description: z.string().optional(),
    tenantId: guid.optional(),
    clientId: guid.optional(),
    tenantDomain: z.string().default('contoso-training.onmicrosoft.com'),
    user: z
      .object({ userPrincipalName: z.string(), displayName: z.string() })
      .strict()
      .default({ userPrincipalName: 'technician@contoso-training.onmicrosoft.com', displayName: 'Bench Technician' }),
    /**
     * Whether the tenant has an Intune licence (without it Graph answers "Request not applicable to target tenant").
     */
    intuneLicensed: z.boolean().default(true),
    app: z
      .object({
        /** Application permissions (roles) granted with admin consent, for the certificate flow. */
        roles: z.array(z.string()).default(['DeviceManagementServiceConfig.ReadWrite.All']),
        /** Delegated permissions consented for the technician (device code flow). */
        scopes: z.array(z.string()).default(['DeviceManagementServiceConfig.ReadWrite.All', 'User.Read']),
        /** Certificates (PEM) uploaded to the app registration, besides the one the sim makes for itself. */
        certificates: z.array(z.string().includes('BEGIN CERTIFICATE')).default([]),
      })
      .strict()
      .default({
        roles: ['DeviceManagementServiceConfig.ReadWrite.All'],
        scopes: ['DeviceManagementServiceConfig.ReadWrite.All', 'User.Read'],
        certificates: [],
      }),
    delays: z
      .object({
        /** From the import POST to complete/error. */
        processingS: z.number().min(0).default(60),
        /** From complete to the windowsAutopilotDeviceIdentity being listed. */
        registrationS: z.number().min(0).default(120),
        /** From registration (or a group tag change) to the profile being assigned. */
        assignmentS: z.number().min(0).default(300),
        /** How long a requested sync runs (409 meanwhile). */
        syncRunS: z.number().min(0).default(60),
        /** The rule: one sync per this many seconds (429 otherwise). */
        syncCooldownS: z.number().min(0).default(600),
        /** realTenant.tagUpdateLags: from updateDeviceProperties to the new group tag showing. */
        tagUpdateS: z.number().min(0).default(120),
      })
      .strict()
      .default({
        processingS: 60,
        registrationS: 120,
        assignmentS: 300,
        syncRunS: 60,
        syncCooldownS: 600,
        tagUpdateS: 120,
      }),
    devices: z
      .object({ registered: z.array(registeredSeed).default([]), otherTenant: z.array(otherTenantSeed).default([]) })
      .strict()
      .default({ registered: [], otherTenant: [] }),
    profileRules: z
      .array(z.object({ groupTag: z.string().min(1), profileName: z.string().min(1) }).strict())
      .default([]),
    throttle: z
      .object({
        windowS: z.number().positive().default(20),
        appWrites: z.number().int().positive().default(100),
        appAll: z.number().int().positive().default(1000),
        tenantWrites: z.number().int().positive().default(200),
        tenantAll: z.number().int().positive().default(2000),
      })
      .strict()
      .default({ windowS: 20, appWrites: 100, appAll: 1000, tenantWrites: 200, tenantAll: 2000 }),
    /** Default page size of list answers when the client gives no $top. */
    pageSize: z.number().int().min(1).max(1000).default(1000),
    /**
     * contains(serialNumber,'...') with a '-' in the serial: 'empty' answers no match, 'error' a 500, 'works' is
     * correct.
     */
    dashInSerialFilter: z.enum(['empty', 'error', 'works']).default('empty'),
    tokenLifetimeS: z.number().int().min(1).default(3600),
    deviceCodeIntervalS: z.number().int().min(0).default(5),
    deviceCodeLifetimeS: z.number().int().min(1).default(900),
    faults: z.array(faultSpecSchema).default([]),
    /** Real-tenant behaviour switches (see realTenantObjectSchema); off unless set. */
    realTenant: realTenantSchema,
    /**
     * How the tenant's app registration and policies answer sign-in, for the pre-flight check.
     * Each is the working set-up by default. Evidence: Entra's AADSTS codes for each mistake.
     */
    signIn: z
      .object({
        /**
         * Where http://localhost is registered: 'mobile-desktop' (works), 'web' (token redemption fails AADSTS7000218),
         * 'none' (authorize fails AADSTS50011).
         */
        redirectPlatform: z.enum(['mobile-desktop', 'web', 'none']).default('mobile-desktop'),
        /** "Allow public client flows": off makes the device code token request fail with AADSTS7000218. */
        publicClientFlows: z.boolean().default(true),
        /**
         * A Conditional Access policy blocks device code flow: the token request fails with AADSTS53003 once the user
         * signed in.
         */
        deviceCodeBlocked: z.boolean().default(false),
        /** Admin consent: false makes delegated sign-in fail with AADSTS65001 and app-only tokens carry no role. */
        consentGranted: z.boolean().default(true),
        /**
         * The technician's account belongs to this other tenant: its tokens carry this `tid` (as `organizations`
         * gives).
         */
        tokenTenantId: guid.optional(),
      })
      .strict()
      .default({
        redirectPlatform: 'mobile-desktop',
        publicClientFlows: true,
        deviceCodeBlocked: false,
        consentGranted: true,
      }),
    /**
     * The tenant lives in this national cloud, not the one the station asks: metadata names it, sign-in fails
     * AADSTS90002.
     */
    homeCloud: z.enum(['global', 'usgov', 'usgovdod', 'china']).optional(),
    /** The service's clock is this many seconds ahead of the bench (Date headers), i.e. the bench clock is off. */
    clockSkewS: z.number().int().default(0),
    /**
     * A TLS-inspecting proxy with this CA name sits between the bench and the tenant: its certificate is not the
     * trusted CA's.
     */
    tlsInterceptedBy: z.string().min(1).max(200).optional(),
  })
  .strict();

export type SimScenario = z.infer<typeof scenarioSchema>;
export type SimScenarioInput = z.input<typeof scenarioSchema>;

export function parseScenario(input: unknown, source = 'scenario'): SimScenario {
  const parsed = scenarioSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new StationError({
      code: 'SIM_SCENARIO_INVALID',
      message: `The simulated tenant's ${source} is not valid: ${first ? `${first.path.join('.') || '(top)'}: ${first.message}` : parsed.error.message}`,
      action: 'Fix the scenario file (see src-main/sim/scenarios/training.json for an example).',
    });
  }
  return parsed.data;
}

export async function loadScenarioFile(path: string): Promise<SimScenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new StationError({
      code: 'SIM_SCENARIO_UNREADABLE',
      message: `Cannot read the scenario file ${path}: ${(err as Error).message}`,
      action: 'Check the path.',
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new StationError({
      code: 'SIM_SCENARIO_INVALID',
      message: `The scenario file ${path} is not JSON: ${(err as Error).message}`,
      action: 'Fix the file.',
    });
  }
  return parseScenario(json, `scenario file ${path}`);
}

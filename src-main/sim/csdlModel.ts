import { XMLParser } from 'fast-xml-parser';
import { GRAPH_CSDL_XML } from './csdl/graphCsdlXml.ts';
import { GRAPH_BETA_CORPORATE_CSDL_XML } from './csdl/graphBetaCorporateCsdlXml.ts';

/**
 * A reader of the Graph metadata extract (CSDL) and a checker of JSON objects against it: only known
 * properties, the right JSON types, enum values from the metadata. The simulated tenant checks what it
 * answers and what it is sent; the Graph client checks the bodies it sends with the same function.
 * Beta adds a few properties (and the windowsAutopilotSettings type) that v1.0's metadata lacks; they
 * are listed here and allowed only when checking a beta payload.
 */
export interface CsdlProperty {
  name: string;
  type: string;
  nullable: boolean;
}
export interface CsdlStructuredType {
  name: string;
  kind: 'entity' | 'complex';
  baseType?: string;
  properties: Map<string, CsdlProperty>;
}
export interface CsdlAction {
  name: string;
  parameters: CsdlProperty[];
  returnType?: string;
}
export interface CsdlModel {
  enums: Map<string, string[]>;
  types: Map<string, CsdlStructuredType>;
  actions: Map<string, CsdlAction>;
}

export type ApiFlavor = 'v1.0' | 'beta';

export interface CsdlIssue {
  path: string;
  code:
    | 'UNKNOWN_TYPE'
    | 'UNKNOWN_PROPERTY'
    | 'BETA_ONLY_PROPERTY'
    | 'WRONG_TYPE'
    | 'BAD_ENUM_VALUE'
    | 'NULL_NOT_ALLOWED'
    | 'MISSING_PROPERTY'
    | 'BAD_BINARY'
    | 'BAD_DATETIME'
    | 'WRONG_ODATA_TYPE';
  message: string;
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const shortName = (t: string) => t.replace(/^(graph|microsoft\.graph)\./, '');

type RawProp = { Name: string; Type: string; Nullable?: string };

export function parseCsdl(xml: string): CsdlModel {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
  const doc = parser.parse(xml) as Record<string, Record<string, unknown>>;
  const root = (doc.Subset ?? doc['edmx:Edmx'] ?? {}) as Record<string, unknown>;
  const model: CsdlModel = { enums: new Map(), types: new Map(), actions: new Map() };
  for (const e of asArray(root.EnumType as { Name: string; Member: { Name: string } | { Name: string }[] }[])) {
    model.enums.set(
      e.Name,
      asArray(e.Member).map((m) => m.Name),
    );
  }
  const addType =
    (kind: 'entity' | 'complex') => (t: { Name: string; BaseType?: string; Property?: RawProp | RawProp[] }) => {
      const properties = new Map<string, CsdlProperty>();
      for (const p of asArray(t.Property))
        properties.set(p.Name, { name: p.Name, type: p.Type, nullable: p.Nullable !== 'false' });
      model.types.set(t.Name, {
        name: t.Name,
        kind,
        ...(t.BaseType ? { baseType: shortName(t.BaseType) } : {}),
        properties,
      });
    };
  asArray(root.EntityType as never[]).forEach(addType('entity'));
  asArray(root.ComplexType as never[]).forEach(addType('complex'));
  // graph.entity is outside the extract: it carries the key.
  if (!model.types.has('entity'))
    model.types.set('entity', {
      name: 'entity',
      kind: 'entity',
      properties: new Map([['id', { name: 'id', type: 'Edm.String', nullable: false }]]),
    });
  for (const a of asArray(
    root.Action as { Name: string; Parameter?: RawProp | RawProp[]; ReturnType?: { Type: string } }[],
  )) {
    model.actions.set(a.Name, {
      name: a.Name,
      parameters: asArray(a.Parameter).map((p) => ({ name: p.Name, type: p.Type, nullable: p.Nullable !== 'false' })),
      ...(a.ReturnType ? { returnType: a.ReturnType.Type } : {}),
    });
  }
  return model;
}

/** Beta-only additions (not in the v1.0 extract), from Microsoft's beta documentation. */
const PROFILE_STATUS = [
  'unknown',
  'assignedInSync',
  'assignedOutOfSync',
  'assignedUnkownSyncState',
  'notAssigned',
  'pending',
  'failed',
];
const BETA_ENUMS: Record<string, string[]> = {
  windowsAutopilotProfileAssignmentStatus: PROFILE_STATUS,
  windowsAutopilotProfileAssignmentDetailedStatus: [
    'none',
    'hardwareRequirementsNotMet',
    'surfaceHubProfileNotSupported',
    'holoLensProfileNotSupported',
    'windowsPcProfileNotSupported',
    'surfaceHub2SProfileNotSupported',
    'unknownFutureValue',
  ],
  windowsAutopilotSyncStatus: ['unknown', 'inProgress', 'completed', 'failed'],
};
const BETA_PROPERTIES: Record<string, CsdlProperty[]> = {
  windowsAutopilotDeviceIdentity: [
    {
      name: 'deploymentProfileAssignmentStatus',
      type: 'graph.windowsAutopilotProfileAssignmentStatus',
      nullable: false,
    },
    {
      name: 'deploymentProfileAssignmentDetailedStatus',
      type: 'graph.windowsAutopilotProfileAssignmentDetailedStatus',
      nullable: false,
    },
    { name: 'deploymentProfileAssignedDateTime', type: 'Edm.DateTimeOffset', nullable: false },
  ],
};
const BETA_TYPES: CsdlStructuredType[] = [
  {
    name: 'windowsAutopilotSettings',
    kind: 'entity',
    baseType: 'entity',
    properties: new Map(
      [
        { name: 'lastSyncDateTime', type: 'Edm.DateTimeOffset', nullable: false },
        { name: 'lastManualSyncTriggerDateTime', type: 'Edm.DateTimeOffset', nullable: false },
        { name: 'syncStatus', type: 'graph.windowsAutopilotSyncStatus', nullable: false },
      ].map((p) => [p.name, p]),
    ),
  },
];

let cached: CsdlModel | undefined;
/** The extract the simulated tenant and the Graph client check against (bundled with the app). */
export function defaultCsdl(): CsdlModel {
  return (cached ??= parseCsdl(GRAPH_CSDL_XML));
}

function findType(model: CsdlModel, name: string, api: ApiFlavor): CsdlStructuredType | undefined {
  const t = model.types.get(name);
  if (t) return t;
  return api === 'beta' ? (BETA_TYPES.find((b) => b.name === name) ?? betaCorporateCsdl().types.get(name)) : undefined;
}

function allProperties(
  model: CsdlModel,
  type: CsdlStructuredType,
  api: ApiFlavor,
): { props: Map<string, CsdlProperty>; betaOnly: Map<string, CsdlProperty> } {
  const props = new Map<string, CsdlProperty>();
  const chain: CsdlStructuredType[] = [];
  for (let t: CsdlStructuredType | undefined = type; t; t = t.baseType ? findType(model, t.baseType, api) : undefined)
    chain.unshift(t);
  for (const t of chain) for (const [k, v] of t.properties) props.set(k, v);
  const betaOnly = new Map((BETA_PROPERTIES[type.name] ?? []).map((p) => [p.name, p]));
  return { props, betaOnly };
}

export interface ValidateOptions {
  api?: ApiFlavor;
  /** Answers from the service carry every non-nullable property; request bodies may leave any out. */
  mode?: 'response' | 'request';
}

/** Checks one object against an entity or complex type of the metadata. Returns the problems (empty when valid). */
export function validateAgainstCsdl(
  typeName: string,
  value: unknown,
  options: ValidateOptions = {},
  model: CsdlModel = defaultCsdl(),
): CsdlIssue[] {
  const issues: CsdlIssue[] = [];
  checkStructured(
    model,
    shortName(typeName),
    value,
    '',
    { api: options.api ?? 'v1.0', mode: options.mode ?? 'response' },
    issues,
  );
  return issues;
}

/** Checks the body of a bound action call (its non-binding parameters). */
export function validateActionBody(
  actionName: string,
  body: unknown,
  options: ValidateOptions = {},
  model: CsdlModel = defaultCsdl(),
): CsdlIssue[] {
  const opts = { api: options.api ?? 'v1.0', mode: options.mode ?? 'request' } as const;
  const action =
    model.actions.get(actionName) ?? (opts.api === 'beta' ? betaCorporateCsdl().actions.get(actionName) : undefined);
  if (!action)
    return [{ path: '', code: 'UNKNOWN_TYPE', message: `The action '${actionName}' is not in the metadata.` }];
  const issues: CsdlIssue[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return [{ path: '', code: 'WRONG_TYPE', message: 'The body must be a JSON object.' }];
  const params = new Map(action.parameters.filter((p) => p.name !== 'bindingParameter').map((p) => [p.name, p]));
  for (const [k, v] of Object.entries(body)) {
    if (k.startsWith('@odata.')) continue;
    const p = params.get(k);
    if (!p) {
      issues.push({
        path: k,
        code: 'UNKNOWN_PROPERTY',
        message: `The parameter '${k}' in the request payload is not a valid parameter for the operation '${actionName}'.`,
      });
      continue;
    }
    checkValue(model, p, v, k, opts, issues);
  }
  return issues;
}

type Opts = { api: ApiFlavor; mode: 'response' | 'request' };

function checkStructured(
  model: CsdlModel,
  typeName: string,
  value: unknown,
  at: string,
  opts: Opts,
  issues: CsdlIssue[],
): void {
  const type = findType(model, typeName, opts.api);
  if (!type) {
    issues.push({ path: at, code: 'UNKNOWN_TYPE', message: `The type '${typeName}' is not in the metadata extract.` });
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.push({ path: at, code: 'WRONG_TYPE', message: `Expected an object of type '${typeName}'.` });
    return;
  }
  const { props, betaOnly } = allProperties(model, type, opts.api);
  const obj = value as Record<string, unknown>;
  const here = (k: string) => (at ? `${at}.${k}` : k);
  for (const [k, v] of Object.entries(obj)) {
    if (k.startsWith('@odata.')) {
      if (k === '@odata.type' && String(v).replace(/^#/, '') !== `microsoft.graph.${typeName}`) {
        issues.push({
          path: here(k),
          code: 'WRONG_ODATA_TYPE',
          message: `@odata.type is '${String(v)}', expected '#microsoft.graph.${typeName}'.`,
        });
      }
      continue;
    }
    const p = props.get(k) ?? (opts.api === 'beta' ? betaOnly.get(k) : undefined);
    if (!p) {
      issues.push(
        betaOnly.has(k)
          ? {
              path: here(k),
              code: 'BETA_ONLY_PROPERTY',
              message: `The property '${k}' exists only in the beta API, not in v1.0.`,
            }
          : {
              path: here(k),
              code: 'UNKNOWN_PROPERTY',
              message: `The property '${k}' does not exist on type 'microsoft.graph.${typeName}'. Make sure to only use property names that are defined by the type.`,
            },
      );
      continue;
    }
    checkValue(model, p, v, here(k), opts, issues);
  }
  if (opts.mode === 'response') {
    const required = [...props.values(), ...(opts.api === 'beta' ? betaOnly.values() : [])].filter((p) => !p.nullable);
    for (const p of required)
      if (!(p.name in obj))
        issues.push({
          path: here(p.name),
          code: 'MISSING_PROPERTY',
          message: `The non-nullable property '${p.name}' is missing.`,
        });
  }
}

const INT32 = [-2147483648, 2147483647] as const;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkValue(model: CsdlModel, p: CsdlProperty, v: unknown, at: string, opts: Opts, issues: CsdlIssue[]): void {
  if (v === null) {
    if (!p.nullable) issues.push({ path: at, code: 'NULL_NOT_ALLOWED', message: `'${p.name}' cannot be null.` });
    return;
  }
  const coll = /^Collection\((.+)\)$/.exec(p.type);
  if (coll) {
    if (!Array.isArray(v))
      return void issues.push({ path: at, code: 'WRONG_TYPE', message: `'${p.name}' must be an array.` });
    v.forEach((item, i) =>
      checkValue(model, { ...p, type: coll[1]!, nullable: false }, item, `${at}[${i}]`, opts, issues),
    );
    return;
  }
  const wrong = (what: string) =>
    issues.push({ path: at, code: 'WRONG_TYPE', message: `'${p.name}' must be ${what}.` });
  switch (p.type) {
    case 'Edm.String':
      if (typeof v !== 'string') wrong('a string');
      return;
    case 'Edm.Boolean':
      if (typeof v !== 'boolean') wrong('true or false');
      return;
    case 'Edm.Int32':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < INT32[0] || v > INT32[1]) wrong('a 32-bit integer');
      return;
    case 'Edm.Int64':
      if (!(typeof v === 'number' && Number.isInteger(v)) && !(typeof v === 'string' && /^-?\d+$/.test(v)))
        wrong('an integer');
      return;
    case 'Edm.Guid':
      if (typeof v !== 'string' || !GUID.test(v)) wrong('a GUID');
      return;
    case 'Edm.DateTimeOffset':
      if (typeof v !== 'string' || !DATETIME.test(v))
        issues.push({
          path: at,
          code: 'BAD_DATETIME',
          message: `'${p.name}' must be an ISO 8601 date and time with a time zone.`,
        });
      return;
    case 'Edm.Binary':
      if (typeof v !== 'string' || !BASE64.test(v))
        issues.push({
          path: at,
          code: 'BAD_BINARY',
          message: `Cannot convert the literal '${typeof v === 'string' ? v.slice(0, 16) : String(v)}…' to the expected type 'Edm.Binary'.`,
        });
      return;
    default:
      break;
  }
  const name = shortName(p.type);
  // The beta extract's enums win on beta (its enrollmentState has 'blocked', v1.0's does not).
  const members =
    (opts.api === 'beta' ? betaCorporateCsdl().enums.get(name) : undefined) ??
    model.enums.get(name) ??
    (opts.api === 'beta' || BETA_PROPERTIES_TYPES.has(name) ? BETA_ENUMS[name] : undefined);
  if (members) {
    if (typeof v !== 'string' || !members.includes(v))
      issues.push({
        path: at,
        code: 'BAD_ENUM_VALUE',
        message: `'${String(v)}' is not a member of '${name}' (${members.join(', ')}).`,
      });
    return;
  }
  checkStructured(model, name, v, at, opts, issues);
}

const BETA_PROPERTIES_TYPES = new Set(Object.keys(BETA_ENUMS));

let cachedBetaCorporate: CsdlModel | undefined;
/** The beta extract of corporate identifiers (importedDeviceIdentity and its actions): checked only on beta. */
export function betaCorporateCsdl(): CsdlModel {
  return (cachedBetaCorporate ??= parseCsdl(GRAPH_BETA_CORPORATE_CSDL_XML));
}

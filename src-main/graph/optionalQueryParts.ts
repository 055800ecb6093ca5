import type { ClassifiedFailure } from './graphAnswers.ts';

/** OData query options a caller can do without (it then selects, filters or limits on its own side). */
export type OptionalQueryPart = '$select' | '$top' | '$orderby' | '$expand' | '$count' | '$filter';
/** Which part goes first when a request with several fails: the one that saves the least. */
const DROP_ORDER: readonly OptionalQueryPart[] = ['$select', '$top', '$orderby', '$expand', '$count', '$filter'];

/** What OptionalQueryParts needs of a request (GraphRequest's fields of the same names). */
export interface QueryOfRequest {
  method: string;
  path: string;
  query?: Record<string, string> | undefined;
  optional?: readonly OptionalQueryPart[];
}

/**
 * The optional query parts of one request (degradation). Parts this tenant refused before (`refused`,
 * shared by the client for the session) are left out at once. After a degradable answer (400, or a
 * 5xx that is not "busy": graphAnswers.ts) the next part is left out and the request sent again, which
 * is not a failed attempt; a 5xx that persists without the part puts it back (it was not the cause).
 * After a success, a part whose removal changed the answer is added to `refused`.
 * docs/architecture.md#the-graph-clients-policies, docs/domain.md#what-real-tenants-do
 */
export class OptionalQueryParts {
  /** Parts not sent (refused now or earlier on this tenant): the caller applies them on its side. */
  readonly dropped: OptionalQueryPart[] = [];
  /** The query to send now (undefined when the request has none). */
  readonly query: Record<string, string> | undefined;
  private readonly optional: OptionalQueryPart[];
  /** Parts dropped by this request, with the status that made the client drop them. */
  private readonly droppedNow: { part: OptionalQueryPart; status: number }[] = [];
  /** A part dropped after a 5xx, on trial: put back if the 5xx persists. */
  private probing5xx: OptionalQueryPart | undefined;
  private probed5xx = false;

  constructor(
    private readonly req: QueryOfRequest,
    private readonly refused: Set<string>,
  ) {
    // $select is always optional: leaving it out changes only how much of each record comes back.
    const optionalParts = new Set<OptionalQueryPart>([...(req.optional ?? []), '$select']);
    const given = req.query;
    this.optional =
      req.method === 'GET' && given && !/^https?:/i.test(req.path)
        ? DROP_ORDER.filter((p) => optionalParts.has(p) && given[p] !== undefined)
        : [];
    this.query = given ? { ...given } : undefined;
    for (const p of this.optional) {
      if (refused.has(this.keyOf(p))) {
        delete this.query![p];
        this.dropped.push(p);
      }
    }
  }

  /**
   * After a failed answer: the part just left out (send the request again), or undefined (answer the
   * failure as it is; a part on trial after a 5xx that persisted is put back first).
   */
  leaveOut(failure: Pick<ClassifiedFailure, 'status' | 'class' | 'degrade'>): OptionalQueryPart | undefined {
    const serverError = failure.class === 'server-error';
    if (failure.degrade && this.probing5xx && serverError) {
      this.query![this.probing5xx] = this.req.query![this.probing5xx]!;
      this.dropped.splice(this.dropped.indexOf(this.probing5xx), 1);
      this.droppedNow.pop();
    } else if (failure.degrade) {
      const next = this.optional.find((p) => this.query![p] !== undefined);
      if (next && (!serverError || !this.probed5xx)) {
        delete this.query![next];
        this.dropped.push(next);
        this.droppedNow.push({ part: next, status: failure.status });
        if (serverError) {
          this.probed5xx = true;
          this.probing5xx = next;
        }
        return next;
      }
    }
    this.probing5xx = undefined;
    return undefined;
  }

  /**
   * After a success answered `status`: the parts this tenant refuses from now on, new to `refused`. Only
   * parts whose removal changed the answer (400 → 200, 500 → 400…) are blamed, not bystanders.
   */
  rememberRefused(status: number): OptionalQueryPart[] {
    const blamed = this.droppedNow
      .filter((d, i) => (this.droppedNow[i + 1]?.status ?? status) !== d.status)
      .map((d) => d.part);
    const added: OptionalQueryPart[] = [];
    for (const p of blamed) {
      if (this.refused.has(this.keyOf(p))) continue;
      this.refused.add(this.keyOf(p));
      added.push(p);
    }
    return added;
  }

  private keyOf(p: OptionalQueryPart): string {
    return queryPartKey(this.req.path, p, this.req.query?.[p]);
  }
}

/** The collection a path names (`/deviceManagement/windowsAutopilotDeviceIdentities`), without ids or actions. */
export function collectionOf(path: string): string {
  const p = /^https?:/i.test(path) ? new URL(path).pathname.replace(/^\/(v1\.0|beta)/, '') : path;
  const segs = p.split('?')[0]!.split('/').filter(Boolean);
  return `/${segs.slice(0, 2).join('/')}`;
}

/**
 * What the tenant is remembered to refuse: the collection and the part; for $filter also its shape,
 * string literals reduced to plain (letters and digits) or special (a '-', a space…), so that
 * `contains(serialNumber,'A-B')` failing does not stop `contains(serialNumber,'AB')` from being used.
 */
export function queryPartKey(path: string, part: OptionalQueryPart, value: string | undefined): string {
  const shape =
    part === '$filter' && value !== undefined
      ? `:${value.replace(/'((?:[^']|'')*)'/g, (_m, lit: string) => (/^[A-Za-z0-9]*$/.test(lit) ? "'plain'" : "'special'"))}`
      : '';
  return `${collectionOf(path)}|${part}${shape}`;
}

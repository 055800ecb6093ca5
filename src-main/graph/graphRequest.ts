import type { OptionalQueryPart } from './optionalQueryParts.ts';

export type GraphMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** One request as callers give it to GraphClient.request. */
export interface GraphRequest {
  method: GraphMethod;
  /** Path after the version ('/deviceManagement/...') or an absolute @odata.nextLink on the same host. */
  path: string;
  query?: Record<string, string> | undefined;
  body?: unknown;
  /** The call exists only in beta (sync, profile assignment status). */
  beta?: boolean;
  /**
   * Safe to send again after a dropped connection or a 5xx. The import POST is not: the caller
   * checks by importId whether it landed before sending it again.
   */
  idempotent?: boolean;
  /** Words for error messages: "importing 25 devices". */
  doing?: string;
  /** Fail on the first 429/5xx instead of waiting (the sync call: its 429 means "not now"). */
  noRetry?: boolean;
  /**
   * At most this many attempts for this request (default the client's policy). A JSON batch takes 1:
   * a batch endpoint that fails is answered by sending its requests one by one, not the batch again.
   */
  maxAttempts?: number;
  signal?: AbortSignal;
  /**
   * GET only: query options in `query` the caller can do without. On a 400 or a 5xx the client
   * sends the request again without them (least useful first) and, when that works, remembers for
   * this tenant (this client, this session) not to send that part to that collection again; the
   * response's `dropped` says which parts were not applied, so the caller filters on its side.
   * A `$filter` is remembered by its shape (`contains(serialNumber,'<special>')` apart from plain values).
   * `$select` is optional whether listed or not (without it the records only carry more fields).
   */
  optional?: readonly OptionalQueryPart[];
  /**
   * Requests the service counts against its limits when this one is sent; default one of its own
   * kind. A JSON batch counts each request inside it (Intune's limits apply to each, not to the batch).
   */
  slots?: { reads: number; writes: number };
}

export interface GraphResponse<T> {
  status: number;
  body: T | undefined;
  requestId?: string;
  clientRequestId: string;
  attempts: number;
  /**
   * Optional query parts that were not sent (refused now or earlier on this tenant): apply them on the station's side.
   */
  dropped: OptionalQueryPart[];
}

export interface GraphPages<T> {
  value: T[];
  requestIds: string[];
  clientRequestId: string;
  pages: number;
  /** As GraphResponse.dropped, for the first page's query. */
  dropped: OptionalQueryPart[];
  /**
   * 'repeated-page': the service linked the last page to itself (or to a copy of the page just
   * read), a behaviour seen on real tenants: the listing is complete and ended there.
   */
  endedBy: 'last-page' | 'repeated-page';
}

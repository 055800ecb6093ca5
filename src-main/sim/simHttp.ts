/** The simulated tenant's request and answer, independent of node:http so routes stay plain functions. */
export interface SimRequest {
  method: string;
  url: URL;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: Buffer;
  requestId: string;
  clientRequestId: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON unless it is a string. */
  body?: unknown;
  /** What the request log should record as this call's import count. */
  importCount?: number;
}

/** Objects in a Graph answer (the entity itself or a collection's items), each with its @odata.type. */
export function answerObjects(body: unknown): Record<string, unknown>[] {
  if (!body || typeof body !== 'object') return [];
  const b = body as Record<string, unknown>;
  const items = Array.isArray(b.value) ? b.value : [b];
  return items.filter(
    (o): o is Record<string, unknown> =>
      !!o && typeof o === 'object' && typeof (o as Record<string, unknown>)['@odata.type'] === 'string',
  );
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): SimResponse => ({
  status,
  body,
  headers,
});

/** Parses an application/x-www-form-urlencoded body (the OAuth endpoints). */
export function formBody(req: SimRequest): URLSearchParams {
  return new URLSearchParams(req.body.toString('utf8'));
}

import type { SimRequest, SimResponse } from './simHttp.ts';

/** A Graph-shaped error answer: error.code, error.message, error.innerError with request ids and date. */
export function graphError(
  req: SimRequest,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): SimResponse {
  return {
    status,
    headers,
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
          'request-id': req.requestId,
          'client-request-id': req.clientRequestId,
        },
      },
    },
  };
}

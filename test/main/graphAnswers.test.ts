import { describe, expect, it } from 'vitest';
import {
  answerClassOf,
  batchEndpointAnswer,
  classifyFailure,
  droppedConnectionOf,
  importRefusalOf,
  isServiceTrouble,
  NOT_GRAPH_JSON,
  successBodyOf,
  syncAnswerOf,
} from '../../src-main/graph/graphAnswers.ts';
import { graphFailure } from '../../src-main/graph/graphFailures.ts';

const headersOf = (h: Record<string, string>) => (name: string) => h[name];
const claimsHeader = (claims: object) =>
  `Bearer realm="", error="insufficient_claims", claims="${Buffer.from(JSON.stringify(claims)).toString('base64url')}"`;

describe('the status table (graphAnswers.ts)', () => {
  it('puts each status in its class', () => {
    const classes = [200, 204, 400, 401, 404, 409, 418, 429, 500, 501, 502, 503, 504, 599].map((s) => [
      s,
      answerClassOf(s),
    ]);
    expect(Object.fromEntries(classes)).toEqual({
      200: 'success',
      204: 'success',
      400: 'refused',
      401: 'refused',
      404: 'refused',
      409: 'refused',
      418: 'refused',
      429: 'throttled',
      500: 'server-error',
      501: 'server-error',
      502: 'server-error',
      503: 'busy',
      504: 'server-error',
      599: 'server-error',
    });
  });

  it('a 429 or any 5xx is passing trouble; a 4xx or a 2xx is not', () => {
    expect([429, 500, 502, 503, 504].every(isServiceTrouble)).toBe(true);
    expect([200, 400, 401, 403, 404, 409].some(isServiceTrouble)).toBe(false);
  });

  it('degrades on 400 and the server errors that are not "busy", never on 503, 429 or 404', () => {
    const degrade = (s: number) => classifyFailure(s, headersOf({}), undefined, 0).degrade;
    expect([400, 500, 501, 502, 504].every(degrade)).toBe(true);
    expect([401, 403, 404, 409, 429, 503].some(degrade)).toBe(false);
  });
});

describe('classifyFailure', () => {
  it('429: throttled with the Retry-After header in ms', () => {
    const f = classifyFailure(
      429,
      headersOf({ 'retry-after': '7', 'request-id': 'srv-1' }),
      { error: { code: 'TooManyRequests', message: 'slow down' } },
      0,
    );
    expect(f).toMatchObject({ class: 'throttled', kind: 'throttled', retryAfterMs: 7_000 });
    expect(f.context).toEqual({
      status: 429,
      requestId: 'srv-1',
      serviceCode: 'TooManyRequests',
      serviceMessage: 'slow down',
    });
  });

  it("503 without a header: Intune's RetryAfter inside the message; null there is no wait", () => {
    const said = classifyFailure(
      503,
      headersOf({}),
      { error: { message: '{"ErrorCode":"ServiceUnavailable","RetryAfter":30}' } },
      0,
    );
    expect(said).toMatchObject({ class: 'busy', kind: 'unavailable', retryAfterMs: 30_000 });
    const unsaid = classifyFailure(429, headersOf({}), { error: { message: '{"RetryAfter":null}' } }, 0);
    expect(unsaid.retryAfterMs).toBeUndefined();
  });

  it('a Retry-After on any other status is not a wait the client honours', () => {
    expect(classifyFailure(500, headersOf({ 'retry-after': '5' }), undefined, 0)).toMatchObject({
      class: 'server-error',
      kind: 'unavailable',
    });
    expect(classifyFailure(500, headersOf({ 'retry-after': '5' }), undefined, 0).retryAfterMs).toBeUndefined();
  });

  it("keeps the error body's request-id when the header is missing", () => {
    const f = classifyFailure(
      404,
      headersOf({}),
      { error: { code: 'ResourceNotFound', innerError: { 'request-id': 'inner-1' } } },
      0,
    );
    expect(f).toMatchObject({ kind: 'not-found', context: { requestId: 'inner-1', serviceCode: 'ResourceNotFound' } });
  });

  it('401: a claims challenge carries its claims; without one it is an expired sign-in or the wrong cloud', () => {
    const challenge = classifyFailure(
      401,
      headersOf({ 'www-authenticate': claimsHeader({ access_token: { nbf: { essential: true, value: '1' } } }) }),
      undefined,
      0,
    );
    expect(JSON.parse(challenge.claims!)).toEqual({ access_token: { nbf: { essential: true, value: '1' } } });
    expect(challenge.kind).toBe('sign-in-expired');
    const expired = classifyFailure(
      401,
      headersOf({ 'www-authenticate': 'Bearer realm=""' }),
      { error: { message: 'token expired' } },
      0,
    );
    expect(expired).toMatchObject({ kind: 'sign-in-expired' });
    expect(expired.claims).toBeUndefined();
    expect(classifyFailure(401, headersOf({}), { error: { message: 'Invalid audience.' } }, 0).kind).toBe(
      'wrong-cloud',
    );
  });

  it('a licence message is "no Intune licence" whatever the status; 409 and 422 are bad requests', () => {
    expect(
      classifyFailure(400, headersOf({}), { error: { message: 'Request not applicable to target tenant.' } }, 0).kind,
    ).toBe('no-intune-licence');
    expect(classifyFailure(409, headersOf({}), undefined, 0).kind).toBe('bad-request');
    expect(classifyFailure(422, headersOf({}), undefined, 0).kind).toBe('bad-request');
    expect(classifyFailure(418, headersOf({}), undefined, 0).kind).toBe('unknown');
  });
});

describe('a 2xx body and a connection that dropped', () => {
  it('takes JSON or nothing as success, and anything else as not Graph', () => {
    expect(successBodyOf('', '')).toBeUndefined();
    expect(successBodyOf('{"a":1}', 'application/json; odata.metadata=minimal')).toEqual({ a: 1 });
    expect(successBodyOf('{"a":1}', '')).toEqual({ a: 1 });
    expect(successBodyOf('<html>Sign in to the Wi-Fi</html>', 'text/html')).toBe(NOT_GRAPH_JSON);
    expect(successBodyOf('{"a":1}', 'text/html')).toBe(NOT_GRAPH_JSON);
  });

  it('an untrusted certificate is told apart from a reset', () => {
    const tls = droppedConnectionOf(
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'SELF_SIGNED_CERT_IN_CHAIN' } }),
    );
    expect(tls.untrusted).toBe(true);
    const reset = droppedConnectionOf(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } }));
    expect(reset).toEqual({ untrusted: false, reason: 'fetch failed (ECONNRESET)' });
  });
});

describe("the callers' questions", () => {
  const failed = (status: number) =>
    graphFailure(classifyFailure(status, headersOf({}), undefined, 0).kind, { status });

  it('the batch endpoint: 503 busy; 400, 404, 405 and the other 5xx refused; a dropped connection; the rest are not its own', () => {
    expect(batchEndpointAnswer(failed(503))).toBe('busy');
    expect([400, 404, 405, 500, 501, 502, 504].map((s) => batchEndpointAnswer(failed(s)))).toEqual(
      Array(7).fill('refused'),
    );
    expect(batchEndpointAnswer(graphFailure('network'))).toBe('dropped');
    expect([401, 403, 409, 429].map((s) => batchEndpointAnswer(failed(s)))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('the sync action: 409 a sync runs, 429 too soon', () => {
    expect(syncAnswerOf(failed(409))).toBe('in-progress');
    expect(syncAnswerOf(failed(429))).toBe('too-soon');
    expect(syncAnswerOf(failed(400))).toBeUndefined();
    expect(syncAnswerOf(graphFailure('network'))).toBeUndefined();
  });

  it('the import POST: refused outright, refused but maybe applied, or not refused', () => {
    expect([400, 409, 413, 422].map((s) => importRefusalOf(failed(s)))).toEqual([
      'outright',
      'outright',
      'outright',
      'outright',
    ]);
    expect(importRefusalOf(graphFailure('no-intune-licence', { status: 400 }))).toBe('outright');
    expect([500, 501, 505].map((s) => importRefusalOf(failed(s)))).toEqual([
      'maybe-applied',
      'maybe-applied',
      'maybe-applied',
    ]);
    expect([429, 502, 503, 504].map((s) => importRefusalOf(failed(s)))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(importRefusalOf(graphFailure('network'))).toBeUndefined();
  });
});

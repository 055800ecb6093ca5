import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../src-main/graph/graphAnswers.ts';
import { collectionOf, OptionalQueryParts, queryPartKey } from '../../src-main/graph/optionalQueryParts.ts';
import { TokenRenewal, type AccessTokenProvider } from '../../src-main/graph/tokenRenewal.ts';

const IMPORTED = '/deviceManagement/importedWindowsAutopilotDeviceIdentities';
const answer = (status: number, headers: Record<string, string> = {}, body?: unknown) =>
  classifyFailure(status, (n) => headers[n], body, 0);

describe('OptionalQueryParts', () => {
  it('leaves out at once what this tenant refused before; a POST or a nextLink keeps its query', () => {
    const refused = new Set([queryPartKey(IMPORTED, '$select', 'id')]);
    const parts = new OptionalQueryParts(
      { method: 'GET', path: IMPORTED, query: { $select: 'id', $top: '5' } },
      refused,
    );
    expect(parts.query).toEqual({ $top: '5' });
    expect(parts.dropped).toEqual(['$select']);
    const post = new OptionalQueryParts({ method: 'POST', path: IMPORTED, query: { $select: 'id' } }, refused);
    expect(post.query).toEqual({ $select: 'id' });
    const link = new OptionalQueryParts(
      { method: 'GET', path: `https://graph.microsoft.com/v1.0${IMPORTED}`, query: { $select: 'id' } },
      new Set(),
    );
    expect(link.leaveOut(answer(400))).toBeUndefined();
  });

  it('drops the least useful part first, only listed parts ($select always), and blames only the part whose removal worked', () => {
    const refused = new Set<string>();
    const parts = new OptionalQueryParts(
      {
        method: 'GET',
        path: IMPORTED,
        query: { $filter: "serialNumber eq 'A1'", $top: '5', $select: 'id' },
        optional: ['$top'],
      },
      refused,
    );
    expect(parts.leaveOut(answer(400))).toBe('$select');
    expect(parts.leaveOut(answer(400))).toBe('$top');
    expect(parts.leaveOut(answer(400))).toBeUndefined(); // $filter was not listed as optional
    expect(parts.query).toEqual({ $filter: "serialNumber eq 'A1'" });
    // 400 → 400 → 200: leaving out $select changed nothing, leaving out $top did.
    expect(parts.rememberRefused(200)).toEqual(['$top']);
    expect([...refused]).toEqual([`${IMPORTED}|$top`]);
    expect(parts.dropped).toEqual(['$select', '$top']);
  });

  it('a 5xx that persists without the part puts it back and probes no further; 503 and 429 never drop', () => {
    const parts = new OptionalQueryParts(
      { method: 'GET', path: IMPORTED, query: { $select: 'id', $top: '5' }, optional: ['$top'] },
      new Set(),
    );
    expect(parts.leaveOut(answer(503))).toBeUndefined();
    expect(parts.leaveOut(answer(429))).toBeUndefined();
    expect(parts.leaveOut(answer(500))).toBe('$select');
    expect(parts.leaveOut(answer(500))).toBeUndefined();
    expect(parts.query).toEqual({ $select: 'id', $top: '5' });
    expect(parts.dropped).toEqual([]);
    expect(parts.leaveOut(answer(502))).toBeUndefined();
    expect(parts.rememberRefused(200)).toEqual([]);
  });

  it('names collections without ids, versions or actions', () => {
    expect(collectionOf(`${IMPORTED}/abc/import`)).toBe(IMPORTED);
    expect(collectionOf(`https://graph.microsoft.com/beta${IMPORTED}?$skiptoken=x`)).toBe(IMPORTED);
  });
});

class Tokens implements AccessTokenProvider {
  calls: { forceRefresh?: boolean; claims?: string }[] = [];
  async getAccessToken(_scope: string, options: { forceRefresh?: boolean; claims?: string } = {}): Promise<string> {
    this.calls.push({
      ...(options.forceRefresh ? { forceRefresh: true } : {}),
      ...(options.claims ? { claims: options.claims } : {}),
    });
    return `t${this.calls.length}`;
  }
}

describe('TokenRenewal', () => {
  const claims = JSON.stringify({ access_token: { acrs: { essential: true, value: 'c1' } } });
  const challenge = answer(401, {
    'www-authenticate': `Bearer error="insufficient_claims", claims="${Buffer.from(claims).toString('base64url')}"`,
  });
  const signal = new AbortController().signal;

  it('answers a claims challenge once (its claims on the next token only), then refreshes once, then gives up', async () => {
    const tokens = new Tokens();
    const renewal = new TokenRenewal(tokens, 'https://graph.microsoft.com/.default');
    await renewal.get(signal);
    expect(await renewal.renew(challenge, signal)).toBe('claims-challenge');
    await renewal.get(signal);
    await renewal.get(signal);
    expect(tokens.calls).toEqual([{}, { forceRefresh: true, claims }, {}]);
    expect(await renewal.renew(challenge, signal)).toBe('refreshed');
    expect(tokens.calls.at(-1)).toEqual({ forceRefresh: true });
    expect(await renewal.renew(challenge, signal)).toBeUndefined();
  });

  it('a 401 of another cloud, a 403 or a 5xx is not answered with a new token', async () => {
    const renewal = new TokenRenewal(new Tokens(), 'scope');
    expect(await renewal.renew(answer(401, {}, { error: { message: 'Invalid audience.' } }), signal)).toBeUndefined();
    expect(await renewal.renew(answer(403), signal)).toBeUndefined();
    expect(await renewal.renew(answer(500), signal)).toBeUndefined();
  });
});

import type { Logger } from '../kernel/logger.ts';
import type { GraphPages, GraphRequest, GraphResponse } from './graphRequest.ts';
import { pagingLoopFailure } from './graphFailures.ts';
import { collectionOf } from './optionalQueryParts.ts';

type Page<T> = { value?: T[]; '@odata.nextLink'?: string };

/** Pages of one listing at most: stopping beats 10,000 reads of the same pages. */
const MAX_PAGES = 10_000;

/**
 * GET every page, following @odata.nextLink (one request per page, through `request`). Paging that does
 * not advance stops: a page linked to itself, or a copy of the page just read, ends the listing (seen on
 * real tenants: the skip token stays on the last item); a link back to an earlier page, or a page of only
 * already-seen items that is not such a copy, is a GRAPH_PAGING_LOOP failure. Items are kept once, by
 * `id` (or by their JSON when they have none): the station's choice, so a repeated page adds nothing
 * (docs/domain.md#paging).
 */
export async function getAllPages<T>(
  request: (req: GraphRequest) => Promise<GraphResponse<Page<T>>>,
  req: Omit<GraphRequest, 'method' | 'body'>,
  logger: Logger,
): Promise<GraphPages<T>> {
  const value: T[] = [];
  const requestIds: string[] = [];
  const seenIds = new Set<string>();
  const seenLinks = new Set<string>();
  let previousIds: string[] = [];
  let current: string | undefined;
  let next: string | undefined;
  let first: GraphResponse<Page<T>> | undefined;
  let pages = 0;
  let endedBy: GraphPages<T>['endedBy'] = 'last-page';
  const loop = (res: GraphResponse<unknown>) =>
    pagingLoopFailure({
      doing: req.doing,
      clientRequestId: res.clientRequestId,
      ...(res.requestId ? { requestId: res.requestId } : {}),
      pages,
    });
  do {
    const res = await request(
      next ? { ...req, method: 'GET', path: next, query: undefined } : { ...req, method: 'GET' },
    );
    first ??= res;
    pages++;
    if (res.requestId) requestIds.push(res.requestId);
    const items = Array.isArray(res.body?.value) ? res.body.value : [];
    const ids = items.map(itemKey);
    const fresh = ids.filter((id) => !seenIds.has(id));
    if (pages > 1 && items.length > 0 && fresh.length === 0) {
      if (!sameSet(ids, previousIds)) throw loop(res);
      endedBy = 'repeated-page';
      logger.info('Graph repeated the last page of a listing; ending it there', {
        collection: collectionOf(req.path),
        pages,
        requestId: res.requestId,
      });
      break;
    }
    items.forEach((item, i) => {
      if (seenIds.has(ids[i]!)) return;
      seenIds.add(ids[i]!);
      value.push(item);
    });
    previousIds = ids;
    current = next;
    next = res.body?.['@odata.nextLink'];
    if (next !== undefined && next === current) {
      endedBy = 'repeated-page';
      logger.info('Graph linked the last page of a listing to itself; ending it there', {
        collection: collectionOf(req.path),
        pages,
        requestId: res.requestId,
      });
      break;
    }
    if (next !== undefined && seenLinks.has(next)) throw loop(res);
    if (next !== undefined) seenLinks.add(next);
    if (pages > MAX_PAGES) throw pagingLoopFailure({ doing: req.doing, clientRequestId: res.clientRequestId, pages });
  } while (next);
  return { value, requestIds, clientRequestId: first.clientRequestId, pages, dropped: first.dropped, endedBy };
}

function itemKey(item: unknown): string {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id ? `id:${id}` : `json:${JSON.stringify(item)}`;
}

function sameSet(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(b);
  return a.every((x) => set.has(x));
}

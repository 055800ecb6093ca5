/**
 * Runs `fn` over `items` with at most `limit` calls in flight, each item once, in order of start.
 * Resolves when every call has; rejects with the first call that throws (the others still finish).
 */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

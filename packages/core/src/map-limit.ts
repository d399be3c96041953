/**
 * Bounded concurrency for calls that an AWS quota limits (Step Functions' callbacks, DescribeExecution): at most
 * `limit` at once, the results in the order of the items.
 */

/**
 * Runs `work` on each item, at most `limit` at once (at least one), keeping the order of the results. A
 * rejection of `work` rejects the whole (the workers already running finish their item).
 *
 * @example await mapLimit([1, 2, 3], 2, async (n) => n * 2) // [2, 4, 6]
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

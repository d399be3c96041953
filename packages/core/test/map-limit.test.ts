import { describe, expect, it } from 'vitest';
import { mapLimit } from '../src/map-limit.ts';

describe('mapLimit', () => {
  it('keeps the order of the items whatever order the work finishes in', async () => {
    const results = await mapLimit([30, 10, 20], 3, async (ms) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return ms * 2;
    });
    expect(results).toEqual([60, 20, 40]);
  });

  it('never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    await mapLimit(
      Array.from({ length: 9 }, (_, index) => index),
      2,
      async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 1));
        running -= 1;
      },
    );
    expect(most).toBe(2);
  });

  it('still runs every item when the limit is below one', async () => {
    expect(await mapLimit([1, 2], 0, async (n) => n + 1)).toEqual([2, 3]);
  });

  it('answers an empty list with an empty list', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});

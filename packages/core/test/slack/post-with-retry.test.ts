import { describe, expect, it } from 'vitest';
import { SlackDeliveryError } from '../../src/errors.ts';
import { postWithRetry } from '../../src/slack/post-with-retry.ts';

/** A post answering with the given refusals, then accepting. */
function poster(refusals: SlackDeliveryError[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    post: async () => {
      calls += 1;
      const refusal = refusals.shift();
      if (refusal !== undefined) throw refusal;
    },
  };
}

const limited = (retryAfterSeconds?: number) =>
  new SlackDeliveryError('HTTP 429 rate_limited', {
    status: 429,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });

describe('postWithRetry', () => {
  it('spends the wait budget on what Slack asks, and stops before a wait it cannot pay', async () => {
    const waits: number[] = [];
    const slack = poster([limited(4), limited(4), limited(4)]);

    const result = await postWithRetry(slack.post, {
      attempts: 5,
      waitBudgetMs: 10_000,
      sleep: async (ms) => void waits.push(ms),
    });

    // 4 s + 4 s = 8 s spent; a third 4 s wait would pass 10 s: not waited.
    expect(result).toEqual({
      outcome: 'rate-limited',
      attempts: 3,
      waitedMs: 8_000,
      reason: 'HTTP 429 rate_limited',
    });
    expect(waits).toEqual([4_000, 4_000]);
    expect(slack.calls).toBe(3);
  });

  it('a network failure is tried again after a second; an error that is not Slack’s is thrown', async () => {
    const waits: number[] = [];
    const slack = poster([new SlackDeliveryError('TypeError ECONNRESET')]);
    const sleep = async (ms: number) => void waits.push(ms);

    const result = await postWithRetry(slack.post, { attempts: 3, waitBudgetMs: 10_000, sleep });
    const bug = postWithRetry(
      async () => {
        throw new TypeError('not a refusal');
      },
      { attempts: 3, waitBudgetMs: 10_000, sleep },
    );

    expect(result).toEqual({ outcome: 'posted', attempts: 2, waitedMs: 1_000 });
    expect(waits).toEqual([1_000]);
    await expect(bug).rejects.toThrow(TypeError);
  });
});

/**
 * Posting to Slack as a best-effort channel: Slack's rate limit (about one message per second per channel,
 * HTTP 429 with `Retry-After` past it, https://docs.slack.dev/apis/web-api/rate-limits) is honoured by waiting
 * what Slack asks, within a bounded budget that keeps the caller inside its Lambda's time; what could not be
 * posted is reported as exactly that, never as posted and never as a thrown error the caller did not choose.
 */
import { SlackDeliveryError } from '../errors.ts';

/** How a best-effort post ended. */
export interface SlackPostResult {
  /** `posted`; `rate-limited` (Slack still answered 429 when the budget ran out); `failed` (anything else). */
  readonly outcome: 'posted' | 'rate-limited' | 'failed';
  readonly attempts: number;
  /** Milliseconds spent waiting between attempts. */
  readonly waitedMs: number;
  /** The last refusal (a SlackDeliveryError's message: never a URL or a token), when not posted. */
  readonly reason?: string;
}

export interface SlackRetryOptions {
  /** At most this many posts (the first included). */
  readonly attempts: number;
  /** At most this many milliseconds of waiting between them, all together. */
  readonly waitBudgetMs: number;
  /** Waits (tests and the scale model pass their clocks). Default: a timer. */
  readonly sleep?: (milliseconds: number) => Promise<void>;
}

/**
 * Wait before another try when Slack gave no `Retry-After` (a 429 without one, a 5xx, a network failure):
 * one second, Slack's published rate for posting messages.
 */
const DEFAULT_WAIT_MS = 1_000;

const timer = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/** Whether trying again can help: a 429, a 5xx, or no answer at all (a network failure or timeout). */
function retryable(error: SlackDeliveryError): boolean {
  return error.status === undefined || error.status === 429 || error.status >= 500;
}

/**
 * Posts with `post`, trying again after Slack's `Retry-After` (or a second) while attempts and the wait budget
 * last. A wait Slack asks for that the budget cannot pay is not waited: the post ends `rate-limited` at once.
 * A refusal that waiting cannot cure (`invalid_payload`, `no_service`, a 4xx other than 429) ends `failed` at
 * once. An error that is not a SlackDeliveryError is a bug and is thrown.
 *
 * @example
 * const result = await postWithRetry(() => slack.post(message), { attempts: 3, waitBudgetMs: 10_000 });
 * result // { outcome: 'rate-limited', attempts: 3, waitedMs: 2000, reason: 'HTTP 429 rate_limited' }
 */
export async function postWithRetry(
  post: () => Promise<unknown>,
  options: SlackRetryOptions,
): Promise<SlackPostResult> {
  const sleep = options.sleep ?? timer;
  let waitedMs = 0;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await post();
      return { outcome: 'posted', attempts: attempt, waitedMs };
    } catch (error) {
      if (!(error instanceof SlackDeliveryError)) throw error;
      const outcome = error.rateLimited ? 'rate-limited' : 'failed';
      const ended = { outcome, attempts: attempt, waitedMs, reason: error.message } as const;
      if (!retryable(error) || attempt >= options.attempts) return ended;
      const waitMs =
        error.retryAfterSeconds === undefined ? DEFAULT_WAIT_MS : Math.ceil(error.retryAfterSeconds * 1000);
      if (waitedMs + waitMs > options.waitBudgetMs) return ended;
      await sleep(waitMs);
      waitedMs += waitMs;
    }
  }
}

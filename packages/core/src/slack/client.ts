/**
 * Posting to Slack, for notify, approval requests and the approval API: the Web API with a bot token
 * (`chat.postMessage`, `chat.update`, `usergroups.users.list`), an incoming webhook, and an interaction's
 * `response_url`. Over `fetch`, each call with a timeout.
 *
 * The webhook URL and the bot token are secrets: they are never logged, and an error says only what Slack
 * (or the network) answered — an HTTP status, Slack's error code, an error name — never a URL, a token or a
 * message an HTTP library may have built from the URL.
 */
import { SlackDeliveryError } from '../errors.ts';
import type { SlackMessage } from './blocks.ts';

/** Where a message was posted with `chat.postMessage`, so that `chat.update` can edit it later. */
export interface SlackMessageLocation {
  readonly channel: string;
  readonly ts: string;
}

/** What the approval API does in Slack after a decision. */
export interface SlackResponder {
  /** Replaces the message: through the interaction's `response_url` when given, else `chat.update` on `ref`. */
  replace(target: { responseUrl?: string; ref?: SlackMessageLocation }, message: SlackMessage): Promise<void>;
  /** An ephemeral reply to the user who clicked, through the interaction's `response_url`. */
  tell(responseUrl: string, text: string): Promise<void>;
}

export interface SlackClient extends SlackResponder {
  /**
   * Posts a message: `chat.postMessage` to `message.channel` with the bot token (returns where it landed),
   * else the incoming webhook (returns nothing: a webhook message cannot be edited later).
   */
  post(message: SlackMessage): Promise<SlackMessageLocation | undefined>;
  /** Whether a user belongs to a user group (`usergroups.users.list`, scope `usergroups:read`), cached. */
  isInUserGroup(userId: string, groupId: string): Promise<boolean>;
}

export interface SlackClientOptions {
  readonly botToken?: string;
  readonly webhookUrl?: string;
  readonly fetch?: typeof fetch;
  /** Per call; the approval API keeps well inside Slack's three seconds, notify may wait longer. */
  readonly timeoutMs?: number;
  /** Clock of the user-group cache (tests). */
  readonly now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 5_000;
/** How long a user group's members are reused before being read again (the settings doc says five minutes). */
const USER_GROUP_CACHE_MS = 300_000;
/** The Web API's base (https://docs.slack.dev/apis/web-api/). */
const WEB_API = 'https://slack.com/api/';

/** SNS-style printable ASCII: what may appear of a body Slack answered with. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, ' ').trim();
}

/**
 * Slack's `Retry-After` on a 429: "the number of seconds until you can retry"
 * (https://docs.slack.dev/apis/web-api/rate-limits). Anything but a non-negative number of seconds is ignored.
 */
function retryAfter(header: string | null): number | undefined {
  if (header === null || !/^\s*\d+(\.\d+)?\s*$/.test(header)) return undefined;
  return Number(header);
}

/** A fetch failure by its name and code only: undici's messages and causes may contain the URL. */
function networkFailure(error: unknown): string {
  if (error === null || typeof error !== 'object') return 'network error';
  // Any thrown value: only `name` and `cause.code` are read, each checked to be a string below.
  const { name, cause } = error as { name?: unknown; cause?: unknown };
  const code = cause !== null && typeof cause === 'object' ? (cause as { code?: unknown }).code : undefined;
  return [typeof name === 'string' ? name : 'network error', typeof code === 'string' ? code : undefined]
    .filter((part) => part !== undefined)
    .join(' ');
}

/**
 * A Slack client over `fetch`. A refusal or a network failure is a `SlackDeliveryError` whose message is the
 * HTTP status with Slack's short reason, Slack's error code (`{ ok: false, error }`), or the error's name.
 *
 * @example
 * const slack = slackClient({ botToken, timeoutMs: 2_000 });
 * const where = await slack.post({ ...message, channel: 'C0SECURITY' }); // { channel: 'C0SECURITY', ts: '1795860000.000100' }
 */
export function slackClient(options: SlackClientOptions): SlackClient {
  const send = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const groups = new Map<string, { members: ReadonlySet<string>; readAt: number }>();

  /** A POST with a JSON body (write methods, webhooks, response URLs), or a GET for a read method. */
  async function call(url: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
    // Typed as a plain record: a union of `{}` and `{ authorization }` is not a HeadersInit to every @types/node.
    const authorization: Record<string, string> =
      token === undefined ? {} : { authorization: `Bearer ${token}` };
    let response: Response;
    try {
      response = await send(
        url,
        body === undefined
          ? { method: 'GET', headers: authorization, signal: AbortSignal.timeout(timeoutMs) }
          : {
              method: 'POST',
              headers: { 'content-type': 'application/json; charset=utf-8', ...authorization },
              body: JSON.stringify(body),
              signal: AbortSignal.timeout(timeoutMs),
            },
      );
    } catch (error) {
      throw new SlackDeliveryError(networkFailure(error));
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      // Slack explains a refusal in a short body (`invalid_payload`, `no_service`, …); it never echoes the URL.
      const reason = printable(text).slice(0, 100);
      const retryAfterSeconds = retryAfter(response.headers.get('retry-after'));
      throw new SlackDeliveryError(`HTTP ${response.status}${reason === '' ? '' : ` ${reason}`}`, {
        status: response.status,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      });
    }
    // The Web API answers 200 with { ok: false, error } on refusal; webhooks and response URLs answer `ok`.
    if (!text.startsWith('{')) return {};
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new SlackDeliveryError('an answer that is not JSON');
    }
    if (json === null || typeof json !== 'object') return {};
    const answer = json as Record<string, unknown>; // Slack's documented envelope; fields checked as read
    if (answer.ok === false) {
      throw new SlackDeliveryError(printable(String(answer.error ?? 'not ok')).slice(0, 100));
    }
    return answer;
  }

  return {
    async post(message) {
      if (options.botToken !== undefined) {
        if (message.channel === undefined) {
          throw new SlackDeliveryError('no channel to post to (settings.approval.slackChannel)');
        }
        const answer = await call(`${WEB_API}chat.postMessage`, message, options.botToken);
        const channel = typeof answer.channel === 'string' ? answer.channel : message.channel;
        return typeof answer.ts === 'string' ? { channel, ts: answer.ts } : undefined;
      }
      if (options.webhookUrl !== undefined) {
        // A webhook posts to the channel it was made for.
        const { channel: _channel, ...body } = message;
        await call(options.webhookUrl, body);
        return undefined;
      }
      throw new SlackDeliveryError('neither a bot token nor a webhook is configured');
    },
    async replace(target, message) {
      const { channel: _channel, ...body } = message;
      if (target.responseUrl !== undefined) {
        await call(target.responseUrl, { ...body, replace_original: true });
      } else if (target.ref !== undefined && options.botToken !== undefined) {
        await call(
          `${WEB_API}chat.update`,
          { ...body, channel: target.ref.channel, ts: target.ref.ts },
          options.botToken,
        );
      }
    },
    async tell(responseUrl, text) {
      await call(responseUrl, { response_type: 'ephemeral', replace_original: false, text });
    },
    async isInUserGroup(userId, groupId) {
      if (options.botToken === undefined) return false;
      const cached = groups.get(groupId);
      if (cached !== undefined && now() - cached.readAt < USER_GROUP_CACHE_MS) {
        return cached.members.has(userId);
      }
      // A read method: Slack takes JSON bodies for write methods only, so its arguments go in the query
      // (https://docs.slack.dev/apis/web-api/#post-bodies).
      const query = new URLSearchParams({ usergroup: groupId }).toString();
      const answer = await call(`${WEB_API}usergroups.users.list?${query}`, undefined, options.botToken);
      const users = Array.isArray(answer.users)
        ? answer.users.filter((user): user is string => typeof user === 'string')
        : [];
      groups.set(groupId, { members: new Set(users), readAt: now() });
      return users.includes(userId);
    },
  };
}

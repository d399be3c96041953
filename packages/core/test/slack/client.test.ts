import { describe, expect, it } from 'vitest';
import { slackMessage } from '../../src/slack/blocks.ts';
import { slackClient } from '../../src/slack/client.ts';

const BOT_TOKEN = 'xoxb-0000000000-0000000000000-abcdefghijklmnopqrstuvwx';
const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/abcdefghijklmnopqrstuvwx';
const MESSAGE = { ...slackMessage('HIGH instance-compromise: contained', []), channel: 'C0SECURITY' };

interface Call {
  readonly url: string;
  readonly method: string | undefined;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** A fake `fetch` answering each call with the next of `answers` (status, body), then `200 ok`. */
function fakeFetch(answers: Array<{ status?: number; body: string }> = []) {
  const calls: Call[] = [];
  const fetch: typeof globalThis.fetch = async (url, init) => {
    calls.push({
      url: String(url),
      method: init?.method,
      headers: { ...(init?.headers as Record<string, string>) },
      body: init?.body === undefined ? undefined : JSON.parse(String(init.body)),
    });
    const answer = answers.shift() ?? { body: 'ok' };
    return new Response(answer.body, { status: answer.status ?? 200 });
  };
  return { fetch, calls };
}

describe('slackClient', () => {
  it('posts with the bot token to chat.postMessage and says where the message landed', async () => {
    // Prepare
    const { fetch, calls } = fakeFetch([
      { body: '{"ok":true,"channel":"C0SECURITY","ts":"1795860000.000100"}' },
    ]);

    // Act
    const where = await slackClient({ botToken: BOT_TOKEN, fetch }).post(MESSAGE);

    // Assess
    expect(where).toEqual({ channel: 'C0SECURITY', ts: '1795860000.000100' });
    expect(calls).toMatchObject([
      {
        url: 'https://slack.com/api/chat.postMessage',
        method: 'POST',
        headers: { authorization: `Bearer ${BOT_TOKEN}` },
        body: { channel: 'C0SECURITY', text: MESSAGE.text, unfurl_links: false },
      },
    ]);
  });

  it('posts to the webhook without a channel (a webhook has its own), and returns no location', async () => {
    // Prepare
    const { fetch, calls } = fakeFetch();

    // Act
    const where = await slackClient({ webhookUrl: WEBHOOK, fetch }).post(MESSAGE);

    // Assess
    expect(where).toBeUndefined();
    expect(calls[0]?.url).toBe(WEBHOOK);
    expect(calls[0]?.body).not.toHaveProperty('channel');
  });

  it.each([
    ['Slack’s error code', [{ body: '{"ok":false,"error":"channel_not_found"}' }], 'channel_not_found'],
    [
      'the status and Slack’s short reason',
      [{ status: 500, body: 'internal_error' }],
      'HTTP 500 internal_error',
    ],
  ])('a refusal is a SlackDeliveryError naming %s', async (_what, answers, message) => {
    // Prepare
    const { fetch } = fakeFetch(answers);

    // Act
    const error = await slackClient({ botToken: BOT_TOKEN, fetch })
      .post(MESSAGE)
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'SlackDeliveryError', message });
  });

  it("a 429 is rate limited, with Slack's Retry-After in seconds when it is a number", async () => {
    // Prepare
    const answers = ['3', '0.5', 'Wed, 02 Dec 2026 16:00:00 GMT', null];
    const fetch: typeof globalThis.fetch = async () => {
      const retryAfter = answers.shift();
      return new Response('rate_limited', {
        status: 429,
        headers: retryAfter === null || retryAfter === undefined ? {} : { 'retry-after': retryAfter },
      });
    };
    const client = slackClient({ webhookUrl: WEBHOOK, fetch });

    // Act
    const errors = [];
    for (let index = 0; index < 4; index += 1)
      errors.push(await client.post(MESSAGE).catch((caught) => caught));
    const other = await slackClient({ webhookUrl: WEBHOOK, ...fakeFetch([{ status: 500, body: 'oops' }]) })
      .post(MESSAGE)
      .catch((caught: unknown) => caught);

    // Assess
    expect(errors.map((error) => [error.name, error.rateLimited, error.retryAfterSeconds])).toEqual([
      ['SlackDeliveryError', true, 3],
      ['SlackDeliveryError', true, 0.5],
      // Only seconds are read: a date, or nothing, leaves the wait to the caller.
      ['SlackDeliveryError', true, undefined],
      ['SlackDeliveryError', true, undefined],
    ]);
    expect(errors[0]).toMatchObject({ status: 429, message: 'HTTP 429 rate_limited' });
    expect(other).toMatchObject({ status: 500, rateLimited: false, retryAfterSeconds: undefined });
  });

  it('a network failure names the error and its code, never the URL or the token', async () => {
    // Prepare
    const fetch: typeof globalThis.fetch = async (url) => {
      throw new TypeError(`fetch failed for ${String(url)} with ${BOT_TOKEN}`, {
        cause: { code: 'ECONNRESET' },
      });
    };

    // Act
    const error = (await slackClient({ webhookUrl: WEBHOOK, fetch })
      .post(MESSAGE)
      .catch((caught: unknown) => caught)) as Error;

    // Assess
    expect(error).toMatchObject({ name: 'SlackDeliveryError', message: 'TypeError ECONNRESET' });
    expect(JSON.stringify({ message: error.message, cause: error.cause })).not.toMatch(
      /hooks\.slack\.com|xoxb/,
    );
  });

  it('refuses to post when neither a bot token nor a webhook is configured, and a bot post needs a channel', async () => {
    // Prepare
    const { fetch, calls } = fakeFetch();
    const { channel: _channel, ...withoutChannel } = MESSAGE;

    // Act
    const errors = await Promise.all([
      slackClient({ fetch })
        .post(MESSAGE)
        .catch((caught: unknown) => caught),
      slackClient({ botToken: BOT_TOKEN, fetch })
        .post(withoutChannel)
        .catch((caught: unknown) => caught),
    ]);

    // Assess
    expect(errors).toMatchObject([{ name: 'SlackDeliveryError' }, { name: 'SlackDeliveryError' }]);
    expect(calls).toEqual([]);
  });

  it('replaces a message through the response URL, else with chat.update; tells the clicking user ephemerally', async () => {
    // Prepare
    const { fetch, calls } = fakeFetch();
    const slack = slackClient({ botToken: BOT_TOKEN, fetch });
    const responseUrl = 'https://hooks.slack.com/actions/T0/1/abc';

    // Act
    await slack.replace({ responseUrl, ref: { channel: 'C0', ts: '1.2' } }, MESSAGE);
    await slack.replace({ ref: { channel: 'C0', ts: '1.2' } }, MESSAGE);
    await slack.tell(responseUrl, 'Already decided');

    // Assess
    expect(calls).toMatchObject([
      { url: responseUrl, body: { replace_original: true } },
      { url: 'https://slack.com/api/chat.update', body: { channel: 'C0', ts: '1.2' } },
      {
        url: responseUrl,
        body: { response_type: 'ephemeral', replace_original: false, text: 'Already decided' },
      },
    ]);
    expect(calls[0]?.body).not.toHaveProperty('channel');
  });

  it('reads a user group with a GET (Slack takes JSON for write methods only), and keeps it five minutes', async () => {
    // Prepare
    const { fetch, calls } = fakeFetch([
      { body: '{"ok":true,"users":["U0MEMBER"]}' },
      { body: '{"ok":true,"users":[]}' },
    ]);
    let clock = 0;
    const slack = slackClient({ botToken: BOT_TOKEN, fetch, now: () => clock });

    // Act
    const first = await slack.isInUserGroup('U0MEMBER', 'S0ONCALL');
    const cached = await slack.isInUserGroup('U0OTHER', 'S0ONCALL');
    clock = 300_001;
    const reread = await slack.isInUserGroup('U0MEMBER', 'S0ONCALL');

    // Assess
    expect([first, cached, reread]).toEqual([true, false, false]);
    expect(calls).toMatchObject([
      {
        url: 'https://slack.com/api/usergroups.users.list?usergroup=S0ONCALL',
        method: 'GET',
        body: undefined,
      },
      { method: 'GET' },
    ]);
  });

  it('knows no user group without a bot token', async () => {
    // Prepare
    const { fetch, calls } = fakeFetch();

    // Act / Assess
    expect(await slackClient({ webhookUrl: WEBHOOK, fetch }).isInUserGroup('U0', 'S0')).toBe(false);
    expect(calls).toEqual([]);
  });
});

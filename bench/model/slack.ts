/**
 * Slack as the scale model sees it: a `fetch` for Cordon's Slack client that answers `chat.postMessage` and
 * incoming webhooks, each channel (a webhook posts to one channel) limited by Slack's published rate; past
 * it Slack answers HTTP 429 with `Retry-After`, as its rate-limit page describes
 * (https://docs.slack.dev/apis/web-api/rate-limits).
 */
import type { Latencies } from './latency.ts';
import type { QuotaBook } from './quota-book.ts';
import { sampleLatency } from './random.ts';
import type { VirtualTime } from './virtual-time.ts';

export interface PostedMessage {
  /** `chat.postMessage`'s channel, or `webhook` for the incoming webhook's channel. */
  readonly channel: string;
  readonly kind: 'approval' | 'notification';
  readonly at: number;
  /** The message as posted (Block Kit JSON). */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface SlackCounts {
  posted: number;
  refused: number;
}

/** The webhook URL the model gives notify (a secret in AWS; here it only names the channel). */
export const MODEL_WEBHOOK_URL = 'https://hooks.slack.com/services/T0MODEL/B0MODEL/model';

export class SlackModel {
  public readonly posted: PostedMessage[] = [];
  public readonly counts = { approval: { posted: 0, refused: 0 }, notification: { posted: 0, refused: 0 } };
  private readonly listeners: Array<(message: PostedMessage) => void> = [];

  public constructor(
    private readonly time: VirtualTime,
    private readonly quotas: QuotaBook,
    private readonly latencies: Latencies,
    private readonly random: () => number,
    /** Keep every posted message's body (tests); the storm keeps counts only. */
    private readonly keepBodies = false,
  ) {}

  /** Sees every message Slack accepted. */
  public onPost(listener: (message: PostedMessage) => void): void {
    this.listeners.push(listener);
  }

  /** The `fetch` Cordon's Slack client is given. */
  public readonly fetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const latency = sampleLatency(this.latencies.slack, this.random);
    await this.time.sleep(latency / 2);
    const body = JSON.parse(String(init?.body ?? '{}')) as Record<string, unknown>;
    const webhook = url === MODEL_WEBHOOK_URL;
    const channel = webhook ? 'webhook' : String(body.channel ?? '');
    const kind: PostedMessage['kind'] = webhook ? 'notification' : 'approval';
    const accepted = this.quotas.take(webhook ? 'slackWebhook' : 'slackChatPostMessage', channel);
    await this.time.sleep(latency / 2);
    if (!accepted) {
      this.counts[kind].refused += 1;
      return new Response('rate_limited', { status: 429, headers: { 'retry-after': '1' } });
    }
    this.counts[kind].posted += 1;
    const message: PostedMessage = { channel, kind, at: this.time.now, body: this.keepBodies ? body : {} };
    if (this.keepBodies) this.posted.push(message);
    for (const listener of this.listeners) listener({ ...message, body });
    if (webhook) return new Response('ok', { status: 200 });
    return new Response(
      JSON.stringify({ ok: true, channel, ts: `${Math.floor(this.time.now / 1000)}.000100` }),
      {
        status: 200,
        headers: { 'content-type': 'application/json' },
      },
    );
  };
}

/**
 * The Block Kit Cordon posts: the types of the blocks it uses, and builders that keep each within Slack's
 * limits (https://docs.slack.dev/reference/block-kit/blocks). Builders take `mrkdwn` that is already escaped
 * (`escapeMrkdwn` on every piece of finding text, Cordon's own markup around it) and clip it to the limit.
 */
import {
  clip,
  SLACK_BLOCKS_MAX,
  SLACK_CONTEXT_ELEMENTS_MAX,
  SLACK_FIELD_MAX,
  SLACK_FIELDS_MAX,
  SLACK_HEADER_MAX,
  SLACK_NOTIFICATION_TEXT_MAX,
  SLACK_TEXT_MAX,
} from './mrkdwn.ts';

export interface SlackMrkdwnText {
  readonly type: 'mrkdwn';
  readonly text: string;
  /** Always `true`: Slack then neither auto-links URLs nor parses mentions in the text. */
  readonly verbatim: true;
}
export interface SlackPlainText {
  readonly type: 'plain_text';
  readonly text: string;
  readonly emoji?: boolean;
}
export type SlackTextObject = SlackMrkdwnText | SlackPlainText;

/** https://docs.slack.dev/reference/block-kit/composition-objects/confirmation-dialog-object */
export interface SlackConfirm {
  readonly title: SlackPlainText;
  readonly text: SlackPlainText;
  readonly confirm: SlackPlainText;
  readonly deny: SlackPlainText;
}

/** https://docs.slack.dev/reference/block-kit/block-elements/button-element */
export interface SlackButton {
  readonly type: 'button';
  readonly action_id: string;
  readonly text: SlackPlainText;
  readonly value: string;
  readonly style?: 'primary' | 'danger';
  readonly confirm?: SlackConfirm;
}

export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackPlainText }
  | {
      readonly type: 'section';
      readonly text?: SlackMrkdwnText;
      readonly fields?: readonly SlackMrkdwnText[];
    }
  | { readonly type: 'actions'; readonly block_id: string; readonly elements: readonly SlackButton[] }
  | { readonly type: 'context'; readonly elements: readonly SlackMrkdwnText[] };

/** A message for `chat.postMessage`, an incoming webhook, `chat.update` or an interaction's `response_url`. */
export interface SlackMessage {
  /** `chat.postMessage` only (the approval channel); a webhook posts to its own channel. */
  readonly channel?: string;
  /** The push notification and the fallback of clients without blocks: escaped like the blocks. */
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
  /** Unfurlers fetch links: Cordon's links are never unfurled (and GET never decides anyway). */
  readonly unfurl_links: false;
  readonly unfurl_media: false;
}

/**
 * A `mrkdwn` text object, clipped to `max` (3,000 by default), `verbatim` so that Slack adds no links or
 * mentions of its own.
 *
 * @example mrkdwn('*Severity*\nHIGH (8.0)', 2000) // { type: 'mrkdwn', text: '*Severity*\nHIGH (8.0)', verbatim: true }
 */
export function mrkdwn(escaped: string, max: number = SLACK_TEXT_MAX): SlackMrkdwnText {
  return { type: 'mrkdwn', text: clip(escaped, max), verbatim: true };
}

/**
 * A `plain_text` object: Slack shows it as it is (no markup), clipped to `max`.
 *
 * @example plainText('Approve', 75) // { type: 'plain_text', text: 'Approve' }
 */
export function plainText(text: string, max: number): SlackPlainText {
  return { type: 'plain_text', text: clip(text, max) };
}

/** A header block (plain text, 150 characters). */
export function headerBlock(text: string): SlackBlock {
  return { type: 'header', text: plainText(text, SLACK_HEADER_MAX) };
}

/** A section: `text` (3,000) and at most 10 `fields` of 2,000 each; extra fields are dropped. */
export function sectionBlock(options: {
  readonly text?: string;
  readonly fields?: readonly string[];
}): SlackBlock {
  return {
    type: 'section',
    ...(options.text === undefined ? {} : { text: mrkdwn(options.text) }),
    ...(options.fields === undefined
      ? {}
      : { fields: options.fields.slice(0, SLACK_FIELDS_MAX).map((field) => mrkdwn(field, SLACK_FIELD_MAX)) }),
  };
}

/** A context block of at most 10 `mrkdwn` elements. */
export function contextBlock(elements: readonly string[]): SlackBlock {
  return {
    type: 'context',
    elements: elements.slice(0, SLACK_CONTEXT_ELEMENTS_MAX).map((text) => mrkdwn(text)),
  };
}

/**
 * A whole message: the escaped notification text (clipped) and at most 50 blocks, unfurling off.
 *
 * @example slackMessage('HIGH instance-compromise: contained', blocks).unfurl_links // false
 */
export function slackMessage(text: string, blocks: readonly SlackBlock[]): SlackMessage {
  return {
    text: clip(text, SLACK_NOTIFICATION_TEXT_MAX),
    blocks: blocks.slice(0, SLACK_BLOCKS_MAX),
    unfurl_links: false,
    unfurl_media: false,
  };
}

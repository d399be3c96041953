/**
 * Slack text: the limits Block Kit enforces, and the escaping that keeps text from a finding (a title, a
 * resource name, an error message, a comment — all attacker-influenced) from becoming Slack markup.
 *
 * Slack parses `&`, `<` and `>` as control characters: `<!channel>`, `<!here>`, `<!everyone>`,
 * `<!subteam^S…>`, `<@U…>`, `<#C…>`, `<!date^…>` and `<https://…|label>` all start with `<`. Escaping those
 * three characters as `&amp;`, `&lt;` and `&gt;` — and only those — is Slack's rule for text that is not meant
 * to be markup (https://docs.slack.dev/messaging/formatting-message-text#escaping-text). Mentions written
 * without `<…>` (`@channel`) are only linked when a message asks for it (`link_names`, `parse=full`), which
 * Cordon never does (https://github.com/slackhq/slack-api-docs/blob/master/page_formatting.md), and every
 * `mrkdwn` text object carrying finding text is `verbatim`, so that Slack does not auto-link URLs or parse
 * mentions in it (https://docs.slack.dev/reference/block-kit/composition-objects/text-object).
 *
 * Escaping is the last step of every text: nothing normalises the result afterwards. It also folds the
 * characters whose compatibility or canonical decomposition contains `<`, `>` or `&` (full-width `＜＞＆`,
 * small `﹤﹥﹠`, `≮≯`), so that not even a later NFKD of the message — the SNS subject does one — can turn a
 * title into a control sequence.
 */

/** A text object's `text`: 1 to 3,000 characters (https://docs.slack.dev/reference/block-kit/composition-objects/text-object). */
export const SLACK_TEXT_MAX = 3_000;
/** A section's `fields`: at most 10, each at most 2,000 characters (https://docs.slack.dev/reference/block-kit/blocks/section-block). */
export const SLACK_FIELD_MAX = 2_000;
export const SLACK_FIELDS_MAX = 10;
/** A header's `plain_text`: at most 150 characters (https://docs.slack.dev/reference/block-kit/blocks/header-block). */
export const SLACK_HEADER_MAX = 150;
/** A context block: at most 10 elements (https://docs.slack.dev/reference/block-kit/blocks/context-block). */
export const SLACK_CONTEXT_ELEMENTS_MAX = 10;
/**
 * A button: text at most 75 characters, `value` at most 2,000, `action_id` at most 255
 * (https://docs.slack.dev/reference/block-kit/block-elements/button-element).
 */
export const SLACK_BUTTON_TEXT_MAX = 75;
export const SLACK_BUTTON_VALUE_MAX = 2_000;
export const SLACK_ACTION_ID_MAX = 255;
/**
 * A confirmation dialog: title 100 characters, text 300, the two buttons 30 each, all `plain_text`
 * (https://docs.slack.dev/reference/block-kit/composition-objects/confirmation-dialog-object).
 */
export const SLACK_CONFIRM_TITLE_MAX = 100;
export const SLACK_CONFIRM_TEXT_MAX = 300;
export const SLACK_CONFIRM_BUTTON_MAX = 30;
/** A message holds at most 50 blocks (https://docs.slack.dev/reference/block-kit/blocks). */
export const SLACK_BLOCKS_MAX = 50;
/**
 * The top-level `text` (the push notification, and what clients without blocks show). Slack truncates it at
 * 40,000 characters (https://api.slack.com/changelog/2018-04-truncating-really-long-messages); a notification
 * line is kept far shorter.
 */
export const SLACK_NOTIFICATION_TEXT_MAX = 3_000;

/**
 * Characters that decompose (NFKD or NFD) to `<`, `>` or `&`, each mapped to the ASCII character it stands
 * for. The test walks every Unicode code point to prove this list complete for the running Node.
 */
export const SLACK_LOOKALIKES: Readonly<Record<string, '<' | '>' | '&'>> = Object.freeze({
  '\u226E': '<', // ≮ NOT LESS-THAN: `<` + U+0338 under NFD
  '\uFE64': '<', // ﹤ SMALL LESS-THAN SIGN
  '\uFF1C': '<', // ＜ FULLWIDTH LESS-THAN SIGN
  '\u226F': '>', // ≯ NOT GREATER-THAN
  '\uFE65': '>', // ﹥ SMALL GREATER-THAN SIGN
  '\uFF1E': '>', // ＞ FULLWIDTH GREATER-THAN SIGN
  '\uFE60': '&', // ﹠ SMALL AMPERSAND
  '\uFF06': '&', // ＆ FULLWIDTH AMPERSAND
});

const ENTITIES: Readonly<Record<'<' | '>' | '&', string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const CONTROL_OR_LOOKALIKE = /[&<>\u226E\u226F\uFE60\uFE64\uFE65\uFF06\uFF1C\uFF1E]/g;

/**
 * Escapes text for Slack's `mrkdwn` (and the top-level `text`): `&`, `<` and `>` — and the characters that
 * decompose to them — become `&amp;`, `&lt;` and `&gt;`. Nothing else changes. Apply it last: to text that
 * has already been normalised, clipped or made ASCII, never before.
 *
 * @example escapeMrkdwn('<!channel> ＜@U1＞ & more') // '&lt;!channel&gt; &lt;@U1&gt; &amp; more'
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(
    CONTROL_OR_LOOKALIKE,
    (character) => ENTITIES[SLACK_LOOKALIKES[character] ?? (character as '<' | '>' | '&')],
  );
}

const ENTITY_AT_END = /&(?:a|am|amp|l|lt|g|gt)?$/;

/**
 * Shortens text to at most `max` characters (UTF-16 code units, which never undercounts Slack's characters),
 * ending with `…`. It never cuts an escaped entity (`&amp;`) or a surrogate pair in two, so clipping escaped
 * text keeps it escaped and valid UTF-8.
 *
 * @example clip('a'.repeat(10), 5) // 'aaaa…'
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  // A high surrogate without its pair would be an invalid character.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  cut = cut.replace(ENTITY_AT_END, '');
  return `${cut}…`;
}

/**
 * Slack's date formatting: shown in the reader's own time zone, with the ISO time for clients that cannot.
 * https://docs.slack.dev/messaging/formatting-message-text#date-formatting
 *
 * @example slackDate('2026-11-28T10:59:30.000Z') // '<!date^1795863570^{date_short_pretty} {time}|2026-11-28T10:59:30.000Z>'
 */
export function slackDate(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  if (!Number.isFinite(seconds)) return escapeMrkdwn(iso);
  return `<!date^${seconds}^{date_short_pretty} {time}|${escapeMrkdwn(new Date(seconds * 1000).toISOString())}>`;
}

/**
 * A link with a label: `<url|label>`, for URLs Cordon makes (the approval page). The URL must be http(s);
 * `|`, `<` and `>` are percent-encoded so that they cannot end the markup early, and `&` stays as it is
 * (Slack's mobile clients do not decode `&amp;` inside a link: https://github.com/slackapi/bolt-js/issues/2103).
 * The label is escaped. Anything else is not a link and shows as escaped text.
 *
 * @example slackLink('https://approvals.example.com/approvals/q1?exp=1&sig=ab', 'Open the approval page') // '<https://approvals.example.com/approvals/q1?exp=1&sig=ab|Open the approval page>'
 */
export function slackLink(url: string, label: string): string {
  const parsed = parseUrl(url);
  if (parsed === undefined) return escapeMrkdwn(label);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return escapeMrkdwn(label);
  const href = parsed.toString().replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E');
  return `<${href}|${escapeMrkdwn(label)}>`;
}

/** Slack member ids: `U…` or `W…` (Enterprise Grid), upper-case letters and digits. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,31}$/;

/**
 * A user mention `<@U…>` for an id Slack gave us (the clicking user); anything not shaped like a member id
 * is shown as escaped text, never as markup.
 *
 * @example slackUserMention('U0APPROVER') // '<@U0APPROVER>'
 */
export function slackUserMention(userId: string): string {
  return SLACK_USER_ID.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

/** `new URL(url)`, or undefined when it is not a URL (no annotation: the URL type differs across @types/node). */
function parseUrl(url: string) {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

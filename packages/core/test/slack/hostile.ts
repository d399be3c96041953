/** Hostile text for the Slack tests: what a finding title (or a name, a comment) may try to smuggle in. */
import fc from 'fast-check';
import type { SlackMessage } from '../../src/slack/blocks.ts';

/** Control sequences Slack parses (https://docs.slack.dev/messaging/formatting-message-text), and disguises. */
const SEQUENCES = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!subteam^S0123|@oncall>',
  '<@U0123ABCD>',
  '<@W0123|boss>',
  '<#C0123|general>',
  '<https://evil.example/login|Open the approval page>',
  '<mailto:x@evil.example|mail>',
  '<!date^1795863570^{date}|x>',
  '＜!channel＞',
  '﹤!here﹥',
  '≮!everyone≯',
  '＜https://evil.example｜click＞',
  '&lt;!channel&gt;',
  '&amp;lt;!here&amp;gt;',
  '@channel',
  '@here',
  'https://evil.example/',
  '|',
  '&',
  '<',
  '>',
];

/** Strings mixing Slack's control sequences, their look-alikes and arbitrary Unicode. */
export function hostileText(): fc.Arbitrary<string> {
  const piece = fc.oneof(
    fc.constantFrom(...SEQUENCES),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.string({
      unit: fc.constantFrom(
        '<',
        '>',
        '&',
        '!',
        '@',
        '#',
        '|',
        '^',
        '＜',
        '＞',
        '＆',
        '≮',
        '≯',
        '\u0338',
        'a',
      ),
      maxLength: 8,
    }),
  );
  return fc.array(piece, { minLength: 1, maxLength: 6 }).map((pieces) => pieces.join(''));
}

/** Every text of a message that Slack reads as mrkdwn: the top-level text and each mrkdwn object. */
export function mrkdwnTexts(message: Pick<SlackMessage, 'text' | 'blocks'>): string[] {
  const texts = [message.text];
  for (const block of message.blocks) {
    if (block.type === 'section') {
      if (block.text !== undefined) texts.push(block.text.text);
      for (const field of block.fields ?? []) texts.push(field.text);
    } else if (block.type === 'context') {
      for (const element of block.elements) texts.push(element.text);
    }
  }
  return texts;
}

/**
 * The control sequences Slack would parse in a text (`<…>`), after removing the ones Cordon wrote on
 * purpose; what is left over of `<` and `>` (a sequence needs both) is reported too. Checked on the text as
 * sent and after NFKD with marks dropped (what a later normaliser could produce).
 */
export function strayControlSequences(text: string, allowed: readonly RegExp[]): string[] {
  const stray: string[] = [];
  for (const candidate of [text, text.normalize('NFKD').replace(/\p{M}/gu, '')]) {
    let rest = candidate;
    for (const pattern of allowed) rest = rest.replace(new RegExp(pattern.source, 'g'), '');
    stray.push(...(rest.match(/<[^>]*>|[<>]/g) ?? []));
  }
  return stray;
}

/** The sequences Cordon writes itself: dates, and links to the approval page it signed. */
export const CORDON_DATE =
  /<!date\^\d+\^\{date_short_pretty\} \{time\}\|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z>/;

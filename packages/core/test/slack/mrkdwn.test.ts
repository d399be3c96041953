import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clip,
  escapeMrkdwn,
  SLACK_LOOKALIKES,
  slackDate,
  slackLink,
  slackUserMention,
} from '../../src/slack/mrkdwn.ts';
import { hostileText } from './hostile.ts';

/** What a normaliser further down the line could make of a text: NFKD with the combining marks dropped. */
function folded(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '');
}

/** Slack's decoding of the three entities (what a reader sees). */
function slackDecode(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

describe('SLACK_LOOKALIKES', () => {
  it('lists every character whose decomposition contains <, > or & (walked over all of Unicode)', () => {
    // Prepare
    const found: Record<string, string> = {};

    // Act
    for (let code = 0x80; code <= 0x10ffff; code += 1) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const character = String.fromCodePoint(code);
      const decomposed = character.normalize('NFKD');
      const base = ['<', '>', '&'].find((control) => decomposed.includes(control));
      if (base !== undefined) found[character] = base;
    }

    // Assess
    expect(found).toEqual(SLACK_LOOKALIKES);
  });
});

describe('escapeMrkdwn', () => {
  it('escapes exactly &, < and >: Slack shows the text as it was', () => {
    // Act / Assess
    expect(escapeMrkdwn('Key <AKIA…> used & more')).toBe('Key &lt;AKIA…&gt; used &amp; more');
    expect(escapeMrkdwn('*bold* _x_ `y` @here #general')).toBe('*bold* _x_ `y` @here #general');
  });

  it('turns full-width and small forms of < > & into escaped ASCII, never into markup', () => {
    // Act / Assess
    expect(escapeMrkdwn('＜!channel＞ ﹤@U0123﹥ ≮!here≯ ＆ ﹠')).toBe(
      '&lt;!channel&gt; &lt;@U0123&gt; &lt;!here&gt; &amp; &amp;',
    );
  });

  it('leaves no control character, even after a later NFKD (property)', () => {
    fc.assert(
      fc.property(hostileText(), (text) => {
        // Act
        const escaped = escapeMrkdwn(text);

        // Assess
        expect(escaped).not.toMatch(/[<>]/);
        expect(folded(escaped)).not.toMatch(/[<>]/);
        expect(escaped.replace(/&(?:amp|lt|gt);/g, '')).not.toContain('&');
      }),
      { numRuns: 500 },
    );
  });

  it('changes nothing but the control characters and their look-alikes (property)', () => {
    fc.assert(
      fc.property(hostileText(), (text) => {
        // Prepare
        const lookalikesFolded = [...text]
          .map((character) => SLACK_LOOKALIKES[character] ?? character)
          .join('');

        // Act / Assess
        expect(slackDecode(escapeMrkdwn(text))).toBe(lookalikesFolded);
      }),
      { numRuns: 500 },
    );
  });
});

describe('clip', () => {
  it('keeps short text as it is and ends long text with an ellipsis, within the limit', () => {
    // Act / Assess
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('abcdef', 4)).toBe('abc…');
  });

  it('never cuts an entity or a surrogate pair in two, and stays within the limit (property)', () => {
    fc.assert(
      fc.property(hostileText(), fc.integer({ min: 1, max: 60 }), (text, max) => {
        // Act
        const clipped = clip(escapeMrkdwn(text), max);

        // Assess
        expect(clipped.length).toBeLessThanOrEqual(max);
        expect(clipped.replace(/&(?:amp|lt|gt);/g, '')).not.toContain('&');
        expect(clipped).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('slackLink', () => {
  it('writes a link whose URL cannot end early and whose label is escaped', () => {
    // Act / Assess
    expect(
      slackLink('https://approvals.example.com/approvals/q1?exp=1&sig=ab', 'Open the approval page'),
    ).toBe('<https://approvals.example.com/approvals/q1?exp=1&sig=ab|Open the approval page>');
    expect(slackLink('https://x.example/a|b>c<d', 'go <!here>')).toBe(
      '<https://x.example/a%7Cb%3Ec%3Cd|go &lt;!here&gt;>',
    );
  });

  it('is no link at all for a URL that is not http(s)', () => {
    // Act / Assess
    expect(slackLink('javascript:alert(1)', 'click')).toBe('click');
    expect(slackLink('not a url', '<!channel>')).toBe('&lt;!channel&gt;');
  });
});

describe('slackUserMention', () => {
  it('mentions a Slack member id and escapes anything else', () => {
    // Act / Assess
    expect(slackUserMention('U0APPROVER')).toBe('<@U0APPROVER>');
    expect(slackUserMention('U0|fake>')).toBe('U0|fake&gt;');
    expect(slackUserMention('!channel')).toBe('!channel');
  });
});

describe('slackDate', () => {
  it('shows the time in the reader’s zone, the ISO time as fallback; a bad date is escaped text', () => {
    // Act / Assess
    expect(slackDate('2026-11-28T10:59:30.000Z')).toBe(
      '<!date^1795863570^{date_short_pretty} {time}|2026-11-28T10:59:30.000Z>',
    );
    expect(slackDate('<!channel>')).toBe('&lt;!channel&gt;');
  });
});

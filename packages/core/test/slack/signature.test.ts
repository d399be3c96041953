import { describe, expect, it } from 'vitest';
import { slackSignature, verifySlackSignature } from '../../src/slack/signature.ts';
import { NOW, SLACK_SECRET } from '../approval/fixtures.ts';

const BODY = 'payload=%7B%22type%22%3A%22block_actions%22%7D';
const SECONDS = NOW.getTime() / 1000;

function verifyAt(timestamp: number, options: { body?: string; signature?: string; now?: Date } = {}) {
  const ts = String(timestamp);
  return verifySlackSignature({
    signingSecret: SLACK_SECRET,
    timestamp: ts,
    body: options.body ?? BODY,
    signature: options.signature ?? slackSignature(SLACK_SECRET, ts, BODY),
    now: options.now ?? NOW,
  });
}

describe('verifySlackSignature', () => {
  it('accepts a request Slack signed within five minutes', () => {
    // Act / Assess
    expect(verifyAt(SECONDS - 299)).toEqual({ ok: true });
    expect(verifyAt(SECONDS + 299)).toEqual({ ok: true });
  });

  it('a Slack request older than five minutes is refused, even correctly signed', () => {
    // Act / Assess
    expect(verifyAt(SECONDS - 301)).toEqual({ ok: false, reason: 'stale' });
  });

  it('a Slack request dated more than five minutes ahead is refused', () => {
    // Act / Assess
    expect(verifyAt(SECONDS + 301)).toEqual({ ok: false, reason: 'stale' });
  });

  it('a bad Slack signature is refused', () => {
    // Act / Assess
    expect(verifyAt(SECONDS, { signature: slackSignature('another-secret', String(SECONDS), BODY) })).toEqual(
      {
        ok: false,
        reason: 'bad-signature',
      },
    );
  });

  it('a body changed after signing is refused', () => {
    // Act / Assess
    expect(
      verifyAt(SECONDS, { body: `${BODY}x`, signature: slackSignature(SLACK_SECRET, String(SECONDS), BODY) }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each([
    ['no signature', { signature: undefined, timestamp: String(SECONDS) }],
    ['a v1 signature', { signature: `v1=${'0'.repeat(64)}`, timestamp: String(SECONDS) }],
    ['no timestamp', { signature: `v0=${'0'.repeat(64)}`, timestamp: undefined }],
    ['a fractional timestamp', { signature: `v0=${'0'.repeat(64)}`, timestamp: '1.5' }],
  ])('%s is malformed', (_name, values) => {
    // Act / Assess
    expect(verifySlackSignature({ signingSecret: SLACK_SECRET, body: BODY, now: NOW, ...values })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });
});

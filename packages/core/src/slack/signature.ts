/**
 * Slack's request signatures (DOMAIN.md item 28): `X-Slack-Signature` is `v0=` + hex HMAC-SHA256 of
 * `v0:{X-Slack-Request-Timestamp}:{raw body}` keyed with the app's signing secret; a request more than five
 * minutes from now is refused, and the comparison is constant-time
 * (https://docs.slack.dev/authentication/verifying-requests-from-slack).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's replay window: a request signed more than five minutes away from now is refused. */
export const SLACK_MAX_SKEW_SECONDS = 300;

const TIMESTAMP_PATTERN = /^\d{1,12}$/;
const SIGNATURE_PATTERN = /^v0=[0-9a-f]{64}$/;

export type SlackVerification =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'malformed' | 'stale' | 'bad-signature' };

export interface VerifySlackSignatureOptions {
  readonly signingSecret: string;
  /** `X-Slack-Request-Timestamp` as received (any value). */
  readonly timestamp: unknown;
  /** The raw request body, byte for byte as received: a re-encoded body would not verify. */
  readonly body: string;
  /** `X-Slack-Signature` as received (any value). */
  readonly signature: unknown;
  readonly now: Date;
}

/**
 * Checks a Slack request: the signature, compared in constant time, and the timestamp within five minutes of
 * now in either direction (a replayed or pre-signed request is refused). Never throws.
 *
 * @example verifySlackSignature({ signingSecret, timestamp: '1795860000', body, signature: 'v0=a2f1…', now }) // { ok: true }
 */
export function verifySlackSignature(options: VerifySlackSignatureOptions): SlackVerification {
  const { signingSecret, timestamp, body, signature, now } = options;
  if (
    typeof timestamp !== 'string' ||
    typeof signature !== 'string' ||
    !TIMESTAMP_PATTERN.test(timestamp) ||
    !SIGNATURE_PATTERN.test(signature) ||
    signingSecret === ''
  ) {
    return { ok: false, reason: 'malformed' };
  }
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > SLACK_MAX_SKEW_SECONDS) {
    return { ok: false, reason: 'stale' };
  }
  const expected = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest();
  const received = Buffer.from(signature.slice(3), 'hex');
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return { ok: false, reason: 'bad-signature' };
  }
  return { ok: true };
}

/**
 * Signs a Slack request the way Slack does; for tests and the local engine's simulated clicks.
 *
 * @example slackSignature('secret', '1795860000', 'payload=…') // 'v0=…'
 */
export function slackSignature(signingSecret: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

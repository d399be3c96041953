/**
 * Signed approval links (DOMAIN.md items 25–27). A link names an approval by its id, carries its expiry
 * (`exp`, epoch seconds) and an HMAC-SHA256 over both (`sig`, hex). It never carries the task token: the
 * token stays in the approval record, server-side.
 *
 * Verification is constant-time and total: any string (or none) goes in, a reason comes out, nothing throws.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApprovalSigningKeyInvalidError } from '../errors.ts';

/** Approval ids: url-safe base64 of at least 16 random bytes (see `newApprovalId`), at most 64 characters. */
export const APPROVAL_ID_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;
/** A link-signing key shorter than this is refused when signing: it would be guessable. */
export const MIN_SIGNING_KEY_LENGTH = 32;

const EXP_PATTERN = /^\d{1,12}$/;
const SIG_PATTERN = /^[0-9a-f]{64}$/;

export type LinkVerification =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'bad-signature' | 'expired' | 'malformed' };

export interface SignApprovalLinkOptions {
  /** Where the approval API answers, e.g. the Function URL (`https://….lambda-url.us-east-1.on.aws/`). */
  readonly baseUrl: string;
  readonly approvalId: string;
  /** When the link stops working; rounded down to a whole second (the link can only expire earlier). */
  readonly expiresAt: Date;
  /** The link-signing key (an SSM SecureString); at least 32 characters. */
  readonly key: string;
}

export interface VerifyApprovalLinkOptions {
  readonly approvalId: string;
  /** The `exp` query value as received (any value: garbage is `malformed`, never an exception). */
  readonly exp: unknown;
  /** The `sig` query value as received. */
  readonly sig: unknown;
  readonly key: string;
  readonly now: Date;
}

function mac(key: string, approvalId: string, exp: string): Buffer {
  return createHmac('sha256', key).update(`${approvalId}.${exp}`).digest();
}

/** The expiry of a link in epoch seconds: rounded down, so a link never outlives its `expiresAt`. */
export function linkExpiry(expiresAt: Date): number {
  return Math.floor(expiresAt.getTime() / 1000);
}

/**
 * The signature of an approval link (hex HMAC-SHA256 over `${approvalId}.${exp}`).
 *
 * @example approvalLinkSignature('k'.repeat(32), 'q1w2e3r4t5y6u7i8o9p0aa', 1795860000) // '5c1f…' (64 hex digits)
 */
export function approvalLinkSignature(key: string, approvalId: string, exp: number): string {
  if (key.length < MIN_SIGNING_KEY_LENGTH) {
    throw new ApprovalSigningKeyInvalidError(
      `the link-signing key must be at least ${MIN_SIGNING_KEY_LENGTH} characters (generate one with \`openssl rand -hex 32\`)`,
    );
  }
  return mac(key, approvalId, String(exp)).toString('hex');
}

/**
 * Makes the link to an approval page: `<baseUrl>/approvals/<id>?exp=<epoch seconds>&sig=<hex HMAC>`.
 *
 * @example
 * signApprovalLink({ baseUrl: 'https://approvals.example.com', approvalId: 'q1w2e3r4t5y6u7i8o9p0aa', expiresAt: new Date('2026-11-28T11:00:00Z'), key })
 * // 'https://approvals.example.com/approvals/q1w2e3r4t5y6u7i8o9p0aa?exp=1795863600&sig=…'
 */
export function signApprovalLink(options: SignApprovalLinkOptions): string {
  const exp = linkExpiry(options.expiresAt);
  const sig = approvalLinkSignature(options.key, options.approvalId, exp);
  const url = new URL(options.baseUrl);
  // The base may carry a path prefix (a proxy mounting the API under /cordon/): keep it, drop a trailing slash.
  const prefix = url.pathname.replace(/\/+$/, '');
  url.pathname = `${prefix}/approvals/${encodeURIComponent(options.approvalId)}`;
  url.search = new URLSearchParams({ exp: String(exp), sig }).toString();
  url.hash = '';
  return url.toString();
}

/**
 * Checks a link's signature, then its expiry. The signature comes first so that an unsigned request learns
 * nothing (not even whether an id has expired). Constant-time: `timingSafeEqual` on two 32-byte MACs.
 *
 * @example verifyApprovalLink({ approvalId, exp: '1795863600', sig, key, now: new Date() }) // { ok: true }
 */
export function verifyApprovalLink(options: VerifyApprovalLinkOptions): LinkVerification {
  const { approvalId, exp, sig, key, now } = options;
  if (
    typeof exp !== 'string' ||
    typeof sig !== 'string' ||
    !APPROVAL_ID_PATTERN.test(approvalId) ||
    !EXP_PATTERN.test(exp) ||
    !SIG_PATTERN.test(sig)
  ) {
    return { ok: false, reason: 'malformed' };
  }
  // A key too short to sign with cannot have signed anything: every link is refused, nothing throws.
  if (key.length < MIN_SIGNING_KEY_LENGTH) return { ok: false, reason: 'bad-signature' };
  const expected = mac(key, approvalId, exp);
  const received = Buffer.from(sig, 'hex');
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return { ok: false, reason: 'bad-signature' };
  }
  if (now.getTime() >= Number(exp) * 1000) return { ok: false, reason: 'expired' };
  return { ok: true };
}

/**
 * A group's id (groups.ts): 22 url-safe characters naming the group's kind, `_`, its generation. Its links
 * sign `group.<id>`, which no approval link can be made to sign (approval ids hold no `.`), and no approval
 * record is stored under a group's id: a group id given as an approval id finds nothing.
 */
export const GROUP_ID_PATTERN = /^[A-Za-z0-9_-]{22}_[1-9][0-9]{0,8}$/;

/** What a group link's HMAC covers: `group.<id>`, apart from every approval id (they contain no `.`). */
function groupSubject(groupId: string): string {
  return `group.${groupId}`;
}

export interface SignGroupLinkOptions {
  readonly baseUrl: string;
  readonly groupId: string;
  /** When the link stops working: no later than the last member's own expiry can be. */
  readonly expiresAt: Date;
  readonly key: string;
}

/**
 * Makes the link to a group's page: `<baseUrl>/groups/<id>?exp=<epoch seconds>&sig=<hex HMAC>`, the HMAC over
 * `group.<id>.<exp>` with the link-signing key (an approval's link signs `<approvalId>.<exp>`, and no approval
 * id contains a `.`: neither link can be passed off as the other).
 *
 * @example
 * signGroupLink({ baseUrl: 'https://approvals.example.com', groupId: 'AbCdEfGhIjKlMnOpQrStUv_1', expiresAt, key })
 * // 'https://approvals.example.com/groups/AbCdEfGhIjKlMnOpQrStUv_1?exp=1795863600&sig=…'
 */
export function signGroupLink(options: SignGroupLinkOptions): string {
  const exp = linkExpiry(options.expiresAt);
  const sig = approvalLinkSignature(options.key, groupSubject(options.groupId), exp);
  const url = new URL(options.baseUrl);
  const prefix = url.pathname.replace(/\/+$/, '');
  url.pathname = `${prefix}/groups/${encodeURIComponent(options.groupId)}`;
  url.search = new URLSearchParams({ exp: String(exp), sig }).toString();
  url.hash = '';
  return url.toString();
}

/**
 * Checks a group link as `verifyApprovalLink` checks an approval's: shape, then signature (constant-time),
 * then expiry. Total: any input, a reason out, nothing thrown.
 *
 * @example verifyGroupLink({ groupId, exp: '1795863600', sig, key, now: new Date() }) // { ok: true }
 */
export function verifyGroupLink(options: {
  readonly groupId: string;
  readonly exp: unknown;
  readonly sig: unknown;
  readonly key: string;
  readonly now: Date;
}): LinkVerification {
  if (!GROUP_ID_PATTERN.test(options.groupId)) return { ok: false, reason: 'malformed' };
  const { exp, sig, key, now } = options;
  if (
    typeof exp !== 'string' ||
    typeof sig !== 'string' ||
    !EXP_PATTERN.test(exp) ||
    !SIG_PATTERN.test(sig)
  ) {
    return { ok: false, reason: 'malformed' };
  }
  if (key.length < MIN_SIGNING_KEY_LENGTH) return { ok: false, reason: 'bad-signature' };
  const expected = mac(key, groupSubject(options.groupId), exp);
  const received = Buffer.from(sig, 'hex');
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return { ok: false, reason: 'bad-signature' };
  }
  if (now.getTime() >= Number(exp) * 1000) return { ok: false, reason: 'expired' };
  return { ok: true };
}

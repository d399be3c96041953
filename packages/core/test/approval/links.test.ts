import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  approvalLinkSignature,
  GROUP_ID_PATTERN,
  linkExpiry,
  signApprovalLink,
  signGroupLink,
  verifyApprovalLink,
  verifyGroupLink,
} from '../../src/approval/links.ts';
import { ApprovalSigningKeyInvalidError } from '../../src/errors.ts';
import {
  APPROVAL_ID,
  EXPIRES_AT,
  LINK_KEY,
  NOW,
  OTHER_APPROVAL_ID,
  signedLink,
  TASK_TOKEN,
} from './fixtures.ts';

function verify(link: URL, approvalId = APPROVAL_ID, now = NOW, key = LINK_KEY) {
  return verifyApprovalLink({
    approvalId,
    exp: link.searchParams.get('exp') ?? undefined,
    sig: link.searchParams.get('sig') ?? undefined,
    key,
    now,
  });
}

describe('signApprovalLink', () => {
  it('the link carries only the approval id, its expiry and its signature — never the task token', () => {
    // Act
    const link = signedLink();

    // Assess
    expect(link.pathname).toBe(`/approvals/${APPROVAL_ID}`);
    expect([...link.searchParams.keys()].sort()).toEqual(['exp', 'sig']);
    expect(link.searchParams.get('exp')).toBe(String(EXPIRES_AT.getTime() / 1000));
    expect(link.searchParams.get('sig')).toMatch(/^[0-9a-f]{64}$/);
    expect(link.toString()).not.toContain(TASK_TOKEN.slice(0, 20));
  });

  it('keeps a path prefix of the base URL', () => {
    // Act
    const link = signApprovalLink({
      baseUrl: 'https://example.com/cordon/',
      approvalId: APPROVAL_ID,
      expiresAt: EXPIRES_AT,
      key: LINK_KEY,
    });

    // Assess
    expect(new URL(link).pathname).toBe(`/cordon/approvals/${APPROVAL_ID}`);
  });

  it('refuses a signing key shorter than 32 characters', () => {
    // Act / Assess
    expect(() => approvalLinkSignature('short', APPROVAL_ID, 1)).toThrow(ApprovalSigningKeyInvalidError);
  });
});

describe('verifyApprovalLink', () => {
  it('accepts the link it signed, before it expires', () => {
    // Act / Assess
    expect(verify(signedLink())).toEqual({ ok: true });
  });

  it('an expired link is refused as expired', () => {
    // Act / Assess
    expect(verify(signedLink(), APPROVAL_ID, EXPIRES_AT)).toEqual({ ok: false, reason: 'expired' });
  });

  it('a signature made for another approval id is a bad signature', () => {
    // Prepare
    const other = signedLink(OTHER_APPROVAL_ID);

    // Act / Assess
    expect(verify(other, APPROVAL_ID)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('a link whose expiry was pushed back is a bad signature', () => {
    // Prepare
    const link = signedLink();
    link.searchParams.set('exp', String(Number(link.searchParams.get('exp')) + 3600));

    // Act / Assess
    expect(verify(link)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('a link signed with another key is a bad signature', () => {
    // Act / Assess
    expect(verify(signedLink(APPROVAL_ID, EXPIRES_AT, 'z'.repeat(40)))).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('checks the signature before the expiry, so an unsigned request learns nothing about the id', () => {
    // Prepare
    const link = signedLink();
    link.searchParams.set('sig', '0'.repeat(64));

    // Act / Assess
    expect(verify(link, APPROVAL_ID, new Date('2030-01-01T00:00:00Z'))).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it.each([
    ['a missing signature', { sig: undefined }],
    ['an upper-case signature', { sig: 'A'.repeat(64) }],
    ['a short signature', { sig: 'ab' }],
    ['a non-numeric expiry', { exp: '12e9' }],
    ['an array of expiries', { exp: ['1', '2'] }],
  ])('%s is malformed', (_name, change) => {
    // Prepare
    const link = signedLink();
    const values = { exp: link.searchParams.get('exp'), sig: link.searchParams.get('sig'), ...change };

    // Act / Assess
    expect(verifyApprovalLink({ approvalId: APPROVAL_ID, ...values, key: LINK_KEY, now: NOW })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('never throws and never accepts arbitrary values', () => {
    fc.assert(
      fc.property(fc.string(), fc.anything(), fc.anything(), (approvalId, exp, sig) => {
        const result = verifyApprovalLink({ approvalId, exp, sig, key: LINK_KEY, now: NOW });
        expect(result.ok).toBe(false);
      }),
    );
  });
});

// Issue 18: what the patterns' anchors, bounds and the expiry boundary are for. Each link below carries a
// signature that is genuinely valid for its values (HMAC-SHA256 over `${approvalId}.${exp}`, as a signer with the
// key would make it), so only the shape checks stand between it and `ok`.
describe('verifyApprovalLink: the shape checks hold even for a validly signed value', () => {
  const sign = (approvalId: string, exp: string, key = LINK_KEY) =>
    createHmac('sha256', key).update(`${approvalId}.${exp}`).digest('hex');
  const check = (approvalId: string, exp: string, sig = sign(approvalId, exp), now = NOW) =>
    verifyApprovalLink({ approvalId, exp, sig, key: LINK_KEY, now });
  const future = String(linkExpiry(EXPIRES_AT));

  it('signs what it verifies: the hex HMAC-SHA256 of the approval id, a dot and the expiry', () => {
    expect(approvalLinkSignature(LINK_KEY, APPROVAL_ID, Number(future))).toBe(sign(APPROVAL_ID, future));
    expect(check(APPROVAL_ID, future)).toEqual({ ok: true });
  });

  it.each([
    ['64 hex digits followed by more text', (sig: string) => `${sig}00`],
    ['64 hex digits after other text', (sig: string) => `zz${sig}`],
  ])('a signature of %s is malformed', (_name, change) => {
    expect(check(APPROVAL_ID, future, change(sign(APPROVAL_ID, future)))).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it.each([
    ['21 characters', 'a'.repeat(21)],
    ['65 characters', 'a'.repeat(65)],
    ['a valid id followed by a dot', `${APPROVAL_ID}.`],
    ['a valid id after a slash', `/${APPROVAL_ID}`],
  ])('an approval id of %s is malformed', (_name, approvalId) => {
    expect(check(approvalId, future)).toEqual({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['22', 'a'.repeat(22)],
    ['64', 'b'.repeat(64)],
  ])('an approval id of %s characters is accepted', (_name, approvalId) => {
    expect(check(approvalId, future)).toEqual({ ok: true });
  });

  it.each([
    ['13 digits', '1'.repeat(13)],
    ['digits followed by text', `${future}s`],
    ['digits after text', `+${future}`],
    ['nothing', ''],
  ])('an expiry of %s is malformed', (_name, exp) => {
    expect(check(APPROVAL_ID, exp)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses values that only look right once turned into strings: a numeric expiry, a signature in an array', () => {
    const sig = sign(APPROVAL_ID, future);
    const base = { approvalId: APPROVAL_ID, key: LINK_KEY, now: NOW };
    expect(verifyApprovalLink({ ...base, exp: Number(future), sig })).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(verifyApprovalLink({ ...base, exp: future, sig: [sig] })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('takes an expiry of 12 digits', () => {
    expect(check(APPROVAL_ID, '9'.repeat(12))).toEqual({ ok: true });
  });

  it('is expired from the exact second of its expiry on, and valid until then', () => {
    const exp = String(linkExpiry(EXPIRES_AT));
    const atExpiry = new Date(Number(exp) * 1000);
    expect(check(APPROVAL_ID, exp, undefined, atExpiry)).toEqual({ ok: false, reason: 'expired' });
    expect(check(APPROVAL_ID, exp, undefined, new Date(atExpiry.getTime() - 1))).toEqual({ ok: true });
  });

  it('refuses every link when the key is shorter than 32 characters, and works with a key of exactly 32', () => {
    const short = 'k'.repeat(31);
    const exact = 'k'.repeat(32);
    expect(
      verifyApprovalLink({
        approvalId: APPROVAL_ID,
        exp: future,
        sig: sign(APPROVAL_ID, future, short),
        key: short,
        now: NOW,
      }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
    expect(
      verifyApprovalLink({
        approvalId: APPROVAL_ID,
        exp: future,
        sig: sign(APPROVAL_ID, future, exact),
        key: exact,
        now: NOW,
      }),
    ).toEqual({ ok: true });
    expect(approvalLinkSignature(exact, APPROVAL_ID, 1)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('signApprovalLink: the link', () => {
  it('expires at the whole second before expiresAt, never after it', () => {
    expect(linkExpiry(new Date('2026-11-28T10:59:30.999Z'))).toBe(1795863570);
    const link = signedLink(APPROVAL_ID, new Date('2026-11-28T10:59:30.999Z'));
    expect(link.searchParams.get('exp')).toBe('1795863570');
  });

  it('drops every trailing slash of the base, its query and its fragment', () => {
    const link = new URL(
      signApprovalLink({
        baseUrl: 'https://example.com/cordon///?stage=prod#top',
        approvalId: APPROVAL_ID,
        expiresAt: EXPIRES_AT,
        key: LINK_KEY,
      }),
    );
    expect(link.pathname).toBe(`/cordon/approvals/${APPROVAL_ID}`);
    expect([...link.searchParams.keys()]).toEqual(['exp', 'sig']);
    expect(link.hash).toBe('');
  });

  it('tells how to make a long enough key when the key is too short', () => {
    expect(() => approvalLinkSignature('k'.repeat(31), APPROVAL_ID, 1)).toThrow(
      'the link-signing key must be at least 32 characters (generate one with `openssl rand -hex 32`)',
    );
  });
});

// Issue 18 (third wave): the group links (groups.ts), checked like the approval links above.
describe('group links', () => {
  const GROUP_ID = 'AbCdEfGhIjKlMnOpQrStUv_1';
  const link = (overrides: Partial<Parameters<typeof signGroupLink>[0]> = {}) =>
    new URL(
      signGroupLink({
        baseUrl: 'https://approvals.example.com/cordon//?q=1#frag',
        groupId: GROUP_ID,
        expiresAt: EXPIRES_AT,
        key: LINK_KEY,
        ...overrides,
      }),
    );
  const verifyGroup = (url: URL, overrides: Partial<Parameters<typeof verifyGroupLink>[0]> = {}) =>
    verifyGroupLink({
      groupId: GROUP_ID,
      exp: url.searchParams.get('exp') ?? undefined,
      sig: url.searchParams.get('sig') ?? undefined,
      key: LINK_KEY,
      now: NOW,
      ...overrides,
    });

  it('signs group.<id>.<exp> under /groups/<id>, keeping the path prefix and dropping the query and fragment', () => {
    const url = link();
    const exp = String(linkExpiry(EXPIRES_AT));
    const sig = createHmac('sha256', LINK_KEY).update(`group.${GROUP_ID}.${exp}`).digest('hex');
    expect(url.toString()).toBe(
      `https://approvals.example.com/cordon/groups/${GROUP_ID}?exp=${exp}&sig=${sig}`,
    );
    expect(verifyGroup(url)).toEqual({ ok: true });
  });

  it('is refused as an approval link for the same id, and an approval link is refused as a group link', () => {
    const url = link();
    expect(verify(url, GROUP_ID)).toEqual({ ok: false, reason: 'bad-signature' });
    const approval = signedLink();
    expect(verifyGroup(approval)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('is bad-signed for another group, another key or a pushed-back expiry; expired from its second on', () => {
    const url = link();
    const exp = Number(url.searchParams.get('exp'));
    expect(verifyGroup(url, { groupId: 'AbCdEfGhIjKlMnOpQrStUv_2' })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifyGroup(url, { key: 'k'.repeat(32) })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyGroup(url, { exp: String(exp + 1) })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyGroup(url, { now: new Date(exp * 1000 - 1) })).toEqual({ ok: true });
    expect(verifyGroup(url, { now: new Date(exp * 1000) })).toEqual({ ok: false, reason: 'expired' });
  });

  it('takes a key of exactly 32 characters', () => {
    const key = 'k'.repeat(32);
    expect(verifyGroup(link({ key }), { key })).toEqual({ ok: true });
  });

  it('refuses every link when the key is shorter than 32 characters, and signs none with it', () => {
    const short = 'k'.repeat(31);
    const exp = String(linkExpiry(EXPIRES_AT));
    const sig = createHmac('sha256', short).update(`group.${GROUP_ID}.${exp}`).digest('hex');
    expect(verifyGroupLink({ groupId: GROUP_ID, exp, sig, key: short, now: NOW })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(() => link({ key: short })).toThrow(ApprovalSigningKeyInvalidError);
  });

  it.each([
    ['a group id of 21 characters', { groupId: 'AbCdEfGhIjKlMnOpQrStU_1' }],
    ['a generation 0', { groupId: 'AbCdEfGhIjKlMnOpQrStUv_0' }],
    ['no generation', { groupId: 'AbCdEfGhIjKlMnOpQrStUv' }],
    ['an approval id', { groupId: APPROVAL_ID }],
    ['a numeric expiry', { exp: 1795863600 }],
    ['a signature in an array', { sig: ['a'.repeat(64)] }],
    ['an expiry of 13 digits', { exp: '1'.repeat(13) }],
    ['an upper-case signature', { sig: 'A'.repeat(64) }],
    ['a signature of 63 digits', { sig: 'a'.repeat(63) }],
  ])('refuses %s as malformed, before any signature check', (_what, overrides) => {
    expect(verifyGroup(link(), overrides as Partial<Parameters<typeof verifyGroupLink>[0]>)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('takes group ids of the documented shape only: 22 url-safe characters, `_`, a generation of 1 to 9 digits', () => {
    expect(GROUP_ID_PATTERN.test('Ab-d_fGhIjKlMnOpQrStUv_123456789')).toBe(true);
    expect(GROUP_ID_PATTERN.test('AbCdEfGhIjKlMnOpQrStUv_1234567890')).toBe(false);
    expect(GROUP_ID_PATTERN.test(`x${GROUP_ID}`)).toBe(false);
    expect(GROUP_ID_PATTERN.test(`${GROUP_ID}x`)).toBe(false);
  });
});

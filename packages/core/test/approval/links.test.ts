import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { approvalLinkSignature, signApprovalLink, verifyApprovalLink } from '../../src/approval/links.ts';
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

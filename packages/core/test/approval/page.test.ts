import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  csrfCookie,
  escapeHtml,
  LOCAL_TIME_SCRIPT,
  newCsrfToken,
  PAGE_HEADERS,
  renderApprovalPage,
  verifyCsrfToken,
} from '../../src/approval/page.ts';
import { APPROVAL_ID, LINK_KEY, NOW, OTHER_APPROVAL_ID, pendingRecord } from './fixtures.ts';

const INJECTION = '"><script>alert(1)</script><img src=x onerror=alert(2)>';

function render(record = pendingRecord()) {
  return renderApprovalPage({ record, sig: 'a'.repeat(64), exp: '1795863570', csrfToken: 'n.t', now: NOW });
}

/** Every `<script …>…</script>` of a page, whole. */
function scriptsOf(html: string): string[] {
  return [...html.matchAll(/<script\b[^>]*>[\s\S]*?<\/script>/gi)].map((match) => match[0]);
}

describe('renderApprovalPage', () => {
  it('escapes everything that comes from the record (HTML injection)', () => {
    // Prepare
    const record = pendingRecord();
    const hostile = pendingRecord({
      reason: INJECTION,
      playbook: INJECTION,
      actions: [INJECTION],
      incident: {
        ...record.incident,
        title: INJECTION,
        account: INJECTION,
        region: INJECTION,
        resources: [{ kind: INJECTION, instanceId: INJECTION }],
      },
    });

    // Act
    const html = render(hostile);

    // Assess: the page's own script is the only one
    expect(scriptsOf(html)).toEqual([`<script>${LOCAL_TIME_SCRIPT}</script>`]);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('is readable on a phone: a viewport, and no script but its own (the local time)', () => {
    // Act
    const html = render();

    // Assess
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(scriptsOf(html)).toEqual([`<script>${LOCAL_TIME_SCRIPT}</script>`]);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it('shows the proposed actions and a form that POSTs the decision with sig, exp and the CSRF token', () => {
    // Act
    const html = render();

    // Assess
    expect(html).toContain(`<form method="post" action="/approvals/${APPROVAL_ID}/decision">`);
    expect(html).toContain(`<input type="hidden" name="sig" value="${'a'.repeat(64)}">`);
    expect(html).toContain('<input type="hidden" name="exp" value="1795863570">');
    expect(html).toContain('<input type="hidden" name="csrf" value="n.t">');
    expect(html).toContain('<code>contain-instance</code>');
    expect(html).toContain('value="approve">Approve</button>');
    expect(html).toContain('value="reject">Reject</button>');
  });

  it('shows who decided instead of the form once decided', () => {
    // Act
    const html = render(
      pendingRecord({
        status: 'rejected',
        decision: {
          decision: 'reject',
          decidedBy: { kind: 'slack', id: 'U0APPROVER', name: 'alice' },
          decidedAt: '2026-11-28T10:05:00.000Z',
        },
      }),
    );

    // Assess
    expect(html).not.toContain('<form');
    expect(html).toContain('Rejected by alice in Slack at 2026-11-28T10:05:00.000Z');
  });
});

describe('page headers', () => {
  it('forbid every script but the page’s own (by its hash), framing, referrers and caching', () => {
    // Prepare
    const hash = createHash('sha256').update(LOCAL_TIME_SCRIPT).digest('base64');

    // Assess
    expect(PAGE_HEADERS['content-security-policy']).toMatch(
      /^default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+';/,
    );
    expect(PAGE_HEADERS['content-security-policy']).toContain(`script-src 'sha256-${hash}';`);
    expect(PAGE_HEADERS['content-security-policy']).not.toMatch(/unsafe-|strict-dynamic|https?:|\*/);
    expect(PAGE_HEADERS['x-frame-options']).toBe('DENY');
    expect(PAGE_HEADERS['referrer-policy']).toBe('no-referrer');
    expect(PAGE_HEADERS['cache-control']).toBe('no-store');
  });
});

describe('CSRF tokens', () => {
  it('verify when the form and the cookie carry the same token made for this approval', () => {
    // Prepare
    const token = newCsrfToken(LINK_KEY, APPROVAL_ID);

    // Act / Assess
    expect(
      verifyCsrfToken({ key: LINK_KEY, approvalId: APPROVAL_ID, formToken: token, cookieToken: token }),
    ).toBe(true);
  });

  it('do not verify for another approval, without the cookie, or when they differ', () => {
    // Prepare
    const token = newCsrfToken(LINK_KEY, APPROVAL_ID);
    const other = newCsrfToken(LINK_KEY, APPROVAL_ID);
    const check = (approvalId: string, formToken: unknown, cookieToken: unknown) =>
      verifyCsrfToken({ key: LINK_KEY, approvalId, formToken, cookieToken });

    // Act / Assess
    expect(check(OTHER_APPROVAL_ID, token, token)).toBe(false);
    expect(check(APPROVAL_ID, token, undefined)).toBe(false);
    expect(check(APPROVAL_ID, token, other)).toBe(false);
    expect(check(APPROVAL_ID, 'garbage', 'garbage')).toBe(false);
  });

  it('travel in an HttpOnly, SameSite=Strict cookie scoped to the approval', () => {
    // Act
    const cookie = csrfCookie({ token: 't', approvalId: APPROVAL_ID, maxAgeSeconds: 60.7, secure: true });

    // Assess
    expect(cookie).toBe(
      `cordon_csrf=t; Path=/approvals/${APPROVAL_ID}; Max-Age=60; HttpOnly; SameSite=Strict; Secure`,
    );
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    // Act / Assess
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});

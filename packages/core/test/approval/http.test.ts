import { describe, expect, it } from 'vitest';
import {
  cookieValues,
  DEFAULT_MAX_BODY_BYTES,
  formBody,
  formValue,
  headerValue,
  htmlMessage,
  LINK_REFUSALS,
  linkRefusal,
  notAllowed,
  notFound,
  plain,
  queryValue,
  SLACK_NO_RETRY,
} from '../../src/approval/http.ts';
import { PAGE_HEADERS, renderMessagePage } from '../../src/approval/page.ts';
import { pendingRecord } from './fixtures.ts';

// Issue 18 (third wave): the approval API's shared plumbing on its own — the answers it makes and its strict
// readers of a request (a repeated parameter, field or header is never one of them picked).

const headersOf = (response: Response) => Object.fromEntries(response.headers.entries());

describe('the answers', () => {
  it('an HTML message carries the page, its status and every security header of the page', async () => {
    const response = htmlMessage(409, 'Already decided', 'Someone decided first.', {
      warning: 'Look again.',
    });
    expect(response.status).toBe(409);
    expect(headersOf(response)).toEqual(PAGE_HEADERS);
    expect(await response.text()).toBe(
      renderMessagePage({
        title: 'Already decided',
        message: 'Someone decided first.',
        warning: 'Look again.',
      }),
    );
    // No warning asked for: none rendered.
    expect(await htmlMessage(200, 'T', 'M').text()).toBe(renderMessagePage({ title: 'T', message: 'M' }));
  });

  it('extra headers are added to the page headers, never instead of them', () => {
    const response = notAllowed('GET, POST');
    expect(response.status).toBe(405);
    expect(headersOf(response)).toEqual({ ...PAGE_HEADERS, allow: 'GET, POST' });
  });

  it('not found and not allowed say what they are', async () => {
    const missing = notFound();
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe(
      renderMessagePage({ title: 'Not found', message: 'There is no such approval page.' }),
    );
    expect(await notAllowed('POST').text()).toBe(
      renderMessagePage({ title: 'Method not allowed', message: 'Use POST.' }),
    );
  });

  it('plain text for Slack: not cached, with the headers asked for; Slack is told not to retry a refusal', async () => {
    const response = plain(401, 'bad signature', SLACK_NO_RETRY);
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('bad signature');
    expect(headersOf(response)).toEqual({
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      'x-slack-no-retry': '1',
    });
    expect(headersOf(plain(200, 'ok'))).toEqual({
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
    });
  });

  it.each([
    ['malformed', 400, 'Bad link'],
    ['bad-signature', 403, 'Invalid link'],
    ['expired', 410, 'Expired'],
  ] as const)('a %s link is refused with %i, %s', async (reason, status, title) => {
    const response = linkRefusal(reason);
    expect(response.status).toBe(status);
    expect(headersOf(response)).toEqual(PAGE_HEADERS);
    expect(await response.text()).toBe(renderMessagePage({ title, message: LINK_REFUSALS[reason].message }));
  });
});

describe('the answers about an approval', () => {
  it('show the approval they are about, with the message and the refusal', async () => {
    const record = pendingRecord();
    expect(await htmlMessage(200, 'T', 'M', { record }).text()).toBe(
      renderMessagePage({ title: 'T', message: 'M', record }),
    );
    const expired = linkRefusal('expired', record);
    expect(expired.status).toBe(410);
    const page = await expired.text();
    expect(page).toBe(
      renderMessagePage({ title: 'Expired', message: LINK_REFUSALS.expired.message, record }),
    );
    expect(page).not.toBe(await linkRefusal('expired').text());
  });
});

describe('the readers', () => {
  const request = (url: string, headers: Record<string, string> = {}) => new Request(url, { headers });

  it('a query parameter is read when it is there once, and is undefined absent or repeated', () => {
    expect(queryValue(request('https://a.example/x?sig=abc'), 'sig')).toBe('abc');
    expect(queryValue(request('https://a.example/x?sig='), 'sig')).toBe('');
    expect(queryValue(request('https://a.example/x'), 'sig')).toBeUndefined();
    expect(queryValue(request('https://a.example/x?sig=a&sig=a'), 'sig')).toBeUndefined();
  });

  it('a form field likewise', () => {
    expect(formValue(new URLSearchParams('decision=approve'), 'decision')).toBe('approve');
    expect(formValue(new URLSearchParams(''), 'decision')).toBeUndefined();
    expect(formValue(new URLSearchParams('decision=approve&decision=reject'), 'decision')).toBeUndefined();
  });

  it('a header is read as sent, and is undefined when absent', () => {
    expect(
      headerValue(request('https://a.example/', { 'x-slack-signature': 'v0=1' }), 'x-slack-signature'),
    ).toBe('v0=1');
    expect(headerValue(request('https://a.example/'), 'x-slack-signature')).toBeUndefined();
  });

  it('every value of a cookie, and only of that cookie, trimmed', () => {
    const cookies = request('https://a.example/', {
      cookie: 'csrf=one; other=x;  csrf=two ;xcsrf=no; csrf',
    });
    expect(cookieValues(cookies, 'csrf')).toEqual(['one', 'two']);
    expect(cookieValues(cookies, 'none')).toEqual([]);
    expect(cookieValues(request('https://a.example/'), 'csrf')).toEqual([]);
  });
});

describe('formBody', () => {
  const refuse = (status: number, title: string, message: string) => plain(status, `${title}: ${message}`);
  const post = (body: string, contentType?: string) =>
    new Request('https://a.example/', {
      method: 'POST',
      body,
      headers: contentType === undefined ? {} : { 'content-type': contentType },
    });

  it('reads a form body, with or without a charset, in any case', async () => {
    for (const type of [
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded; charset=utf-8',
      'Application/X-WWW-Form-Urlencoded ;charset=UTF-8',
    ]) {
      const body = await formBody(post('a=1&b=two', type), 100, refuse);
      expect(body.ok).toBe(true);
      if (body.ok) {
        expect(body.raw).toBe('a=1&b=two');
        expect(body.form.get('b')).toBe('two');
      }
    }
  });

  it('refuses anything else with 415, before reading it', async () => {
    for (const type of [
      undefined,
      'application/json',
      'text/plain',
      'application/x-www-form-urlencodedx',
      'x application/x-www-form-urlencoded',
    ]) {
      const request = post('a=1', type);
      const body = await formBody(request, 100, refuse);
      expect(body.ok).toBe(false);
      if (!body.ok) {
        expect(body.response.status).toBe(415);
        expect(await body.response.text()).toBe(
          'Unsupported content type: Send application/x-www-form-urlencoded.',
        );
      }
      expect(request.bodyUsed).toBe(false);
    }
  });

  it('refuses a body over the limit in bytes (not characters) with 413, and takes one of exactly the limit', async () => {
    const type = 'application/x-www-form-urlencoded';
    expect((await formBody(post('a=1234', type), 6, refuse)).ok).toBe(true);
    const over = await formBody(post('a=12345', type), 6, refuse);
    expect(over.ok).toBe(false);
    if (!over.ok) {
      expect(over.response.status).toBe(413);
      expect(await over.response.text()).toBe('Too large: The request body is too large.');
    }
    // Three characters, six bytes in UTF-8.
    expect((await formBody(post('éèà', type), 5, refuse)).ok).toBe(false);
    expect(DEFAULT_MAX_BODY_BYTES).toBe(65_536);
  });
});

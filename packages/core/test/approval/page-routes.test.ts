// The approval page's routes (approval/page-routes.ts), through the app as a browser reaches it: what each
// answer says, and the edges api.test.ts does not walk (a record that expired before its link, a decided
// record, the cookie's lifetime, the form's refusals, the outcomes of a decision).
import { describe, expect, it } from 'vitest';
import { createApprovalApi, IDENTITY_HEADER } from '../../src/approval/api.ts';
import type { ApprovalApiDependencies } from '../../src/approval/http.ts';
import { MemoryApprovalStore } from '../../src/approval/records.ts';
import type { SlackResponder } from '../../src/slack/client.ts';
import {
  APPROVAL_ID,
  APPROVER_WEB,
  ask,
  EXPIRES_AT,
  formRequest,
  LINK_KEY,
  pageRequest,
  pendingRecord,
  recordingCallbacks,
  recordingLogger,
  signedLink,
  type TestRequest,
} from './fixtures.ts';

const LATER = new Date('2026-11-28T10:05:00.000Z');
const NAME_HEADER = 'x-test-name';
const SLACK_MESSAGE = { channel: 'C0SEC', ts: '1.2' };

interface Setup {
  record?: ReturnType<typeof pendingRecord> | undefined;
  now?: Date;
  slack?: boolean;
  secureCookies?: boolean;
  logger?: boolean;
  failSlack?: boolean;
}

async function setup(options: Setup = {}) {
  const store = new MemoryApprovalStore();
  const record = 'record' in options ? options.record : pendingRecord({ slackMessage: SLACK_MESSAGE });
  if (record !== undefined) await store.create(record);
  const callbacks = recordingCallbacks();
  const logger = recordingLogger();
  const slackCalls: Array<{ target: unknown; message: unknown }> = [];
  const slack: SlackResponder = {
    replace: async (target, message) => {
      if (options.failSlack) throw Object.assign(new Error('down'), { name: 'SlackDown' });
      slackCalls.push({ target, message });
    },
    tell: async () => undefined,
  };
  const deps: ApprovalApiDependencies = {
    store,
    callbacks,
    secrets: async () => ({ linkSigningKey: LINK_KEY }),
    now: () => options.now ?? LATER,
    identify: (request) => {
      const id = request.headers.get(IDENTITY_HEADER);
      const name = request.headers.get(NAME_HEADER);
      if (id === null) return undefined;
      return name === null ? { id } : { id, name };
    },
    ...(options.slack === false ? {} : { slack }),
    ...(options.logger === false ? {} : { logger }),
    ...(options.secureCookies === undefined ? {} : { secureCookies: options.secureCookies }),
  };
  return { store, callbacks, logger, slackCalls, deps };
}

async function send(request: TestRequest, deps: ApprovalApiDependencies) {
  const api = createApprovalApi(deps);
  const answer = await ask(api, request);
  await api.settled();
  return answer;
}

/** Opens the page, then posts its form with the page's cookie and CSRF token, and `fields` on top. */
async function decide(
  deps: ApprovalApiDependencies,
  fields: Record<string, string | string[]>,
  headers: Record<string, string> = { [IDENTITY_HEADER]: APPROVER_WEB },
) {
  const page = await send(pageRequest(), deps);
  const cookie = (page.headers['set-cookie'] ?? '').split(';')[0] ?? '';
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const link = signedLink();
  const form = new URLSearchParams({
    sig: link.searchParams.get('sig') ?? '',
    exp: link.searchParams.get('exp') ?? '',
    csrf,
  });
  for (const [name, value] of Object.entries(fields)) {
    for (const one of typeof value === 'string' ? [value] : value) form.append(name, one);
  }
  const request = formRequest(`/approvals/${APPROVAL_ID}/decision`, {}, { cookie, ...headers });
  return send({ ...request, body: form.toString() }, deps);
}

/** The text of the page's <h1> and of its outcome paragraph. */
function said(body: string): { title: string | undefined; message: string | undefined } {
  return {
    title: /<h1>([^<]*)<\/h1>/.exec(body)?.[1],
    message: /<p id="outcome">([^<]*)<\/p>/.exec(body)?.[1],
  };
}

describe('GET /approvals/{id}', () => {
  it('answers 404 for an approval that does not exist any more, saying so', async () => {
    // Prepare
    const { deps } = await setup({ record: undefined });

    // Act
    const response = await send(pageRequest(), deps);

    // Assess
    expect(response.status).toBe(404);
    expect(said(response.body)).toEqual({
      title: 'Not found',
      message: 'This approval does not exist any more.',
    });
  });

  it('refuses a pending approval whose own expiry passed, even when its link is still valid (410)', async () => {
    // Prepare: the record expires at 10:04:00, its link at 10:59:30.
    const expiresAt = '2026-11-28T10:04:00.000Z';
    const { deps } = await setup({ record: pendingRecord({ expiresAt }), now: new Date(expiresAt) });

    // Act
    const response = await send(pageRequest(), deps);

    // Assess: at the very moment it expires, it is expired.
    expect(response.status).toBe(410);
    expect(said(response.body).title).toBe('Expired');
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('shows a decided approval (even past its expiry) without a form or a CSRF cookie', async () => {
    // Prepare
    const decided = pendingRecord({
      status: 'approved',
      expiresAt: '2026-11-28T10:04:00.000Z',
      decision: {
        decision: 'approve',
        decidedBy: { kind: 'web', id: APPROVER_WEB },
        decidedAt: '2026-11-28T10:03:00.000Z',
      },
    });
    const { deps } = await setup({ record: decided });

    // Act
    const response = await send(pageRequest(), deps);

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toContain(`Approved by ${APPROVER_WEB} on this page at 2026-11-28T10:03:00.000Z`);
    expect(response.body).not.toContain('<form');
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(response.headers).toMatchObject({ 'x-frame-options': 'DENY', 'cache-control': 'no-store' });
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it("sends the link's signature and expiry back in the form, and a CSRF cookie that lasts as long as the approval", async () => {
    // Prepare: 10:05:00 to 10:59:30 is 3,270 s.
    const { deps } = await setup();
    const link = signedLink();

    // Act
    const response = await send(pageRequest(link), deps);

    // Assess
    expect(response.body).toContain(`name="sig" value="${link.searchParams.get('sig')}"`);
    expect(response.body).toContain(`name="exp" value="${link.searchParams.get('exp')}"`);
    expect(response.headers['set-cookie']).toContain('; Max-Age=3270;');
  });

  it('marks the CSRF cookie Secure unless the deployment says otherwise (only the local server on http)', async () => {
    // Act
    const unsaid = await send(pageRequest(), (await setup()).deps);
    const local = await send(pageRequest(), (await setup({ secureCookies: false })).deps);

    // Assess
    expect(unsaid.headers['set-cookie']).toMatch(/; Secure$/);
    expect(local.headers['set-cookie']).not.toContain('Secure');
  });
});

describe('POST /approvals/{id}/decision', () => {
  it('refuses a form without a valid CSRF token, telling the person to reload (403)', async () => {
    // Prepare
    const { callbacks, deps } = await setup();

    // Act
    const response = await decide(deps, { decision: 'approve', csrf: 'forged' });

    // Assess
    expect(response.status).toBe(403);
    expect(said(response.body)).toEqual({
      title: 'Reload the page',
      message:
        'This form has no valid security token (CSRF). Open the approval link again and decide from that page.',
    });
    expect(callbacks.calls).toEqual([]);
  });

  it.each([
    ['no decision', {}],
    ['a decision that is neither approve nor reject', { decision: 'maybe' }],
  ])('refuses %s (400) and decides nothing', async (_case, fields) => {
    // Prepare
    const { callbacks, deps } = await setup();

    // Act
    const response = await decide(deps, fields);

    // Assess
    expect(response.status).toBe(400);
    expect(said(response.body)).toEqual({ title: 'No decision', message: 'Choose Approve or Reject.' });
    expect(callbacks.calls).toEqual([]);
  });

  it('refuses two comments rather than keeping one (400)', async () => {
    // Prepare
    const { callbacks, deps } = await setup();

    // Act
    const response = await decide(deps, { decision: 'approve', comment: ['yes', 'no'] });

    // Assess
    expect(response.status).toBe(400);
    expect(said(response.body)).toEqual({ title: 'Bad form', message: 'Send one comment.' });
    expect(callbacks.calls).toEqual([]);
  });

  it('says decisions are made in Slack when the deployment identifies nobody (403)', async () => {
    // Prepare
    const { callbacks, deps } = await setup();

    // Act
    const response = await decide(deps, { decision: 'approve' }, {});

    // Assess
    expect(response.status).toBe(403);
    expect(said(response.body)).toEqual({
      title: 'Who are you?',
      message:
        'This deployment does not identify people on the approval page, so decisions can only be made in Slack.',
    });
    expect(callbacks.calls).toEqual([]);
  });

  it('records the name the deployment vouches for with the id, and no name when it gives none', async () => {
    // Prepare
    const named = await setup();
    const anonymous = await setup();

    // Act
    await decide(
      named.deps,
      { decision: 'approve' },
      { [IDENTITY_HEADER]: APPROVER_WEB, [NAME_HEADER]: 'Alice' },
    );
    await decide(anonymous.deps, { decision: 'approve' });

    // Assess
    expect((await named.store.get(APPROVAL_ID))?.decision?.decidedBy).toEqual({
      kind: 'web',
      id: APPROVER_WEB,
      name: 'Alice',
    });
    expect((await anonymous.store.get(APPROVAL_ID))?.decision?.decidedBy).not.toHaveProperty('name');
  });

  it('logs the decision through the deployment logger', async () => {
    // Prepare
    const { logger, deps } = await setup();

    // Act
    await decide(deps, { decision: 'approve' });

    // Assess
    expect(logger.lines.some((line) => line.startsWith('info approval: decided'))).toBe(true);
  });

  it.each([
    ['approve', 'Approved'],
    ['reject', 'Rejected'],
  ])('answers a %s with its title, the sentence and the approval (200)', async (decision, title) => {
    // Prepare
    const { deps } = await setup();

    // Act
    const response = await decide(deps, { decision, comment: 'seen it' });

    // Assess
    expect(response.status).toBe(200);
    expect(said(response.body).title).toBe(title);
    expect(said(response.body).message).toMatch(new RegExp(`^${title} by ${APPROVER_WEB} on this page at `));
    expect(response.body).toContain(`<code>${pendingRecord().incidentId}</code>`);
  });

  it("updates the approval's Slack message after a web decision, only when it has one, and fails nothing without Slack", async () => {
    // Prepare
    const withMessage = await setup();
    const withoutMessage = await setup({ record: pendingRecord() });
    const withoutSlack = await setup({ slack: false });

    // Act
    await decide(withMessage.deps, { decision: 'approve' });
    await decide(withoutMessage.deps, { decision: 'approve' });
    const response = await decide(withoutSlack.deps, { decision: 'approve' });

    // Assess
    expect(withMessage.slackCalls).toHaveLength(1);
    expect(withMessage.slackCalls[0]?.target).toEqual({ ref: SLACK_MESSAGE });
    expect(withoutMessage.slackCalls).toEqual([]);
    // Without a Slack responder or secrets the API's own client has no token: nothing is sent, nothing fails.
    expect(withoutSlack.logger.lines.filter((line) => line.includes('failed'))).toEqual([]);
    expect(response.status).toBe(200);
  });

  it('logs a failed Slack update by what it was doing, and still answers the decision', async () => {
    // Prepare
    const { logger, deps } = await setup({ failSlack: true });

    // Act
    const response = await decide(deps, { decision: 'approve' });

    // Assess
    expect(response.status).toBe(200);
    expect(logger.lines).toContainEqual(
      expect.stringContaining('approval API: updating the Slack message failed'),
    );
  });

  it('says a decision Step Functions could not be told is recorded but not delivered (502), with the approval', async () => {
    // Prepare
    const { deps } = await setup();
    const failing = recordingCallbacks(Object.assign(new Error('gone'), { name: 'TaskTimedOut' }));

    // Act
    const response = await decide({ ...deps, callbacks: failing }, { decision: 'reject' });

    // Assess
    expect(response.status).toBe(502);
    expect(said(response.body).title).toBe('Rejected, but not delivered');
    expect(response.body).toContain(
      'Your decision is recorded, but Step Functions could not be told (TaskTimedOut). The playbook will time out and apply its default; tell the security team.',
    );
    expect(response.body).toContain(`<code>${pendingRecord().incidentId}</code>`);
  });

  it('tells someone who is not an approver so (403)', async () => {
    // Prepare
    const { deps } = await setup();

    // Act
    const response = await decide(
      deps,
      { decision: 'approve' },
      { [IDENTITY_HEADER]: 'mallory@example.com' },
    );

    // Assess
    expect(response.status).toBe(403);
    expect(said(response.body)).toEqual({
      title: 'Not an approver',
      message: 'You are not one of the configured approvers for this step.',
    });
  });

  it('answers a second decision from the same page with the first one and the approval (409)', async () => {
    // Prepare: two tabs of the page, opened before anyone decided.
    const { deps } = await setup();
    const page = await send(pageRequest(), deps);
    const cookie = (page.headers['set-cookie'] ?? '').split(';')[0] ?? '';
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const link = signedLink();
    const form = (decision: string) =>
      formRequest(
        `/approvals/${APPROVAL_ID}/decision`,
        { sig: link.searchParams.get('sig') ?? '', exp: link.searchParams.get('exp') ?? '', csrf, decision },
        { cookie, [IDENTITY_HEADER]: APPROVER_WEB },
      );
    await send(form('approve'), deps);

    // Act
    const response = await send(form('reject'), deps);

    // Assess
    expect(response.status).toBe(409);
    expect(said(response.body).title).toBe('Already decided');
    expect(said(response.body).message).toMatch(new RegExp(`^Approved by ${APPROVER_WEB} on this page at `));
    expect(response.body).toContain(`<code>${pendingRecord().incidentId}</code>`);
  });

  it('refuses a decision on an approval that expired before its link did (410)', async () => {
    // Prepare: the page was opened before 10:04, the form is sent at 10:05.
    const expiresAt = '2026-11-28T10:04:00.000Z';
    const { callbacks, deps } = await setup({ record: pendingRecord({ expiresAt }) });
    const opened = await setup({
      record: pendingRecord({ expiresAt }),
      now: new Date('2026-11-28T10:01:00.000Z'),
    });
    const page = await send(pageRequest(), opened.deps);
    const cookie = (page.headers['set-cookie'] ?? '').split(';')[0] ?? '';
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const link = signedLink();
    const request = formRequest(
      `/approvals/${APPROVAL_ID}/decision`,
      {
        sig: link.searchParams.get('sig') ?? '',
        exp: link.searchParams.get('exp') ?? '',
        csrf,
        decision: 'approve',
      },
      { cookie, [IDENTITY_HEADER]: APPROVER_WEB },
    );

    // Act
    const response = await send(request, deps);

    // Assess
    expect(response.status).toBe(410);
    expect(said(response.body).title).toBe('Expired');
    expect(callbacks.calls).toEqual([]);
  });

  it('answers 404 for a decision on an approval that does not exist any more', async () => {
    // Prepare: the page of an existing approval gives the cookie; the approval is gone when the form comes.
    const { deps } = await setup();
    const page = await send(pageRequest(), deps);
    const cookie = (page.headers['set-cookie'] ?? '').split(';')[0] ?? '';
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const gone = await setup({ record: undefined });
    const link = signedLink();
    const request = formRequest(
      `/approvals/${APPROVAL_ID}/decision`,
      {
        sig: link.searchParams.get('sig') ?? '',
        exp: link.searchParams.get('exp') ?? '',
        csrf,
        decision: 'approve',
      },
      { cookie, [IDENTITY_HEADER]: APPROVER_WEB },
    );

    // Act
    const response = await send(request, gone.deps);

    // Assess
    expect(response.status).toBe(404);
    expect(said(response.body)).toEqual({
      title: 'Not found',
      message: 'This approval does not exist any more.',
    });
  });
});

it('keeps EXPIRES_AT after the time these tests decide at', () => {
  expect(LATER.getTime()).toBeLessThan(EXPIRES_AT.getTime());
});

import { describe, expect, it } from 'vitest';
import { createApprovalApi, IDENTITY_HEADER } from '../../src/approval/api.ts';
import type { ApprovalApiDependencies } from '../../src/approval/http.ts';
import { MemoryApprovalStore } from '../../src/approval/records.ts';
import type { SlackResponder } from '../../src/slack/client.ts';
import {
  APPROVAL_ID,
  APPROVER_GROUP,
  APPROVER_SLACK,
  APPROVER_WEB,
  ask,
  EXPIRES_AT,
  formRequest,
  LINK_KEY,
  NOW,
  OTHER_APPROVAL_ID,
  pageRequest,
  pendingRecord,
  recordingCallbacks,
  recordingLogger,
  SLACK_SECRET,
  signedLink,
  slackClick,
  slackRequest,
  TASK_TOKEN,
  type TestRequest,
} from './fixtures.ts';

const LATER = new Date('2026-11-28T10:05:00.000Z');

async function setup(options: { record?: ReturnType<typeof pendingRecord>; now?: Date } = {}) {
  const store = new MemoryApprovalStore();
  await store.create(options.record ?? pendingRecord({ slackMessage: { channel: 'C0SEC', ts: '1.2' } }));
  const callbacks = recordingCallbacks();
  const logger = recordingLogger();
  const slackCalls: Array<{ kind: 'replace' | 'tell'; target: unknown; message: unknown }> = [];
  const slack: SlackResponder = {
    replace: async (target, message) => void slackCalls.push({ kind: 'replace', target, message }),
    tell: async (target, message) => void slackCalls.push({ kind: 'tell', target, message }),
  };
  let clock = options.now ?? LATER;
  const deps: ApprovalApiDependencies = {
    store,
    callbacks,
    secrets: async () => ({ linkSigningKey: LINK_KEY, slackSigningSecret: SLACK_SECRET }),
    now: () => clock,
    identify: (request) => {
      const value = request.headers.get(IDENTITY_HEADER);
      return value === null ? undefined : { id: value };
    },
    isInUserGroup: async (userId, groupId) => userId === 'U0MEMBER' && groupId === APPROVER_GROUP,
    slack,
    logger,
    secureCookies: true,
  };
  const setClock = (date: Date) => {
    clock = date;
  };
  return { store, callbacks, logger, slackCalls, deps, setClock };
}

/** Sends one request to an app made of `deps`; `settled` waits for its background work. */
async function send(request: TestRequest, deps: ApprovalApiDependencies) {
  const api = createApprovalApi(deps);
  const answer = await ask(api, request);
  return { ...answer, settled: () => api.settled() };
}

/** Opens the page like a browser, then submits its form with the page's cookie. */
async function openAndSubmit(
  deps: ApprovalApiDependencies,
  decision: 'approve' | 'reject',
  options: { identity?: string; comment?: string; dropCsrf?: 'cookie' | 'field' } = {},
) {
  const page = await send(pageRequest(), deps);
  const cookie = (page.headers['set-cookie'] ?? '').split(';')[0] ?? '';
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const link = signedLink();
  const fields: Record<string, string> = {
    sig: link.searchParams.get('sig') ?? '',
    exp: link.searchParams.get('exp') ?? '',
    decision,
    ...(options.dropCsrf === 'field' ? {} : { csrf }),
    ...(options.comment === undefined ? {} : { comment: options.comment }),
  };
  const headers: Record<string, string> = {
    ...(options.dropCsrf === 'cookie' ? {} : { cookie }),
    [IDENTITY_HEADER]: options.identity ?? APPROVER_WEB,
  };
  return send(formRequest(`/approvals/${APPROVAL_ID}/decision`, fields, headers), deps);
}

describe('GET /approvals/{id}', () => {
  it('never changes state on GET: the page shows, nothing is decided or sent', async () => {
    // Prepare
    const { store, callbacks, deps } = await setup();
    const before = await store.get(APPROVAL_ID);

    // Act
    const responses = await Promise.all([
      send(pageRequest(), deps),
      send({ ...pageRequest(), method: 'HEAD' }, deps),
      send({ ...pageRequest(), query: { ...pageRequest().query, decision: 'approve' } }, deps),
    ]);

    // Assess
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(responses[0]?.body).toContain('contain-instance');
    expect(await store.get(APPROVAL_ID)).toEqual(before);
    expect(callbacks.calls).toEqual([]);
  });

  it('a bad signature answers 403', async () => {
    // Prepare
    const { deps } = await setup();
    const link = signedLink();
    link.searchParams.set('sig', 'f'.repeat(64));

    // Act / Assess
    expect((await send(pageRequest(link), deps)).status).toBe(403);
  });

  it('a valid signature for another approval id answers 403', async () => {
    // Prepare
    const { deps } = await setup();
    const link = signedLink(OTHER_APPROVAL_ID);
    const request = { ...pageRequest(link), path: `/approvals/${APPROVAL_ID}` };

    // Act / Assess
    expect((await send(request, deps)).status).toBe(403);
  });

  it('an expired link answers 410', async () => {
    // Prepare
    const { deps } = await setup({ now: EXPIRES_AT });

    // Act / Assess
    expect((await send(pageRequest(), deps)).status).toBe(410);
  });

  it('sends the security headers and a SameSite=Strict CSRF cookie', async () => {
    // Prepare
    const { deps } = await setup();

    // Act
    const response = await send(pageRequest(), deps);

    // Assess
    expect(response.headers).toMatchObject({
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['set-cookie']).toMatch(
      /^cordon_csrf=[^;]+; Path=\/approvals\/[^;]+; Max-Age=\d+; HttpOnly; SameSite=Strict; Secure$/,
    );
  });
});

describe('POST /approvals/{id}/decision', () => {
  it('approves from the page: SendTaskSuccess, and the Slack message is updated', async () => {
    // Prepare
    const { callbacks, slackCalls, deps } = await setup();

    // Act
    const response = await openAndSubmit(deps, 'approve', { comment: 'contain it' });
    await response.settled();

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toContain('Approved by alice@example.com on this page');
    expect(callbacks.calls).toMatchObject([{ kind: 'success', token: TASK_TOKEN }]);
    expect(slackCalls).toMatchObject([{ kind: 'replace', target: { ref: { channel: 'C0SEC', ts: '1.2' } } }]);
  });

  it('a rejection is SendTaskFailure with ApprovalRejected, never success', async () => {
    // Prepare
    const { callbacks, deps } = await setup();

    // Act
    const response = await openAndSubmit(deps, 'reject', { comment: 'pentest' });

    // Assess
    expect(response.status).toBe(200);
    expect(callbacks.calls).toMatchObject([{ kind: 'failure', error: 'ApprovalRejected' }]);
    expect(callbacks.calls[0]?.cause).toContain('web:alice@example.com');
    expect(callbacks.calls[0]?.cause).toContain('pentest');
  });

  it('records who decided, when, and the comment', async () => {
    // Prepare
    const { store, deps } = await setup();

    // Act
    await openAndSubmit(deps, 'approve', { comment: 'go ahead' });

    // Assess
    expect((await store.get(APPROVAL_ID))?.decision).toEqual({
      decision: 'approve',
      decidedBy: { kind: 'web', id: APPROVER_WEB },
      decidedAt: LATER.toISOString(),
      comment: 'go ahead',
    });
  });

  it('a second decision answers 409 and changes nothing', async () => {
    // Prepare: two tabs open on the page, the first one decides
    const { store, callbacks, deps } = await setup();
    const secondTab = await send(pageRequest(), deps);
    await openAndSubmit(deps, 'approve');
    const after = await store.get(APPROVAL_ID);
    const link = signedLink();

    // Act
    const second = await send(
      formRequest(
        `/approvals/${APPROVAL_ID}/decision`,
        {
          sig: link.searchParams.get('sig') ?? '',
          exp: link.searchParams.get('exp') ?? '',
          csrf: /name="csrf" value="([^"]+)"/.exec(secondTab.body)?.[1] ?? '',
          decision: 'reject',
        },
        {
          cookie: (secondTab.headers['set-cookie'] ?? '').split(';')[0] ?? '',
          [IDENTITY_HEADER]: APPROVER_WEB,
        },
      ),
      deps,
    );

    // Assess
    expect(second.status).toBe(409);
    expect(second.body).toContain('Approved by alice@example.com');
    expect(await store.get(APPROVAL_ID)).toEqual(after);
    expect(callbacks.calls).toHaveLength(1);
  });

  it('a replayed decision request (same form, same cookie) answers 409 and sends nothing', async () => {
    // Prepare
    const { callbacks, deps } = await setup();
    const page = await send(pageRequest(), deps);
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
    const first = await send(request, deps);
    const replay = await send(request, deps);

    // Assess
    expect([first.status, replay.status]).toEqual([200, 409]);
    expect(callbacks.calls).toHaveLength(1);
  });

  it('an expired link answers 410', async () => {
    // Prepare
    const { callbacks, deps, setClock } = await setup();
    const page = await send(pageRequest(), deps);
    expect(page.status).toBe(200);
    setClock(EXPIRES_AT);

    // Act
    const response = await openAndSubmit(deps, 'approve');

    // Assess
    expect(response.status).toBe(410);
    expect(callbacks.calls).toEqual([]);
  });

  it('a bad signature answers 403', async () => {
    // Prepare
    const { callbacks, deps } = await setup();
    const request = formRequest(
      `/approvals/${APPROVAL_ID}/decision`,
      { sig: '0'.repeat(64), exp: String(EXPIRES_AT.getTime() / 1000), decision: 'approve', csrf: 'x' },
      { [IDENTITY_HEADER]: APPROVER_WEB },
    );

    // Act / Assess
    expect((await send(request, deps)).status).toBe(403);
    expect(callbacks.calls).toEqual([]);
  });

  it('the CSRF token is required: no cookie, no field, no decision', async () => {
    // Prepare
    const { callbacks, deps } = await setup();

    // Act
    const noCookie = await openAndSubmit(deps, 'approve', { dropCsrf: 'cookie' });
    const noField = await openAndSubmit(deps, 'approve', { dropCsrf: 'field' });

    // Assess
    expect([noCookie.status, noField.status]).toEqual([403, 403]);
    expect(callbacks.calls).toEqual([]);
  });

  it('only configured approvers may decide: another identity answers 403', async () => {
    // Prepare
    const { store, callbacks, deps } = await setup();

    // Act
    const response = await openAndSubmit(deps, 'approve', { identity: 'mallory@example.com' });

    // Assess
    expect(response.status).toBe(403);
    expect(callbacks.calls).toEqual([]);
    expect((await store.get(APPROVAL_ID))?.status).toBe('pending');
  });

  it('refuses a web decision when the deployment identifies nobody', async () => {
    // Prepare
    const { callbacks, deps } = await setup();
    const { identify: _identify, ...anonymous } = deps;

    // Act
    const response = await openAndSubmit(anonymous, 'approve');

    // Assess
    expect(response.status).toBe(403);
    expect(callbacks.calls).toEqual([]);
  });

  it('reports a decision Step Functions could not be told (502), recorded on the approval', async () => {
    // Prepare
    const { store, deps } = await setup();
    const failing = recordingCallbacks(Object.assign(new Error('gone'), { name: 'TaskDoesNotExist' }));

    // Act
    const response = await openAndSubmit({ ...deps, callbacks: failing }, 'approve');

    // Assess
    expect(response.status).toBe(502);
    expect(response.body).toContain('TaskDoesNotExist');
    expect((await store.get(APPROVAL_ID))?.callback).toMatchObject({
      status: 'failed',
      error: 'TaskDoesNotExist',
    });
  });

  it.each([
    ['a JSON body', { 'content-type': 'application/json' }, 415],
    ['a body over the limit', {}, 413],
  ])('refuses %s', async (_name, headers, status) => {
    // Prepare
    const { deps } = await setup();
    const request: TestRequest = {
      ...formRequest(`/approvals/${APPROVAL_ID}/decision`, { decision: 'approve' }, headers),
      ...(status === 413 ? { body: 'a'.repeat(70_000) } : {}),
    };

    // Act / Assess
    expect((await send(request, deps)).status).toBe(status);
  });
});

describe('POST /slack/interactions', () => {
  it('decides from a Slack button: acknowledges first, then SendTaskSuccess and the message update', async () => {
    // Prepare
    const { store, callbacks, slackCalls, deps } = await setup();

    // Act
    const response = await send(slackRequest(slackClick()), deps);
    const decidedBeforeCallback = (await store.get(APPROVAL_ID))?.status;
    await response.settled();

    // Assess
    expect(response.status).toBe(200);
    expect(decidedBeforeCallback).toBe('approved');
    expect(callbacks.calls).toMatchObject([
      { kind: 'success', output: { decidedBy: { kind: 'slack', id: APPROVER_SLACK, name: 'alice' } } },
    ]);
    expect(slackCalls).toMatchObject([
      { kind: 'replace', target: { responseUrl: 'https://hooks.slack.com/actions/T0/1/abc' } },
    ]);
  });

  it('a Slack reject is SendTaskFailure with ApprovalRejected', async () => {
    // Prepare
    const { callbacks, deps } = await setup();

    // Act
    const response = await send(slackRequest(slackClick({ actionId: 'cordon_reject' })), deps);
    await response.settled();

    // Assess
    expect(callbacks.calls).toMatchObject([{ kind: 'failure', error: 'ApprovalRejected' }]);
  });

  it('a Slack request older than five minutes is refused', async () => {
    // Prepare
    const { callbacks, store, slackCalls, deps } = await setup();
    const request = slackRequest(slackClick(), { timestamp: LATER.getTime() / 1000 - 301 });

    // Act
    const response = await send(request, deps);
    await response.settled();

    // Assess
    expect(response.status).toBe(401);
    expect(slackCalls).toEqual([]);
    expect(callbacks.calls).toEqual([]);
    expect((await store.get(APPROVAL_ID))?.status).toBe('pending');
  });

  it('a bad Slack signature is refused', async () => {
    // Prepare
    const { callbacks, deps } = await setup();

    // Act
    const response = await send(slackRequest(slackClick(), { secret: 'not-the-secret' }), deps);

    // Assess
    expect(response.status).toBe(401);
    expect(callbacks.calls).toEqual([]);
  });

  it('a Slack retry does not decide twice', async () => {
    // Prepare
    const { callbacks, deps } = await setup();
    const first = await send(slackRequest(slackClick()), deps);
    await first.settled();

    // Act
    const retry = await send(
      slackRequest(slackClick({ actionId: 'cordon_reject' }), {
        headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
      }),
      deps,
    );
    await retry.settled();

    // Assess
    expect(retry.status).toBe(200);
    expect(callbacks.calls).toHaveLength(1);
  });

  it('a Slack retry of a first delivery still in flight decides nothing itself', async () => {
    // Prepare
    const { store, callbacks, deps } = await setup();

    // Act
    const retry = await send(slackRequest(slackClick(), { headers: { 'x-slack-retry-num': '2' } }), deps);

    // Assess
    expect(retry.status).toBe(200);
    expect(callbacks.calls).toEqual([]);
    expect((await store.get(APPROVAL_ID))?.status).toBe('pending');
  });

  it('only configured approvers may decide: another Slack user is told, nothing is decided', async () => {
    // Prepare
    const { store, callbacks, slackCalls, deps } = await setup();

    // Act
    const response = await send(slackRequest(slackClick({ userId: 'U0STRANGER' })), deps);
    await response.settled();

    // Assess
    expect(response.status).toBe(200);
    expect(callbacks.calls).toEqual([]);
    expect((await store.get(APPROVAL_ID))?.status).toBe('pending');
    expect(slackCalls).toMatchObject([
      { kind: 'tell', message: expect.stringContaining('not one of the configured approvers') },
    ]);
  });

  it('accepts a member of a configured user group', async () => {
    // Prepare
    const { callbacks, deps } = await setup();

    // Act
    const response = await send(slackRequest(slackClick({ userId: 'U0MEMBER' })), deps);
    await response.settled();

    // Assess
    expect(callbacks.calls).toHaveLength(1);
  });

  it('a click after the decision answers "already decided" and sends nothing', async () => {
    // Prepare
    const { callbacks, slackCalls, deps } = await setup();
    await (await send(slackRequest(slackClick()), deps)).settled();

    // Act
    const late = await send(slackRequest(slackClick({ actionId: 'cordon_reject' })), deps);
    await late.settled();

    // Assess
    expect(callbacks.calls).toHaveLength(1);
    expect(
      slackCalls.some((call) => call.kind === 'tell' && String(call.message).startsWith('Already decided')),
    ).toBe(true);
  });

  it('the "already decided" reply shows the first decider’s comment as text, never as markup', async () => {
    // Prepare
    const { slackCalls, deps } = await setup();
    await openAndSubmit(deps, 'approve', { comment: 'ok <!channel> ＜!here＞' });

    // Act
    await (await send(slackRequest(slackClick({ actionId: 'cordon_reject' })), deps)).settled();

    // Assess
    const reply = String(slackCalls.find((call) => call.kind === 'tell')?.message);
    expect(reply).toContain('“ok &lt;!channel&gt; &lt;!here&gt;”');
    expect(reply).not.toMatch(/[<>]/);
  });

  it('never posts to a response_url outside Slack', async () => {
    // Prepare
    const { slackCalls, deps } = await setup();

    // Act
    const response = await send(
      slackRequest(slackClick({ responseUrl: 'https://169.254.169.254/latest/meta-data' })),
      deps,
    );
    await response.settled();

    // Assess
    expect(slackCalls).toMatchObject([{ kind: 'replace', target: { ref: { channel: 'C0SEC' } } }]);
    expect(JSON.stringify(slackCalls)).not.toContain('169.254');
  });

  it('answers 404 when Slack is not configured', async () => {
    // Prepare
    const { deps } = await setup();
    const withoutSlack = { ...deps, secrets: async () => ({ linkSigningKey: LINK_KEY }) };

    // Act / Assess
    expect((await send(slackRequest(slackClick()), withoutSlack)).status).toBe(404);
  });
});

describe('routing', () => {
  it.each([
    ['DELETE', `/approvals/${APPROVAL_ID}`, 405],
    ['GET', `/approvals/${APPROVAL_ID}/decision`, 405],
    ['GET', '/slack/interactions', 405],
    ['GET', '/', 404],
    ['GET', '/approvals/short', 404],
    ['GET', `/approvals/${APPROVAL_ID}/other`, 404],
  ])('%s %s answers %i', async (method, path, status) => {
    // Prepare
    const { deps } = await setup();

    // Act / Assess
    expect((await send({ method, path, query: {}, headers: {}, body: '' }, deps)).status).toBe(status);
  });

  it('answers 503 and decides nothing when the store is down', async () => {
    // Prepare
    const { deps, callbacks } = await setup();
    const store = {
      ...deps.store,
      get: async () => {
        throw Object.assign(new Error('down'), { name: 'ServiceUnavailable' });
      },
    };

    // Act
    const response = await send(pageRequest(), { ...deps, store });
    const decision = await send(slackRequest(slackClick()), { ...deps, store });

    // Assess
    expect([response.status, decision.status]).toEqual([503, 503]);
    expect(callbacks.calls).toEqual([]);
  });

  it('answers 503 and decides nothing when the secrets cannot be read', async () => {
    // Prepare
    const { deps, callbacks, store, logger } = await setup();
    const secrets = async () => {
      // As Powertools Parameters throws it: its own error, the SDK's as the cause.
      const denied = Object.assign(new Error('denied /cordon/test/secrets/link-signing-key'), {
        name: 'AccessDeniedException',
      });
      throw Object.assign(new Error('could not read', { cause: denied }), { name: 'GetParameterError' });
    };

    // Act
    const answers = await Promise.all([
      send(pageRequest(), { ...deps, secrets }),
      send(slackRequest(slackClick()), { ...deps, secrets }),
    ]);

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual([503, 503]);
    expect(callbacks.calls).toEqual([]);
    expect((await store.get(APPROVAL_ID))?.status).toBe('pending');
    expect(logger.lines).toContain(
      'error approval API: secrets unavailable {"error":"AccessDeniedException"}',
    );
  });

  it('answers HEAD like GET, without a body, and decides nothing', async () => {
    // Prepare
    const { deps, callbacks } = await setup();

    // Act
    const head = await send({ ...pageRequest(), method: 'HEAD' }, deps);

    // Assess
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-security-policy']).toContain("default-src 'none'");
    expect(callbacks.calls).toEqual([]);
  });

  it('refuses a repeated link parameter rather than picking one', async () => {
    // Prepare
    const { deps } = await setup();
    const link = signedLink();
    const request = pageRequest(link);

    // Act
    const answer = await send(
      { ...request, query: { ...request.query, sig: [link.searchParams.get('sig') ?? '', '0'.repeat(64)] } },
      deps,
    );

    // Assess
    expect(answer.status).toBe(400);
  });
});

describe('logging', () => {
  it('no secret is logged: not the token, the keys, a signature or a CSRF token', async () => {
    // Prepare
    const { logger, deps } = await setup();
    const failing = recordingCallbacks(
      Object.assign(new Error(`bad token ${TASK_TOKEN}`), { name: 'InvalidToken' }),
    );

    // Act
    await openAndSubmit({ ...deps, callbacks: failing }, 'approve');
    await send(slackRequest(slackClick(), { secret: 'wrong' }), deps);
    await send(slackRequest(slackClick({ userId: 'U0STRANGER' })), deps);
    await (await send(slackRequest(slackClick()), deps)).settled();

    // Assess
    const logged = logger.lines.join('\n');
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const secret of [
      TASK_TOKEN.slice(0, 20),
      LINK_KEY,
      SLACK_SECRET,
      signedLink().searchParams.get('sig') ?? '',
    ]) {
      expect(logged).not.toContain(secret);
    }
    expect(logged).not.toMatch(/cordon_csrf|[A-Za-z0-9_-]{22}\.[0-9a-f]{64}/);
  });
});

describe('the answered log line', () => {
  it('names the route by its pattern and the status, for refusals too', async () => {
    // Prepare
    const { logger, deps } = await setup();

    // Act
    await send(pageRequest(), deps);
    await send({ ...pageRequest(), method: 'DELETE' }, deps);
    await send({ ...formRequest(`/approvals/${APPROVAL_ID}/decision`, {}), body: 'a'.repeat(70_000) }, deps);

    // Assess
    const answered = logger.lines.filter((line) => line.includes('approval API: answered'));
    expect(answered).toEqual([
      'info approval API: answered {"method":"GET","route":"/approvals/:id","status":200}',
      'info approval API: answered {"method":"DELETE","route":"/approvals/:id","status":405}',
      'info approval API: answered {"method":"POST","route":"/approvals/:id/decision","status":413}',
    ]);
  });
});

describe('NOW fixture', () => {
  it('is before the decision time used here', () => {
    expect(NOW.getTime()).toBeLessThan(LATER.getTime());
  });
});

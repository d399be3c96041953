import { describe, expect, it } from 'vitest';
import { createApprovalApi, IDENTITY_HEADER } from '../../src/approval/api.ts';
import type { TaskCallbacks } from '../../src/approval/decide.ts';
import {
  GROUP_APPROVE_ACTION_ID,
  GROUP_REJECT_ACTION_ID,
  GROUP_RETRY_ACTION_ID,
} from '../../src/approval/group-messages.ts';
import { memberApprovalId } from '../../src/approval/groups.ts';
import type { ApprovalApiDependencies } from '../../src/approval/http.ts';
import { signApprovalLink, signGroupLink } from '../../src/approval/links.ts';
import { requestApproval } from '../../src/approval/request-approval.ts';
import type { SlackResponder } from '../../src/slack/client.ts';
import {
  APPROVER_SLACK,
  APPROVER_WEB,
  ask,
  BASE_URL,
  formRequest,
  LINK_KEY,
  pageRequest,
  recordingCallbacks,
  recordingLogger,
  SLACK_SECRET,
  slackClick,
  slackRequest,
  type TestRequest,
} from './fixtures.ts';
import { groupHarness, stormPayload } from './group-fixtures.ts';

/** A group of `size` members, asked through requestApproval, and an approval API over the same table. */
async function setup(size: number, callbacks: TaskCallbacks & { calls?: unknown[] } = recordingCallbacks()) {
  const harness = groupHarness();
  const { updateSlack: _none, ...asking } = harness.ports();
  const results = [];
  for (let n = 1; n <= size; n += 1) results.push(await requestApproval(stormPayload(n), asking));
  const groupId = String(results[0]?.group?.id);
  const link = new URL(String(results[0]?.link));
  const slackCalls: Array<{ kind: 'replace' | 'tell'; target: unknown; message: unknown }> = [];
  const slack: SlackResponder = {
    replace: async (target, message) => void slackCalls.push({ kind: 'replace', target, message }),
    tell: async (target, message) => void slackCalls.push({ kind: 'tell', target, message }),
  };
  const logger = recordingLogger();
  const deps: ApprovalApiDependencies = {
    store: harness.store,
    groups: harness.groups,
    callbacks,
    secrets: async () => ({ linkSigningKey: LINK_KEY, slackSigningSecret: SLACK_SECRET }),
    now: harness.now,
    identify: (request) => {
      const value = request.headers.get(IDENTITY_HEADER);
      return value === null ? undefined : { id: value };
    },
    isInUserGroup: async () => false,
    slack,
    logger,
    secureCookies: true,
  };
  return { harness, groupId, link, deps, slackCalls, results, logger };
}

async function send(request: TestRequest, deps: ApprovalApiDependencies) {
  const api = createApprovalApi(deps);
  const answer = await ask(api, request);
  await api.settled();
  return answer;
}

/** Opens the group page like a browser and presses the button whose value is `act`. */
async function press(
  deps: ApprovalApiDependencies,
  link: URL,
  act: string,
  options: { identity?: string; comment?: string; dropCsrf?: boolean; fields?: Record<string, string> } = {},
) {
  const page = await send(pageRequest(link), deps);
  const cookie = (page.headers['set-cookie'] ?? '').split(';')[0] ?? '';
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page.body)?.[1] ?? '';
  const fields: Record<string, string> = {
    sig: link.searchParams.get('sig') ?? '',
    exp: link.searchParams.get('exp') ?? '',
    csrf: options.dropCsrf === true ? '' : field('csrf'),
    from: field('from'),
    through: field('through'),
    act,
    ...(options.comment === undefined ? {} : { comment: options.comment }),
    ...options.fields,
  };
  const answer = await send(
    formRequest(`${link.pathname}/decision`, fields, {
      cookie,
      [IDENTITY_HEADER]: options.identity ?? APPROVER_WEB,
    }),
    deps,
  );
  return { page, answer };
}

function groupClick(actionId: string, value: string, userId = APPROVER_SLACK) {
  const click = slackClick({ userId, value });
  return {
    ...click,
    actions: [{ type: 'button', action_id: actionId, block_id: 'cordon_group', value }],
  };
}

describe('GET /groups/{id}', () => {
  it('shows every member with its own buttons and changes nothing, whoever opens it (a scanner, a preview)', async () => {
    // Prepare
    const { deps, link, harness, groupId } = await setup(3);
    const before = await Promise.all(
      [1, 2, 3].map((seq) => harness.store.get(memberApprovalId(groupId, seq))),
    );

    // Act
    const answers = await Promise.all([
      send(pageRequest(link), deps),
      send({ ...pageRequest(link), method: 'HEAD' }, deps),
      send({ ...pageRequest(link), query: { ...pageRequest(link).query, act: 'approve:all' } }, deps),
    ]);

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    const page = answers[0]?.body ?? '';
    for (const seq of [1, 2, 3]) expect(page).toContain(`value="approve:${seq}"`);
    expect(page).toContain('value="approve:all"');
    expect(page).toContain('i-00000000000000002');
    expect(answers[0]?.headers['set-cookie']).toContain(`Path=/groups/${groupId}`);
    const after = await Promise.all(
      [1, 2, 3].map((seq) => harness.store.get(memberApprovalId(groupId, seq))),
    );
    expect(after).toEqual(before);
  });

  it.each<[string, (link: URL) => void, number]>([
    ['a wrong signature', (link) => link.searchParams.set('sig', 'f'.repeat(64)), 403],
    ['a damaged expiry', (link) => link.searchParams.set('exp', 'soon'), 400],
    ['an expiry changed after signing', (link) => link.searchParams.set('exp', '4102444800'), 403],
  ])('refuses %s', async (_case, damage, status) => {
    // Prepare
    const { deps, link } = await setup(1);
    damage(link);

    // Act / Assess
    expect((await send(pageRequest(link), deps)).status).toBe(status);
  });

  it('a link past its expiry answers 410, signature and all', async () => {
    // Prepare
    const { deps, groupId, harness } = await setup(1);
    const expired = new URL(
      signGroupLink({
        baseUrl: BASE_URL,
        groupId,
        expiresAt: new Date(harness.now().getTime() - 1000),
        key: LINK_KEY,
      }),
    );

    // Act / Assess
    expect((await send(pageRequest(expired), deps)).status).toBe(410);
  });

  it('an approval link signed for a member does not open or decide the group, nor a group link a member (410/403, not 200)', async () => {
    // Prepare
    const { deps, groupId, harness } = await setup(1);
    const expiresAt = new Date(harness.now().getTime() + 3_000_000);
    const memberLink = new URL(
      signApprovalLink({
        baseUrl: BASE_URL,
        approvalId: memberApprovalId(groupId, 1),
        expiresAt,
        key: LINK_KEY,
      }),
    );
    const asGroup = new URL(`${BASE_URL}/groups/${groupId}?${memberLink.searchParams.toString()}`);
    const groupLink = new URL(signGroupLink({ baseUrl: BASE_URL, groupId, expiresAt, key: LINK_KEY }));
    const asMember = new URL(
      `${BASE_URL}/approvals/${memberApprovalId(groupId, 1)}?${groupLink.searchParams.toString()}`,
    );

    // Act / Assess
    expect((await send(pageRequest(asGroup), deps)).status).toBe(403);
    expect((await send(pageRequest(asMember), deps)).status).toBe(403);
  });

  it('an unknown group answers 404, and without a group store every group route is 404', async () => {
    // Prepare
    const { deps, harness } = await setup(1);
    const unknown = new URL(
      signGroupLink({
        baseUrl: BASE_URL,
        groupId: 'AAAAAAAAAAAAAAAAAAAAAA_7',
        expiresAt: new Date(harness.now().getTime() + 60_000),
        key: LINK_KEY,
      }),
    );
    const { groups: _none, ...withoutGroups } = deps;

    // Act / Assess
    expect((await send(pageRequest(unknown), deps)).status).toBe(404);
    expect((await send(pageRequest(unknown), withoutGroups)).status).toBe(404);
  });
});

describe('POST /groups/{id}/decision', () => {
  it('approves all the waiting members once (200), then the same form again is a conflict that decides nothing (409)', async () => {
    // Prepare
    const callbacks = recordingCallbacks();
    const { deps, link, groupId, harness, slackCalls } = await setup(4, callbacks);

    // Act
    const { page, answer } = await press(deps, link, 'approve:all', { comment: 'contain the worm' });
    const replay = await send(
      formRequest(
        `${link.pathname}/decision`,
        {
          sig: link.searchParams.get('sig') ?? '',
          exp: link.searchParams.get('exp') ?? '',
          csrf: /name="csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '',
          from: '0',
          through: '4',
          act: 'approve:all',
        },
        { cookie: (page.headers['set-cookie'] ?? '').split(';')[0] ?? '', [IDENTITY_HEADER]: APPROVER_WEB },
      ),
      deps,
    );

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('4 approved');
    expect(replay.status).toBe(409);
    expect(callbacks.calls).toHaveLength(4);
    expect(callbacks.calls.every((call) => call.kind === 'success')).toBe(true);
    const members = await Promise.all(
      [1, 2, 3, 4].map((seq) => harness.store.get(memberApprovalId(groupId, seq))),
    );
    expect(members.map((member) => member?.decision?.comment)).toEqual(Array(4).fill('contain the worm'));
    expect(slackCalls.filter((call) => call.kind === 'replace')).toHaveLength(1);
    expect((await harness.groups.get(groupId))?.tally).toMatchObject({ approved: 4, waiting: 0 });
  });

  it('one by one: each member as decided, a second click on one is 409, then the group decision leaves them alone', async () => {
    // Prepare
    const callbacks = recordingCallbacks();
    const { deps, link, groupId, harness } = await setup(3, callbacks);

    // Act
    const first = await press(deps, link, 'reject:1', { comment: 'a test box' });
    const again = await press(deps, link, 'approve:1');
    const second = await press(deps, link, 'approve:2');
    const rest = await press(deps, link, 'reject:all');

    // Assess
    expect([first.answer.status, again.answer.status, second.answer.status, rest.answer.status]).toEqual([
      200, 409, 200, 200,
    ]);
    expect(rest.answer.body).toContain('2 already decided (one by one)');
    const byToken = Object.fromEntries(callbacks.calls.map((call) => [call.token, call.kind]));
    expect(byToken).toEqual({
      [String(stormPayload(1).taskToken)]: 'failure',
      [String(stormPayload(2).taskToken)]: 'success',
      [String(stormPayload(3).taskToken)]: 'failure',
    });
    expect(callbacks.calls).toHaveLength(3);
    expect((await harness.store.get(memberApprovalId(groupId, 3)))?.decision?.round).toBe(1);
  });

  it('refuses a forged or missing CSRF token (403), an unknown identity (403), a stranger (403), a bad button (400) — deciding nothing', async () => {
    // Prepare
    const callbacks = recordingCallbacks();
    const { deps, link, harness, groupId } = await setup(2, callbacks);
    const { identify: _none, ...anonymous } = deps;

    // Act
    const answers = [
      (await press(deps, link, 'approve:all', { dropCsrf: true })).answer.status,
      (await press(anonymous, link, 'approve:all')).answer.status,
      (await press(deps, link, 'approve:all', { identity: 'mallory@example.com' })).answer.status,
      (await press(deps, link, 'approve:everyone')).answer.status,
      (await press(deps, link, 'approve:all', { fields: { through: 'lots' } })).answer.status,
    ];

    // Assess
    expect(answers).toEqual([403, 403, 403, 400, 400]);
    expect(callbacks.calls).toEqual([]);
    expect((await harness.groups.get(groupId))?.decidedThrough).toBeUndefined();
  });

  it('a decision not delivered (throttled throughout) answers 502 and offers Retry delivery, which delivers it', async () => {
    // Prepare
    let down = true;
    const calls: string[] = [];
    const callbacks: TaskCallbacks = {
      async sendTaskSuccess(token) {
        calls.push(token);
        if (down) throw Object.assign(new Error('slow'), { name: 'ThrottlingException' });
      },
      async sendTaskFailure() {},
    };
    const { deps, link } = await setup(1, callbacks);

    // Act
    const decided = await press(deps, link, 'approve:all');
    const page = await send(pageRequest(link), deps);
    down = false;
    const retried = await press(deps, link, 'retry');

    // Assess
    expect(decided.answer.status).toBe(502);
    expect(decided.answer.body).toContain('NOT delivered');
    expect(page.body).toContain('value="retry"');
    expect(retried.answer.status).toBe(200);
    expect(retried.answer.body).toContain('1 sent to Step Functions again');
    expect(calls.length).toBeGreaterThanOrEqual(4);
  });
});

describe('Slack group buttons', () => {
  it('approves the places the button carries, acknowledged at once, then redraws the message through response_url', async () => {
    // Prepare
    const callbacks = recordingCallbacks();
    const { deps, groupId, slackCalls, harness } = await setup(3, callbacks);

    // Act
    const answer = await send(slackRequest(groupClick(GROUP_APPROVE_ACTION_ID, `${groupId}:0:3`)), deps);

    // Assess
    expect(answer.status).toBe(200);
    expect(callbacks.calls.map((call) => call.kind)).toEqual(['success', 'success', 'success']);
    const replaced = slackCalls.find((call) => call.kind === 'replace');
    expect(replaced?.target).toEqual({
      responseUrl: 'https://hooks.slack.com/actions/T0/1/abc',
      ref: { channel: 'C0SECURITY', ts: '1795860000.000001' },
    });
    expect(JSON.stringify(replaced?.message)).toContain('3 approved');
    expect((await harness.store.get(memberApprovalId(groupId, 2)))?.decision?.decidedBy).toEqual({
      kind: 'slack',
      id: APPROVER_SLACK,
      name: 'alice',
    });
  });

  it('a Slack retry is acknowledged without deciding; a replayed click is a conflict that decides nothing', async () => {
    // Prepare
    const callbacks = recordingCallbacks();
    const { deps, groupId, slackCalls } = await setup(2, callbacks);
    const click = groupClick(GROUP_REJECT_ACTION_ID, `${groupId}:0:2`);

    // Act
    const retried = await send(slackRequest(click, { headers: { 'x-slack-retry-num': '1' } }), deps);
    const first = await send(slackRequest(click), deps);
    const replayed = await send(slackRequest(click), deps);

    // Assess
    expect([retried.status, first.status, replayed.status]).toEqual([200, 200, 200]);
    expect(callbacks.calls.map((call) => call.kind)).toEqual(['failure', 'failure']);
    expect(JSON.stringify(slackCalls.filter((call) => call.kind === 'tell'))).toContain(
      'Nothing was decided',
    );
  });

  it('refuses a forged signature (401), a forged button value (400), a stranger (told, nothing decided)', async () => {
    // Prepare
    const callbacks = recordingCallbacks();
    const { deps, groupId, slackCalls } = await setup(1, callbacks);

    // Act
    const forged = await send(
      slackRequest(groupClick(GROUP_APPROVE_ACTION_ID, `${groupId}:0:1`), { secret: 'not-the-secret' }),
      deps,
    );
    const badValue = await send(slackRequest(groupClick(GROUP_APPROVE_ACTION_ID, `${groupId}:1:1`)), deps);
    const stranger = await send(
      slackRequest(groupClick(GROUP_APPROVE_ACTION_ID, `${groupId}:0:1`, 'U0STRANGER')),
      deps,
    );

    // Assess
    expect([forged.status, badValue.status, stranger.status]).toEqual([401, 400, 200]);
    expect(callbacks.calls).toEqual([]);
    expect(JSON.stringify(slackCalls)).toContain('not one of the configured approvers');
  });

  it('Retry delivery in Slack resends an undelivered decision once', async () => {
    // Prepare
    let down = true;
    const sent: string[] = [];
    const callbacks: TaskCallbacks = {
      async sendTaskSuccess(token) {
        if (down) throw Object.assign(new Error('unavailable'), { name: 'ServiceUnavailable' });
        sent.push(token);
      },
      async sendTaskFailure() {},
    };
    const { deps, groupId } = await setup(1, callbacks);
    await send(slackRequest(groupClick(GROUP_APPROVE_ACTION_ID, `${groupId}:0:1`)), deps);
    down = false;

    // Act
    await send(slackRequest(groupClick(GROUP_RETRY_ACTION_ID, `${groupId}:0:1`)), deps);
    await send(slackRequest(groupClick(GROUP_RETRY_ACTION_ID, `${groupId}:0:1`)), deps);

    // Assess
    expect(sent).toEqual([String(stormPayload(1).taskToken)]);
  });
});

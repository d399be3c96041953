import { describe, expect, it } from 'vitest';
import { GROUP_APPROVE_ACTION_ID, parseGroupButtonValue } from '../../src/approval/group-messages.ts';
import {
  GROUP_UPDATE_INTERVAL_SECONDS,
  type GroupShape,
  groupKeyHash,
  MAX_GROUP_MEMBERS,
  memberApprovalId,
} from '../../src/approval/groups.ts';
import { verifyGroupLink } from '../../src/approval/links.ts';
import { requestApproval } from '../../src/approval/request-approval.ts';
import { ApprovalNotDeliveredError } from '../../src/errors.ts';
import type { SlackBlock } from '../../src/slack/blocks.ts';
import { LINK_KEY, NOW } from './fixtures.ts';
import { FINDING_TYPE, groupHarness, groupSettings, stormPayload } from './group-fixtures.ts';

function shape(overrides: Partial<GroupShape> = {}): GroupShape {
  return {
    account: '123456789012',
    region: 'us-east-1',
    playbook: 'ec2-compromise',
    findingType: FINDING_TYPE,
    category: 'instance-compromise',
    step: 'contain-instance',
    actions: ['request-approval', 'contain-instance', 'notify'],
    dryRun: false,
    timeoutDefault: 'reject',
    timeoutSeconds: 3600,
    approvers: { slackUserIds: ['U1', 'U2'], slackUserGroupIds: [], identities: ['Alice@example.com'] },
    ...overrides,
  };
}

function actionsBlock(blocks: readonly SlackBlock[]) {
  const block = blocks.find((candidate) => candidate.type === 'actions');
  return block?.type === 'actions' ? block : undefined;
}

describe('groupKeyHash', () => {
  it('is the same for requests of one kind, whatever the order of the approvers or the case of an identity', () => {
    // Prepare
    const reordered = shape({
      approvers: { slackUserIds: ['U2', 'U1'], slackUserGroupIds: [], identities: ['alice@EXAMPLE.com'] },
    });

    // Act / Assess
    expect(groupKeyHash(reordered)).toBe(groupKeyHash(shape()));
    expect(groupKeyHash(shape())).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it.each<[string, Partial<GroupShape>]>([
    ['another account', { account: '210987654321' }],
    ['another region', { region: 'eu-west-1' }],
    ['another playbook', { playbook: 'notify-only' }],
    ['another finding type', { findingType: 'Backdoor:EC2/C&CActivity.B!DNS' }],
    ['other steps', { actions: ['request-approval', 'contain-instance'] }],
    ['dry-run', { dryRun: true }],
    ['another timeout default', { timeoutDefault: 'approve' }],
    ['another wait', { timeoutSeconds: 600 }],
    ['other approvers', { approvers: { slackUserIds: ['U1'], slackUserGroupIds: [], identities: [] } }],
  ])('differs for %s: one decision must mean the same thing for every member', (_case, change) => {
    // Act / Assess
    expect(groupKeyHash(shape(change))).not.toBe(groupKeyHash(shape()));
  });
});

describe('requestApproval with groups', () => {
  it('50 concurrent requests of one kind join one group: one Slack post, one e-mail, places 1…50 each taken once', async () => {
    // Prepare
    const harness = groupHarness();

    // Act
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) => requestApproval(stormPayload(index + 1), harness.ports())),
    );

    // Assess
    const groupIds = new Set(results.map((result) => result.group?.id));
    expect(groupIds.size).toBe(1);
    const seqs = results.map((result) => result.group?.seq).sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
    expect(harness.posts).toHaveLength(1);
    expect(harness.published).toHaveLength(1);
    expect(results.filter((result) => result.group?.announced)).toHaveLength(1);
    const [groupId] = [...groupIds];
    const group = await harness.groups.get(String(groupId));
    expect(group?.memberCount).toBe(50);
    const tokens = await Promise.all(
      results.map(async (result) => (await harness.store.get(result.approvalId))?.taskToken),
    );
    expect(new Set(tokens).size).toBe(50);
  });

  it('keeps the message current within chat.update’s rate: the last member waits its turn and the final message counts every member', async () => {
    // Prepare
    const harness = groupHarness();

    // Act
    await Promise.all(
      Array.from({ length: 30 }, (_, index) => requestApproval(stormPayload(index + 1), harness.ports())),
    );

    // Assess
    const last = harness.updates.at(-1);
    expect(last).toBeDefined();
    expect(last?.message.text).toContain('×30');
    const gaps = harness.updates
      .slice(1)
      .map((update, index) => update.at - (harness.updates[index]?.at ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(GROUP_UPDATE_INTERVAL_SECONDS * 1000);
    expect(harness.updates.length).toBeLessThan(30);
    expect(harness.updates.every((update) => update.ref.ts === '1795860000.000001')).toBe(true);
  });

  it('the message carries the group and the waiting places, never a token; its link is the group page, signed', async () => {
    // Prepare
    const harness = groupHarness();

    // Act
    const first = await requestApproval(stormPayload(1), harness.ports());
    await requestApproval(stormPayload(2), harness.ports());

    // Assess
    const posted = harness.posts[0];
    const buttons = actionsBlock(posted?.blocks ?? [])?.elements ?? [];
    expect(buttons[0]?.action_id).toBe(GROUP_APPROVE_ACTION_ID);
    expect(parseGroupButtonValue(buttons[0]?.value ?? '')).toEqual({
      groupId: first.group?.id,
      from: 0,
      through: 1,
    });
    expect(JSON.stringify([harness.posts, harness.updates, harness.published])).not.toContain('token-');
    const link = new URL(first.link);
    expect(link.pathname).toBe(`/groups/${first.group?.id}`);
    expect(
      verifyGroupLink({
        groupId: String(first.group?.id),
        exp: link.searchParams.get('exp'),
        sig: link.searchParams.get('sig'),
        key: LINK_KEY,
        now: NOW,
      }),
    ).toEqual({ ok: true });
    expect(harness.published[0]?.attributes).toMatchObject({
      event: 'approval-requested',
      groupId: first.group?.id,
    });
    expect(harness.published[0]?.message).toContain(first.link);
  });

  it('a request after the window opens the next group, with its own message', async () => {
    // Prepare
    const harness = groupHarness();
    const first = await requestApproval(stormPayload(1), harness.ports());
    harness.advance(600_000);

    // Act
    const second = await requestApproval(stormPayload(2), harness.ports());

    // Assess
    expect(second.group?.id).not.toBe(first.group?.id);
    expect(second.group).toMatchObject({ seq: 1, announced: true });
    expect(harness.posts).toHaveLength(2);
  });

  it('requests of another kind, or of no playbook, or with the window at 0 are not grouped with it', async () => {
    // Prepare
    const harness = groupHarness();
    const first = await requestApproval(stormPayload(1), harness.ports());

    // Act
    const otherType = await requestApproval(
      stormPayload(2, {
        incident: { ...(stormPayload(2).incident as object), type: 'Backdoor:EC2/C&CActivity.B' },
      }),
      harness.ports(),
    );
    const noPlaybook = await requestApproval(stormPayload(3, { playbook: null }), harness.ports());
    const alone = await requestApproval(
      stormPayload(4),
      harness.ports({ approval: groupSettings({ groupWindowSeconds: 0 }) }),
    );

    // Assess
    expect(otherType.group?.id).not.toBe(first.group?.id);
    expect(noPlaybook.group).toBeUndefined();
    expect(alone.group).toBeUndefined();
    expect(alone.link).toContain('/approvals/');
  });

  it(`a group holds at most ${MAX_GROUP_MEMBERS} members: the next request opens another`, async () => {
    // Prepare
    const harness = groupHarness();
    // No chat.update: nobody waits for an update's turn, so the clock stays inside the window throughout.
    const { updateSlack: _none, ...ports } = harness.ports();
    for (let n = 1; n <= MAX_GROUP_MEMBERS; n += 1) await requestApproval(stormPayload(n), ports);

    // Act
    const next = await requestApproval(stormPayload(MAX_GROUP_MEMBERS + 1), harness.ports());

    // Assess
    expect(next.group).toMatchObject({ seq: 1, announced: true });
    expect(harness.posts).toHaveLength(2);
  }, 60_000);

  it('when the group’s message reaches nobody, the member is withdrawn and ApprovalNotDeliveredError asks again; the retry announces the group', async () => {
    // Prepare
    const harness = groupHarness();
    const down = harness.ports({
      postSlack: async () => {
        throw Object.assign(new Error('down'), { name: 'SlackDeliveryError' });
      },
      publish: async () => {
        throw Object.assign(new Error('down'), { name: 'InternalErrorException' });
      },
    });

    // Act
    const failed = await requestApproval(stormPayload(1), down).catch((error: unknown) => error);
    const retried = await requestApproval(stormPayload(1), harness.ports());

    // Assess
    expect(failed).toBeInstanceOf(ApprovalNotDeliveredError);
    expect(retried.group).toMatchObject({ seq: 2, announced: true });
    const withdrawn = await harness.store.get(memberApprovalId(String(retried.group?.id), 1));
    expect(withdrawn?.status).toBe('withdrawn');
    expect(harness.posts).toHaveLength(1);
  });

  it('an announcement claimed by a member that died is taken over once stale; a member waiting past its patience is withdrawn', async () => {
    // Prepare
    const harness = groupHarness();
    const first = stormPayload(1);
    // The first member claims the announcement, then never posts (its function died).
    const stuck = harness.ports({
      postSlack: () => new Promise(() => undefined),
      publish: () => new Promise(() => undefined),
    });
    void requestApproval(first, stuck);
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Act
    const second = await requestApproval(stormPayload(2), harness.ports());

    // Assess
    expect(second.group).toMatchObject({ seq: 2, announced: true });
    expect(harness.posts).toHaveLength(1);
    expect(harness.sleeps.reduce((sum, ms) => sum + ms, 0)).toBeGreaterThanOrEqual(15_000);
  });

  it('with a webhook only (no chat.update), later members are on the page but the message is not updated', async () => {
    // Prepare
    const harness = groupHarness();
    const { updateSlack: _none, ...webhookOnly } = harness.ports();

    // Act
    await requestApproval(stormPayload(1), webhookOnly);
    const second = await requestApproval(stormPayload(2), webhookOnly);

    // Assess
    expect(second.delivered).toEqual({ slack: 'grouped', sns: 'grouped' });
    expect(harness.updates).toEqual([]);
    expect((await harness.groups.get(String(second.group?.id)))?.memberCount).toBe(2);
  });
});

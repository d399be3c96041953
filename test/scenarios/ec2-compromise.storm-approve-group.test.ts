import { describe, expect, it } from 'vitest';
import { GROUP_UPDATE_INTERVAL_SECONDS } from '../../packages/core/src/approval/groups.ts';
import type { SlackBlock } from '../../packages/core/src/slack/blocks.ts';
import { isolated, ONCALL_SLACK, storm } from '../support/storm.ts';

const SIZE = 50;
const AUTOMATIC = 5;

function buttonValue(blocks: readonly SlackBlock[], actionId: string): string | undefined {
  for (const block of blocks) {
    if (block.type !== 'actions') continue;
    const button = block.elements.find((element) => element.action_id === actionId);
    if (button !== undefined) return button.value;
  }
  return undefined;
}

describe('ec2-compromise: a storm of 50 instances of one Auto Scaling group, approved as a group', () => {
  it('asks once (one Slack post, updated within chat.update’s pace, one e-mail), and one approval contains every member; the blast radius held', async () => {
    // Prepare
    const { sandbox, deployment, approvals, instanceIds, deliverAll, asked, now } = await storm(SIZE);

    // Act
    const delivered = deliverAll();
    await asked(SIZE - AUTOMATIC);
    const posts = approvals.slack.calls.filter((call) => call.method === 'chat.postMessage');
    const ts = '1700000000.000001';
    const message = approvals.slack.messages().get(ts);
    const value = buttonValue(message?.blocks ?? [], 'cordon_group_approve');
    const answer = await approvals.fetch(
      approvals.slackClick({
        userId: ONCALL_SLACK,
        actionId: 'cordon_group_approve',
        value: String(value),
        ts,
      }),
    );
    const { deliveries, executions } = await delivered;

    // Assess
    expect(answer.status).toBe(200);
    expect(posts).toHaveLength(1);
    expect(value).toMatch(new RegExp(`:0:${SIZE - AUTOMATIC}$`));
    const updates = approvals.slack.calls.filter((call) => call.method === 'chat.update');
    expect(updates.length).toBeLessThan(SIZE - AUTOMATIC);
    const times = updates.map((call) => Date.parse(call.at));
    for (let index = 1; index < times.length; index += 1) {
      expect((times[index] ?? 0) - (times[index - 1] ?? 0)).toBeGreaterThanOrEqual(
        GROUP_UPDATE_INTERVAL_SECONDS * 1000,
      );
    }
    expect(JSON.stringify(message)).toContain(`×${SIZE - AUTOMATIC}`);
    expect(deliveries.every((delivery) => delivery.outcome === 'delivered')).toBe(true);
    expect(executions).toHaveLength(SIZE);
    expect(executions.every((execution) => execution.status === 'SUCCEEDED')).toBe(true);
    const asking = executions.filter((execution) =>
      execution.steps.some((step) => step.id === 'request-approval'),
    );
    expect(asking).toHaveLength(SIZE - AUTOMATIC);
    expect(instanceIds.filter((instanceId) => !isolated(sandbox, instanceId))).toEqual([]);
    const answered = sandbox.account.calls.filter((call) => call.command === 'SendTaskSuccess');
    expect(answered).toHaveLength(SIZE - AUTOMATIC);
    expect(answered.every((call) => call.principal?.endsWith(':role/cordon-local-approval-api'))).toBe(true);
    expect(sandbox.account.calls.filter((call) => call.iam === 'denied')).toEqual([]);
    const requested = sandbox.sns
      .messages(deployment.topicArn)
      .filter((published) => JSON.stringify(published).includes('Approval needed for a group'));
    expect(requested).toHaveLength(1);
    const final = approvals.slack.messages().get(ts);
    expect(JSON.stringify(final)).toContain(`${SIZE - AUTOMATIC} approved`);
    expect(now().getTime()).toBeGreaterThan(0);
  }, 240_000);
});

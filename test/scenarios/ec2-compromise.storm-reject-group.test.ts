import { describe, expect, it } from 'vitest';
import { groupButton, interfaceGroups, isolated, ONCALL_SLACK, storm } from '../support/storm.ts';

const SIZE = 20;
const AUTOMATIC = 5;

describe('ec2-compromise: a storm rejected as a group', () => {
  it('one rejection answers every waiting member with ApprovalRejected: their instances are left as they were; the automatic five stay contained', async () => {
    // Prepare
    const { sandbox, approvals, instanceIds, deliverAll, asked } = await storm(SIZE);
    const before = Object.fromEntries(instanceIds.map((id) => [id, interfaceGroups(sandbox, id)]));

    // Act
    const delivered = deliverAll();
    await asked(SIZE - AUTOMATIC);
    const { ts, value } = groupButton(approvals, 'cordon_group_reject');
    const answer = await approvals.fetch(
      approvals.slackClick({ userId: ONCALL_SLACK, actionId: 'cordon_group_reject', value, ts }),
    );
    const { executions } = await delivered;

    // Assess
    expect(answer.status).toBe(200);
    const asking = executions.filter((execution) =>
      execution.steps.some((step) => step.id === 'request-approval'),
    );
    expect(asking).toHaveLength(SIZE - AUTOMATIC);
    for (const execution of asking) {
      expect(execution.status).toBe('SUCCEEDED');
      expect(execution.steps.map((step) => step.id)).toEqual(['request-approval', 'notify']);
      expect(execution.output).toMatchObject({ results: { approval: { Error: 'ApprovalRejected' } } });
    }
    // ec2-compromise's executions target an instance; any other target would fail the check below.
    const untouched = asking.map((execution) => {
      const { target } = execution.input;
      return 'instanceId' in target ? target.instanceId : '';
    });
    expect(untouched.every((id) => instanceIds.includes(id))).toBe(true);
    for (const instanceId of untouched) {
      expect(interfaceGroups(sandbox, instanceId)).toEqual(before[instanceId]);
      expect(sandbox.ec2.snapshot().instances[instanceId]?.tags['cordon:quarantined']).toBeUndefined();
    }
    const contained = instanceIds.filter((id) => isolated(sandbox, id));
    expect(contained).toHaveLength(AUTOMATIC);
    expect(contained.filter((id) => untouched.includes(id))).toEqual([]);
    const failures = sandbox.account.calls.filter((call) => call.command === 'SendTaskFailure');
    expect(failures).toHaveLength(SIZE - AUTOMATIC);
    expect(sandbox.account.calls.filter((call) => call.command === 'SendTaskSuccess')).toEqual([]);
    expect(sandbox.account.calls.filter((call) => call.iam === 'denied')).toEqual([]);
    expect(JSON.stringify(approvals.slack.messages().get(ts))).toContain(`${SIZE - AUTOMATIC} rejected`);
  }, 240_000);
});

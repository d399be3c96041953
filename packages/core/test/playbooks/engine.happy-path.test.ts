import { describe, expect, it } from 'vitest';
import { PLAYBOOK_IDS, PLAYBOOKS, type PlannedStep, type StepId } from '../../src/playbooks/index.ts';
import { callsOf, field, runPlaybook, type StubCall } from './engine.ts';

/** Asserts that the calls ran as planned: groups in order, the steps of a group at the same time. */
function expectPlannedOrder(calls: readonly StubCall[], planned: readonly PlannedStep[]): void {
  const firstCalls = calls.filter((call) => call.attempt === 1);
  expect(firstCalls.map((call) => call.step).sort()).toEqual(planned.flat().sort());
  let previousEnd = -1;
  for (const group of planned) {
    const members: readonly StepId[] = typeof group === 'string' ? [group] : group;
    const groupCalls = members.map((step) => firstCalls.find((call) => call.step === step));
    for (const call of groupCalls) {
      expect(call?.startedAt, `${call?.step} starts after the step before it ends`).toBeGreaterThan(
        previousEnd,
      );
    }
    for (const a of groupCalls) {
      for (const b of groupCalls) {
        if (a === b || a === undefined || b === undefined) continue;
        // Overlap: each started before the other ended.
        expect(a.startedAt, `${a.step} runs in parallel with ${b.step}`).toBeLessThan(
          b.endedAt ?? Number.NaN,
        );
      }
    }
    previousEnd = Math.max(...groupCalls.map((call) => call?.endedAt ?? Number.NaN));
  }
}

describe('a playbook whose steps all succeed', () => {
  it.each(PLAYBOOK_IDS.filter((id) => PLAYBOOKS[id].approval !== 'always'))(
    '%s runs its steps in the documented order, in parallel where documented, and ends SUCCEEDED',
    async (id) => {
      // Act
      const outcome = await runPlaybook(id, { approvalRequired: false });

      // Assess
      expect(outcome.status).toBe('SUCCEEDED');
      expectPlannedOrder(outcome.calls, PLAYBOOKS[id].steps);
      expect(field(callsOf(outcome, 'notify').at(-1), 'event')).toBe(PLAYBOOKS[id].finalEvent);
    },
  );

  it.each(PLAYBOOK_IDS.filter((id) => PLAYBOOKS[id].approval !== 'never'))(
    '%s asks for approval first when approval is required, then runs the documented steps',
    async (id) => {
      // Act
      const outcome = await runPlaybook(id, { approval: 'approve' });

      // Assess
      expect(outcome.status).toBe('SUCCEEDED');
      expectPlannedOrder(outcome.calls, ['request-approval', ...PLAYBOOKS[id].steps]);
    },
  );

  it('ec2-compromise contains in one step, then deregisters ∥ snapshots ∥ quarantines', async () => {
    // Act
    const outcome = await runPlaybook('ec2-compromise', { approvalRequired: false });

    // Assess
    expectPlannedOrder(outcome.calls, [
      'contain-instance',
      ['deregister-from-load-balancers', 'snapshot-volumes', 'quarantine-instance-profile'],
      'notify',
    ]);
  });

  it('passes each action the incident envelope and its target, and keeps the input whole', async () => {
    // Act
    const outcome = await runPlaybook('ec2-compromise', { approvalRequired: false });

    // Assess
    const contain = callsOf(outcome, 'contain-instance')[0];
    expect(contain?.input).toEqual({
      incidentId: 'guardduty-123456789012-us-east-1-6ab6e6ee7fa2bd6ab9eef5b4ea7d9d8c',
      account: '123456789012',
      region: 'us-east-1',
      dryRun: false,
      instanceId: 'i-0abc1234def567890',
      observation: null,
    });
    const snapshot = callsOf(outcome, 'snapshot-volumes')[0];
    expect(snapshot?.input).toEqual({
      incidentId: 'guardduty-123456789012-us-east-1-6ab6e6ee7fa2bd6ab9eef5b4ea7d9d8c',
      account: '123456789012',
      region: 'us-east-1',
      dryRun: false,
      instanceId: 'i-0abc1234def567890',
    });
    expect(outcome.output).toMatchObject({
      incident: { account: '123456789012' },
      target: { instanceId: 'i-0abc1234def567890' },
      results: {
        containInstance: { status: 'done' },
        deregisterFromLoadBalancers: { status: 'done' },
        snapshotVolumes: { status: 'done' },
        quarantineInstanceProfile: { status: 'done' },
      },
    });
  });

  it('tells the responders what every step returned when it is contained', async () => {
    // Act
    const outcome = await runPlaybook('ec2-compromise', { approval: 'approve' });

    // Assess
    const contained = callsOf(outcome, 'notify').at(-1);
    expect(field(contained, 'event')).toBe('contained');
    expect(field(contained, 'playbook')).toBe('ec2-compromise');
    expect(field(contained, 'results')).toMatchObject({
      approval: { decision: 'approve', decidedBy: 'U0APPROVER' },
      containInstance: { status: 'done' },
      quarantineInstanceProfile: { status: 'done' },
    });
  });

  it('hands the approval function a task token, the actions and the timeout, through the waitForTaskToken integration', async () => {
    // Act
    const outcome = await runPlaybook('credential-compromise', { approval: 'approve' });

    // Assess
    const request = callsOf(outcome, 'request-approval')[0];
    expect(field(request, 'FunctionName')).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:cordon-request-approval',
    );
    expect(field(request, 'Payload')).toMatchObject({
      taskToken: 'local-task-token',
      incidentId: 'guardduty-123456789012-us-east-1-6ab6e6ee7fa2bd6ab9eef5b4ea7d9d8c',
      step: 'deactivate-access-key',
      timeoutSeconds: 60,
      timeoutDefault: 'reject',
      playbook: 'credential-compromise',
    });
  });

  it('root-activity and notify-only tell the responders the decision and its reason, and change nothing', async () => {
    // Act
    const outcome = await runPlaybook('root-activity');

    // Assess
    expect(outcome.calls.map((call) => call.step)).toEqual(['notify']);
    expect(field(outcome.calls[0], 'event')).toBe('decided');
    expect(field(outcome.calls[0], 'message')).toContain('is compromised');
  });
});

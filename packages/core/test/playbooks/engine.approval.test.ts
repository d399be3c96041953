import { describe, expect, it } from 'vitest';
import { PLAYBOOK_IDS, PLAYBOOKS, STATE_NAMES } from '../../src/playbooks/index.ts';
import { CHANGE_STEPS, callsOf, field, runPlaybook } from './engine.ts';

const WITH_APPROVAL = PLAYBOOK_IDS.filter((id) => PLAYBOOKS[id].approval !== 'never');

describe('an approval', () => {
  it.each(WITH_APPROVAL)(
    '%s: a rejection changes nothing, tells the responders, and ends SUCCEEDED as "Rejected"',
    async (id) => {
      // Act
      const outcome = await runPlaybook(id, { approval: 'reject' });

      // Assess
      expect(outcome.status).toBe('SUCCEEDED');
      expect(outcome.calls.filter((call) => CHANGE_STEPS.includes(call.step))).toEqual([]);
      expect(outcome.entered.at(-1)).toBe(STATE_NAMES.rejected);
      const told = callsOf(outcome, 'notify');
      expect(told.map((call) => field(call, 'event'))).toEqual(['approval-rejected']);
      expect(field(told[0], 'approval')).toMatchObject({ Error: 'ApprovalRejected' });
    },
  );

  it('is skipped when the decision does not require it', async () => {
    // Act
    const outcome = await runPlaybook('ec2-compromise', { approvalRequired: false });

    // Assess
    expect(callsOf(outcome, 'request-approval')).toEqual([]);
    expect(outcome.entered).not.toContain(STATE_NAMES.askForApproval);
  });

  it('is always asked for by ec2-release, whatever approval.required says', async () => {
    // Act
    const outcome = await runPlaybook('ec2-release', { approvalRequired: false });

    // Assess
    expect(callsOf(outcome, 'request-approval')).toHaveLength(1);
    expect(outcome.entered[0]).toBe(STATE_NAMES.setApprovalDeadline);
  });
});

describe.concurrent('an approval nobody answers in time', () => {
  it('escalates, then applies an approve default: the changes run, recorded as decided by timeout', async ({
    expect,
  }) => {
    // Act
    const outcome = await runPlaybook('ec2-compromise', { approval: 'timeout', timeoutDefault: 'approve' });

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    const escalation = callsOf(outcome, 'notify')[0];
    expect(field(escalation, 'event')).toBe('approval-timeout');
    expect(field(escalation, 'decidedBy')).toBe('timeout');
    expect(field(escalation, 'timeoutDefault')).toBe('approve');
    const protect = callsOf(outcome, 'contain-instance')[0];
    expect(protect?.startedAt).toBeGreaterThan(escalation?.endedAt ?? Number.POSITIVE_INFINITY);
    expect(callsOf(outcome, 'quarantine-instance-profile')).toHaveLength(1);
    const contained = callsOf(outcome, 'notify').at(-1);
    expect(field(contained, 'results')).toMatchObject({
      approval: { decision: 'approve', decidedBy: 'timeout' },
    });
  });

  it('escalates, then applies a reject default: nothing changes, and it ends SUCCEEDED as "Not approved in time"', async ({
    expect,
  }) => {
    // Act
    const outcome = await runPlaybook('credential-compromise', {
      approval: 'timeout',
      timeoutDefault: 'reject',
    });

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.calls.filter((call) => CHANGE_STEPS.includes(call.step))).toEqual([]);
    expect(callsOf(outcome, 'notify').map((call) => field(call, 'event'))).toEqual(['approval-timeout']);
    expect(outcome.entered.at(-1)).toBe(STATE_NAMES.notApprovedInTime);
  });

  it('never releases an instance by default, even when the default is approve', async ({ expect }) => {
    // Act
    const outcome = await runPlaybook('ec2-release', { approval: 'timeout', timeoutDefault: 'approve' });

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(callsOf(outcome, 'release-instance')).toEqual([]);
    expect(field(callsOf(outcome, 'notify')[0], 'timeoutDefault')).toBe('reject');
    expect(outcome.entered.at(-1)).toBe(STATE_NAMES.notApprovedInTime);
  });

  it('security-group-ingress never revokes on a timeout, even when the default is approve: wider rules go only with a person', async ({
    expect,
  }) => {
    // Act
    const outcome = await runPlaybook('security-group-ingress', {
      approval: 'timeout',
      timeoutDefault: 'approve',
    });

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(callsOf(outcome, 'revoke-open-ingress')).toEqual([]);
    expect(field(callsOf(outcome, 'notify')[0], 'timeoutDefault')).toBe('reject');
    expect(outcome.entered.at(-1)).toBe(STATE_NAMES.notApprovedInTime);
  });
});

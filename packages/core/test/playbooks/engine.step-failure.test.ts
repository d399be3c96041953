import { describe, it } from 'vitest';
import {
  allStates,
  buildPlaybook,
  LOCAL_BUILD_OPTIONS,
  PLAYBOOK_IDS,
  PLAYBOOKS,
  type PlaybookId,
  reportStateName,
  STATE_NAMES,
  stepOfState,
} from '../../src/playbooks/index.ts';
import { callsOf, field, type RunScenario, runPlaybook } from './engine.ts';

/** Every Task state of a playbook that runs a step (failure reports excluded: they are tested below). */
function stepStates(id: PlaybookId): { state: string; parallel: boolean }[] {
  return allStates(buildPlaybook(id, LOCAL_BUILD_OPTIONS))
    .filter(({ name, state }) => state.Type === 'Task' && name !== STATE_NAMES.reportFailedStep)
    .filter(({ name }) => !name.startsWith(reportStateName('')))
    .map(({ name, parallel }) => ({ state: name, parallel: parallel !== undefined }));
}

/** A scenario that reaches the state, with the state failing for good. */
function scenarioReaching(id: PlaybookId, state: string): RunScenario {
  const failures = { [state]: { error: 'ResourceGoneError' } };
  if (state === STATE_NAMES.tellRejected) return { approval: 'reject', failures };
  if (state === STATE_NAMES.escalate) return { approval: 'timeout', failures };
  if (state === STATE_NAMES.askForApproval || PLAYBOOKS[id].approval === 'always') {
    return { approval: 'approve', failures };
  }
  return { approvalRequired: false, failures };
}

const cases = PLAYBOOK_IDS.flatMap((id) =>
  stepStates(id).map(({ state, parallel }) => ({ id, state, parallel })),
);

describe.concurrent('a step that fails with a terminal error', () => {
  it.for(cases)(
    '$id: "$state" failing ends the execution FAILED, after a step-failed notification naming it',
    async ({ id, state }, { expect }) => {
      // Prepare
      const step = stepOfState(state);

      // Act
      const outcome = await runPlaybook(id, scenarioReaching(id, state));

      // Assess
      expect(outcome.status).toBe('FAILED');
      expect(outcome.error).toBe('PlaybookStepFailed');
      expect(outcome.cause).toBe(step);
      const failing = outcome.calls.find((call) => call.state === state);
      expect(failing?.attempt, 'a terminal error is not retried').toBe(1);
      expect(outcome.calls.filter((call) => call.state === state)).toHaveLength(1);
      const report = callsOf(outcome, 'notify').find((call) => field(call, 'event') === 'step-failed');
      expect(field(report, 'failedStep')).toBe(step);
      expect(field(report, 'error')).toEqual({
        name: 'ResourceGoneError',
        message: expect.stringContaining(state),
      });
      expect(report?.startedAt).toBeGreaterThan(failing?.endedAt ?? Number.POSITIVE_INFINITY);
    },
  );

  it('ec2-compromise stops at the failed step: nothing after it runs', async ({ expect }) => {
    // Act
    const outcome = await runPlaybook('ec2-compromise', {
      approvalRequired: false,
      failures: { [STATE_NAMES.containInstance]: { error: 'AccessDeniedError' } },
    });

    // Assess
    expect(outcome.calls.map((call) => call.step)).toEqual(['contain-instance', 'notify']);
  });

  it('a failure inside a Parallel branch is reported once, by the branch, naming the branch step', async ({
    expect,
  }) => {
    // Act
    const outcome = await runPlaybook('ec2-compromise', {
      approvalRequired: false,
      failures: { [STATE_NAMES.quarantineInstanceProfile]: { error: 'UnmodifiableRoleError' } },
    });

    // Assess
    const reports = callsOf(outcome, 'notify').filter((call) => field(call, 'event') === 'step-failed');
    expect(reports.map((call) => [call.state, field(call, 'failedStep')])).toEqual([
      [reportStateName(STATE_NAMES.quarantineInstanceProfile), 'quarantine-instance-profile'],
    ]);
    expect(outcome.cause).toBe('quarantine-instance-profile');
    expect(callsOf(outcome, 'notify').some((call) => field(call, 'event') === 'contained')).toBe(false);
  });

  it('still ends FAILED when the failure report itself fails', async ({ expect }) => {
    // Act
    const outcome = await runPlaybook('ec2-compromise', {
      approvalRequired: false,
      failures: {
        [STATE_NAMES.containInstance]: { error: 'ResourceGoneError' },
        [STATE_NAMES.reportFailedStep]: { error: 'AccessDeniedError' },
      },
    });

    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.cause).toBe('contain-instance');
  });

  it('still ends FAILED when a branch failure report itself fails', async ({ expect }) => {
    // Act
    const outcome = await runPlaybook('ec2-compromise', {
      approvalRequired: false,
      failures: {
        [STATE_NAMES.deregisterFromLoadBalancers]: { error: 'ResourceGoneError' },
        [reportStateName(STATE_NAMES.deregisterFromLoadBalancers)]: { error: 'AccessDeniedError' },
      },
    });

    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.cause).toBe('deregister-from-load-balancers');
  });
});

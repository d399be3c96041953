import { describe, expect, it } from 'vitest';
import { outcomes, playScenario, SCENARIO_FILES } from '../support/scenario-command.ts';

describe('a re-delivery while the playbook waits for approval', () => {
  it('is a duplicate: the claim answers before StartExecution, which would answer success for the running execution', async () => {
    const { exit, report } = await playScenario(
      `${SCENARIO_FILES}/ec2-compromise.redelivery-during-approval.json`,
    );

    expect(exit).toBe(0);
    expect(outcomes(report)).toEqual(['deliver:started', 'deliver:duplicate', 'decide:approved']);
    expect(report.calls.filter((call) => call.command === 'StartExecution')).toHaveLength(1);
    expect(report.executions.map((execution) => execution.status)).toEqual(['SUCCEEDED']);
    // The approval went through request-approval's record and the approval API's Slack route.
    expect(report.steps[2]?.approvals).toEqual([
      expect.objectContaining({ outcome: 'approved', status: 200 }),
    ]);
    const sendTaskSuccess = report.calls.find((call) => call.command === 'SendTaskSuccess');
    expect(sendTaskSuccess).toMatchObject({ iam: 'allowed', outcome: 'ok' });
    expect(sendTaskSuccess?.principal).toMatch(/role\/cordon-local-approval-api$/);
    expect(
      report.calls.some(
        (call) =>
          call.command === 'PutItem' && call.principal?.endsWith('cordon-local-request-approval') === true,
      ),
    ).toBe(true);
  });
});

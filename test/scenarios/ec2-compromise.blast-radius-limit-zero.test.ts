import { describe, expect, it } from 'vitest';
import { outcomes, playScenario, SCENARIO_FILES } from '../support/scenario-command.ts';

describe('limit 0 means no automatic containment, in every store', () => {
  it('makes a high-severity finding wait for approval, through the DynamoDB blast radius, and changes nothing', async () => {
    const { exit, report } = await playScenario(
      `${SCENARIO_FILES}/ec2-compromise.blast-radius-limit-zero.json`,
    );

    expect(exit).toBe(0);
    expect(outcomes(report)).toEqual(['deliver:started']);
    expect(report.steps[0]?.decision).toMatchObject({ action: 'remediate', approval: 'required' });
    expect(report.steps[0]?.decision?.reason).toContain(
      'the settings allow no automatic containment (maxContainmentsPerAccountPerHour 0)',
    );
    expect(report.executions).toEqual([
      expect.objectContaining({ playbook: 'ec2-compromise', status: 'RUNNING' }),
    ]);
    expect(report.pendingApprovals).toHaveLength(1);
    expect(report.changes).toEqual([]);
    // No slot was asked of DynamoDB: a limit of 0 is answered before the store.
    expect(report.calls.some((call) => JSON.stringify(call.input).includes('blast-radius#'))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { loadEvent } from '../support/events.ts';
import { runScenario } from '../support/scenario.ts';

describe('notify-only: an instance receives an SSH brute force', () => {
  it('never isolates the victim: one notification, no change to the instance', async () => {
    const { sandbox, execution, incident } = await runScenario(
      loadEvent('guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json'),
      {
        settings: { includeSampleFindings: true, severity: { autoRemediateAt: 1, approvalAt: 1 } },
      },
    );
    expect(execution).toMatchObject({ playbook: 'notify-only', status: 'SUCCEEDED' });
    const before = structuredClone(sandbox.ec2.snapshot().instances['i-99999999']);
    expect(sandbox.account.calls.filter((call) => call.service === 'EC2')).toEqual([]);
    expect(sandbox.ec2.snapshot().instances['i-99999999']).toEqual(before);
    expect(
      sandbox.sns.messages(`arn:aws:sns:us-east-1:${incident.account}:cordon-notifications`),
    ).toHaveLength(1);
  });
});

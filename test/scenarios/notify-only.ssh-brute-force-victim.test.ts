import { describe, expect, it } from 'vitest';
import { loadEvent } from '../support/events.ts';
import { runScenario } from '../support/scenario.ts';

describe('notify-only: an instance receives an SSH brute force', () => {
  it('never isolates the victim: one notification, no change to the instance', async () => {
    // The sample holds the finding in the SDK's casing, which only the GuardDuty poller hands to triage.
    const { sandbox, execution, deployment } = await runScenario(
      loadEvent('guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json'),
      {
        via: 'poller',
        settings: { includeSampleFindings: true, severity: { autoRemediateAt: 1, approvalAt: 1 } },
      },
    );
    expect(execution).toMatchObject({ playbook: 'notify-only', status: 'SUCCEEDED' });
    const before = structuredClone(sandbox.ec2.snapshot().instances['i-99999999']);
    expect(sandbox.account.calls.filter((call) => call.service === 'EC2')).toEqual([]);
    expect(sandbox.ec2.snapshot().instances['i-99999999']).toEqual(before);
    expect(sandbox.sns.messages(deployment.topicArn)).toHaveLength(1);
  });
});

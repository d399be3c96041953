import { describe, expect, it } from 'vitest';
import { complianceChange } from '../support/intake-cases.ts';
import { runScenario } from '../support/scenario.ts';

// Issue 12: a Config rule nobody mapped is low and does not page; a rule Cordon rates pages at its severity.
describe('notify-only: AWS Config results of rules nobody mapped', () => {
  it('records a NON_COMPLIANT result of an unrated rule, low, and tells nobody', async () => {
    const { delivery, result, execution, sandbox, deployment } = await runScenario(
      complianceChange('required-tags'),
    );
    expect(delivery).toMatchObject({ outcome: 'delivered', rules: ['config-compliance'] });
    expect(result).toMatchObject({
      outcome: 'ignored',
      incident: { severity: { label: 'low' } },
      decision: { action: 'ignore' },
    });
    expect(execution).toBeUndefined();
    expect(sandbox.sns.messages(deployment.topicArn)).toEqual([]);
  });

  // s3-bucket-public-read-prohibited has its own playbook since issue 14 (the bucket's Block Public Access, with
  // approval); mapped by the settings to notify-only, it still pages at the severity Cordon rates it.
  it('notifies about s3-bucket-public-read-prohibited at critical severity when the settings map it to notify-only', async () => {
    const { execution, sandbox, deployment } = await runScenario(
      complianceChange('s3-bucket-public-read-prohibited-conformance-pack-a1b2c3d4e'),
      {
        settings: {
          configRulePlaybooks: {
            S3_BUCKET_PUBLIC_READ_PROHIBITED: { playbook: 'notify-only', approval: 'auto' },
          },
        },
      },
    );
    expect(execution).toMatchObject({ playbook: 'notify-only', status: 'SUCCEEDED' });
    expect(sandbox.sns.messages(deployment.topicArn)[0]?.subject).toContain('CRITICAL noncompliant-resource');
  });

  it('routes s3-bucket-public-read-prohibited to the bucket Block Public Access playbook by default', async () => {
    const { result } = await runScenario(
      complianceChange('s3-bucket-public-read-prohibited-conformance-pack-a1b2c3d4e'),
    );
    expect(result).toMatchObject({
      incident: { severity: { label: 'critical' } },
      decision: { playbook: 's3-bucket-public-access', approval: 'required' },
    });
  });
});

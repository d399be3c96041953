import { describe, expect, it } from 'vitest';
import { sandboxForEvent } from '../../packages/local/src/seed-event.ts';
import { ledgerEntries, loadDemoEvent, POSTURE_EVENTS, startRelease } from '../support/posture.ts';
import { runScenario } from '../support/scenario.ts';

const EVENT = POSTURE_EVENTS.EC2_EBS_ENCRYPTION_BY_DEFAULT;

describe('ebs-encryption-by-default: ec2-ebs-encryption-by-default under a Security Hub name', () => {
  it('asks first, turns encryption by default on, and the release turns it off again', async () => {
    // Prepare
    const event = loadDemoEvent(EVENT);
    const before = sandboxForEvent(event).sandbox.ec2.snapshot().ebsEncryptionByDefault;

    // Act
    const { sandbox, deployment, execution, incident } = await runScenario(event);

    // Assess
    expect(before).toBe(false);
    expect(execution?.steps.map((step) => step.id)).toEqual([
      'request-approval',
      'enable-ebs-default-encryption',
      'notify',
    ]);
    expect(sandbox.ec2.snapshot().ebsEncryptionByDefault).toBe(true);
    const fix = (await ledgerEntries(deployment, incident.id)).filter(
      (entry) => entry.step === 'enable-ebs-default-encryption',
    );
    expect(fix.length).toBeGreaterThan(0);
    expect(fix.every((entry) => entry.controls?.includes('SecurityHub/EC2.7'))).toBe(true);

    // Act
    const release = await startRelease(deployment, execution);

    // Assess
    expect(release.status).toBe('SUCCEEDED');
    expect(sandbox.ec2.snapshot().ebsEncryptionByDefault).toBe(before);
  });
});

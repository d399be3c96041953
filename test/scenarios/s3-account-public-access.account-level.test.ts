import { describe, expect, it } from 'vitest';
import { sandboxForEvent } from '../../packages/local/src/seed-event.ts';
import { ledgerEntries, loadDemoEvent, POSTURE_EVENTS, startRelease } from '../support/posture.ts';
import { runScenario } from '../support/scenario.ts';

const ALL_ON = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};

describe('s3-account-public-access: the account-level Block Public Access rules under conformance-pack names', () => {
  it('asks first, turns on the two settings that were off, and the release puts back exactly the two that were on (change-triggered rule)', async () => {
    // Prepare
    const event = loadDemoEvent(POSTURE_EVENTS.S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS);
    const before = sandboxForEvent(event).sandbox.s3Control.publicAccessBlock();

    // Act
    const { sandbox, deployment, execution, incident } = await runScenario(event);

    // Assess
    expect(before).toEqual({ ...ALL_ON, blockPublicPolicy: false, restrictPublicBuckets: false });
    expect(execution?.steps.map((step) => step.id)).toEqual([
      'request-approval',
      'block-account-public-access',
      'notify',
    ]);
    expect(sandbox.s3Control.publicAccessBlock()).toEqual(ALL_ON);
    const fix = (await ledgerEntries(deployment, incident.id)).filter(
      (entry) => entry.step === 'block-account-public-access',
    );
    expect(fix.length).toBeGreaterThan(0);
    expect(fix.every((entry) => entry.controls?.includes('SecurityHub/S3.1'))).toBe(true);

    // Act
    const release = await startRelease(deployment, execution);

    // Assess
    expect(release.status).toBe('SUCCEEDED');
    expect(sandbox.s3Control.publicAccessBlock()).toEqual(before);
  });

  it('turns on all four settings of an account that had none, and the release deletes the configuration (periodic rule, Security Hub S3.1)', async () => {
    // Prepare
    const event = loadDemoEvent(POSTURE_EVENTS.S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC);

    // Act
    const { sandbox, deployment, execution } = await runScenario(event);

    // Assess
    expect(execution?.status).toBe('SUCCEEDED');
    expect(sandbox.s3Control.publicAccessBlock()).toEqual(ALL_ON);

    // Act
    const release = await startRelease(deployment, execution);

    // Assess
    expect(release.status).toBe('SUCCEEDED');
    expect(sandbox.s3Control.publicAccessBlock()).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../packages/local/src/sandbox/index.ts';
import { sandboxForEvent } from '../../packages/local/src/seed-event.ts';
import { ledgerEntries, loadDemoEvent, POSTURE_EVENTS, startRelease } from '../support/posture.ts';
import { runScenario } from '../support/scenario.ts';

const BUCKET = 'amzn-s3-demo-bucket-web';

/** The bucket's state but its creation time (the state before is read from a sandbox seeded on its own). */
function bucketState(sandbox: Sandbox) {
  const bucket = sandbox.s3.findBucket(BUCKET);
  if (bucket === undefined) throw new Error(`${BUCKET} was not seeded`);
  const { creationDate: _created, ...state } = bucket;
  return state;
}

describe('s3-bucket-public-access: s3-bucket-level-public-access-prohibited under a Security Hub name', () => {
  it("asks first, turns on the bucket's four settings keeping its policy and tags, and the release puts back exactly the one that was on", async () => {
    // Prepare
    const event = loadDemoEvent(POSTURE_EVENTS.S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED);
    const before = bucketState(sandboxForEvent(event).sandbox);

    // Act
    const { sandbox, deployment, execution, incident } = await runScenario(event);

    // Assess
    expect(before?.publicAccessBlock).toEqual({
      blockPublicAcls: true,
      ignorePublicAcls: false,
      blockPublicPolicy: false,
      restrictPublicBuckets: false,
    });
    expect(execution?.steps.map((step) => step.id)).toEqual([
      'request-approval',
      'block-bucket-public-access',
      'notify',
    ]);
    const fixed = sandbox.s3.findBucket(BUCKET);
    expect(fixed?.publicAccessBlock).toEqual({
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    });
    expect(fixed?.policy).toBe(before?.policy);
    expect(fixed?.tags).toEqual(before?.tags);
    const fix = (await ledgerEntries(deployment, incident.id)).filter(
      (entry) => entry.step === 'block-bucket-public-access',
    );
    expect(fix.length).toBeGreaterThan(0);
    expect(fix.every((entry) => entry.controls?.includes('SecurityHub/S3.8'))).toBe(true);

    // Act
    const release = await startRelease(deployment, execution);

    // Assess
    expect(release.status).toBe('SUCCEEDED');
    expect(bucketState(sandbox)).toEqual(before);
  });
});

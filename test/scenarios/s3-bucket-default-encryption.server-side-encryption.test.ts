import { describe, expect, it } from 'vitest';
import { ledgerEntries, loadDemoEvent, POSTURE_EVENTS, startRelease } from '../support/posture.ts';
import { runScenario } from '../support/scenario.ts';

const BUCKET = 'amzn-s3-demo-bucket-archive';

describe('s3-bucket-default-encryption: s3-bucket-server-side-encryption-enabled under a conformance-pack name', () => {
  it('sets SSE-S3 without asking, keeps the policy and tags, and the release deletes the configuration it set', async () => {
    // Prepare
    const event = loadDemoEvent(POSTURE_EVENTS.S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED);

    // Act
    const { sandbox, deployment, execution, incident } = await runScenario(event);

    // Assess
    expect(execution?.steps.map((step) => step.id)).toEqual(['enable-default-encryption', 'notify']);
    const fixed = sandbox.s3.findBucket(BUCKET);
    expect(fixed?.encryption?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');
    expect(fixed?.tags).toEqual({ team: 'archive' });
    const fix = (await ledgerEntries(deployment, incident.id)).filter(
      (entry) => entry.step === 'enable-default-encryption',
    );
    expect(fix.every((entry) => entry.controls?.includes('SecurityHub/S3.4'))).toBe(true);

    // Act
    const release = await startRelease(deployment, execution);

    // Assess: DeleteBucketEncryption made; S3 resets the bucket to its own default, SSE-S3.
    expect(release.status).toBe('SUCCEEDED');
    expect(sandbox.account.mutatingCalls().map((call) => call.command)).toContain('DeleteBucketEncryption');
    expect(sandbox.s3.findBucket(BUCKET)?.policy).toBe(fixed?.policy);
  });
});

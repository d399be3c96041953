import { describe, expect, it } from 'vitest';
import { envelope } from '../../../../test/support/actions.ts';
import {
  environmentOn,
  expectSecondRunChangesNothing,
  expectUnchanged,
  testSandbox,
} from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import { blockBucketPublicAccess } from '../../src/actions/block-bucket-public-access.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';

const BUCKET = 'amzn-s3-demo-bucket-web';
const RULE = {
  identifier: 'S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED',
  name: 's3-bucket-level-public-access-prohibited',
  parameters: {},
  parametersKnown: true,
};
const ALL_ON = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};
const POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'PartnerRead',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::210987654321:root' },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
    },
  ],
};
const input = { ...envelope(), bucketName: BUCKET, rule: RULE };

/** A bucket blocking only new public ACLs, with a partner-read policy and a tag. */
function aHalfOpenBucket(sandbox: Sandbox, tags: Record<string, string> = { team: 'web' }): void {
  sandbox.s3.addBucket({ name: BUCKET, publicAccessBlock: { blockPublicAcls: true }, policy: POLICY, tags });
}

describe('block-bucket-public-access (against the sandbox account)', () => {
  it('turns on the three settings that were off and leaves the policy, tags and encryption as they were', async () => {
    // Prepare
    const sandbox = testSandbox();
    aHalfOpenBucket(sandbox);
    const { publicAccessBlock: _before, ...rest } = sandbox.s3.findBucket(BUCKET) ?? {};

    // Act
    const outcome = await runAction(blockBucketPublicAccess, input, environmentOn(sandbox));

    // Assess
    expect(outcome.status).toBe('done');
    const { publicAccessBlock, ...after } = sandbox.s3.findBucket(BUCKET) ?? {};
    expect(publicAccessBlock).toEqual(ALL_ON);
    expect(after).toEqual(rest);
  });

  it('runs a second time without changing anything', async () => {
    // Prepare
    const sandbox = testSandbox();
    aHalfOpenBucket(sandbox);
    const environment = environmentOn(sandbox);

    // Act + Assess
    await expectSecondRunChangesNothing(sandbox, () =>
      runAction(blockBucketPublicAccess, input, environment),
    );
  });

  it('changes nothing in dry-run, and nothing on an exempt bucket', async () => {
    // Prepare
    const sandbox = testSandbox();
    aHalfOpenBucket(sandbox);

    // Act
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(blockBucketPublicAccess, { ...input, dryRun: true }, environmentOn(sandbox)),
    );
    const exempt = testSandbox();
    aHalfOpenBucket(exempt, { 'cordon:exempt': 'true' });
    const refused = expectUnchanged(exempt, () =>
      runAction(blockBucketPublicAccess, input, environmentOn(exempt)),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
    await expect(refused).rejects.toMatchObject({ name: 'ExemptResourceError' });
  });

  it('is released exactly: BlockPublicAcls stays on, the three others are off again', async () => {
    // Prepare
    const sandbox = testSandbox();
    aHalfOpenBucket(sandbox);
    const before = sandbox.s3.findBucket(BUCKET);
    const environment = environmentOn(sandbox);
    await runAction(blockBucketPublicAccess, input, environment);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(release.output.releasedSteps).toEqual(['block-bucket-public-access']);
    expect(sandbox.s3.findBucket(BUCKET)).toEqual(before);
  });

  it('is released to no configuration when the bucket had none', async () => {
    // Prepare
    const sandbox = testSandbox();
    sandbox.s3.addBucket({ name: BUCKET, publicAccessBlock: null });
    const environment = environmentOn(sandbox);
    await runAction(blockBucketPublicAccess, input, environment);

    // Act
    await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(sandbox.s3.findBucket(BUCKET)?.publicAccessBlock).toBeUndefined();
  });

  it('reports a fault mid-way, records it, and a retry finishes the job', async () => {
    // Prepare
    const sandbox = testSandbox();
    aHalfOpenBucket(sandbox);
    const environment = environmentOn(sandbox);
    sandbox.account.injectFault({
      service: 'S3',
      command: 'PutPublicAccessBlock',
      error: 'SlowDown',
      times: 1,
    });

    // Act
    const failed = runAction(blockBucketPublicAccess, input, environment);

    // Assess
    await expect(failed).rejects.toMatchObject({ name: 'ThrottledError' });
    expect(environment.ledger.all().map((entry) => entry.outcome)).toEqual(['planned', 'failed']);
    const retry = await runAction(blockBucketPublicAccess, input, environment);
    expect(retry.status).toBe('done');
    expect(sandbox.s3.findBucket(BUCKET)?.publicAccessBlock).toEqual(ALL_ON);
  });
});

import { describe, expect, it } from 'vitest';
import { envelope } from '../../../../test/support/actions.ts';
import {
  environmentOn,
  expectSecondRunChangesNothing,
  expectUnchanged,
  testSandbox,
} from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import { enableDefaultEncryption } from '../../src/actions/enable-default-encryption.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';

const BUCKET = 'amzn-s3-demo-bucket-archive';
const RULE = {
  identifier: 'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED',
  name: 's3-bucket-server-side-encryption-enabled',
  parameters: {},
  parametersKnown: true,
};
const input = { ...envelope(), bucketName: BUCKET, rule: RULE };

function algorithm(sandbox: Sandbox): string | undefined {
  return sandbox.s3.findBucket(BUCKET)?.encryption?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
}

describe('enable-default-encryption (against the sandbox account)', () => {
  it('sets SSE-S3 on a bucket without default encryption, and a second run changes nothing', async () => {
    // Prepare
    const sandbox = testSandbox();
    sandbox.s3.addBucket({ name: BUCKET, encryption: null });
    const environment = environmentOn(sandbox);

    // Act
    const { first } = await expectSecondRunChangesNothing(sandbox, () =>
      runAction(enableDefaultEncryption, input, environment),
    );

    // Assess
    expect(first.status).toBe('done');
    expect(algorithm(sandbox)).toBe('AES256');
  });

  it('changes nothing in dry-run, nor on a bucket encrypted with KMS', async () => {
    // Prepare
    const sandbox = testSandbox();
    sandbox.s3.addBucket({ name: BUCKET, encryption: null });
    const kms = testSandbox();
    kms.s3.addBucket({ name: BUCKET, encryption: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: 'alias/data' } });

    // Act
    const dry = await expectUnchanged(sandbox, () =>
      runAction(enableDefaultEncryption, { ...input, dryRun: true }, environmentOn(sandbox)),
    );
    const chosen = await expectUnchanged(kms, () =>
      runAction(enableDefaultEncryption, input, environmentOn(kms)),
    );

    // Assess
    expect(dry.status).toBe('dry-run');
    expect(chosen.status).toBe('already-done');
  });

  it('is released: the configuration is deleted and S3 applies its own default (SSE-S3), as DeleteBucketEncryption does', async () => {
    // Prepare
    const sandbox = testSandbox();
    sandbox.s3.addBucket({ name: BUCKET, encryption: null });
    const environment = environmentOn(sandbox);
    await runAction(enableDefaultEncryption, input, environment);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(release.output.releasedSteps).toEqual(['enable-default-encryption']);
    expect(sandbox.account.mutatingCalls().map((call) => call.command)).toContain('DeleteBucketEncryption');
    expect(algorithm(sandbox)).toBe('AES256');
  });

  it('reports a fault mid-way, records it, and a retry finishes the job', async () => {
    // Prepare
    const sandbox = testSandbox();
    sandbox.s3.addBucket({ name: BUCKET, encryption: null });
    const environment = environmentOn(sandbox);
    sandbox.account.injectFault({
      service: 'S3',
      command: 'PutBucketEncryption',
      error: 'SlowDown',
      times: 1,
    });

    // Act
    const failed = runAction(enableDefaultEncryption, input, environment);

    // Assess
    await expect(failed).rejects.toMatchObject({ name: 'ThrottledError' });
    expect(environment.ledger.all().map((entry) => entry.outcome)).toEqual(['planned', 'failed']);
    expect((await runAction(enableDefaultEncryption, input, environment)).status).toBe('done');
    expect(algorithm(sandbox)).toBe('AES256');
  });
});

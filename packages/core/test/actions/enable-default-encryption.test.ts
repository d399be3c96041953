import {
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  GetBucketTaggingCommand,
  PutBucketEncryptionCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_ACCOUNT } from '../../../../test/support/actions.ts';
import {
  defaultEncryptionRelease,
  enableDefaultEncryption,
} from '../../src/actions/enable-default-encryption.ts';
import { runAction } from '../../src/actions/run-action.ts';

const BUCKET = 'amzn-s3-demo-bucket-archive';
const RULE = {
  identifier: 'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED',
  name: 's3-bucket-server-side-encryption-enabled',
  parameters: {},
  parametersKnown: true,
};

function notFound(name: string) {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 404 } });
}

describe('enable-default-encryption (commands sent)', () => {
  const clients = realClients();
  const s3 = mockClient(clients.s3);
  const input = { ...envelope(), bucketName: BUCKET, rule: RULE };

  beforeEach(() => {
    s3.reset();
    s3.on(GetBucketTaggingCommand).rejects(notFound('NoSuchTagSet'));
    s3.on(PutBucketEncryptionCommand).resolves({});
  });

  it('sets SSE-S3 on a bucket without default encryption, and records that it had none', async () => {
    // Prepare
    s3.on(GetBucketEncryptionCommand).rejects(notFound('ServerSideEncryptionConfigurationNotFoundError'));
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(enableDefaultEncryption, input, environment);

    // Assess
    expect(outcome.status).toBe('done');
    expect(s3).toHaveReceivedCommandWith(PutBucketEncryptionCommand, {
      Bucket: BUCKET,
      ExpectedBucketOwner: TEST_ACCOUNT,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    expect(environment.ledger.all()[0]?.restore).toEqual({ bucketName: BUCKET, previous: null });
  });

  it('never replaces a key someone chose: SSE-KMS is already done', async () => {
    // Prepare
    s3.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [
          { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/data' } },
        ],
      },
    });

    // Act
    const outcome = await runAction(enableDefaultEncryption, input, actionEnvironment(clients));

    // Assess
    expect(outcome.status).toBe('already-done');
    expect(s3).not.toHaveReceivedCommand(PutBucketEncryptionCommand);
  });

  it('changes nothing in dry-run, and refuses an exempt bucket', async () => {
    // Prepare
    s3.on(GetBucketEncryptionCommand).rejects(notFound('ServerSideEncryptionConfigurationNotFoundError'));

    // Act
    const dry = await runAction(
      enableDefaultEncryption,
      { ...input, dryRun: true },
      actionEnvironment(clients),
    );
    s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'cordon:exempt', Value: 'true' }] });
    const exempt = runAction(enableDefaultEncryption, input, actionEnvironment(clients));

    // Assess
    expect(dry.status).toBe('dry-run');
    expect(dry.output.after).toBe('AES256');
    await expect(exempt).rejects.toMatchObject({ name: 'ExemptResourceError' });
    expect(s3).not.toHaveReceivedCommand(PutBucketEncryptionCommand);
  });

  it('refuses a rule it does not know, before any call', async () => {
    // Act
    const run = runAction(
      enableDefaultEncryption,
      { ...input, rule: { ...RULE, identifier: 'S3_BUCKET_SSL_REQUESTS_ONLY' } },
      actionEnvironment(clients),
    );

    // Assess
    await expect(run).rejects.toThrow(/does not know the Config rule/);
    expect(s3).not.toHaveReceivedAnyCommand();
  });
});

describe('enable-default-encryption release (commands sent)', () => {
  const clients = realClients();
  const s3 = mockClient(clients.s3);
  const context = () => ({
    ...actionEnvironment(clients),
    step: 'release-remediation' as const,
    incidentId: envelope().incidentId,
    account: TEST_ACCOUNT,
    region: envelope().region,
    dryRun: false,
  });

  beforeEach(() => {
    s3.reset();
    s3.on(DeleteBucketEncryptionCommand).resolves({});
  });

  it('deletes the SSE-S3 the fix set, and says S3 applies its own default in its place', async () => {
    // Prepare
    s3.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });

    // Act
    const plan = await defaultEncryptionRelease.plan({ bucketName: BUCKET, previous: null }, context());
    await plan.apply();

    // Assess
    expect(s3).toHaveReceivedCommandWith(DeleteBucketEncryptionCommand, {
      Bucket: BUCKET,
      ExpectedBucketOwner: TEST_ACCOUNT,
    });
    expect(plan.notes.join(' ')).toMatch(/resets a deleted default encryption to SSE-S3/);
  });

  it('refuses, named, to delete an encryption someone changed since the fix', async () => {
    // Prepare
    s3.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
      },
    });

    // Act
    const plan = defaultEncryptionRelease.plan({ bucketName: BUCKET, previous: null }, context());

    // Assess
    await expect(plan).rejects.toMatchObject({ name: 'ActionFailedError' });
    expect(s3).not.toHaveReceivedCommand(DeleteBucketEncryptionCommand);
  });
});

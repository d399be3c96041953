import {
  DeletePublicAccessBlockCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_ACCOUNT } from '../../../../test/support/actions.ts';
import {
  blockBucketPublicAccess,
  bucketPublicAccessRelease,
} from '../../src/actions/block-bucket-public-access.ts';
import { runAction } from '../../src/actions/run-action.ts';

const BUCKET = 'amzn-s3-demo-bucket-web';
const RULE = {
  identifier: 'S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED',
  name: 'securityhub-s3-bucket-level-public-access-prohibited-7c2d1e',
  parameters: {},
  parametersKnown: true,
};
const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
const ONE_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: false,
  BlockPublicPolicy: false,
  RestrictPublicBuckets: false,
};

function s3Error(name: string) {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 404 } });
}

describe('block-bucket-public-access (commands sent)', () => {
  const clients = realClients();
  const s3 = mockClient(clients.s3);
  const input = { ...envelope(), bucketName: BUCKET, rule: RULE };

  beforeEach(() => {
    s3.reset();
    s3.on(GetBucketTaggingCommand).rejects(s3Error('NoSuchTagSet'));
    s3.on(PutPublicAccessBlockCommand).resolves({});
  });

  it('turns on all four settings, as the incident account’s bucket, and records the configuration it replaces', async () => {
    // Prepare
    s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ONE_ON });
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(blockBucketPublicAccess, input, environment);

    // Assess
    expect(outcome.status).toBe('done');
    expect(s3).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, {
      Bucket: BUCKET,
      ExpectedBucketOwner: TEST_ACCOUNT,
      PublicAccessBlockConfiguration: ALL_ON,
    });
    expect(outcome.changes).toHaveLength(3);
    expect(environment.ledger.all()[0]?.restore).toMatchObject({
      bucketName: BUCKET,
      previous: {
        blockPublicAcls: true,
        ignorePublicAcls: false,
        blockPublicPolicy: false,
        restrictPublicBuckets: false,
      },
    });
  });

  it('records that a bucket had no configuration', async () => {
    // Prepare
    s3.on(GetPublicAccessBlockCommand).rejects(s3Error('NoSuchPublicAccessBlockConfiguration'));
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(blockBucketPublicAccess, input, environment);

    // Assess
    expect(outcome.changes).toHaveLength(4);
    expect(environment.ledger.all()[0]?.restore).toMatchObject({ previous: null });
  });

  it('is already done when all four settings are on', async () => {
    // Prepare
    s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_ON });

    // Act
    const outcome = await runAction(blockBucketPublicAccess, input, actionEnvironment(clients));

    // Assess
    expect(outcome.status).toBe('already-done');
    expect(s3).not.toHaveReceivedCommand(PutPublicAccessBlockCommand);
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ONE_ON });

    // Act
    const outcome = await runAction(
      blockBucketPublicAccess,
      { ...input, dryRun: true },
      actionEnvironment(clients),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
    expect(s3).not.toHaveReceivedCommand(PutPublicAccessBlockCommand);
  });

  it('refuses a bucket with the exemption tag, named, with nothing changed', async () => {
    // Prepare
    s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'cordon:exempt', Value: 'true' }] });
    s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ONE_ON });

    // Act
    const run = runAction(blockBucketPublicAccess, input, actionEnvironment(clients));

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ExemptResourceError' });
    expect(s3).not.toHaveReceivedCommand(PutPublicAccessBlockCommand);
  });

  it('refuses a bucket the rule’s excludedPublicBuckets names, before any call', async () => {
    // Act
    const run = runAction(
      blockBucketPublicAccess,
      { ...input, rule: { ...RULE, parameters: { excludedPublicBuckets: `other-bucket, ${BUCKET}` } } },
      actionEnvironment(clients),
    );

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ActionFailedError' });
    await expect(run).rejects.toThrow(/excludedPublicBuckets/);
    expect(s3).not.toHaveReceivedAnyCommand();
  });

  it.each(['S3_BUCKET_PUBLIC_READ_PROHIBITED', 'S3_BUCKET_PUBLIC_WRITE_PROHIBITED'])(
    'answers %s with the same four settings, leaving the ACL and policy alone',
    async (identifier) => {
      // Prepare
      s3.on(GetPublicAccessBlockCommand).rejects(s3Error('NoSuchPublicAccessBlockConfiguration'));

      // Act
      const outcome = await runAction(
        blockBucketPublicAccess,
        { ...input, rule: { ...RULE, identifier, name: identifier.toLowerCase().replaceAll('_', '-') } },
        actionEnvironment(clients),
      );

      // Assess
      expect(outcome.status).toBe('done');
      expect(s3).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, {
        PublicAccessBlockConfiguration: ALL_ON,
      });
      const sent = s3
        .calls()
        .map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name);
      expect(sent.filter((name) => /Acl|Policy/.test(name))).toEqual([]);
    },
  );

  it('refuses a rule it does not know, before any call', async () => {
    // Act
    const run = runAction(
      blockBucketPublicAccess,
      { ...input, rule: { ...RULE, identifier: 'S3_BUCKET_SSL_REQUESTS_ONLY' } },
      actionEnvironment(clients),
    );

    // Assess
    await expect(run).rejects.toThrow(/does not know the Config rule S3_BUCKET_SSL_REQUESTS_ONLY/);
    expect(s3).not.toHaveReceivedAnyCommand();
  });

  it('refuses an input that is not a bucket name, named, before any call', async () => {
    // Act
    const run = runAction(
      blockBucketPublicAccess,
      { ...input, bucketName: 'Not_A_Bucket' },
      actionEnvironment(clients),
    );

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'InvalidActionInputError' });
    expect(s3).not.toHaveReceivedAnyCommand();
  });
});

describe('block-bucket-public-access release (commands sent)', () => {
  const clients = realClients();
  const s3 = mockClient(clients.s3);
  const applied = {
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: true,
    restrictPublicBuckets: true,
  };
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
    s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_ON });
    s3.on(PutPublicAccessBlockCommand).resolves({});
    s3.on(DeletePublicAccessBlockCommand).resolves({});
  });

  it('deletes the configuration when the bucket had none', async () => {
    // Act
    const plan = await bucketPublicAccessRelease.plan(
      { bucketName: BUCKET, previous: null, applied },
      context(),
    );
    await plan.apply();

    // Assess
    expect(s3).toHaveReceivedCommandWith(DeletePublicAccessBlockCommand, {
      Bucket: BUCKET,
      ExpectedBucketOwner: TEST_ACCOUNT,
    });
  });

  it('refuses, named, to overwrite settings someone changed since the fix', async () => {
    // Prepare
    s3.on(GetPublicAccessBlockCommand).resolves({
      PublicAccessBlockConfiguration: { ...ALL_ON, BlockPublicPolicy: false },
    });

    // Act
    const plan = bucketPublicAccessRelease.plan({ bucketName: BUCKET, previous: null, applied }, context());

    // Assess
    await expect(plan).rejects.toThrow(/Someone changed it since/);
    expect(s3).not.toHaveReceivedCommand(DeletePublicAccessBlockCommand);
  });
});

import { GetBucketPolicyCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  actionEnvironment,
  realClients,
  TEST_ACCOUNT,
  TEST_REGION,
} from '../../../../test/support/actions.ts';
import { sendToOwnBucket } from '../../src/actions/s3-buckets.ts';
import type { ActionContext } from '../../src/actions/types.ts';

function s3Error(name: string, status: number) {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

describe('sendToOwnBucket: the one shape of every S3 bucket call', () => {
  const clients = realClients();
  const s3 = mockClient(clients.s3);
  const context = {
    ...actionEnvironment(clients),
    account: TEST_ACCOUNT,
    region: TEST_REGION,
  } as unknown as ActionContext;

  beforeEach(() => s3.reset());

  it('names the bucket and the incident account as its expected owner', async () => {
    // Prepare
    s3.on(PutBucketPolicyCommand).resolves({});

    // Act
    await sendToOwnBucket(context, 'PutBucketPolicy', 'amzn-s3-demo-bucket', (owned) =>
      clients.s3.send(new PutBucketPolicyCommand({ ...owned, Policy: '{}' })),
    );

    // Assess
    expect(s3).toHaveReceivedCommandWith(PutBucketPolicyCommand, {
      Bucket: 'amzn-s3-demo-bucket',
      ExpectedBucketOwner: TEST_ACCOUNT,
      Policy: '{}',
    });
  });

  it('answers undefined for the absent code only, and names every other error by its class', async () => {
    // Prepare
    s3.on(GetBucketPolicyCommand).rejectsOnce(s3Error('NoSuchBucketPolicy', 404));
    const get = () =>
      sendToOwnBucket(
        context,
        'GetBucketPolicy',
        'amzn-s3-demo-bucket',
        (owned) => clients.s3.send(new GetBucketPolicyCommand(owned)),
        'NoSuchBucketPolicy',
      );

    // Act + Assess
    await expect(get()).resolves.toBeUndefined();
    s3.on(GetBucketPolicyCommand).rejects(s3Error('AccessDenied', 403));
    await expect(get()).rejects.toMatchObject({
      name: 'AccessDeniedError',
      message: expect.stringContaining('S3 GetBucketPolicy amzn-s3-demo-bucket failed: AccessDenied'),
    });
  });
});

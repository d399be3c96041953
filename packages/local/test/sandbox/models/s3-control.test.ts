import {
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { describe, expect, it } from 'vitest';
import { S3ControlModel } from '../../../src/sandbox/models/s3-control.ts';
import { SandboxAccount } from '../../../src/sandbox/sandbox-account.ts';

const ACCOUNT = '111122223333';

function setup() {
  const sandbox = new SandboxAccount({ accountId: ACCOUNT, region: 'eu-west-1' });
  const model = new S3ControlModel(sandbox.context);
  sandbox.register(model);
  const client = sandbox.attach(new S3ControlClient({ region: 'eu-west-1' }));
  return { model, client };
}

describe('S3ControlModel', () => {
  it('an account has no settings until they are put: Get answers NoSuchPublicAccessBlockConfiguration (404)', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const attempt = client.send(new GetPublicAccessBlockCommand({ AccountId: ACCOUNT }));

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'NoSuchPublicAccessBlockConfiguration',
      message: 'The public access block configuration was not found',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('Put replaces all four settings (a setting left out is false), Delete removes them', async () => {
    // Prepare
    const { model, client } = setup();
    model.setPublicAccessBlock({
      blockPublicAcls: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });

    // Act
    await client.send(
      new PutPublicAccessBlockCommand({
        AccountId: ACCOUNT,
        PublicAccessBlockConfiguration: { BlockPublicPolicy: true },
      }),
    );
    const put = await client.send(new GetPublicAccessBlockCommand({ AccountId: ACCOUNT }));
    await client.send(new DeletePublicAccessBlockCommand({ AccountId: ACCOUNT }));

    // Assess
    expect(put.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: false,
    });
    expect(model.publicAccessBlock()).toBeUndefined();
  });

  it('refuses another account’s settings with AccessDenied (403) and a malformed account id, changing nothing', async () => {
    // Prepare
    const { model, client } = setup();
    model.setPublicAccessBlock({ blockPublicPolicy: true });

    // Act
    const other = client.send(new DeletePublicAccessBlockCommand({ AccountId: '444455556666' }));
    const malformed = client.send(new GetPublicAccessBlockCommand({ AccountId: 'me' }));

    // Assess
    await expect(other).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await expect(malformed).rejects.toMatchObject({ name: 'InvalidRequest' });
    expect(model.publicAccessBlock()?.blockPublicPolicy).toBe(true);
  });
});

import {
  DescribeKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { KmsModel } from '../../../src/sandbox/models/kms.ts';
import { SandboxAccount } from '../../../src/sandbox/sandbox-account.ts';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const KEY_ID = '0f0e0d0c-0b0a-4090-8070-605040302010';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;

function setup() {
  const sandbox = new SandboxAccount({
    accountId: ACCOUNT,
    region: REGION,
    now: () => new Date('2026-03-01T12:00:00Z'),
  });
  const kms = new KmsModel(sandbox.context);
  kms.addKey({ keyId: KEY_ID, aliases: ['orders'], tags: { team: 'payments' } });
  sandbox.register(kms);
  const client = sandbox.attach(new KMSClient({ region: REGION }));
  return { kms, client };
}

describe('KmsModel', () => {
  it('DescribeKey finds a key by id, ARN, alias name and alias ARN, with its manager, spec and state', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const answers = await Promise.all(
      [KEY_ID, KEY_ARN, 'alias/orders', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/orders`].map((KeyId) =>
        client.send(new DescribeKeyCommand({ KeyId })),
      ),
    );

    // Assess
    for (const answer of answers) {
      expect(answer.KeyMetadata).toMatchObject({
        KeyId: KEY_ID,
        Arn: KEY_ARN,
        KeyManager: 'CUSTOMER',
        KeySpec: 'SYMMETRIC_DEFAULT',
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeyState: 'Enabled',
        Origin: 'AWS_KMS',
        Enabled: true,
      });
    }
  });

  it('EnableKeyRotation turns rotation on (365 days by default, or the period given); DisableKeyRotation off', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const before = await client.send(new GetKeyRotationStatusCommand({ KeyId: KEY_ID }));
    await client.send(new EnableKeyRotationCommand({ KeyId: KEY_ID }));
    const enabled = await client.send(new GetKeyRotationStatusCommand({ KeyId: KEY_ARN }));
    await client.send(new EnableKeyRotationCommand({ KeyId: KEY_ID, RotationPeriodInDays: 90 }));
    const shorter = await client.send(new GetKeyRotationStatusCommand({ KeyId: KEY_ID }));
    await client.send(new DisableKeyRotationCommand({ KeyId: KEY_ARN }));
    const disabled = await client.send(new GetKeyRotationStatusCommand({ KeyId: KEY_ID }));

    // Assess
    expect(before.KeyRotationEnabled).toBe(false);
    expect(enabled).toMatchObject({
      KeyRotationEnabled: true,
      KeyId: KEY_ARN,
      RotationPeriodInDays: 365,
      NextRotationDate: new Date('2027-03-01T12:00:00Z'),
    });
    expect(shorter.RotationPeriodInDays).toBe(90);
    expect(disabled.KeyRotationEnabled).toBe(false);
    expect(disabled.RotationPeriodInDays).toBeUndefined();
  });

  it.each([
    ['an asymmetric key', { keySpec: 'RSA_2048' as const }, 'UnsupportedOperationException'],
    ['an HMAC key', { keySpec: 'HMAC_256' as const }, 'UnsupportedOperationException'],
    ['imported key material', { origin: 'EXTERNAL' as const }, 'UnsupportedOperationException'],
    ['a custom key store key', { origin: 'AWS_CLOUDHSM' as const }, 'UnsupportedOperationException'],
    ['a multi-Region replica', { multiRegion: 'REPLICA' as const }, 'UnsupportedOperationException'],
    ['a disabled key', { keyState: 'Disabled' as const }, 'DisabledException'],
    ['a key pending deletion', { keyState: 'PendingDeletion' as const }, 'KMSInvalidStateException'],
    ['an AWS managed key', { keyManager: 'AWS' as const }, 'AccessDeniedException'],
  ])('EnableKeyRotation on %s answers %s (400) and changes nothing', async (_case, seed, error) => {
    // Prepare
    const { kms, client } = setup();
    const keyId = kms.addKey(seed);
    const before = kms.snapshot();

    // Act
    const attempt = client.send(new EnableKeyRotationCommand({ KeyId: keyId }));

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: error, $metadata: { httpStatusCode: 400 } });
    expect(kms.snapshot()).toEqual(before);
  });

  it('a disabled key reports its rotation; a key pending deletion reports false; an AWS managed key always true', async () => {
    // Prepare
    const { kms, client } = setup();
    const disabled = kms.addKey({ keyState: 'Disabled', rotation: true });
    const deleting = kms.addKey({ keyState: 'PendingDeletion', rotation: true });
    const managed = kms.addKey({ keyManager: 'AWS', aliases: ['aws/s3'] });

    // Act
    const statuses = await Promise.all(
      [disabled, deleting, managed].map((KeyId) => client.send(new GetKeyRotationStatusCommand({ KeyId }))),
    );

    // Assess
    expect(statuses.map((status) => status.KeyRotationEnabled)).toEqual([true, false, true]);
  });

  it('refuses a rotation period outside 90–2560 days with ValidationException', async () => {
    // Prepare
    const { kms, client } = setup();

    // Act
    const short = client.send(new EnableKeyRotationCommand({ KeyId: KEY_ID, RotationPeriodInDays: 30 }));
    const long = client.send(new EnableKeyRotationCommand({ KeyId: KEY_ID, RotationPeriodInDays: 3000 }));

    // Assess
    await expect(short).rejects.toMatchObject({
      name: 'ValidationException',
      message: /greater than or equal to 90/,
    });
    await expect(long).rejects.toMatchObject({
      name: 'ValidationException',
      message: /less than or equal to 2560/,
    });
    expect(kms.findKey(KEY_ID)?.rotation).toBeUndefined();
  });

  it('answers NotFoundException in KMS’s words: unknown key, unknown alias, a name that is no key id', async () => {
    // Prepare
    const { client } = setup();
    const missing = '11111111-2222-4333-8444-555555555555';

    // Act
    const unknownKey = client.send(new DescribeKeyCommand({ KeyId: missing }));
    const unknownAlias = client.send(new DescribeKeyCommand({ KeyId: 'alias/none' }));
    const aliasForRotation = client.send(new GetKeyRotationStatusCommand({ KeyId: 'alias/orders' }));

    // Assess
    await expect(unknownKey).rejects.toMatchObject({
      name: 'NotFoundException',
      message: `Key 'arn:aws:kms:${REGION}:${ACCOUNT}:key/${missing}' does not exist`,
      $metadata: { httpStatusCode: 400 },
    });
    await expect(unknownAlias).rejects.toMatchObject({
      message: `Alias arn:aws:kms:${REGION}:${ACCOUNT}:alias/none is not found.`,
    });
    await expect(aliasForRotation).rejects.toMatchObject({
      name: 'NotFoundException',
      message: 'Invalid keyId alias/orders',
    });
  });

  it('ListResourceTags answers the key’s tags as TagKey/TagValue', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const output = await client.send(new ListResourceTagsCommand({ KeyId: KEY_ARN }));

    // Assess
    expect(output.Tags).toEqual([{ TagKey: 'team', TagValue: 'payments' }]);
    expect(output.Truncated).toBe(false);
  });

  it('a call IAM denies answers AccessDeniedException, as KMS (a JSON service) names it, and changes nothing', async () => {
    // Prepare
    const sandbox = new SandboxAccount({ accountId: ACCOUNT, region: REGION });
    const kms = new KmsModel(sandbox.context);
    kms.addKey({ keyId: KEY_ID });
    sandbox.register(kms).authorizeWith(() => ({ decision: 'denied', reason: 'no statement allows it' }));
    const client = sandbox.attach(new KMSClient({ region: REGION }), {
      principal: { arn: `arn:aws:iam::${ACCOUNT}:role/cordon-test-x`, account: ACCOUNT },
    });

    // Act
    const attempt = client.send(new EnableKeyRotationCommand({ KeyId: KEY_ID }));

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(kms.findKey(KEY_ID)?.rotation).toBeUndefined();
  });
});

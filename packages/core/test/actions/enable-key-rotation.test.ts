import {
  DescribeKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  type KeyMetadata,
  ListResourceTagsCommand,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_ACCOUNT } from '../../../../test/support/actions.ts';
import { enableKeyRotation } from '../../src/actions/enable-key-rotation.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ARN = `arn:aws:kms:us-east-1:${TEST_ACCOUNT}:key/${KEY_ID}`;

/** A customer managed symmetric key with KMS key material, as DescribeKey answers it. */
const KEY: KeyMetadata = {
  AWSAccountId: TEST_ACCOUNT,
  KeyId: KEY_ID,
  Arn: ARN,
  KeyManager: 'CUSTOMER',
  KeySpec: 'SYMMETRIC_DEFAULT',
  KeyUsage: 'ENCRYPT_DECRYPT',
  Origin: 'AWS_KMS',
  KeyState: 'Enabled',
  Enabled: true,
  MultiRegion: false,
};

describe('enable-key-rotation (commands sent)', () => {
  const clients = realClients();
  const kms = mockClient(clients.kms);
  const input = { ...envelope(), keyId: KEY_ID };

  beforeEach(() => {
    kms.reset();
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: KEY });
    kms.on(ListResourceTagsCommand).resolves({ Tags: [{ TagKey: 'team', TagValue: 'payments' }] });
    kms.on(EnableKeyRotationCommand).resolves({});
    kms.on(DisableKeyRotationCommand).resolves({});
  });

  it('turns rotation on by the key’s ARN, with no period (KMS’s yearly default), recording that it was off, with the controls', async () => {
    // Prepare
    kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: false });
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(
      enableKeyRotation,
      { ...input, controls: ['SecurityHub/KMS.4'] },
      environment,
    );

    // Assess
    expect(outcome.status).toBe('done');
    expect(kms).toHaveReceivedCommandTimes(EnableKeyRotationCommand, 1);
    expect(kms.commandCalls(EnableKeyRotationCommand)[0]?.args[0].input).toEqual({ KeyId: ARN });
    expect(environment.ledger.all()[0]).toMatchObject({
      outcome: 'planned',
      controls: ['SecurityHub/KMS.4'],
      restore: { arn: ARN, wasEnabled: false },
      changes: [{ resource: ARN, attribute: 'automatic key rotation', before: 'off', after: 'on' }],
    });
  });

  it('is already done, with nothing to release, when the key rotates', async () => {
    // Prepare
    kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: true });
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(enableKeyRotation, input, environment);

    // Assess
    expect(outcome.status).toBe('already-done');
    expect(kms).toHaveReceivedCommandTimes(EnableKeyRotationCommand, 0);
    expect(environment.ledger.all().some((entry) => entry.restore !== undefined)).toBe(false);
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: false });

    // Act
    const outcome = await runAction(
      enableKeyRotation,
      { ...input, dryRun: true },
      actionEnvironment(clients),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
    expect(kms).toHaveReceivedCommandTimes(EnableKeyRotationCommand, 0);
  });

  it('refuses an exempt key, changing nothing', async () => {
    // Prepare
    kms.on(ListResourceTagsCommand).resolves({ Tags: [{ TagKey: 'cordon:exempt', TagValue: 'true' }] });
    kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: false });

    // Act
    const outcome = runAction(enableKeyRotation, input, actionEnvironment(clients));

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'ExemptResourceError' });
    expect(kms).toHaveReceivedCommandTimes(EnableKeyRotationCommand, 0);
  });

  it.each([
    ['an AWS managed key', { KeyManager: 'AWS' }, /AWS managed key: AWS rotates it every year/],
    [
      'an asymmetric key',
      { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' },
      /RSA_2048 key: KMS rotates only symmetric/,
    ],
    ['an HMAC key', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }, /HMAC_256 key/],
    [
      'imported key material',
      { Origin: 'EXTERNAL' },
      /origin EXTERNAL: KMS cannot rotate imported key material/,
    ],
    ['a key in a custom key store', { Origin: 'AWS_CLOUDHSM' }, /origin AWS_CLOUDHSM/],
    [
      'a multi-Region replica',
      { MultiRegion: true, MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA' } },
      /multi-Region replica: rotation is set on its primary key/,
    ],
    [
      'a disabled key',
      { KeyState: 'Disabled', Enabled: false },
      /is Disabled: KMS turns rotation on only for an enabled key/,
    ],
    ['a key pending deletion', { KeyState: 'PendingDeletion', Enabled: false }, /is PendingDeletion/],
    ['another account’s key', { AWSAccountId: '210987654321' }, /belongs to account 210987654321/],
  ] as const)('refuses %s, named, before any change', async (_case, metadata, reason) => {
    // Prepare
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { ...KEY, ...metadata } as KeyMetadata });

    // Act
    const outcome = runAction(enableKeyRotation, input, actionEnvironment(clients));

    // Assess
    await expect(outcome).rejects.toThrow(reason);
    await expect(outcome).rejects.toMatchObject({ name: 'ActionFailedError' });
    expect(kms).toHaveReceivedCommandTimes(EnableKeyRotationCommand, 0);
    expect(kms).toHaveReceivedCommandTimes(GetKeyRotationStatusCommand, 0);
  });

  it('names a key that does not exist as gone, and a malformed id by its schema', async () => {
    // Prepare
    kms
      .on(DescribeKeyCommand)
      .rejects(new NotFoundException({ message: `Key '${ARN}' does not exist`, $metadata: {} }));

    // Act
    const gone = runAction(enableKeyRotation, input, actionEnvironment(clients));
    const malformed = runAction(
      enableKeyRotation,
      { ...input, keyId: 'alias/orders' },
      actionEnvironment(clients),
    );

    // Assess
    await expect(gone).rejects.toMatchObject({ name: 'ResourceGoneError' });
    await expect(malformed).rejects.toMatchObject({ name: 'InvalidActionInputError' });
    expect(kms).toHaveReceivedCommandTimes(EnableKeyRotationCommand, 0);
  });

  it('is released by turning rotation off again, only while it is on', async () => {
    // Prepare
    kms
      .on(GetKeyRotationStatusCommand)
      .resolvesOnce({ KeyRotationEnabled: false })
      .resolves({ KeyRotationEnabled: true });
    const environment = actionEnvironment(clients);
    await runAction(enableKeyRotation, input, environment);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(kms).toHaveReceivedCommandTimes(DisableKeyRotationCommand, 1);
    expect(kms).toHaveReceivedCommandWith(DisableKeyRotationCommand, { KeyId: ARN });
  });

  it('leaves a key whose rotation is off already as it is on release', async () => {
    // Prepare
    kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: false });
    const environment = actionEnvironment(clients);
    await runAction(enableKeyRotation, input, environment);

    // Act
    await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(kms).toHaveReceivedCommandTimes(DisableKeyRotationCommand, 0);
  });
});

import {
  DisableEbsEncryptionByDefaultCommand,
  EnableEbsEncryptionByDefaultCommand,
  GetEbsEncryptionByDefaultCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_ACCOUNT } from '../../../../test/support/actions.ts';
import { enableEbsDefaultEncryption } from '../../src/actions/enable-ebs-default-encryption.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';

describe('enable-ebs-default-encryption (commands sent)', () => {
  const clients = realClients();
  const ec2 = mockClient(clients.ec2);
  const input = { ...envelope(), accountId: TEST_ACCOUNT };

  beforeEach(() => {
    ec2.reset();
    ec2.on(EnableEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: true });
    ec2.on(DisableEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: false });
  });

  it('turns it on when it is off, recording that it was off, with the controls', async () => {
    // Prepare
    ec2.on(GetEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: false });
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(
      enableEbsDefaultEncryption,
      { ...input, controls: ['SecurityHub/EC2.7'] },
      environment,
    );

    // Assess
    expect(outcome.status).toBe('done');
    expect(ec2).toHaveReceivedCommandTimes(EnableEbsEncryptionByDefaultCommand, 1);
    const [planned] = environment.ledger.all();
    expect(planned).toMatchObject({
      outcome: 'planned',
      restore: { accountId: TEST_ACCOUNT, region: 'us-east-1', wasEnabled: false },
      controls: ['SecurityHub/EC2.7'],
      changes: [
        {
          resource: `${TEST_ACCOUNT}/us-east-1`,
          attribute: 'EBS encryption by default',
          before: 'off',
          after: 'on',
        },
      ],
    });
  });

  it('is already done, with nothing to release, when it is on', async () => {
    // Prepare
    ec2.on(GetEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: true });
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(enableEbsDefaultEncryption, input, environment);

    // Assess
    expect(outcome.status).toBe('already-done');
    expect(ec2).toHaveReceivedCommandTimes(EnableEbsEncryptionByDefaultCommand, 0);
    expect(environment.ledger.all().some((entry) => entry.restore !== undefined)).toBe(false);
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    ec2.on(GetEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: false });

    // Act
    const outcome = await runAction(
      enableEbsDefaultEncryption,
      { ...input, dryRun: true },
      actionEnvironment(clients),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
    expect(ec2).toHaveReceivedCommandTimes(EnableEbsEncryptionByDefaultCommand, 0);
  });

  it('refuses another account than the incident’s before any call, and a malformed one by its schema', async () => {
    // Act
    const other = runAction(
      enableEbsDefaultEncryption,
      { ...input, accountId: '210987654321' },
      actionEnvironment(clients),
    );
    const malformed = runAction(
      enableEbsDefaultEncryption,
      { ...input, accountId: 'me' },
      actionEnvironment(clients),
    );

    // Assess
    await expect(other).rejects.toThrow(/named account 210987654321/);
    await expect(malformed).rejects.toMatchObject({ name: 'InvalidActionInputError' });
    expect(ec2).toHaveReceivedCommandTimes(GetEbsEncryptionByDefaultCommand, 0);
  });

  it('is released by turning it off again', async () => {
    // Prepare
    ec2
      .on(GetEbsEncryptionByDefaultCommand)
      .resolvesOnce({ EbsEncryptionByDefault: false })
      .resolves({ EbsEncryptionByDefault: true });
    const environment = actionEnvironment(clients);
    await runAction(enableEbsDefaultEncryption, input, environment);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(ec2).toHaveReceivedCommandTimes(DisableEbsEncryptionByDefaultCommand, 1);
  });
});

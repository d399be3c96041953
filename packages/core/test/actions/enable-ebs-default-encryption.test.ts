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
  it('records the change, the restore record and the notes of turning it on', async () => {
    ec2.on(GetEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: false });
    const environment = actionEnvironment(clients);
    const outcome = await runAction(enableEbsDefaultEncryption, input, environment);
    expect(outcome.changes).toEqual([
      {
        resource: `${TEST_ACCOUNT}/us-east-1`,
        attribute: 'EBS encryption by default',
        before: 'off',
        after: 'on',
      },
    ]);
    expect(outcome.output).toEqual({ accountId: TEST_ACCOUNT, region: 'us-east-1', enabled: true });
    const planned = (await environment.ledger.entries(envelope().incidentId)).find(
      (entry) => entry.outcome === 'planned',
    );
    expect(planned?.restore).toEqual({ accountId: TEST_ACCOUNT, region: 'us-east-1', wasEnabled: false });
    expect(planned?.notes).toEqual([
      'Existing volumes keep their encryption status; new volumes are encrypted with the Region’s default KMS key, and instance types that do not support encryption can no longer be launched.',
    ]);
  });

  it('says it is on already', async () => {
    ec2.on(GetEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: true });
    const environment = actionEnvironment(clients);
    const outcome = await runAction(enableEbsDefaultEncryption, input, environment);
    expect(outcome.output).toEqual({ accountId: TEST_ACCOUNT, region: 'us-east-1', enabled: false });
    const notes = (await environment.ledger.entries(envelope().incidentId)).flatMap((entry) => entry.notes);
    expect(notes).toContain('EBS encryption by default is on already.');
  });

  it('names the account it refuses', async () => {
    await expect(
      runAction(
        enableEbsDefaultEncryption,
        { ...input, accountId: '210987654321' },
        actionEnvironment(clients),
      ),
    ).rejects.toThrow(
      `AWS Config named account 210987654321, but the incident is in ${TEST_ACCOUNT}: nothing was changed.`,
    );
  });

  it.each([
    ['GetEbsEncryptionByDefault', GetEbsEncryptionByDefaultCommand],
    ['EnableEbsEncryptionByDefault', EnableEbsEncryptionByDefaultCommand],
  ] as const)('names the call that failed: %s', async (call, command) => {
    ec2.on(GetEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: false });
    ec2.on(command).rejects(Object.assign(new Error('x'), { name: 'UnauthorizedOperation' }));
    await expect(
      runAction(enableEbsDefaultEncryption, input, actionEnvironment(clients)),
    ).rejects.toMatchObject({
      name: 'AccessDeniedError',
      message: expect.stringContaining(`${call} failed: UnauthorizedOperation`),
    });
  });

  it('is released with an on → off change, and with nothing to do when it is off already', async () => {
    // Prepare
    ec2
      .on(GetEbsEncryptionByDefaultCommand)
      .resolvesOnce({ EbsEncryptionByDefault: false })
      .resolves({ EbsEncryptionByDefault: true });
    const environment = actionEnvironment(clients);
    await runAction(enableEbsDefaultEncryption, input, environment);

    // Act
    const dry = await runAction(releaseRemediation, envelope(true), environment);
    ec2.on(GetEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: false });
    const off = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(dry.changes).toEqual([
      {
        resource: `${TEST_ACCOUNT}/us-east-1`,
        attribute: 'EBS encryption by default',
        before: 'on',
        after: 'off',
      },
    ]);
    expect(dry.output).toMatchObject({
      results: {
        'enable-ebs-default-encryption': { accountId: TEST_ACCOUNT, region: 'us-east-1', disabled: true },
      },
    });
    expect(off.status).toBe('already-done');
    const notes = (await environment.ledger.entries(envelope().incidentId)).flatMap((entry) => entry.notes);
    expect(notes).toContain('enable-ebs-default-encryption: EBS encryption by default is off already.');
    expect(ec2).toHaveReceivedCommandTimes(DisableEbsEncryptionByDefaultCommand, 0);
  });

  it('refuses a release in another Region or account than the fix, and names a failing call', async () => {
    // Prepare
    ec2
      .on(GetEbsEncryptionByDefaultCommand)
      .resolvesOnce({ EbsEncryptionByDefault: false })
      .resolves({ EbsEncryptionByDefault: true });
    const environment = actionEnvironment(clients);
    await runAction(enableEbsDefaultEncryption, input, environment);

    // Act + Assess
    await expect(
      runAction(releaseRemediation, { ...envelope(), region: 'eu-west-1' }, environment),
    ).rejects.toThrow(
      `The fix changed ${TEST_ACCOUNT} in us-east-1, but the release runs in ${TEST_ACCOUNT} eu-west-1: nothing was changed.`,
    );
    await expect(
      runAction(releaseRemediation, { ...envelope(), account: '210987654321' }, environment),
    ).rejects.toThrow(
      `The fix changed ${TEST_ACCOUNT} in us-east-1, but the release runs in 210987654321 us-east-1: nothing was changed.`,
    );
    expect(ec2).toHaveReceivedCommandTimes(GetEbsEncryptionByDefaultCommand, 1);
    ec2
      .on(DisableEbsEncryptionByDefaultCommand)
      .rejects(Object.assign(new Error('x'), { name: 'UnauthorizedOperation' }));
    await expect(runAction(releaseRemediation, envelope(), environment)).rejects.toMatchObject({
      name: 'AccessDeniedError',
      message: expect.stringContaining('DisableEbsEncryptionByDefault failed: UnauthorizedOperation'),
    });
  });
});

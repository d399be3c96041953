import {
  CreateTagsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  type Instance,
  ModifyInstanceAttributeCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_INCIDENT } from '../../../../test/support/actions.ts';
import { protectEvidence } from '../../src/actions/protect-evidence.ts';
import { runAction } from '../../src/actions/run-action.ts';

const INSTANCE_ID = 'i-0abc1234def567890';

function instance(overrides: Partial<Instance> = {}): Instance {
  return {
    InstanceId: INSTANCE_ID,
    State: { Name: 'running', Code: 16 },
    BlockDeviceMappings: [
      { DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-0000000000000000a', DeleteOnTermination: true } },
      { DeviceName: '/dev/sdf', Ebs: { VolumeId: 'vol-0000000000000000b', DeleteOnTermination: false } },
    ],
    Tags: [{ Key: 'Name', Value: 'web-1' }],
    ...overrides,
  };
}

describe('protect-evidence (commands sent)', () => {
  const clients = realClients();
  const ec2 = mockClient(clients.ec2);

  beforeEach(() => {
    ec2.reset();
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance()] }] });
    ec2
      .on(DescribeInstanceAttributeCommand, { Attribute: 'disableApiTermination' })
      .resolves({ DisableApiTermination: { Value: false } });
    ec2
      .on(DescribeInstanceAttributeCommand, { Attribute: 'instanceInitiatedShutdownBehavior' })
      .resolves({ InstanceInitiatedShutdownBehavior: { Value: 'terminate' } });
    ec2.on(ModifyInstanceAttributeCommand).resolves({});
    ec2.on(CreateTagsCommand).resolves({});
  });

  it('protects evidence first: termination protection, stop on shutdown, keeps every EBS volume, tags the incident', async () => {
    const outcome = await runAction(
      protectEvidence,
      { ...envelope(), instanceId: INSTANCE_ID },
      actionEnvironment(clients),
    );

    expect(outcome.status).toBe('done');
    expect(ec2).toHaveReceivedCommandWith(ModifyInstanceAttributeCommand, {
      InstanceId: INSTANCE_ID,
      DisableApiTermination: { Value: true },
    });
    expect(ec2).toHaveReceivedCommandWith(ModifyInstanceAttributeCommand, {
      InstanceId: INSTANCE_ID,
      InstanceInitiatedShutdownBehavior: { Value: 'stop' },
    });
    // Only the volume that would be deleted is changed; the other one already survives termination.
    expect(ec2).toHaveReceivedCommandWith(ModifyInstanceAttributeCommand, {
      InstanceId: INSTANCE_ID,
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: false } }],
    });
    expect(ec2).toHaveReceivedCommandWith(CreateTagsCommand, {
      Resources: [INSTANCE_ID],
      Tags: [
        { Key: 'cordon:incident', Value: TEST_INCIDENT },
        { Key: 'cordon:quarantined', Value: 'true' },
      ],
    });
    expect(ec2).toHaveReceivedCommandTimes(ModifyInstanceAttributeCommand, 3);
  });

  it('changes nothing that is already protected', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            instance({
              BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: false } }],
              Tags: [
                { Key: 'cordon:incident', Value: TEST_INCIDENT },
                { Key: 'cordon:quarantined', Value: 'true' },
              ],
            }),
          ],
        },
      ],
    });
    ec2
      .on(DescribeInstanceAttributeCommand, { Attribute: 'disableApiTermination' })
      .resolves({ DisableApiTermination: { Value: true } });
    ec2
      .on(DescribeInstanceAttributeCommand, { Attribute: 'instanceInitiatedShutdownBehavior' })
      .resolves({ InstanceInitiatedShutdownBehavior: { Value: 'stop' } });

    const outcome = await runAction(
      protectEvidence,
      { ...envelope(), instanceId: INSTANCE_ID },
      actionEnvironment(clients),
    );

    expect(outcome.status).toBe('already-done');
    expect(outcome.output).toEqual({ instanceId: INSTANCE_ID });
    expect(ec2).not.toHaveReceivedCommand(ModifyInstanceAttributeCommand);
    expect(ec2).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it('makes no mutating call in dry-run, and reports what it would change', async () => {
    const environment = actionEnvironment(clients);
    const outcome = await runAction(
      protectEvidence,
      { ...envelope(true), instanceId: INSTANCE_ID },
      environment,
    );

    expect(outcome).toMatchObject({ status: 'dry-run', dryRun: true });
    expect(outcome.changes.map((change) => change.attribute)).toEqual([
      'disableApiTermination',
      'instanceInitiatedShutdownBehavior',
      'deleteOnTermination',
      'tag:cordon:incident',
      'tag:cordon:quarantined',
    ]);
    expect(ec2).not.toHaveReceivedCommand(ModifyInstanceAttributeCommand);
    expect(ec2).not.toHaveReceivedCommand(CreateTagsCommand);
    expect((await environment.ledger.entries(TEST_INCIDENT)).map((entry) => entry.outcome)).toEqual([
      'dry-run',
    ]);
  });

  it('is a dry run whenever the settings mode is not enforce (fail closed)', async () => {
    const outcome = await runAction(
      protectEvidence,
      { ...envelope(false), instanceId: INSTANCE_ID },
      actionEnvironment(clients, { mode: 'notify-only' }),
    );
    expect(outcome.status).toBe('dry-run');
    expect(ec2).not.toHaveReceivedCommand(ModifyInstanceAttributeCommand);
  });

  it('refuses an exempt instance with ExemptResourceError, before any change, and records it', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [instance({ Tags: [{ Key: 'cordon:exempt', Value: 'true' }] })] }],
    });
    const environment = actionEnvironment(clients);

    await expect(
      runAction(protectEvidence, { ...envelope(), instanceId: INSTANCE_ID }, environment),
    ).rejects.toMatchObject({ name: 'ExemptResourceError', retryable: false });
    expect(ec2).not.toHaveReceivedCommand(ModifyInstanceAttributeCommand);
    const [entry] = await environment.ledger.entries(TEST_INCIDENT);
    expect(entry).toMatchObject({
      step: 'protect-evidence',
      outcome: 'failed',
      error: { name: 'ExemptResourceError' },
    });
  });

  it('reports a vanished instance as ResourceGoneError (terminal)', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .rejects(
        Object.assign(new Error('The instance ID does not exist'), { name: 'InvalidInstanceID.NotFound' }),
      );
    await expect(
      runAction(protectEvidence, { ...envelope(), instanceId: INSTANCE_ID }, actionEnvironment(clients)),
    ).rejects.toMatchObject({ name: 'ResourceGoneError', awsError: 'InvalidInstanceID.NotFound' });
  });

  it('turns throttling into ThrottledError, which Step Functions retries', async () => {
    ec2
      .on(ModifyInstanceAttributeCommand)
      .rejects(Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' }));
    const error = await runAction(
      protectEvidence,
      { ...envelope(), instanceId: INSTANCE_ID },
      actionEnvironment(clients),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ThrottledError', retryable: true });
    expect(protectEvidence.retryableErrors).toContain('ThrottledError');
  });

  it('rejects a malformed instance id with InvalidActionInputError, without calling AWS', async () => {
    await expect(
      runAction(
        protectEvidence,
        { ...envelope(), instanceId: 'not-an-instance' },
        actionEnvironment(clients),
      ),
    ).rejects.toMatchObject({ name: 'InvalidActionInputError' });
    expect(ec2).not.toHaveReceivedAnyCommand();
  });

  it('records the original state in the ledger before changing it', async () => {
    const environment = actionEnvironment(clients);
    await runAction(protectEvidence, { ...envelope(), instanceId: INSTANCE_ID }, environment);
    const entries = await environment.ledger.entries(TEST_INCIDENT);
    expect(entries.map((entry) => entry.outcome)).toEqual(['planned', 'done']);
    expect(entries[0]?.restore).toEqual({
      instanceId: INSTANCE_ID,
      disableApiTermination: false,
      shutdownBehavior: 'terminate',
      deleteOnTermination: { '/dev/xvda': true, '/dev/sdf': false },
    });
    expect(entries[1]).toMatchObject({
      settingsVersion: environment.settingsVersion,
      at: '2026-11-28T10:00:00.000Z',
    });
  });

  // Issue 18: the exact record of what changes, which is what release and the auditors read.
  it('records each change as it is, skips mappings that are not EBS volumes, and retags an instance another incident tagged', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            instance({
              BlockDeviceMappings: [
                {
                  DeviceName: '/dev/xvda',
                  Ebs: { VolumeId: 'vol-0000000000000000a', DeleteOnTermination: true },
                },
                { DeviceName: '/dev/sdb', Ebs: { VolumeId: 'vol-0000000000000000c' } },
                { DeviceName: '/dev/sdc' },
                { Ebs: { VolumeId: 'vol-0000000000000000d', DeleteOnTermination: true } },
              ],
              Tags: [
                { Key: 'cordon:incident', Value: 'an-earlier-incident' },
                { Key: 'cordon:quarantined', Value: 'true' },
              ],
            }),
          ],
        },
      ],
    });
    const environment = actionEnvironment(clients);
    const outcome = await runAction(protectEvidence, { ...envelope(), instanceId: INSTANCE_ID }, environment);
    expect(outcome.changes).toEqual([
      { resource: INSTANCE_ID, attribute: 'disableApiTermination', before: false, after: true },
      {
        resource: INSTANCE_ID,
        attribute: 'instanceInitiatedShutdownBehavior',
        before: 'terminate',
        after: 'stop',
      },
      { resource: `${INSTANCE_ID}:/dev/xvda`, attribute: 'deleteOnTermination', before: true, after: false },
      {
        resource: INSTANCE_ID,
        attribute: 'tag:cordon:incident',
        before: 'an-earlier-incident',
        after: TEST_INCIDENT,
      },
    ]);
    expect(outcome.notes).toEqual([]);
    expect(outcome.output).toEqual({ instanceId: INSTANCE_ID });
    const planned = environment.ledger.all().find((entry) => entry.outcome === 'planned');
    expect(planned?.restore).toEqual({
      instanceId: INSTANCE_ID,
      disableApiTermination: false,
      shutdownBehavior: 'terminate',
      deleteOnTermination: { '/dev/xvda': true, '/dev/sdb': false },
    });
    expect(ec2).toHaveReceivedCommandWith(CreateTagsCommand, {
      Resources: [INSTANCE_ID],
      Tags: [{ Key: 'cordon:incident', Value: TEST_INCIDENT }],
    });
  });

  it('sends only what is missing: here the tags alone', async () => {
    ec2
      .on(DescribeInstanceAttributeCommand, { Attribute: 'disableApiTermination' })
      .resolves({ DisableApiTermination: { Value: true } });
    ec2
      .on(DescribeInstanceAttributeCommand, { Attribute: 'instanceInitiatedShutdownBehavior' })
      .resolves({ InstanceInitiatedShutdownBehavior: { Value: 'stop' } });
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [instance({ BlockDeviceMappings: [] })] }],
    });
    const outcome = await runAction(
      protectEvidence,
      { ...envelope(), instanceId: INSTANCE_ID },
      actionEnvironment(clients),
    );
    expect(outcome.status).toBe('done');
    expect(ec2).toHaveReceivedCommandTimes(ModifyInstanceAttributeCommand, 0);
    expect(ec2).toHaveReceivedCommandTimes(CreateTagsCommand, 1);
  });

  it('sends only what is missing: here termination protection alone, no tags when they are already right', async () => {
    // Prepare
    ec2
      .on(DescribeInstanceAttributeCommand, { Attribute: 'instanceInitiatedShutdownBehavior' })
      .resolves({ InstanceInitiatedShutdownBehavior: { Value: 'stop' } });
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            instance({
              BlockDeviceMappings: [],
              Tags: [
                { Key: 'cordon:incident', Value: TEST_INCIDENT },
                { Key: 'cordon:quarantined', Value: 'true' },
              ],
            }),
          ],
        },
      ],
    });

    // Act
    const outcome = await runAction(
      protectEvidence,
      { ...envelope(), instanceId: INSTANCE_ID },
      actionEnvironment(clients),
    );

    // Assess
    expect(outcome).toMatchObject({ status: 'done', output: { instanceId: INSTANCE_ID } });
    expect(ec2).toHaveReceivedCommandTimes(ModifyInstanceAttributeCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(ModifyInstanceAttributeCommand, {
      InstanceId: INSTANCE_ID,
      DisableApiTermination: { Value: true },
    });
    expect(ec2).not.toHaveReceivedCommand(CreateTagsCommand);
  });
});

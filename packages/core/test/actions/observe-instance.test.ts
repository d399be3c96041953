import { DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { realClients, TEST_NOW } from '../../../../test/support/actions.ts';
import {
  describeMembership,
  describeProtection,
  freshObservation,
  type InstanceObservation,
  observeInstance,
  observerRoleName,
  readInstance,
} from '../../src/actions/observe-instance.ts';

const INSTANCE_ID = 'i-0abc1234def567890';

function instance(overrides: Partial<Instance> = {}): Instance {
  return {
    InstanceId: INSTANCE_ID,
    VpcId: 'vpc-1',
    State: { Name: 'running', Code: 16 },
    PrivateDnsName: 'ip-10-0-0-5.ec2.internal',
    Tags: [{ Key: 'Name', Value: 'web-1' }],
    NetworkInterfaces: [
      {
        NetworkInterfaceId: 'eni-1',
        VpcId: 'vpc-1',
        Groups: [{ GroupId: 'sg-1', GroupName: 'web' }],
        Attachment: { DeviceIndex: 0, AttachmentId: 'eni-attach-1', Status: 'attached' },
        MacAddress: '0a:00:00:00:00:01',
      },
      { NetworkInterfaceId: 'eni-2', VpcId: 'vpc-1', Groups: [] },
    ],
    BlockDeviceMappings: [
      { DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-1', DeleteOnTermination: true, Status: 'attached' } },
      { DeviceName: '/dev/sdb' },
    ],
    ...overrides,
  };
}

describe('observe-instance', () => {
  const clients = realClients();
  const ec2 = mockClient(clients.ec2);
  const autoScaling = mockClient(clients.autoScaling);

  beforeEach(() => {
    ec2.reset();
    autoScaling.reset();
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance()] }] });
    ec2
      .on(DescribeInstanceAttributeCommand, { Attribute: 'disableApiTermination' })
      .resolves({ DisableApiTermination: { Value: true } });
    ec2
      .on(DescribeInstanceAttributeCommand, { Attribute: 'instanceInitiatedShutdownBehavior' })
      .resolves({ InstanceInitiatedShutdownBehavior: { Value: 'terminate' } });
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: 'sg-iso', GroupName: 'cordon-isolation' }] });
    autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({
      AutoScalingInstances: [
        {
          InstanceId: 'i-0other',
          AutoScalingGroupName: 'other',
          LifecycleState: 'InService',
          AvailabilityZone: 'a',
          HealthStatus: 'HEALTHY',
          ProtectedFromScaleIn: false,
        },
        {
          InstanceId: INSTANCE_ID,
          AutoScalingGroupName: 'web',
          LifecycleState: 'InService',
          AvailabilityZone: 'a',
          HealthStatus: 'HEALTHY',
          ProtectedFromScaleIn: false,
        },
      ],
    });
  });

  it('names the observer role after the responder role', () => {
    expect(observerRoleName({ responder: { roleName: 'CordonResponder' } } as never)).toBe(
      'CordonResponderObserver',
    );
  });

  it('observes what containment plans from, and only that, at the time it was read', async () => {
    const observation = await observeInstance(clients, INSTANCE_ID, TEST_NOW);
    expect(observation).toEqual({
      instanceId: INSTANCE_ID,
      observedAt: TEST_NOW.toISOString(),
      instance: {
        InstanceId: INSTANCE_ID,
        VpcId: 'vpc-1',
        State: { Name: 'running', Code: 16 },
        Tags: [{ Key: 'Name', Value: 'web-1' }],
        NetworkInterfaces: [
          {
            NetworkInterfaceId: 'eni-1',
            VpcId: 'vpc-1',
            Groups: [{ GroupId: 'sg-1', GroupName: 'web' }],
            Attachment: { DeviceIndex: 0 },
          },
          { NetworkInterfaceId: 'eni-2', VpcId: 'vpc-1', Groups: [], Attachment: undefined },
        ],
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-1', DeleteOnTermination: true } },
          { DeviceName: '/dev/sdb', Ebs: undefined },
        ],
      },
      disableApiTermination: true,
      shutdownBehavior: 'terminate',
      autoScaling: { groupName: 'web', lifecycleState: 'InService' },
      isolationGroups: [{ GroupId: 'sg-iso', GroupName: 'cordon-isolation' }],
    });
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, { InstanceIds: [INSTANCE_ID] });
    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, {
      Filters: [{ Name: 'group-name', Values: ['cordon-isolation-untrack', 'cordon-isolation'] }],
    });
    expect(autoScaling).toHaveReceivedCommandWith(DescribeAutoScalingInstancesCommand, {
      InstanceIds: [INSTANCE_ID],
    });
  });

  it('has no Auto Scaling membership outside a group, and an unknown lifecycle state when none is given', async () => {
    autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [] });
    expect((await observeInstance(clients, INSTANCE_ID, TEST_NOW)).autoScaling).toBeNull();
    autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({});
    expect(await describeMembership(clients, INSTANCE_ID)).toBeUndefined();
    autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({
      AutoScalingInstances: [{ InstanceId: INSTANCE_ID, AutoScalingGroupName: 'web' } as never],
    });
    expect((await observeInstance(clients, INSTANCE_ID, TEST_NOW)).autoScaling).toEqual({
      groupName: 'web',
      lifecycleState: 'unknown',
    });
    autoScaling
      .on(DescribeAutoScalingInstancesCommand)
      .resolves({ AutoScalingInstances: [{ InstanceId: INSTANCE_ID } as never] });
    expect((await observeInstance(clients, INSTANCE_ID, TEST_NOW)).autoScaling).toBeNull();
  });

  it('has no isolation groups when there are none yet', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({});
    expect((await observeInstance(clients, INSTANCE_ID, TEST_NOW)).isolationGroups).toEqual([]);
  });

  it('reads both protection attributes; unset termination protection is off, an unset shutdown behaviour is stop', async () => {
    expect(await describeProtection(clients, INSTANCE_ID)).toEqual({
      disableApiTermination: true,
      shutdownBehavior: 'terminate',
    });
    expect(ec2).toHaveReceivedCommandWith(DescribeInstanceAttributeCommand, {
      InstanceId: INSTANCE_ID,
      Attribute: 'disableApiTermination',
    });
    expect(ec2).toHaveReceivedCommandWith(DescribeInstanceAttributeCommand, {
      InstanceId: INSTANCE_ID,
      Attribute: 'instanceInitiatedShutdownBehavior',
    });
    ec2.on(DescribeInstanceAttributeCommand).resolves({});
    expect(await describeProtection(clients, INSTANCE_ID)).toEqual({
      disableApiTermination: false,
      shutdownBehavior: 'stop',
    });
  });

  it('reports an instance that does not exist or is terminated as gone', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    await expect(readInstance(clients, INSTANCE_ID)).rejects.toMatchObject({
      name: 'ResourceGoneError',
      message: `Instance ${INSTANCE_ID} does not exist (or is terminated).`,
    });
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{}] });
    await expect(readInstance(clients, INSTANCE_ID)).rejects.toMatchObject({ name: 'ResourceGoneError' });
    ec2
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [instance({ State: { Name: 'terminated', Code: 48 } })] }] });
    await expect(readInstance(clients, INSTANCE_ID)).rejects.toMatchObject({ name: 'ResourceGoneError' });
    ec2
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [instance({ State: { Name: 'stopped', Code: 80 } })] }] });
    expect((await readInstance(clients, INSTANCE_ID)).State?.Name).toBe('stopped');
  });

  it('reports an answer with no reservations at all as gone, not as a crash', async () => {
    ec2.on(DescribeInstancesCommand).resolves({});
    await expect(readInstance(clients, INSTANCE_ID)).rejects.toMatchObject({ name: 'ResourceGoneError' });
  });

  it('observes an instance whose description leaves out its state, interfaces and devices (all optional in the API)', async () => {
    // Prepare
    const bare: Instance = { InstanceId: INSTANCE_ID, VpcId: 'vpc-1' };
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [bare] }] });

    // Act
    const observation = await observeInstance(clients, INSTANCE_ID, TEST_NOW);

    // Assess
    expect(observation.instance).toStrictEqual({
      InstanceId: INSTANCE_ID,
      VpcId: 'vpc-1',
      State: undefined,
      Tags: undefined,
      NetworkInterfaces: undefined,
      BlockDeviceMappings: undefined,
    });
  });
});

describe('freshObservation', () => {
  const seen = (secondsAgo: number, instanceId = INSTANCE_ID) =>
    ({
      instanceId,
      observedAt: new Date(TEST_NOW.getTime() - secondsAgo * 1000).toISOString(),
    }) as InstanceObservation;

  it('trusts an observation of the instance up to 30 s old, and up to 30 s "from the future" (clock skew)', () => {
    for (const age of [0, 30, -30, 29.999])
      expect(freshObservation(seen(age), INSTANCE_ID, TEST_NOW)).toEqual(seen(age));
  });

  it('does not trust an older one, one further ahead, one of another instance, or none', () => {
    expect(freshObservation(seen(30.001), INSTANCE_ID, TEST_NOW)).toBeUndefined();
    expect(freshObservation(seen(-30.001), INSTANCE_ID, TEST_NOW)).toBeUndefined();
    expect(freshObservation(seen(1, 'i-0other'), INSTANCE_ID, TEST_NOW)).toBeUndefined();
    expect(freshObservation(null, INSTANCE_ID, TEST_NOW)).toBeUndefined();
    expect(freshObservation(undefined, INSTANCE_ID, TEST_NOW)).toBeUndefined();
  });
});

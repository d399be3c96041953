import { DescribeAutoScalingInstancesCommand, EnterStandbyCommand } from '@aws-sdk/client-auto-scaling';
import {
  CreateTagsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  type Instance,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_NOW } from '../../../../test/support/actions.ts';
import { containInstance } from '../../src/actions/contain-instance.ts';
import { ISOLATION_GROUP_NAMES } from '../../src/actions/guardrails.ts';
import type { InstanceObservation } from '../../src/actions/observe-instance.ts';
import { runAction } from '../../src/actions/run-action.ts';

const INSTANCE_ID = 'i-0abc1234def567890';
const VPC = 'vpc-0aaaaaaaaaaaaaaa1';
const ENI = 'eni-0aaaaaaaaaaaaaa01';

function instance(): Instance {
  return {
    InstanceId: INSTANCE_ID,
    VpcId: VPC,
    State: { Name: 'running', Code: 16 },
    Tags: [{ Key: 'Name', Value: 'web-1' }],
    NetworkInterfaces: [
      { NetworkInterfaceId: ENI, VpcId: VPC, Groups: [{ GroupId: 'sg-0web0000000000001' }] },
    ],
    BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-1', DeleteOnTermination: true } }],
  };
}

function isolationGroup(role: keyof typeof ISOLATION_GROUP_NAMES, id: string): SecurityGroup {
  const allowAll = [
    { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
  ];
  return {
    GroupId: id,
    GroupName: ISOLATION_GROUP_NAMES[role],
    VpcId: VPC,
    Tags: [{ Key: 'cordon:managed', Value: 'true' }],
    IpPermissions: role === 'untrack' ? allowAll : [],
    IpPermissionsEgress: role === 'untrack' ? allowAll : [],
  };
}

const GROUPS = [
  isolationGroup('untrack', 'sg-0untrack000000001'),
  isolationGroup('isolate', 'sg-0isolate000000001'),
];

function observation(overrides: Partial<InstanceObservation> = {}): InstanceObservation {
  return {
    instanceId: INSTANCE_ID,
    observedAt: new Date(TEST_NOW.getTime() - 2_000).toISOString(),
    instance: instance(),
    disableApiTermination: false,
    shutdownBehavior: 'terminate',
    autoScaling: { groupName: 'web', lifecycleState: 'InService' },
    isolationGroups: GROUPS,
    ...overrides,
  };
}

describe('contain-instance (commands sent)', () => {
  const clients = realClients();
  const ec2 = mockClient(clients.ec2);
  const autoScaling = mockClient(clients.autoScaling);

  beforeEach(() => {
    ec2.reset();
    autoScaling.reset();
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance()] }] });
    ec2
      .on(DescribeInstanceAttributeCommand, { Attribute: 'disableApiTermination' })
      .resolves({ DisableApiTermination: { Value: false } });
    ec2
      .on(DescribeInstanceAttributeCommand, { Attribute: 'instanceInitiatedShutdownBehavior' })
      .resolves({ InstanceInitiatedShutdownBehavior: { Value: 'terminate' } });
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: GROUPS });
    autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({
      AutoScalingInstances: [
        {
          InstanceId: INSTANCE_ID,
          AutoScalingGroupName: 'web',
          LifecycleState: 'InService',
          AvailabilityZone: 'us-east-1a',
          HealthStatus: 'HEALTHY',
          ProtectedFromScaleIn: false,
        },
      ],
    });
    autoScaling.on(EnterStandbyCommand).resolves({ Activities: [] });
  });

  it('with a fresh observation plans at once, finds the same live state, then protects, enters Standby and moves the ENI twice', async () => {
    const outcome = await runAction(
      containInstance,
      { ...envelope(), instanceId: INSTANCE_ID, observation: observation() },
      actionEnvironment(clients),
    );

    expect(outcome).toMatchObject({ status: 'done', output: { readFrom: 'observation', replanned: false } });
    // The reads once each: the check against the live state, sent with the ledger entry.
    expect(ec2).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
    expect(ec2).toHaveReceivedCommandTimes(DescribeInstanceAttributeCommand, 2);
    expect(ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupsCommand, 1);
    expect(autoScaling).toHaveReceivedCommandTimes(DescribeAutoScalingInstancesCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(ModifyInstanceAttributeCommand, {
      InstanceId: INSTANCE_ID,
      DisableApiTermination: { Value: true },
    });
    expect(ec2).toHaveReceivedCommandWith(CreateTagsCommand, { Resources: [INSTANCE_ID] });
    expect(autoScaling).toHaveReceivedCommandWith(EnterStandbyCommand, {
      AutoScalingGroupName: 'web',
      InstanceIds: [INSTANCE_ID],
      ShouldDecrementDesiredCapacity: false,
    });
    const moves = ec2
      .commandCalls(ModifyNetworkInterfaceAttributeCommand)
      .map((call) => call.args[0].input.Groups);
    expect(moves).toEqual([['sg-0untrack000000001'], ['sg-0isolate000000001']]);
  });

  it('reads live state for an observation of another instance', async () => {
    const outcome = await runAction(
      containInstance,
      {
        ...envelope(),
        instanceId: INSTANCE_ID,
        observation: observation({ instanceId: 'i-0fff00000000000f0' }),
      },
      actionEnvironment(clients),
    );

    expect(outcome.output).toMatchObject({ readFrom: 'live' });
    expect(ec2).toHaveReceivedCommandTimes(DescribeInstanceAttributeCommand, 2);
    expect(autoScaling).toHaveReceivedCommandTimes(DescribeAutoScalingInstancesCommand, 1);
  });

  it('refuses an observation that is not one, naming the field, and sends nothing', async () => {
    const broken = { ...observation(), disableApiTermination: 'no' };

    const failure = runAction(
      containInstance,
      { ...envelope(), instanceId: INSTANCE_ID, observation: broken },
      actionEnvironment(clients),
    );

    await expect(failure).rejects.toMatchObject({
      name: 'InvalidActionInputError',
      message: expect.stringContaining('observation.disableApiTermination'),
    });
    expect(ec2.calls()).toHaveLength(0);
    expect(autoScaling.calls()).toHaveLength(0);
  });

  it('counts a refused EnterStandby as done when the instance is already out of service (a retry after a partial run)', async () => {
    autoScaling
      .on(EnterStandbyCommand)
      .rejects(Object.assign(new Error('The instance is not in InService.'), { name: 'ValidationError' }));
    autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({
      AutoScalingInstances: [
        {
          InstanceId: INSTANCE_ID,
          AutoScalingGroupName: 'web',
          LifecycleState: 'Standby',
          AvailabilityZone: 'us-east-1a',
          HealthStatus: 'HEALTHY',
          ProtectedFromScaleIn: false,
        },
      ],
    });

    const outcome = await runAction(
      containInstance,
      { ...envelope(), instanceId: INSTANCE_ID, observation: observation() },
      actionEnvironment(clients),
    );

    expect(outcome.output).toMatchObject({ autoScaling: { lifecycleState: 'Standby' } });
    expect(ec2).toHaveReceivedCommandTimes(ModifyNetworkInterfaceAttributeCommand, 2);
  });

  it('declares every permission of its parts once, with the reads triage’s observer makes', () => {
    const actions = containInstance.permissions.flatMap((permission) => permission.actions);
    for (const needed of [
      'ec2:DescribeInstances',
      'ec2:DescribeInstanceAttribute',
      'ec2:DescribeSecurityGroups',
      'autoscaling:DescribeAutoScalingInstances',
      'ec2:ModifyInstanceAttribute',
      'ec2:CreateTags',
      'autoscaling:EnterStandby',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:CreateSecurityGroup',
    ]) {
      expect(actions).toContain(needed);
    }
    const keys = containInstance.permissions.map((permission) =>
      JSON.stringify([permission.actions, permission.resources, permission.condition]),
    );
    expect(new Set(keys).size).toBe(keys.length);
  });
});

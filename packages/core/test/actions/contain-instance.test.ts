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

  // Issue 18: the lease (DOMAIN.md: one containment of an instance at a time) and the re-plan when the live
  // instance differs from triage's reads, part by part.
  describe('the lease on the instance', () => {
    const LEASE_KEY = `instance#${envelope().account}#${envelope().region}#${INSTANCE_ID}`;

    function leaseRecordingEnvironment() {
      const environment = actionEnvironment(clients);
      const calls: Array<[string, ...unknown[]]> = [];
      const acquire = environment.ledger.acquireLease.bind(environment.ledger);
      const release = environment.ledger.releaseLease.bind(environment.ledger);
      environment.ledger.acquireLease = async (...args) => {
        calls.push(['acquire', ...args]);
        return acquire(...args);
      };
      environment.ledger.releaseLease = async (...args) => {
        calls.push(['release', ...args]);
        return release(...args);
      };
      return { environment, calls };
    }

    it('is taken for 120 s on the account, region and instance, for the incident, and given back when done', async () => {
      const { environment, calls } = leaseRecordingEnvironment();
      await runAction(
        containInstance,
        { ...envelope(), instanceId: INSTANCE_ID, observation: observation() },
        environment,
      );
      expect(calls).toEqual([
        ['acquire', LEASE_KEY, envelope().incidentId, new Date(TEST_NOW.getTime() + 120_000), TEST_NOW],
        ['release', LEASE_KEY, envelope().incidentId],
      ]);
    });

    it('held by another incident, makes the step wait (retried), naming the holder, and changes nothing', async () => {
      const { environment } = leaseRecordingEnvironment();
      await environment.ledger.acquireLease(
        LEASE_KEY,
        'incident-other',
        new Date(TEST_NOW.getTime() + 60_000),
        TEST_NOW,
      );
      const failure = runAction(
        containInstance,
        { ...envelope(), instanceId: INSTANCE_ID, observation: observation() },
        environment,
      );
      await expect(failure).rejects.toMatchObject({
        name: 'EventualConsistencyError',
        message: `${INSTANCE_ID} is being contained by incident incident-other: this step is tried again once that is done (two containments at once could undo each other).`,
      });
      expect(ec2).toHaveReceivedCommandTimes(ModifyNetworkInterfaceAttributeCommand, 0);
      expect(ec2).toHaveReceivedCommandTimes(ModifyInstanceAttributeCommand, 0);
      expect(autoScaling).toHaveReceivedCommandTimes(EnterStandbyCommand, 0);
      expect(containInstance.retryableErrors).toContain('EventualConsistencyError');
    });

    it('is not taken by a dry run', async () => {
      const { environment, calls } = leaseRecordingEnvironment();
      const outcome = await runAction(
        containInstance,
        { ...envelope(true), instanceId: INSTANCE_ID, observation: observation() },
        environment,
      );
      expect(outcome.status).toBe('dry-run');
      expect(calls).toEqual([]);
    });

    it('is given back at once when there is nothing to change', async () => {
      const contained = instance();
      const isolated: Instance = {
        ...contained,
        NetworkInterfaces: [
          { NetworkInterfaceId: ENI, VpcId: VPC, Groups: [{ GroupId: 'sg-0isolate000000001' }] },
        ],
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-1', DeleteOnTermination: false } },
        ],
        Tags: [
          ...(contained.Tags ?? []),
          { Key: 'cordon:quarantined', Value: 'true' },
          { Key: 'cordon:incident', Value: envelope().incidentId },
        ],
      };
      ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [isolated] }] });
      ec2
        .on(DescribeInstanceAttributeCommand, { Attribute: 'disableApiTermination' })
        .resolves({ DisableApiTermination: { Value: true } });
      ec2
        .on(DescribeInstanceAttributeCommand, { Attribute: 'instanceInitiatedShutdownBehavior' })
        .resolves({ InstanceInitiatedShutdownBehavior: { Value: 'stop' } });
      autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [] });
      const { environment, calls } = leaseRecordingEnvironment();
      const outcome = await runAction(
        containInstance,
        { ...envelope(), instanceId: INSTANCE_ID },
        environment,
      );
      expect(outcome.status).toBe('already-done');
      await new Promise((resolve) => setImmediate(resolve));
      expect(calls.map(([what]) => what)).toEqual(['acquire', 'release']);
    });

    it('is given back when planning fails', async () => {
      ec2
        .on(DescribeInstancesCommand)
        .rejects(Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' }));
      const { environment, calls } = leaseRecordingEnvironment();
      await expect(
        runAction(containInstance, { ...envelope(), instanceId: INSTANCE_ID }, environment),
      ).rejects.toMatchObject({ name: 'ThrottledError' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(calls.map(([what]) => what)).toEqual(['acquire', 'release']);
    });
  });

  describe('re-planning when the live instance differs from triage’s reads', () => {
    const contain = (seen: InstanceObservation) =>
      runAction(
        containInstance,
        { ...envelope(), instanceId: INSTANCE_ID, observation: seen },
        actionEnvironment(clients),
      );
    const REPLANNED = 'the instance changed since triage read it: planned again from live reads';

    it.each<[string, Partial<InstanceObservation>]>([
      ['termination protection', { disableApiTermination: true }],
      ['the shutdown behaviour', { shutdownBehavior: 'stop' }],
      ['the Auto Scaling membership', { autoScaling: null }],
      ['the Auto Scaling lifecycle state', { autoScaling: { groupName: 'web', lifecycleState: 'Standby' } }],
      [
        'the rules of an isolation group',
        {
          isolationGroups: [
            { ...isolationGroup('untrack', 'sg-0untrack000000001'), IpPermissionsEgress: [] },
            isolationGroup('isolate', 'sg-0isolate000000001'),
          ],
        },
      ],
      [
        'the isolation groups themselves',
        { isolationGroups: [isolationGroup('untrack', 'sg-0untrack000000001')] },
      ],
      [
        'the groups of an ENI',
        {
          instance: {
            ...instance(),
            NetworkInterfaces: [
              { NetworkInterfaceId: ENI, VpcId: VPC, Groups: [{ GroupId: 'sg-0other000000000001' }] },
            ],
          },
        },
      ],
      ['an ENI', { instance: { ...instance(), NetworkInterfaces: [] } }],
      [
        'DeleteOnTermination of a volume',
        {
          instance: {
            ...instance(),
            BlockDeviceMappings: [
              { DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-1', DeleteOnTermination: false } },
            ],
          },
        },
      ],
      ['a tag', { instance: { ...instance(), Tags: [{ Key: 'Name', Value: 'web-2' }] } }],
      ['the instance state', { instance: { ...instance(), State: { Name: 'stopped', Code: 80 } } }],
      ['whether the instance state is known', { instance: { ...instance(), State: undefined } }],
      [
        'the inbound rules of an isolation group',
        {
          isolationGroups: [
            { ...isolationGroup('untrack', 'sg-0untrack000000001'), IpPermissions: [] },
            isolationGroup('isolate', 'sg-0isolate000000001'),
          ],
        },
      ],
    ])('plans again from live reads when %s changed, and says so', async (_what, seen) => {
      const outcome = await contain(observation(seen));
      expect(outcome.output).toMatchObject({ readFrom: 'live', replanned: true });
      expect(outcome.notes.at(-1)).toBe(REPLANNED);
    });

    it('does not plan again when only the order of ENIs, groups, volumes and tags differs', async () => {
      const live: Instance = {
        ...instance(),
        Tags: [
          { Key: 'Name', Value: 'web-1' },
          { Key: 'team', Value: 'payments' },
        ],
        NetworkInterfaces: [
          {
            NetworkInterfaceId: ENI,
            VpcId: VPC,
            Groups: [{ GroupId: 'sg-0web0000000000001' }, { GroupId: 'sg-0web0000000000002' }],
          },
          {
            NetworkInterfaceId: 'eni-0aaaaaaaaaaaaaa02',
            VpcId: VPC,
            Groups: [{ GroupId: 'sg-0web0000000000001' }],
          },
        ],
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-1', DeleteOnTermination: true } },
          { DeviceName: '/dev/xvdb', Ebs: { VolumeId: 'vol-2', DeleteOnTermination: false } },
        ],
      };
      ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [live] }] });
      const seen: Instance = {
        ...live,
        Tags: [...(live.Tags ?? [])].reverse(),
        NetworkInterfaces: [...(live.NetworkInterfaces ?? [])]
          .reverse()
          .map((eni) => ({ ...eni, Groups: [...(eni.Groups ?? [])].reverse() })),
        BlockDeviceMappings: [...(live.BlockDeviceMappings ?? [])].reverse(),
      };
      const outcome = await contain(observation({ instance: seen }));
      expect(outcome.output).toMatchObject({ readFrom: 'observation', replanned: false });
    });

    it('does not plan again when only the order of what it read differs', async () => {
      const reordered = observation({
        isolationGroups: [...GROUPS].reverse(),
        instance: {
          ...instance(),
          Tags: [{ Key: 'Name', Value: 'web-1' }],
          NetworkInterfaces: [
            { NetworkInterfaceId: ENI, VpcId: VPC, Groups: [{ GroupId: 'sg-0web0000000000001' }] },
          ],
        },
      });
      const outcome = await contain(reordered);
      expect(outcome.output).toMatchObject({ readFrom: 'observation', replanned: false });
      expect(outcome.notes).not.toContain(REPLANNED);
      expect(outcome.notes[0]).toBe(
        `planned from triage's reads of ${observation().observedAt}, checked against the live instance before any change`,
      );
    });

    it('says it planned from live reads when it had no observation', async () => {
      const outcome = await runAction(
        containInstance,
        { ...envelope(), instanceId: INSTANCE_ID },
        actionEnvironment(clients),
      );
      expect(outcome.notes[0]).toBe('planned from live reads');
    });
  });

  describe('when a part fails', () => {
    const denied = (message: string) => Object.assign(new Error(message), { name: 'AccessDenied' });
    const contain = (environment = actionEnvironment(clients)) =>
      runAction(
        containInstance,
        { ...envelope(), instanceId: INSTANCE_ID, observation: observation() },
        environment,
      );
    const moves = () =>
      ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand).map((call) => call.args[0].input.Groups);

    it('cuts nothing when EnterStandby fails, puts the ENI back on its own groups, and reports the Standby error', async () => {
      autoScaling.on(EnterStandbyCommand).rejects(denied('not allowed to EnterStandby'));
      const environment = actionEnvironment(clients);
      await expect(contain(environment)).rejects.toMatchObject({
        name: 'AccessDeniedError',
        message: 'contain-instance: EnterStandby failed: AccessDenied (not allowed to EnterStandby)',
      });
      expect(moves()).toEqual([['sg-0untrack000000001'], ['sg-0web0000000000001']]);
      const failed = environment.ledger.all().find((entry) => entry.outcome === 'failed');
      expect(failed?.error).toMatchObject({ name: 'AccessDeniedError', awsError: 'AccessDenied' });
    });

    it('cuts nothing when protecting the evidence fails, and reports that error', async () => {
      ec2.on(ModifyInstanceAttributeCommand).rejects(denied('not allowed to protect'));
      await expect(contain()).rejects.toMatchObject({
        name: 'AccessDeniedError',
        message: expect.stringMatching(/^contain-instance: protecting the evidence failed: AccessDenied/),
      });
      expect(moves()).not.toContainEqual(['sg-0isolate000000001']);
      expect(moves().at(-1)).toEqual(['sg-0web0000000000001']);
    });

    it('reports a terminal error before a retryable one when both fail', async () => {
      ec2
        .on(ModifyInstanceAttributeCommand)
        .rejects(Object.assign(new Error('slow down'), { name: 'RequestLimitExceeded' }));
      autoScaling.on(EnterStandbyCommand).rejects(denied('not allowed to EnterStandby'));
      await expect(contain()).rejects.toMatchObject({ name: 'AccessDeniedError' });
    });

    it('writes the restore record of every part it will change before changing anything', async () => {
      const environment = actionEnvironment(clients);
      await contain(environment);
      const planned = environment.ledger.all().filter((entry) => entry.outcome === 'planned');
      expect(planned).toHaveLength(1);
      expect(planned[0]?.restore).toMatchObject({
        instanceId: INSTANCE_ID,
        parts: {
          'protect-evidence': expect.anything(),
          'detach-from-autoscaling': expect.anything(),
          'isolate-instance': expect.anything(),
        },
      });
    });

    it('has no Auto Scaling part in its restore record for an instance outside any group', async () => {
      autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [] });
      const environment = actionEnvironment(clients);
      const outcome = await runAction(
        containInstance,
        { ...envelope(), instanceId: INSTANCE_ID, observation: observation({ autoScaling: null }) },
        environment,
      );
      expect(outcome.status).toBe('done');
      const planned = environment.ledger.all().find((entry) => entry.outcome === 'planned');
      const parts = (planned?.restore as { parts?: object } | undefined)?.parts ?? {};
      expect(Object.keys(parts).sort()).toEqual(['isolate-instance', 'protect-evidence']);
      expect(autoScaling).toHaveReceivedCommandTimes(EnterStandbyCommand, 0);
    });
  });

  describe('the rest of what it says and does', () => {
    const contain = (
      environment = actionEnvironment(clients),
      seen: InstanceObservation | null = observation(),
    ) =>
      runAction(containInstance, { ...envelope(), instanceId: INSTANCE_ID, observation: seen }, environment);
    const throttled = () =>
      Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' });

    it('works with a ledger that keeps no leases', async () => {
      const environment = actionEnvironment(clients);
      const { ledger } = environment;
      const plain = { append: ledger.append.bind(ledger), entries: ledger.entries.bind(ledger) };
      const outcome = await contain({ ...environment, ledger: plain as never });
      expect(outcome.status).toBe('done');
      expect(environment.logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
    });

    it('still finishes when the lease cannot be given back, and says so (it runs out by itself)', async () => {
      const environment = actionEnvironment(clients);
      environment.ledger.releaseLease = async () => {
        throw new Error('table unavailable');
      };
      const outcome = await contain(environment);
      expect(outcome.status).toBe('done');
      expect(environment.logger.lines).toContainEqual({
        level: 'warn',
        message: 'contain-instance: could not give back the lease on the instance',
      });
    });

    it('logs why it read live state when triage’s reads cannot be contained as they were, and only then', async () => {
      const environment = actionEnvironment(clients);
      await contain(
        environment,
        observation({ autoScaling: { groupName: 'web', lifecycleState: 'Pending:Wait' } }),
      );
      expect(environment.logger.lines).toContainEqual({
        level: 'info',
        message: 'contain-instance: planning from triage’s reads failed; reading live state',
      });
      const quiet = actionEnvironment(clients);
      await contain(quiet, null);
      await contain(quiet);
      expect(quiet.logger.lines.map((line) => line.message)).not.toContain(
        'contain-instance: planning from triage’s reads failed; reading live state',
      );
    });

    it('reports a failed read in a dry run as it is (no lease to give back)', async () => {
      ec2.on(DescribeInstancesCommand).rejects(throttled());
      await expect(
        runAction(
          containInstance,
          { ...envelope(true), instanceId: INSTANCE_ID },
          actionEnvironment(clients),
        ),
      ).rejects.toMatchObject({ name: 'ThrottledError' });
    });

    it('logs that the instance changed since triage read it', async () => {
      const environment = actionEnvironment(clients);
      await contain(environment, observation({ disableApiTermination: true }));
      expect(environment.logger.lines).toContainEqual({
        level: 'info',
        message: 'contain-instance: the instance changed since triage read it; planning again',
      });
    });

    it('fails, retryably and naming the read, when the check against the live instance fails', async () => {
      ec2.on(DescribeInstancesCommand).rejects(throttled());
      await expect(contain()).rejects.toMatchObject({
        name: 'ThrottledError',
        message: expect.stringMatching(
          /^contain-instance: reading the instance again failed: RequestLimitExceeded/,
        ),
      });
      expect(ec2).toHaveReceivedCommandTimes(ModifyNetworkInterfaceAttributeCommand, 0);
    });

    it('refuses, once and before any change, an instance that got the exemption tag after triage read it', async () => {
      ec2.on(DescribeInstancesCommand).resolves({
        Reservations: [{ Instances: [{ ...instance(), Tags: [{ Key: 'cordon:exempt', Value: 'true' }] }] }],
      });
      const environment = actionEnvironment(clients);
      await expect(contain(environment)).rejects.toMatchObject({ name: 'ExemptResourceError' });
      expect(environment.ledger.all().filter((entry) => entry.outcome === 'failed')).toHaveLength(1);
      expect(ec2).toHaveReceivedCommandTimes(ModifyNetworkInterfaceAttributeCommand, 0);
      expect(ec2).toHaveReceivedCommandTimes(ModifyInstanceAttributeCommand, 0);
    });

    it('asks to be retried when the cut fails with the ENI left on the allow-all group', async () => {
      ec2.on(ModifyNetworkInterfaceAttributeCommand).resolvesOnce({}).rejects(throttled());
      const error = await contain().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'ThrottledError', retryable: true });
      expect((error as { partial?: { notDone: string[] } }).partial?.notDone.join(' ')).toContain(
        'left on cordon-isolation-untrack',
      );
    });
  });
});

import {
  type AutoScalingInstanceDetails,
  DescribeAutoScalingInstancesCommand,
  ExitStandbyCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  AssociateIamInstanceProfileCommand,
  DeleteTagsCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  type Instance,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceIamInstanceProfileAssociationCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  RegisterInstancesWithLoadBalancerCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DeleteRolePolicyCommand, GetRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  actionEnvironment,
  envelope,
  realClients,
  TEST_ACCOUNT,
  TEST_INCIDENT,
  TEST_NOW,
  TEST_REGION,
} from '../../../../test/support/actions.ts';
import { quarantineInstanceStatement, revokeOlderSessionsStatement } from '../../src/actions/deny-policy.ts';
import { releaseInstance } from '../../src/actions/release-instance.ts';
import { runAction } from '../../src/actions/run-action.ts';
import type { LedgerEntry } from '../../src/ledger/ledger.ts';
import type { StepId } from '../../src/playbooks/ids.ts';

const INSTANCE_ID = 'i-0abc1234def567890';
const INSTANCE_ARN = `arn:aws:ec2:${TEST_REGION}:${TEST_ACCOUNT}:instance/${INSTANCE_ID}`;
const PROFILE_ARN = 'arn:aws:iam::123456789012:instance-profile/web';
const QUARANTINE_ARN = 'arn:aws:iam::123456789012:instance-profile/cordon-quarantine';
const ENI_A = 'eni-0123456789abcdef0';
const ENI_B = 'eni-0123456789abcdef1';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef';
const TG_IP = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-ip/0123456789abcdef';
const SID = quarantineInstanceStatement(INSTANCE_ARN).Sid;

function planned(step: StepId, restore: unknown, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    incidentId: TEST_INCIDENT,
    step,
    at: TEST_NOW.toISOString(),
    outcome: 'planned',
    dryRun: false,
    settingsVersion: 'v1',
    input: {},
    changes: [],
    restore,
    notes: [],
    ...overrides,
  };
}

const RESTORES = {
  protect: planned('protect-evidence', {
    instanceId: INSTANCE_ID,
    disableApiTermination: false,
    shutdownBehavior: 'terminate',
    deleteOnTermination: { '/dev/xvda': true },
  }),
  detach: planned('detach-from-autoscaling', {
    instanceId: INSTANCE_ID,
    autoScalingGroupName: 'web',
    lifecycleState: 'InService',
  }),
  deregister: planned('deregister-from-load-balancers', {
    instanceId: INSTANCE_ID,
    targetGroups: [
      { targetGroupArn: TG, targets: [{ Id: INSTANCE_ID, Port: 80 }] },
      { targetGroupArn: TG_IP, targets: [{ Id: '10.0.0.10', Port: 443, AvailabilityZone: 'all' }] },
    ],
    classicLoadBalancers: ['legacy-web'],
  }),
  isolate: planned('isolate-instance', {
    instanceId: INSTANCE_ID,
    networkInterfaces: [
      {
        networkInterfaceId: ENI_A,
        vpcId: 'vpc-0123456789abcdef0',
        groupIds: ['sg-0000000000000000a', 'sg-0000000000000000b'],
      },
      { networkInterfaceId: ENI_B, vpcId: 'vpc-0123456789abcdef1', groupIds: ['sg-0000000000000000c'] },
    ],
  }),
  quarantine: planned('quarantine-instance-profile', {
    instanceId: INSTANCE_ID,
    instanceArn: INSTANCE_ARN,
    roleName: 'web-role',
    profileArn: PROFILE_ARN,
    statementSid: SID,
    profileAction: 'disassociate',
  }),
};

function contained(overrides: Partial<Instance> = {}): Instance {
  return {
    InstanceId: INSTANCE_ID,
    State: { Name: 'running', Code: 16 },
    NetworkInterfaces: [
      { NetworkInterfaceId: ENI_A, Groups: [{ GroupId: 'sg-0000000000000000e' }] },
      { NetworkInterfaceId: ENI_B, Groups: [{ GroupId: 'sg-0000000000000000f' }] },
    ],
    Tags: [
      { Key: 'Name', Value: 'web-1' },
      { Key: 'cordon:incident', Value: TEST_INCIDENT },
      { Key: 'cordon:quarantined', Value: 'true' },
    ],
    ...overrides,
  };
}

function asgMember(LifecycleState: string): AutoScalingInstanceDetails {
  return {
    InstanceId: INSTANCE_ID,
    AutoScalingGroupName: 'web',
    AvailabilityZone: 'us-east-1a',
    LifecycleState,
    HealthStatus: 'HEALTHY',
    ProtectedFromScaleIn: false,
  };
}

function policy(...statements: unknown[]): string {
  return encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: statements }));
}

function awsError(name: string, message: string, Code = name): Error {
  return Object.assign(new Error(message), { name, Code });
}

const input = { ...envelope(), instanceId: INSTANCE_ID };

describe('release-instance (commands sent)', () => {
  const clients = realClients();
  const ec2 = mockClient(clients.ec2);
  const iam = mockClient(clients.iam);
  const autoScaling = mockClient(clients.autoScaling);
  const elbv2 = mockClient(clients.elbv2);
  const elb = mockClient(clients.elb);

  async function environmentWith(entries: LedgerEntry[], settings: Record<string, unknown> = {}) {
    const environment = actionEnvironment(clients, settings);
    for (const entry of entries) await environment.ledger.append(entry);
    return environment;
  }

  const allRestores = () => Object.values(RESTORES);

  /** Every command sent to any client, by name, that is not a read. */
  function mutatingCommandsSent(): string[] {
    const name = (call: { readonly args: readonly [object] }) => call.args[0].constructor.name;
    return [
      ...ec2.calls().map(name),
      ...iam.calls().map(name),
      ...autoScaling.calls().map(name),
      ...elbv2.calls().map(name),
      ...elb.calls().map(name),
    ].filter((command) => !/^(Describe|Get)/.test(command));
  }

  beforeEach(() => {
    for (const mock of [ec2, iam, autoScaling, elbv2, elb]) mock.reset();
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [contained()] }] });
    ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({ IamInstanceProfileAssociations: [] });
    ec2.on(ModifyNetworkInterfaceAttributeCommand).resolves({});
    ec2.on(AssociateIamInstanceProfileCommand).resolves({});
    ec2.on(ReplaceIamInstanceProfileAssociationCommand).resolves({});
    ec2.on(DeleteTagsCommand).resolves({});
    iam.on(GetRolePolicyCommand).resolves({
      PolicyName: 'cordon-deny',
      PolicyDocument: policy(quarantineInstanceStatement(INSTANCE_ARN)),
    });
    iam.on(PutRolePolicyCommand).resolves({});
    iam.on(DeleteRolePolicyCommand).resolves({});
    autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({
      AutoScalingInstances: [asgMember('Standby')],
    });
    autoScaling.on(ExitStandbyCommand).resolves({ Activities: [] });
    elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: TG }).resolves({
      TargetHealthDescriptions: [
        {
          Target: { Id: INSTANCE_ID, Port: 80 },
          TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered' },
        },
      ],
    });
    elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: TG_IP }).resolves({
      TargetHealthDescriptions: [
        {
          Target: { Id: '10.0.0.10', Port: 443, AvailabilityZone: 'all' },
          TargetHealth: { State: 'draining' },
        },
      ],
    });
    elbv2.on(RegisterTargetsCommand).resolves({});
    elb.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancerDescriptions: [{ LoadBalancerName: 'legacy-web', Instances: [] }],
    });
    elb.on(RegisterInstancesWithLoadBalancerCommand).resolves({ Instances: [] });
  });

  it("restores each ENI's recorded groups", async () => {
    const outcome = await runAction(releaseInstance, input, await environmentWith([RESTORES.isolate]));

    expect(outcome.status).toBe('done');
    expect(ec2).toHaveReceivedCommandTimes(ModifyNetworkInterfaceAttributeCommand, 2);
    expect(ec2).toHaveReceivedCommandWith(ModifyNetworkInterfaceAttributeCommand, {
      NetworkInterfaceId: ENI_A,
      Groups: ['sg-0000000000000000a', 'sg-0000000000000000b'],
    });
    expect(ec2).toHaveReceivedCommandWith(ModifyNetworkInterfaceAttributeCommand, {
      NetworkInterfaceId: ENI_B,
      Groups: ['sg-0000000000000000c'],
    });
  });

  it('skips an ENI that already has its groups back', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            contained({
              NetworkInterfaces: [
                {
                  NetworkInterfaceId: ENI_A,
                  Groups: [{ GroupId: 'sg-0000000000000000b' }, { GroupId: 'sg-0000000000000000a' }],
                },
                { NetworkInterfaceId: ENI_B, Groups: [{ GroupId: 'sg-0000000000000000f' }] },
              ],
            }),
          ],
        },
      ],
    });

    await runAction(releaseInstance, input, await environmentWith([RESTORES.isolate]));

    expect(ec2).toHaveReceivedCommandTimes(ModifyNetworkInterfaceAttributeCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(ModifyNetworkInterfaceAttributeCommand, {
      NetworkInterfaceId: ENI_B,
    });
  });

  it('restores the profile, the ASG membership and the registrations', async () => {
    const other = revokeOlderSessionsStatement('another-incident', TEST_NOW);
    iam.on(GetRolePolicyCommand).resolves({
      PolicyName: 'cordon-deny',
      PolicyDocument: policy(other, quarantineInstanceStatement(INSTANCE_ARN)),
    });

    await runAction(
      releaseInstance,
      input,
      await environmentWith([RESTORES.detach, RESTORES.deregister, RESTORES.quarantine]),
    );

    expect(ec2).toHaveReceivedCommandWith(AssociateIamInstanceProfileCommand, {
      InstanceId: INSTANCE_ID,
      IamInstanceProfile: { Arn: PROFILE_ARN },
    });
    // Only this instance's statement leaves Cordon's policy; the other incident's stays.
    expect(iam).toHaveReceivedCommandWith(PutRolePolicyCommand, {
      RoleName: 'web-role',
      PolicyName: 'cordon-deny',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [other] }),
    });
    expect(iam).not.toHaveReceivedCommand(DeleteRolePolicyCommand);
    expect(autoScaling).toHaveReceivedCommandWith(ExitStandbyCommand, {
      AutoScalingGroupName: 'web',
      InstanceIds: [INSTANCE_ID],
    });
    expect(elbv2).toHaveReceivedCommandWith(DescribeTargetHealthCommand, {
      TargetGroupArn: TG,
      Targets: [{ Id: INSTANCE_ID, Port: 80 }],
    });
    expect(elbv2).toHaveReceivedCommandWith(RegisterTargetsCommand, {
      TargetGroupArn: TG,
      Targets: [{ Id: INSTANCE_ID, Port: 80 }],
    });
    // Still draining: registering it again brings it back.
    expect(elbv2).toHaveReceivedCommandWith(RegisterTargetsCommand, {
      TargetGroupArn: TG_IP,
      Targets: [{ Id: '10.0.0.10', Port: 443, AvailabilityZone: 'all' }],
    });
    expect(elb).toHaveReceivedCommandWith(RegisterInstancesWithLoadBalancerCommand, {
      LoadBalancerName: 'legacy-web',
      Instances: [{ InstanceId: INSTANCE_ID }],
    });
  });

  it('puts the original profile back in place of the quarantine profile, and deletes an emptied deny policy', async () => {
    ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({
      IamInstanceProfileAssociations: [
        {
          AssociationId: 'iip-assoc-0123456789abcdef0',
          InstanceId: INSTANCE_ID,
          IamInstanceProfile: { Arn: QUARANTINE_ARN },
        },
      ],
    });
    const replaced = planned('quarantine-instance-profile', {
      instanceId: INSTANCE_ID,
      instanceArn: INSTANCE_ARN,
      roleName: 'web-role',
      profileArn: PROFILE_ARN,
      statementSid: SID,
      profileAction: 'replace',
    });

    await runAction(releaseInstance, input, await environmentWith([replaced]));

    expect(ec2).toHaveReceivedCommandWith(ReplaceIamInstanceProfileAssociationCommand, {
      AssociationId: 'iip-assoc-0123456789abcdef0',
      IamInstanceProfile: { Arn: PROFILE_ARN },
    });
    expect(ec2).not.toHaveReceivedCommand(AssociateIamInstanceProfileCommand);
    expect(iam).toHaveReceivedCommandWith(DeleteRolePolicyCommand, {
      RoleName: 'web-role',
      PolicyName: 'cordon-deny',
    });
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
  });

  it('removes the quarantine tags', async () => {
    await runAction(releaseInstance, input, await environmentWith([RESTORES.protect]));

    expect(ec2).toHaveReceivedCommandWith(DeleteTagsCommand, {
      Resources: [INSTANCE_ID],
      Tags: [{ Key: 'cordon:incident' }, { Key: 'cordon:quarantined' }],
    });
  });

  it('keeps the evidence protections, and says so', async () => {
    const outcome = await runAction(releaseInstance, input, await environmentWith(allRestores()));

    expect(ec2).not.toHaveReceivedCommand(ModifyInstanceAttributeCommand);
    expect(outcome.notes.join(' ')).toContain('Evidence protections stay on');
    expect(outcome.output).toEqual({
      instanceId: INSTANCE_ID,
      releasedSteps: [
        'protect-evidence',
        'detach-from-autoscaling',
        'deregister-from-load-balancers',
        'isolate-instance',
        'quarantine-instance-profile',
      ],
    });
  });

  it('makes the instance reachable before it goes back in service, and removes the tags last', async () => {
    const order: string[] = [];
    const record = (name: string) => () => {
      order.push(name);
      return {};
    };
    ec2.on(ModifyNetworkInterfaceAttributeCommand).callsFake(record('groups'));
    elbv2.on(RegisterTargetsCommand).callsFake(record('targets'));
    elb.on(RegisterInstancesWithLoadBalancerCommand).callsFake(record('classic'));
    autoScaling.on(ExitStandbyCommand).callsFake(record('exit-standby'));
    ec2.on(DeleteTagsCommand).callsFake(record('tags'));

    await runAction(releaseInstance, input, await environmentWith(allRestores()));

    expect(order.indexOf('exit-standby')).toBeGreaterThan(order.lastIndexOf('groups'));
    expect(order.indexOf('exit-standby')).toBeGreaterThan(order.lastIndexOf('targets'));
    expect(order.at(-1)).toBe('tags');
  });

  it('uses the earliest plan of each step, made before its first change', async () => {
    // A retry after a fault mid-way planned again from a half-isolated state: its "original" is wrong.
    const retryPlan = planned(
      'isolate-instance',
      {
        instanceId: INSTANCE_ID,
        networkInterfaces: [
          { networkInterfaceId: ENI_A, vpcId: 'vpc-0123456789abcdef0', groupIds: ['sg-0000000000000000e'] },
        ],
      },
      { at: '2026-11-28T10:05:00.000Z' },
    );

    await runAction(releaseInstance, input, await environmentWith([RESTORES.isolate, retryPlan]));

    expect(ec2).toHaveReceivedCommandWith(ModifyNetworkInterfaceAttributeCommand, {
      NetworkInterfaceId: ENI_A,
      Groups: ['sg-0000000000000000a', 'sg-0000000000000000b'],
    });
  });

  it('restores an ENI that only a later isolation plan recorded, keeping the earliest record of each ENI', async () => {
    // The first run recorded ENI A only (ENI B was attached before the retry, which recorded both).
    const firstPlan = planned('isolate-instance', {
      instanceId: INSTANCE_ID,
      networkInterfaces: [
        { networkInterfaceId: ENI_A, vpcId: 'vpc-0123456789abcdef0', groupIds: ['sg-0000000000000000a'] },
      ],
    });
    const retryPlan = planned(
      'isolate-instance',
      {
        instanceId: INSTANCE_ID,
        networkInterfaces: [
          { networkInterfaceId: ENI_A, vpcId: 'vpc-0123456789abcdef0', groupIds: ['sg-0000000000000000e'] },
          { networkInterfaceId: ENI_B, vpcId: 'vpc-0123456789abcdef0', groupIds: ['sg-0000000000000000c'] },
        ],
      },
      { at: '2026-11-28T10:05:00.000Z' },
    );

    await runAction(releaseInstance, input, await environmentWith([firstPlan, retryPlan]));

    expect(ec2).toHaveReceivedCommandWith(ModifyNetworkInterfaceAttributeCommand, {
      NetworkInterfaceId: ENI_A,
      Groups: ['sg-0000000000000000a'],
    });
    expect(ec2).toHaveReceivedCommandWith(ModifyNetworkInterfaceAttributeCommand, {
      NetworkInterfaceId: ENI_B,
      Groups: ['sg-0000000000000000c'],
    });
  });

  it('fails with a clear ActionFailedError when nothing was recorded for the incident, calling no AWS API', async () => {
    const otherInstance = planned('isolate-instance', {
      instanceId: 'i-0fff1234def567890',
      networkInterfaces: [],
    });
    const dryRunOnly = planned('protect-evidence', {}, { outcome: 'dry-run', restore: undefined });

    const error = await runAction(
      releaseInstance,
      input,
      await environmentWith([otherInstance, dryRunOnly]),
    ).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'ActionFailedError', retryable: false });
    expect((error as Error).message).toBe(
      `Nothing to release: incident ${TEST_INCIDENT} recorded no containment change of ${INSTANCE_ID}.`,
    );
    for (const mock of [ec2, iam, autoScaling, elbv2, elb]) expect(mock).not.toHaveReceivedAnyCommand();
  });

  it('refuses a restore record it cannot read (ActionFailedError), before any change', async () => {
    const corrupt = planned('isolate-instance', { instanceId: INSTANCE_ID, networkInterfaces: 'sg-123' });

    await expect(runAction(releaseInstance, input, await environmentWith([corrupt]))).rejects.toMatchObject({
      name: 'ActionFailedError',
    });
    expect(ec2).not.toHaveReceivedCommand(ModifyNetworkInterfaceAttributeCommand);
  });

  it('changes nothing when everything is already restored', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            contained({
              NetworkInterfaces: [
                {
                  NetworkInterfaceId: ENI_A,
                  Groups: [{ GroupId: 'sg-0000000000000000a' }, { GroupId: 'sg-0000000000000000b' }],
                },
                { NetworkInterfaceId: ENI_B, Groups: [{ GroupId: 'sg-0000000000000000c' }] },
              ],
              Tags: [{ Key: 'Name', Value: 'web-1' }],
            }),
          ],
        },
      ],
    });
    ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({
      IamInstanceProfileAssociations: [
        { AssociationId: 'iip-assoc-1', InstanceId: INSTANCE_ID, IamInstanceProfile: { Arn: PROFILE_ARN } },
      ],
    });
    iam.on(GetRolePolicyCommand).rejects(awsError('NoSuchEntityException', 'not found', 'NoSuchEntity'));
    autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({
      AutoScalingInstances: [asgMember('InService')],
    });
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: INSTANCE_ID, Port: 80 }, TargetHealth: { State: 'healthy' } },
        {
          Target: { Id: '10.0.0.10', Port: 443, AvailabilityZone: 'all' },
          TargetHealth: { State: 'initial' },
        },
      ],
    });
    elb.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancerDescriptions: [
        { LoadBalancerName: 'legacy-web', Instances: [{ InstanceId: INSTANCE_ID }] },
      ],
    });

    const outcome = await runAction(releaseInstance, input, await environmentWith(allRestores()));

    expect(outcome).toMatchObject({ status: 'already-done', changes: [] });
    expect(mutatingCommandsSent()).toEqual([]);
  });

  it('makes no mutating call in dry-run', async () => {
    const outcome = await runAction(
      releaseInstance,
      { ...input, dryRun: true },
      await environmentWith(allRestores()),
    );

    expect(outcome.status).toBe('dry-run');
    expect(outcome.changes.length).toBeGreaterThan(0);
    expect(mutatingCommandsSent()).toEqual([]);
  });

  it('releases an instance that carries the exemption tag: it only undoes Cordon’s own changes', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            contained({
              Tags: [
                { Key: 'cordon:exempt', Value: 'true' },
                { Key: 'cordon:quarantined', Value: 'true' },
              ],
            }),
          ],
        },
      ],
    });

    const outcome = await runAction(releaseInstance, input, await environmentWith([RESTORES.isolate]));

    expect(outcome.status).toBe('done');
    expect(ec2).toHaveReceivedCommandWith(DeleteTagsCommand, { Tags: [{ Key: 'cordon:quarantined' }] });
  });

  it('says what a gone target group or load balancer could not get back, and restores the rest', async () => {
    elbv2
      .on(DescribeTargetHealthCommand, { TargetGroupArn: TG })
      .rejects(
        awsError(
          'TargetGroupNotFoundException',
          'One or more target groups not found',
          'TargetGroupNotFound',
        ),
      );
    elb
      .on(DescribeLoadBalancersCommand)
      .rejects(
        awsError(
          'AccessPointNotFoundException',
          "There is no ACTIVE Load Balancer named 'legacy-web'",
          'LoadBalancerNotFound',
        ),
      );

    const outcome = await runAction(releaseInstance, input, await environmentWith([RESTORES.deregister]));

    expect(outcome.status).toBe('done');
    expect(outcome.notes.join(' ')).toContain(`Target group ${TG} no longer exists`);
    expect(outcome.notes.join(' ')).toContain('Classic load balancer legacy-web no longer exists');
    expect(elbv2).toHaveReceivedCommandTimes(RegisterTargetsCommand, 1);
    expect(elbv2).toHaveReceivedCommandWith(RegisterTargetsCommand, { TargetGroupArn: TG_IP });
  });

  it('reports what was restored when ExitStandby is refused, and leaves the tags on', async () => {
    autoScaling
      .on(ExitStandbyCommand)
      .rejects(awsError('ValidationError', 'AutoScalingGroup web has max-size=2: please update the sizes'));
    const environment = await environmentWith(allRestores());

    const error = await runAction(releaseInstance, input, environment).catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      name: 'ActionFailedError',
      awsError: 'ValidationError',
      partial: { notDone: ['exit Standby in web', 'remove the quarantine tags'] },
    });
    expect((error as { partial: { done: string[] } }).partial.done).toContain(
      `restore the groups of ${ENI_A}`,
    );
    expect(ec2).not.toHaveReceivedCommand(DeleteTagsCommand);
    const outcomes = (await environment.ledger.entries(TEST_INCIDENT)).map((entry) => entry.outcome);
    expect(outcomes.at(-1)).toBe('failed');
  });

  it('asks to be retried while the instance is still entering Standby', async () => {
    autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({
      AutoScalingInstances: [asgMember('EnteringStandby')],
    });

    await expect(
      runAction(releaseInstance, input, await environmentWith([RESTORES.detach])),
    ).rejects.toMatchObject({
      name: 'EventualConsistencyError',
      retryable: true,
    });
    expect(autoScaling).not.toHaveReceivedCommand(ExitStandbyCommand);
  });
});

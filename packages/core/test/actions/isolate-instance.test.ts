import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  type CreateSecurityGroupCommandInput,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  type Instance,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_INCIDENT } from '../../../../test/support/actions.ts';
import { isolateInstance } from '../../src/actions/isolate-instance.ts';
import { runAction } from '../../src/actions/run-action.ts';

const INSTANCE_ID = 'i-0abc1234def567890';
const VPC_A = 'vpc-0aaaaaaaaaaaaaaa1';
const VPC_B = 'vpc-0bbbbbbbbbbbbbbb2';
const ENI_1 = 'eni-00000000000000001';
const ENI_2 = 'eni-00000000000000002';
const ENI_3 = 'eni-00000000000000003';
const WEB = 'sg-0000000000000aaa1';
const ADMIN = 'sg-0000000000000aaa2';
const DB = 'sg-0000000000000bbb1';

/** Ids the mocked CreateSecurityGroup hands out, per VPC and name. */
const NEW_IDS: Readonly<Record<string, string>> = {
  [`${VPC_A}|cordon-isolation-untrack`]: 'sg-00000000000001a01',
  [`${VPC_A}|cordon-isolation`]: 'sg-00000000000001a02',
  [`${VPC_B}|cordon-isolation-untrack`]: 'sg-00000000000001b01',
  [`${VPC_B}|cordon-isolation`]: 'sg-00000000000001b02',
};
const UNTRACK_A = 'sg-00000000000001a01';
const ISOLATE_A = 'sg-00000000000001a02';
const UNTRACK_B = 'sg-00000000000001b01';
const ISOLATE_B = 'sg-00000000000001b02';

const ALL_IPV4 = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
const ALL_BOTH = {
  IpProtocol: '-1',
  IpRanges: [{ CidrIp: '0.0.0.0/0' }],
  Ipv6Ranges: [{ CidrIpv6: '::/0' }],
};
const MANAGED = [{ Key: 'cordon:managed', Value: 'true' }];

function networkInterface(
  networkInterfaceId: string,
  vpcId: string,
  groupIds: string[],
  deviceIndex: number,
) {
  return {
    NetworkInterfaceId: networkInterfaceId,
    VpcId: vpcId,
    Groups: groupIds.map((GroupId) => ({ GroupId, GroupName: GroupId })),
    Attachment: { DeviceIndex: deviceIndex },
  };
}

/** Three ENIs: two in VPC A (primary and a second one), one in VPC B (a multi-VPC attachment). */
function instance(overrides: Partial<Instance> = {}): Instance {
  return {
    InstanceId: INSTANCE_ID,
    State: { Name: 'running', Code: 16 },
    VpcId: VPC_A,
    NetworkInterfaces: [
      networkInterface(ENI_1, VPC_A, [WEB], 0),
      networkInterface(ENI_2, VPC_A, [WEB, ADMIN], 1),
      networkInterface(ENI_3, VPC_B, [DB], 2),
    ],
    Tags: [{ Key: 'Name', Value: 'web-1' }],
    ...overrides,
  };
}

function isolationGroups(vpcIds: readonly string[] = [VPC_A, VPC_B]): SecurityGroup[] {
  return vpcIds.flatMap((vpcId) => [
    {
      GroupId: NEW_IDS[`${vpcId}|cordon-isolation-untrack`],
      GroupName: 'cordon-isolation-untrack',
      VpcId: vpcId,
      IpPermissions: [ALL_BOTH],
      IpPermissionsEgress: [ALL_BOTH],
      Tags: MANAGED,
    },
    {
      GroupId: NEW_IDS[`${vpcId}|cordon-isolation`],
      GroupName: 'cordon-isolation',
      VpcId: vpcId,
      IpPermissions: [],
      IpPermissionsEgress: [],
      Tags: MANAGED,
    },
  ]);
}

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

describe('isolate-instance (commands sent)', () => {
  const clients = realClients();
  const ec2 = mockClient(clients.ec2);
  const input = { ...envelope(), instanceId: INSTANCE_ID };

  const movesSent = () =>
    ec2
      .commandCalls(ModifyNetworkInterfaceAttributeCommand)
      .map((call) => [call.args[0].input.NetworkInterfaceId, call.args[0].input.Groups]);

  beforeEach(() => {
    ec2.reset();
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance()] }] });
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    ec2.on(CreateSecurityGroupCommand).callsFake((sent: CreateSecurityGroupCommandInput) => ({
      GroupId: NEW_IDS[`${sent.VpcId}|${sent.GroupName}`],
    }));
    ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
    ec2.on(AuthorizeSecurityGroupEgressCommand).resolves({ Return: true });
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    ec2.on(RevokeSecurityGroupEgressCommand).resolves({ Return: true });
    ec2.on(ModifyNetworkInterfaceAttributeCommand).resolves({});
  });

  it('isolates every ENI, not just the primary', async () => {
    const outcome = await runAction(isolateInstance, input, actionEnvironment(clients));

    expect(outcome.status).toBe('done');
    expect(ec2).toHaveReceivedCommandWith(ModifyNetworkInterfaceAttributeCommand, {
      NetworkInterfaceId: ENI_1,
      Groups: [ISOLATE_A],
    });
    expect(ec2).toHaveReceivedCommandWith(ModifyNetworkInterfaceAttributeCommand, {
      NetworkInterfaceId: ENI_2,
      Groups: [ISOLATE_A],
    });
    expect(ec2).toHaveReceivedCommandWith(ModifyNetworkInterfaceAttributeCommand, {
      NetworkInterfaceId: ENI_3,
      Groups: [ISOLATE_B],
    });
    expect(outcome.output).toEqual({
      instanceId: INSTANCE_ID,
      isolationGroups: { [VPC_A]: ISOLATE_A, [VPC_B]: ISOLATE_B },
      networkInterfaces: [ENI_1, ENI_2, ENI_3],
    });
  });

  it('moves each ENI through the allow-all group before the no-rule group', async () => {
    await runAction(isolateInstance, input, actionEnvironment(clients));

    // Every ENI is on the allow-all group before any ENI goes to the no-rule group.
    expect(movesSent()).toEqual([
      [ENI_1, [UNTRACK_A]],
      [ENI_2, [UNTRACK_A]],
      [ENI_3, [UNTRACK_B]],
      [ENI_1, [ISOLATE_A]],
      [ENI_2, [ISOLATE_A]],
      [ENI_3, [ISOLATE_B]],
    ]);
  });

  it('never uses ModifyInstanceAttribute to change groups', async () => {
    await runAction(isolateInstance, input, actionEnvironment(clients));
    expect(ec2).not.toHaveReceivedCommand(ModifyInstanceAttributeCommand);
  });

  it('looks the isolation groups up by name in one call, sent together with DescribeInstances', async () => {
    let describing = 0;
    let concurrent = 0;
    const overlapping = async <T>(answer: T): Promise<T> => {
      describing += 1;
      concurrent = Math.max(concurrent, describing);
      await new Promise((resolve) => setTimeout(resolve, 5));
      describing -= 1;
      return answer;
    };
    ec2
      .on(DescribeInstancesCommand)
      .callsFake(() => overlapping({ Reservations: [{ Instances: [instance()] }] }));
    ec2.on(DescribeSecurityGroupsCommand).callsFake(() => overlapping({ SecurityGroups: [] }));

    await runAction(isolateInstance, input, actionEnvironment(clients));

    expect(ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupsCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, {
      Filters: [{ Name: 'group-name', Values: ['cordon-isolation-untrack', 'cordon-isolation'] }],
    });
    // One round trip for both reads: the VPCs are not known yet, so the groups are filtered afterwards.
    expect(concurrent).toBe(2);
  });

  it('ignores isolation groups of VPCs the instance is not in, even untagged ones', async () => {
    const elsewhere = 'vpc-0ccccccccccccccc3';
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        ...isolationGroups(),
        { GroupId: 'sg-00000000000001c01', GroupName: 'cordon-isolation', VpcId: elsewhere, Tags: [] },
      ],
    });

    const outcome = await runAction(isolateInstance, input, actionEnvironment(clients));

    expect(outcome.output.isolationGroups).toEqual({ [VPC_A]: ISOLATE_A, [VPC_B]: ISOLATE_B });
    expect(ec2).not.toHaveReceivedCommand(CreateSecurityGroupCommand);
  });

  it("creates isolation groups in each ENI's own VPC", async () => {
    await runAction(isolateInstance, input, actionEnvironment(clients));

    expect(ec2).toHaveReceivedCommandTimes(CreateSecurityGroupCommand, 4);
    for (const vpcId of [VPC_A, VPC_B]) {
      for (const name of ['cordon-isolation-untrack', 'cordon-isolation']) {
        expect(ec2).toHaveReceivedCommandWith(CreateSecurityGroupCommand, {
          GroupName: name,
          VpcId: vpcId,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: MANAGED }],
        });
      }
    }
  });

  it('creates the isolation groups once per VPC and reuses them', async () => {
    // Prepare: two ENIs in the same VPC, no groups yet.
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            instance({
              NetworkInterfaces: [
                networkInterface(ENI_1, VPC_A, [WEB], 0),
                networkInterface(ENI_2, VPC_A, [WEB], 1),
              ],
            }),
          ],
        },
      ],
    });

    await runAction(isolateInstance, input, actionEnvironment(clients));

    // One of each group for the VPC, shared by both ENIs.
    expect(ec2).toHaveReceivedCommandTimes(CreateSecurityGroupCommand, 2);

    // Act again with the groups in place: nothing is created, the existing ids are used.
    ec2.resetHistory();
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: isolationGroups([VPC_A]) });
    await runAction(isolateInstance, input, actionEnvironment(clients));

    expect(ec2).not.toHaveReceivedCommand(CreateSecurityGroupCommand);
    expect(ec2).not.toHaveReceivedCommand(AuthorizeSecurityGroupIngressCommand);
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupEgressCommand);
    expect(movesSent()).toEqual([
      [ENI_1, [UNTRACK_A]],
      [ENI_2, [UNTRACK_A]],
      [ENI_1, [ISOLATE_A]],
      [ENI_2, [ISOLATE_A]],
    ]);
  });

  it('gives the new allow-all group every rule, IPv4 and IPv6, in and out', async () => {
    await runAction(isolateInstance, input, actionEnvironment(clients));

    expect(ec2).toHaveReceivedCommandWith(AuthorizeSecurityGroupIngressCommand, {
      GroupId: UNTRACK_A,
      IpPermissions: [ALL_BOTH],
    });
    // A new group already allows all IPv4 egress: only IPv6 is added (a duplicate would fail the call).
    expect(ec2).toHaveReceivedCommandWith(AuthorizeSecurityGroupEgressCommand, {
      GroupId: UNTRACK_A,
      IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
    });
    expect(ec2).not.toHaveReceivedCommandWith(RevokeSecurityGroupEgressCommand, { GroupId: UNTRACK_A });
  });

  it('the no-rule group has no egress rule left', async () => {
    await runAction(isolateInstance, input, actionEnvironment(clients));

    // The default allow-all egress rule every new group gets is revoked; nothing is authorized on it.
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupEgressCommand, {
      GroupId: ISOLATE_A,
      IpPermissions: [ALL_IPV4],
    });
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupEgressCommand, {
      GroupId: ISOLATE_B,
      IpPermissions: [ALL_IPV4],
    });
    expect(ec2).not.toHaveReceivedCommandWith(AuthorizeSecurityGroupIngressCommand, { GroupId: ISOLATE_A });
    expect(ec2).not.toHaveReceivedCommandWith(AuthorizeSecurityGroupEgressCommand, { GroupId: ISOLATE_A });
  });

  it('puts right an existing isolation group whose rules drifted, and reports it as a change', async () => {
    // Prepare: someone added a rule to the no-rule group and removed IPv6 from the allow-all group.
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        {
          GroupId: UNTRACK_A,
          GroupName: 'cordon-isolation-untrack',
          VpcId: VPC_A,
          IpPermissions: [ALL_IPV4],
          IpPermissionsEgress: [ALL_BOTH],
          Tags: MANAGED,
        },
        {
          GroupId: ISOLATE_A,
          GroupName: 'cordon-isolation',
          VpcId: VPC_A,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '203.0.113.0/24' }] },
          ],
          IpPermissionsEgress: [],
          Tags: MANAGED,
        },
        ...isolationGroups([VPC_B]),
      ],
    });

    const outcome = await runAction(isolateInstance, input, actionEnvironment(clients));

    expect(ec2).not.toHaveReceivedCommand(CreateSecurityGroupCommand);
    expect(ec2).toHaveReceivedCommandExactlyOnceWith(AuthorizeSecurityGroupIngressCommand, {
      GroupId: UNTRACK_A,
      IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
    });
    expect(ec2).toHaveReceivedCommandExactlyOnceWith(RevokeSecurityGroupIngressCommand, {
      GroupId: ISOLATE_A,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '203.0.113.0/24' }] },
      ],
    });
    expect(outcome.changes).toContainEqual({
      resource: ISOLATE_A,
      attribute: 'rules',
      before: ['ingress tcp 22-22 203.0.113.0/24'],
      after: [],
    });
    expect(outcome.changes).toContainEqual(
      expect.objectContaining({ resource: UNTRACK_A, attribute: 'rules' }),
    );
  });

  it('refuses a same-named group Cordon did not create, before any change', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        { GroupId: ISOLATE_A, GroupName: 'cordon-isolation', VpcId: VPC_A, IpPermissions: [], Tags: [] },
      ],
    });

    await expect(runAction(isolateInstance, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'ActionFailedError',
      retryable: false,
    });
    expect(ec2).not.toHaveReceivedCommand(ModifyNetworkInterfaceAttributeCommand);
    expect(ec2).not.toHaveReceivedCommand(CreateSecurityGroupCommand);
  });

  it("records each ENI's original groups before changing them", async () => {
    const environment = actionEnvironment(clients);
    await runAction(isolateInstance, input, environment);

    const entries = await environment.ledger.entries(TEST_INCIDENT);
    expect(entries.map((entry) => entry.outcome)).toEqual(['planned', 'done']);
    expect(entries[0]?.restore).toEqual({
      instanceId: INSTANCE_ID,
      networkInterfaces: [
        { networkInterfaceId: ENI_1, vpcId: VPC_A, groupIds: [WEB] },
        { networkInterfaceId: ENI_2, vpcId: VPC_A, groupIds: [WEB, ADMIN] },
        { networkInterfaceId: ENI_3, vpcId: VPC_B, groupIds: [DB] },
      ],
    });
    expect(entries[0]?.changes).toContainEqual({
      resource: ENI_2,
      attribute: 'groups',
      before: [WEB, ADMIN],
      after: ['cordon-isolation (new, in vpc-0aaaaaaaaaaaaaaa1)'],
    });
  });

  it('says which paths stay tracked', async () => {
    const outcome = await runAction(isolateInstance, input, actionEnvironment(clients));

    const notes = outcome.notes.join('\n');
    for (const path of [
      'ICMP',
      'Network Load Balancer',
      'NAT gateway',
      'Transit Gateway',
      'Gateway Load Balancer',
      'Network Firewall',
      'Global Accelerator',
    ]) {
      expect(notes).toContain(path);
    }
    expect(outcome.notes).toContain(`${ENI_1} is in ${VPC_A}`);
    expect(outcome.notes).toContain(`${ENI_3} is in ${VPC_B}`);
  });

  it('changes nothing on an instance that is already isolated', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: isolationGroups() });
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            instance({
              NetworkInterfaces: [
                networkInterface(ENI_1, VPC_A, [ISOLATE_A], 0),
                networkInterface(ENI_3, VPC_B, [ISOLATE_B], 1),
              ],
            }),
          ],
        },
      ],
    });
    const environment = actionEnvironment(clients);

    const outcome = await runAction(isolateInstance, input, environment);

    expect(outcome.status).toBe('already-done');
    expect(outcome.output.isolationGroups).toEqual({ [VPC_A]: ISOLATE_A, [VPC_B]: ISOLATE_B });
    expect(ec2).not.toHaveReceivedCommand(ModifyNetworkInterfaceAttributeCommand);
    expect((await environment.ledger.entries(TEST_INCIDENT)).map((entry) => entry.outcome)).toEqual([
      'already-done',
    ]);
  });

  it('takes an ENI left on the allow-all group straight to the no-rule group, and keeps it out of restore', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: isolationGroups() });
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            instance({
              NetworkInterfaces: [
                networkInterface(ENI_1, VPC_A, [UNTRACK_A], 0),
                networkInterface(ENI_3, VPC_B, [DB], 1),
              ],
            }),
          ],
        },
      ],
    });
    const environment = actionEnvironment(clients);

    await runAction(isolateInstance, input, environment);

    expect(movesSent()).toEqual([
      [ENI_3, [UNTRACK_B]],
      [ENI_1, [ISOLATE_A]],
      [ENI_3, [ISOLATE_B]],
    ]);
    const [planned] = await environment.ledger.entries(TEST_INCIDENT);
    // ENI_1's original groups are in the ledger entry of the run that moved it.
    expect(planned?.restore).toEqual({
      instanceId: INSTANCE_ID,
      networkInterfaces: [{ networkInterfaceId: ENI_3, vpcId: VPC_B, groupIds: [DB] }],
    });
  });

  it('makes no mutating call in dry-run, and reports the groups it would create and the ENIs it would move', async () => {
    const environment = actionEnvironment(clients);
    const outcome = await runAction(isolateInstance, { ...input, dryRun: true }, environment);

    expect(outcome).toMatchObject({ status: 'dry-run', dryRun: true });
    expect(outcome.changes.map((change) => `${change.resource} ${change.attribute}`)).toEqual([
      `${VPC_A} securityGroup:cordon-isolation-untrack`,
      `${VPC_A} securityGroup:cordon-isolation`,
      `${VPC_B} securityGroup:cordon-isolation-untrack`,
      `${VPC_B} securityGroup:cordon-isolation`,
      `${ENI_1} groups`,
      `${ENI_2} groups`,
      `${ENI_3} groups`,
    ]);
    const sent = ec2.calls().map((call) => call.args[0].constructor.name);
    expect(sent).toEqual(['DescribeInstancesCommand', 'DescribeSecurityGroupsCommand']);
  });

  it('refuses an exempt instance with ExemptResourceError, before any change', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [instance({ Tags: [{ Key: 'cordon:exempt', Value: 'true' }] })] }],
    });

    await expect(runAction(isolateInstance, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'ExemptResourceError',
    });
    expect(ec2).not.toHaveReceivedCommand(CreateSecurityGroupCommand);
    expect(ec2).not.toHaveReceivedCommand(ModifyNetworkInterfaceAttributeCommand);
  });

  it('retries InvalidGroup.NotFound after creating a group as eventual consistency', async () => {
    ec2
      .on(ModifyNetworkInterfaceAttributeCommand)
      .rejects(awsError('InvalidGroup.NotFound', "The security group 'sg-00000000000001a01' does not exist"));

    const error = await runAction(isolateInstance, input, actionEnvironment(clients)).catch(
      (caught: unknown) => caught,
    );

    expect(error).toMatchObject({
      name: 'EventualConsistencyError',
      retryable: true,
      awsError: 'InvalidGroup.NotFound',
    });
    expect(isolateInstance.retryableErrors).toContain('EventualConsistencyError');
  });

  it('does not treat InvalidGroup.NotFound on a group it found (not created) as eventual consistency', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: isolationGroups() });
    ec2.on(ModifyNetworkInterfaceAttributeCommand).rejects(awsError('InvalidGroup.NotFound'));

    await expect(runAction(isolateInstance, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'ActionFailedError',
      retryable: false,
    });
  });

  it('treats a group created at the same moment by another run as eventual consistency', async () => {
    ec2
      .on(CreateSecurityGroupCommand, { VpcId: VPC_B })
      .rejects(awsError('InvalidGroup.Duplicate', "The security group 'cordon-isolation' already exists"));

    await expect(runAction(isolateInstance, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'EventualConsistencyError',
      awsError: 'InvalidGroup.Duplicate',
    });
    // VPC A's groups were ready: its ENIs are isolated anyway; VPC B's ENI is never put on allow-all.
    expect(movesSent()).toEqual([
      [ENI_1, [UNTRACK_A]],
      [ENI_2, [UNTRACK_A]],
      [ENI_1, [ISOLATE_A]],
      [ENI_2, [ISOLATE_A]],
    ]);
  });

  it('retries when a rule appeared meanwhile, and never moves an ENI onto a group that is not ready', async () => {
    ec2
      .on(AuthorizeSecurityGroupEgressCommand)
      .rejects(awsError('InvalidPermission.Duplicate', 'the specified rule already exists'));

    await expect(runAction(isolateInstance, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'EventualConsistencyError',
      awsError: 'InvalidPermission.Duplicate',
      partial: { done: [], notDone: [ENI_1, ENI_2, ENI_3] },
    });
    expect(ec2).not.toHaveReceivedCommand(ModifyNetworkInterfaceAttributeCommand);
  });

  it('isolates the other ENIs when one fails, and reports which were done', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: isolationGroups() });
    ec2
      .on(ModifyNetworkInterfaceAttributeCommand, { NetworkInterfaceId: ENI_2 })
      .rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.'));
    const environment = actionEnvironment(clients);

    const error = await runAction(isolateInstance, input, environment).catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      name: 'ThrottledError',
      retryable: true,
      partial: { done: [ENI_1, ENI_3], notDone: [ENI_2] },
    });
    const entries = await environment.ledger.entries(TEST_INCIDENT);
    expect(entries.map((entry) => entry.outcome)).toEqual(['planned', 'failed']);
    expect(entries[1]).toMatchObject({
      error: { name: 'ThrottledError', awsError: 'RequestLimitExceeded' },
      notes: [`done before the failure: ${ENI_1}, ${ENI_3}`, `not done: ${ENI_2}`],
    });
  });

  it('says when a failure leaves an ENI on the allow-all group', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: isolationGroups() });
    ec2
      .on(ModifyNetworkInterfaceAttributeCommand, { NetworkInterfaceId: ENI_3, Groups: [ISOLATE_B] })
      .rejects(awsError('InternalError', 'An internal error has occurred'));

    const error = await runAction(isolateInstance, input, actionEnvironment(clients)).catch(
      (caught: unknown) => caught,
    );

    expect(error).toMatchObject({
      name: 'TransientServiceError',
      partial: {
        done: [ENI_1, ENI_2],
        notDone: [`${ENI_3} (left on cordon-isolation-untrack, which allows all traffic)`],
      },
    });
  });

  it('reports a terminal failure over a retryable one', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: isolationGroups() });
    ec2
      .on(ModifyNetworkInterfaceAttributeCommand, { NetworkInterfaceId: ENI_1 })
      .rejects(awsError('RequestLimitExceeded'));
    ec2
      .on(ModifyNetworkInterfaceAttributeCommand, { NetworkInterfaceId: ENI_3 })
      .rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));

    await expect(runAction(isolateInstance, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'AccessDeniedError',
      partial: { done: [ENI_2], notDone: [ENI_1, ENI_3] },
    });
  });

  it('reports a vanished instance as ResourceGoneError (terminal)', async () => {
    ec2.on(DescribeInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound'));
    await expect(runAction(isolateInstance, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'ResourceGoneError',
    });
  });

  it('declares least-privilege permissions: rule changes only on Cordon-managed groups; ENI moves on any group (a failed cut goes back to the ENI’s own)', () => {
    const statement = (action: string, resource: string) =>
      isolateInstance.permissions.find(
        (permission) => permission.actions.includes(action) && permission.resources.includes(resource),
      );
    const groups = 'arn:aws:ec2:{region}:{account}:security-group/*';
    expect(statement('ec2:AuthorizeSecurityGroupIngress', groups)?.condition).toEqual({
      StringEquals: { 'aws:ResourceTag/cordon:managed': 'true' },
    });
    // A cordon:managed condition here would deny moving an ENI back to its own groups after a cut fails for
    // good, leaving it on the allow-all group (found by the IAM evaluation: packages/local/test/iam).
    expect(statement('ec2:ModifyNetworkInterfaceAttribute', groups)?.condition).toBeUndefined();
    expect(statement('ec2:CreateTags', groups)?.condition).toEqual({
      StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' },
    });
    expect(isolateInstance.permissions.flatMap((permission) => permission.actions)).not.toContain(
      'ec2:ModifyInstanceAttribute',
    );
    for (const permission of isolateInstance.permissions) {
      if (permission.resources.includes('*')) {
        expect(permission.actions.every((action) => action.startsWith('ec2:Describe'))).toBe(true);
      }
    }
  });
});

import {
  AssociateIamInstanceProfileCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeTagsCommand,
  DisassociateIamInstanceProfileCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceIamInstanceProfileAssociationCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { createEc2Model, type Ec2ModelOptions } from '../../../src/sandbox/models/ec2.ts';
import { SandboxAccount } from '../../../src/sandbox/sandbox-account.ts';

const VPC_A = 'vpc-0aaaaaaaaaaaaaaa1';
const VPC_B = 'vpc-0bbbbbbbbbbbbbbb2';
const DEFAULT_VPC = 'vpc-0ddddddddddddddd3';
const APP_GROUP = 'sg-0aaaaaaaaaaaaaaa1';
const OTHER_VPC_GROUP = 'sg-0bbbbbbbbbbbbbbb1';
const MULTI_ENI_INSTANCE = 'i-0123456789abcdef0';
const SINGLE_ENI_INSTANCE = 'i-0fedcba9876543210';
const PRIMARY_ENI = 'eni-0aaaaaaaaaaaaaaa1';
const SECOND_ENI = 'eni-0aaaaaaaaaaaaaaa2';
const SECOND_VPC_ENI = 'eni-0aaaaaaaaaaaaaaa3';
const SINGLE_ENI = 'eni-0aaaaaaaaaaaaaaa4';
const ROOT_VOLUME = 'vol-0aaaaaaaaaaaaaaa1';
const DATA_VOLUME = 'vol-0aaaaaaaaaaaaaaa2';
const PROFILE_ARN = 'arn:aws:iam::123456789012:instance-profile/web';

/** A fresh account per test: two VPCs, a default VPC, a three-ENI instance and a one-ENI instance. */
function prepare(options?: Ec2ModelOptions) {
  const sandbox = new SandboxAccount({ now: () => new Date('2025-01-01T00:00:00Z') });
  const model = createEc2Model(sandbox.context, options);
  model.addVpc({ vpcId: VPC_A, ipv6CidrBlock: '2600:1f18::/56' });
  model.addVpc({ vpcId: VPC_B, cidrBlock: '10.1.0.0/16' });
  model.addVpc({ vpcId: DEFAULT_VPC, cidrBlock: '172.31.0.0/16', isDefault: true });
  model.addSecurityGroup({ groupId: APP_GROUP, groupName: 'app', vpcId: VPC_A });
  model.addSecurityGroup({ groupId: OTHER_VPC_GROUP, groupName: 'app', vpcId: VPC_B });
  model.addInstance({
    instanceId: MULTI_ENI_INSTANCE,
    vpcId: VPC_A,
    subnetId: 'subnet-0aaaaaaaaaaaaaaa1',
    networkInterfaces: [
      { networkInterfaceId: PRIMARY_ENI, groupIds: [APP_GROUP] },
      { networkInterfaceId: SECOND_ENI, groupIds: [APP_GROUP] },
      { networkInterfaceId: SECOND_VPC_ENI, groupIds: [OTHER_VPC_GROUP], vpcId: VPC_B },
    ],
    volumes: [
      { volumeId: ROOT_VOLUME, deviceName: '/dev/xvda', deleteOnTermination: true, tags: { Name: 'root' } },
      { volumeId: DATA_VOLUME, deviceName: '/dev/sdf', deleteOnTermination: true, tags: { Name: 'data' } },
    ],
    iamInstanceProfileArn: PROFILE_ARN,
    tags: { Name: 'web-1', team: 'payments' },
  });
  model.addInstance({
    instanceId: SINGLE_ENI_INSTANCE,
    vpcId: VPC_A,
    subnetId: 'subnet-0aaaaaaaaaaaaaaa1',
    networkInterfaces: [{ networkInterfaceId: SINGLE_ENI, groupIds: [APP_GROUP] }],
  });
  sandbox.register(model);
  const ec2 = sandbox.attach(new EC2Client({ region: 'us-east-1' }));
  return { sandbox, model, ec2 };
}

describe('EC2 model', () => {
  describe('instances', () => {
    it('describes a seeded instance with every ENI, its volumes and its instance profile', async () => {
      // Prepare
      const { ec2 } = prepare();

      // Act
      const output = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [MULTI_ENI_INSTANCE] }));

      // Assess
      const instance = output.Reservations?.[0]?.Instances?.[0];
      expect(instance?.State).toEqual({ Code: 16, Name: 'running' });
      expect(
        instance?.NetworkInterfaces?.map((eni) => [eni.NetworkInterfaceId, eni.Attachment?.DeviceIndex]),
      ).toEqual([
        [PRIMARY_ENI, 0],
        [SECOND_ENI, 1],
        [SECOND_VPC_ENI, 2],
      ]);
      expect(instance?.BlockDeviceMappings?.map((m) => m.Ebs?.VolumeId)).toEqual([DATA_VOLUME, ROOT_VOLUME]);
      expect(instance?.IamInstanceProfile?.Arn).toBe(PROFILE_ARN);
      expect(instance?.Tags).toContainEqual({ Key: 'team', Value: 'payments' });
    });

    it('answers InvalidInstanceID.NotFound for an unknown instance', async () => {
      const { ec2 } = prepare();

      const call = ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000dead'] }));

      await expect(call).rejects.toMatchObject({
        name: 'InvalidInstanceID.NotFound',
        message: "The instance ID 'i-0000000000000dead' does not exist",
        $fault: 'client',
      });
    });

    it('answers InvalidInstanceID.Malformed for an id that is not i- and hex', async () => {
      const { ec2 } = prepare();

      const call = ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-nothex'] }));

      await expect(call).rejects.toMatchObject({ name: 'InvalidInstanceID.Malformed' });
    });

    it('filters instances by tag and by instance id, and refuses a filter it does not know', async () => {
      const { ec2 } = prepare();

      const byTag = await ec2.send(
        new DescribeInstancesCommand({ Filters: [{ Name: 'tag:team', Values: ['pay*'] }] }),
      );
      const byId = await ec2.send(
        new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: [SINGLE_ENI_INSTANCE] }] }),
      );
      const unknown = ec2.send(
        new DescribeInstancesCommand({ Filters: [{ Name: 'made-up', Values: ['x'] }] }),
      );

      expect(byTag.Reservations?.flatMap((r) => r.Instances?.map((i) => i.InstanceId))).toEqual([
        MULTI_ENI_INSTANCE,
      ]);
      expect(byId.Reservations?.flatMap((r) => r.Instances?.map((i) => i.InstanceId))).toEqual([
        SINGLE_ENI_INSTANCE,
      ]);
      await expect(unknown).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    });

    it('sets termination protection and shutdown behaviour, one attribute per call', async () => {
      const { ec2 } = prepare();

      await ec2.send(
        new ModifyInstanceAttributeCommand({
          InstanceId: MULTI_ENI_INSTANCE,
          DisableApiTermination: { Value: true },
        }),
      );
      await ec2.send(
        new ModifyInstanceAttributeCommand({
          InstanceId: MULTI_ENI_INSTANCE,
          InstanceInitiatedShutdownBehavior: { Value: 'stop' },
        }),
      );
      const protection = await ec2.send(
        new DescribeInstanceAttributeCommand({
          InstanceId: MULTI_ENI_INSTANCE,
          Attribute: 'disableApiTermination',
        }),
      );
      const shutdown = await ec2.send(
        new DescribeInstanceAttributeCommand({
          InstanceId: MULTI_ENI_INSTANCE,
          Attribute: 'instanceInitiatedShutdownBehavior',
        }),
      );

      expect(protection.DisableApiTermination?.Value).toBe(true);
      expect(shutdown.InstanceInitiatedShutdownBehavior?.Value).toBe('stop');
    });

    it('refuses two attributes in one ModifyInstanceAttribute call, as AWS does', async () => {
      const { ec2, model } = prepare();

      const call = ec2.send(
        new ModifyInstanceAttributeCommand({
          InstanceId: MULTI_ENI_INSTANCE,
          DisableApiTermination: { Value: true },
          InstanceInitiatedShutdownBehavior: { Value: 'stop' },
        }),
      );

      await expect(call).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
      expect(model.snapshot().instances[MULTI_ENI_INSTANCE]?.disableApiTermination).toBe(false);
    });

    it('turns off DeleteOnTermination for a volume through BlockDeviceMappings', async () => {
      const { ec2, model } = prepare();

      await ec2.send(
        new ModifyInstanceAttributeCommand({
          InstanceId: MULTI_ENI_INSTANCE,
          BlockDeviceMappings: [{ DeviceName: '/dev/sdf', Ebs: { DeleteOnTermination: false } }],
        }),
      );
      const unknownDevice = ec2.send(
        new ModifyInstanceAttributeCommand({
          InstanceId: MULTI_ENI_INSTANCE,
          BlockDeviceMappings: [{ DeviceName: '/dev/sdz', Ebs: { DeleteOnTermination: false } }],
        }),
      );

      expect(model.snapshot().volumes[DATA_VOLUME]?.attachment?.deleteOnTermination).toBe(false);
      expect(model.snapshot().volumes[ROOT_VOLUME]?.attachment?.deleteOnTermination).toBe(true);
      await expect(unknownDevice).rejects.toMatchObject({ name: 'InvalidInstanceAttributeValue' });
    });

    it('refuses ModifyInstanceAttribute Groups when the instance has several ENIs', async () => {
      const { ec2, model } = prepare();
      const isolation = model.addSecurityGroup({ groupName: 'isolation', vpcId: VPC_A, egress: [] });

      const call = ec2.send(
        new ModifyInstanceAttributeCommand({ InstanceId: MULTI_ENI_INSTANCE, Groups: [isolation] }),
      );

      await expect(call).rejects.toMatchObject({
        name: 'InvalidInstanceID',
        message: expect.stringContaining('There are multiple interfaces attached to instance'),
      });
      expect(model.snapshot().networkInterfaces[PRIMARY_ENI]?.groupIds).toEqual([APP_GROUP]);
    });

    it('replaces the groups of an instance with one ENI through ModifyInstanceAttribute Groups', async () => {
      const { ec2, model } = prepare();
      const isolation = model.addSecurityGroup({ groupName: 'isolation', vpcId: VPC_A, egress: [] });

      await ec2.send(
        new ModifyInstanceAttributeCommand({ InstanceId: SINGLE_ENI_INSTANCE, Groups: [isolation] }),
      );
      const groups = await ec2.send(
        new DescribeInstanceAttributeCommand({ InstanceId: SINGLE_ENI_INSTANCE, Attribute: 'groupSet' }),
      );

      expect(groups.Groups).toEqual([{ GroupId: isolation, GroupName: 'isolation' }]);
    });
  });

  describe('network interfaces', () => {
    it('lists every ENI of an instance by attachment.instance-id, including one in another VPC', async () => {
      const { ec2 } = prepare();

      const output = await ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [{ Name: 'attachment.instance-id', Values: [MULTI_ENI_INSTANCE] }],
        }),
      );

      expect(output.NetworkInterfaces?.map((eni) => [eni.NetworkInterfaceId, eni.VpcId])).toEqual([
        [PRIMARY_ENI, VPC_A],
        [SECOND_ENI, VPC_A],
        [SECOND_VPC_ENI, VPC_B],
      ]);
      expect(output.NetworkInterfaces?.[0]?.Groups).toEqual([{ GroupId: APP_GROUP, GroupName: 'app' }]);
    });

    it('replaces the groups of one ENI and leaves the others alone', async () => {
      const { ec2, model } = prepare();
      const isolation = model.addSecurityGroup({ groupName: 'isolation', vpcId: VPC_A, egress: [] });

      await ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: SECOND_ENI, Groups: [isolation] }),
      );

      const state = model.snapshot();
      expect(state.networkInterfaces[SECOND_ENI]?.groupIds).toEqual([isolation]);
      expect(state.networkInterfaces[PRIMARY_ENI]?.groupIds).toEqual([APP_GROUP]);
    });

    it('rejects a group from another VPC', async () => {
      const { ec2 } = prepare();

      const call = ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: PRIMARY_ENI,
          Groups: [OTHER_VPC_GROUP],
        }),
      );

      await expect(call).rejects.toMatchObject({
        name: 'InvalidGroup.NotFound',
        message: 'You have specified two resources that belong to different networks.',
      });
    });

    it('answers InvalidNetworkInterfaceID.NotFound and InvalidGroup.NotFound for unknown ids', async () => {
      const { ec2 } = prepare();

      const unknownEni = ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: 'eni-0000000000000dead',
          Groups: [APP_GROUP],
        }),
      );
      const unknownGroup = ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: PRIMARY_ENI,
          Groups: ['sg-0000000000000dead'],
        }),
      );

      await expect(unknownEni).rejects.toMatchObject({ name: 'InvalidNetworkInterfaceID.NotFound' });
      await expect(unknownGroup).rejects.toMatchObject({ name: 'InvalidGroup.NotFound' });
    });
  });

  describe('security groups', () => {
    it('gives a new security group the default allow-all IPv4 egress rule and no ingress', async () => {
      const { ec2 } = prepare();

      const created = await ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: 'cordon-isolation',
          Description: 'no traffic',
          VpcId: VPC_A,
          TagSpecifications: [
            { ResourceType: 'security-group', Tags: [{ Key: 'cordon', Value: 'isolation' }] },
          ],
        }),
      );
      const described = await ec2.send(
        new DescribeSecurityGroupsCommand({ GroupIds: [created.GroupId ?? ''] }),
      );

      const group = described.SecurityGroups?.[0];
      expect(created.GroupId).toMatch(/^sg-[0-9a-f]{17}$/);
      expect(group?.IpPermissions).toEqual([]);
      expect(group?.IpPermissionsEgress).toEqual([
        {
          IpProtocol: '-1',
          IpRanges: [{ CidrIp: '0.0.0.0/0' }],
          Ipv6Ranges: [],
          PrefixListIds: [],
          UserIdGroupPairs: [],
        },
      ]);
      expect(group?.Tags).toEqual([{ Key: 'cordon', Value: 'isolation' }]);
    });

    it("gives a VPC's own default group IPv6 egress when the VPC has an IPv6 block", async () => {
      const { ec2 } = prepare();

      const output = await ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [VPC_A] },
            { Name: 'group-name', Values: ['default'] },
          ],
        }),
      );

      const egress = output.SecurityGroups?.[0]?.IpPermissionsEgress?.[0];
      expect(egress?.IpRanges).toEqual([{ CidrIp: '0.0.0.0/0' }]);
      expect(egress?.Ipv6Ranges).toEqual([{ CidrIpv6: '::/0' }]);
    });

    it('refuses a duplicate group name in the same VPC and an unknown VPC', async () => {
      const { ec2 } = prepare();

      const duplicate = ec2.send(
        new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'd', VpcId: VPC_A }),
      );
      const unknownVpc = ec2.send(
        new CreateSecurityGroupCommand({ GroupName: 'x', Description: 'd', VpcId: 'vpc-0000000000000dead' }),
      );

      await expect(duplicate).rejects.toMatchObject({ name: 'InvalidGroup.Duplicate' });
      await expect(unknownVpc).rejects.toMatchObject({ name: 'InvalidVpcID.NotFound' });
    });

    it('authorizes a rule once and answers InvalidPermission.Duplicate the second time', async () => {
      const { ec2, model } = prepare();
      const allIn = {
        IpProtocol: '-1',
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [{ CidrIpv6: '::/0' }],
      };

      const first = await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: APP_GROUP, IpPermissions: [allIn] }),
      );
      const second = ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: APP_GROUP, IpPermissions: [allIn] }),
      );

      expect(first.SecurityGroupRules?.map((rule) => rule.CidrIpv4 ?? rule.CidrIpv6)).toEqual([
        '0.0.0.0/0',
        '::/0',
      ]);
      await expect(second).rejects.toMatchObject({ name: 'InvalidPermission.Duplicate' });
      expect(model.snapshot().securityGroups[APP_GROUP]?.ingress).toHaveLength(2);
    });

    it('revokes the default egress rule so a group allows nothing at all', async () => {
      const { ec2, model } = prepare();

      await ec2.send(
        new RevokeSecurityGroupEgressCommand({
          GroupId: APP_GROUP,
          IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }),
      );

      expect(model.snapshot().securityGroups[APP_GROUP]?.egress).toEqual([]);
    });

    it('answers InvalidPermission.NotFound for a missing rule in a non-default VPC and revokes nothing', async () => {
      const { ec2, model } = prepare();

      const call = ec2.send(
        new RevokeSecurityGroupEgressCommand({
          GroupId: APP_GROUP,
          IpPermissions: [
            { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
          ],
        }),
      );

      await expect(call).rejects.toMatchObject({ name: 'InvalidPermission.NotFound' });
      expect(model.snapshot().securityGroups[APP_GROUP]?.egress).toHaveLength(1);
    });

    it('returns an unmatched rule in UnknownIpPermissions in the default VPC instead of failing', async () => {
      const { ec2, model } = prepare();
      const groupId = model.addSecurityGroup({ groupName: 'legacy', vpcId: DEFAULT_VPC });

      const output = await ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
          ],
        }),
      );

      expect(output.Return).toBe(true);
      expect(output.UnknownIpPermissions?.[0]?.FromPort).toBe(22);
    });
  });

  describe('DryRun and atomicity', () => {
    it('changes nothing and answers DryRunOperation when the call would have succeeded', async () => {
      const { ec2, model, sandbox } = prepare();
      const before = model.snapshot();

      const calls = [
        ec2.send(
          new CreateSecurityGroupCommand({ DryRun: true, GroupName: 'g', Description: 'd', VpcId: VPC_A }),
        ),
        ec2.send(
          new ModifyNetworkInterfaceAttributeCommand({
            DryRun: true,
            NetworkInterfaceId: PRIMARY_ENI,
            Groups: [APP_GROUP],
          }),
        ),
        ec2.send(new CreateSnapshotCommand({ DryRun: true, VolumeId: DATA_VOLUME })),
        ec2.send(
          new CreateTagsCommand({
            DryRun: true,
            Resources: [MULTI_ENI_INSTANCE],
            Tags: [{ Key: 'k', Value: 'v' }],
          }),
        ),
      ];

      for (const call of calls) {
        await expect(call).rejects.toMatchObject({
          name: 'DryRunOperation',
          message: 'Request would have succeeded, but DryRun flag is set.',
        });
      }
      expect(model.snapshot()).toEqual(before);
      expect(sandbox.calls.map((call) => call.outcome)).toEqual(Array(4).fill('DryRunOperation'));
    });

    it('answers the real error, not DryRunOperation, when a dry-run call would have failed', async () => {
      const { ec2 } = prepare();

      const call = ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          DryRun: true,
          NetworkInterfaceId: PRIMARY_ENI,
          Groups: [OTHER_VPC_GROUP],
        }),
      );

      await expect(call).rejects.toMatchObject({ name: 'InvalidGroup.NotFound' });
    });

    it('leaves no partial change behind when a call fails half-way', async () => {
      const { ec2, model } = prepare();
      const before = model.snapshot();

      const call = ec2.send(
        new CreateTagsCommand({
          Resources: [MULTI_ENI_INSTANCE, 'vol-0000000000000dead'],
          Tags: [{ Key: 'k', Value: 'v' }],
        }),
      );

      await expect(call).rejects.toMatchObject({ name: 'InvalidVolume.NotFound' });
      expect(model.snapshot()).toEqual(before);
    });
  });

  describe('tags', () => {
    it('tags and untags instances, volumes, ENIs and groups, keeping a tag whose value does not match', async () => {
      const { ec2, model } = prepare();
      const resources = [MULTI_ENI_INSTANCE, DATA_VOLUME, SECOND_ENI, APP_GROUP];

      await ec2.send(
        new CreateTagsCommand({ Resources: resources, Tags: [{ Key: 'cordon:incident', Value: 'inc-1' }] }),
      );
      await ec2.send(
        new DeleteTagsCommand({
          Resources: [DATA_VOLUME],
          Tags: [{ Key: 'cordon:incident', Value: 'other' }],
        }),
      );
      await ec2.send(new DeleteTagsCommand({ Resources: [SECOND_ENI], Tags: [{ Key: 'cordon:incident' }] }));
      const described = await ec2.send(
        new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['cordon:incident'] }] }),
      );

      const state = model.snapshot();
      const tagged = [
        state.instances[MULTI_ENI_INSTANCE],
        state.volumes[DATA_VOLUME],
        state.securityGroups[APP_GROUP],
      ].map((resource) => resource?.tags['cordon:incident']);
      expect(tagged).toEqual(['inc-1', 'inc-1', 'inc-1']);
      expect(described.Tags?.map((tag) => tag.ResourceId).sort()).toEqual(
        [APP_GROUP, MULTI_ENI_INSTANCE, DATA_VOLUME].sort(),
      );
      expect(state.networkInterfaces[SECOND_ENI]?.tags).toEqual({});
    });
  });

  describe('volumes and snapshots', () => {
    it('snapshots a volume with tags, pending at first and completed on the next describe', async () => {
      const { ec2 } = prepare();

      const created = await ec2.send(
        new CreateSnapshotCommand({
          VolumeId: DATA_VOLUME,
          TagSpecifications: [
            { ResourceType: 'snapshot', Tags: [{ Key: 'cordon:incident', Value: 'inc-1' }] },
          ],
        }),
      );
      const described = await ec2.send(
        new DescribeSnapshotsCommand({
          OwnerIds: ['self'],
          Filters: [{ Name: 'tag:cordon:incident', Values: ['inc-1'] }],
        }),
      );

      expect([created.VolumeId, created.State]).toEqual([DATA_VOLUME, 'pending']);
      expect(created.Tags).toEqual([{ Key: 'cordon:incident', Value: 'inc-1' }]);
      expect(described.Snapshots?.map((s) => [s.SnapshotId, s.State, s.Progress])).toEqual([
        [created.SnapshotId, 'completed', '100%'],
      ]);
    });

    it('answers RestorableByUserIds: all for the public snapshots, an account id for those shared with it', async () => {
      const { ec2, model } = prepare();
      model.addSnapshot({
        snapshotId: 'snap-0aaaaaaaaaaaaaaa1',
        createVolumePermission: { groups: ['all'] },
      });
      model.addSnapshot({
        snapshotId: 'snap-0aaaaaaaaaaaaaaa2',
        createVolumePermission: { userIds: ['444455556666'] },
      });
      model.addSnapshot({ snapshotId: 'snap-0aaaaaaaaaaaaaaa3' });
      const ids = async (who: string) =>
        (
          await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], RestorableByUserIds: [who] }))
        ).Snapshots?.map((snapshot) => snapshot.SnapshotId);

      expect(await ids('all')).toEqual(['snap-0aaaaaaaaaaaaaaa1']);
      expect(await ids('444455556666')).toEqual(['snap-0aaaaaaaaaaaaaaa2']);
      expect((await ids('self'))?.length).toBeGreaterThanOrEqual(3);
    });

    it('keeps a snapshot pending for as many describes as configured', async () => {
      const { ec2 } = prepare({ snapshotPendingDescribes: 2 });
      const created = await ec2.send(
        new CreateSnapshotCommand({ VolumeId: ROOT_VOLUME, Description: 'evidence' }),
      );
      const describe = () =>
        ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [created.SnapshotId ?? ''] }));

      const states = [];
      for (let i = 0; i < 3; i += 1) states.push((await describe()).Snapshots?.[0]?.State);

      expect(states).toEqual(['pending', 'pending', 'completed']);
    });

    it('answers InvalidVolume.NotFound and InvalidSnapshot.NotFound for unknown ids', async () => {
      const { ec2 } = prepare();

      const volume = ec2.send(new CreateSnapshotCommand({ VolumeId: 'vol-0000000000000dead' }));
      const snapshot = ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: ['snap-0000000000000dead'] }));

      await expect(volume).rejects.toMatchObject({ name: 'InvalidVolume.NotFound' });
      await expect(snapshot).rejects.toMatchObject({ name: 'InvalidSnapshot.NotFound' });
    });
  });

  describe('instance profiles', () => {
    it('replaces and removes the profile association of an instance', async () => {
      const { ec2, model } = prepare();
      const filter = { Filters: [{ Name: 'instance-id', Values: [MULTI_ENI_INSTANCE] }] };
      const current = await ec2.send(new DescribeIamInstanceProfileAssociationsCommand(filter));
      const associationId = current.IamInstanceProfileAssociations?.[0]?.AssociationId;

      const replaced = await ec2.send(
        new ReplaceIamInstanceProfileAssociationCommand({
          AssociationId: associationId,
          IamInstanceProfile: { Name: 'quarantine' },
        }),
      );
      await ec2.send(
        new DisassociateIamInstanceProfileCommand({
          AssociationId: replaced.IamInstanceProfileAssociation?.AssociationId,
        }),
      );
      const after = await ec2.send(new DescribeIamInstanceProfileAssociationsCommand(filter));

      expect(current.IamInstanceProfileAssociations?.[0]?.IamInstanceProfile?.Arn).toBe(PROFILE_ARN);
      expect(replaced.IamInstanceProfileAssociation).toMatchObject({
        State: 'associating',
        IamInstanceProfile: { Arn: 'arn:aws:iam::123456789012:instance-profile/quarantine' },
      });
      expect(after.IamInstanceProfileAssociations).toEqual([]);
      expect(Object.values(model.snapshot().profileAssociations)).toEqual([]);
    });

    it('refuses a second association for an instance that already has one', async () => {
      const { ec2 } = prepare();

      const call = ec2.send(
        new AssociateIamInstanceProfileCommand({
          InstanceId: MULTI_ENI_INSTANCE,
          IamInstanceProfile: { Name: 'other' },
        }),
      );

      await expect(call).rejects.toMatchObject({ name: 'IncorrectState' });
    });
  });

  it('returns a deep copy from snapshot()', () => {
    const { model } = prepare();

    const copy = model.snapshot();
    const eni = copy.networkInterfaces[PRIMARY_ENI];
    eni?.groupIds.push('sg-0000000000000beef');

    expect(model.snapshot().networkInterfaces[PRIMARY_ENI]?.groupIds).toEqual([APP_GROUP]);
  });

  it('refuses to seed an id AWS would never issue', () => {
    const { model } = prepare();

    expect(() => model.addVpc({ vpcId: 'vpc-1' })).toThrow(/not a well-formed vpc id/);
  });
});

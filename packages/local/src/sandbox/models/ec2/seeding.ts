import { attachProfile } from './instance-profiles.ts';
import type {
  AddInstanceInput,
  AddSecurityGroupInput,
  AddVpcInput,
  NetworkInterfaceRecord,
  SecurityGroupRecord,
} from './records.ts';
import { allowAll, toRules } from './security-groups.ts';
import { type Ec2Store, GROUPS, INSTANCES, NETWORK_INTERFACES, VOLUMES, VPCS } from './store.ts';

/**
 * Seeding the EC2 model: resources as a test or a local run finds them, put in place without a call. Seeding
 * refuses what AWS could not hold (malformed ids, a group of another VPC on an ENI) with a plain `Error`.
 */

/** Adds a VPC and, as AWS does, its `default` security group. Returns the default group's id. */
export function addVpc(store: Ec2Store, input: AddVpcInput): string {
  const { context } = store;
  store.seedId(VPCS, input.vpcId);
  const defaultGroupId = input.defaultGroupId ?? context.nextId('sg');
  store.state.vpcs[input.vpcId] = {
    vpcId: input.vpcId,
    cidrBlock: input.cidrBlock ?? '10.0.0.0/16',
    ...(input.ipv6CidrBlock === undefined ? {} : { ipv6CidrBlock: input.ipv6CidrBlock }),
    isDefault: input.isDefault ?? false,
    defaultGroupId,
    tags: { ...input.tags },
  };
  // The default group lets members talk to each other and allows all egress (IPv6 too when the VPC has it).
  const egress = [allowAll({ kind: 'ipv4', value: '0.0.0.0/0' }, context.nextId('sgr'))];
  if (input.ipv6CidrBlock !== undefined) {
    egress.push(allowAll({ kind: 'ipv6', value: '::/0' }, context.nextId('sgr')));
  }
  store.state.securityGroups[defaultGroupId] = {
    groupId: defaultGroupId,
    groupName: 'default',
    description: 'default VPC security group',
    vpcId: input.vpcId,
    ingress: [allowAll({ kind: 'group', value: defaultGroupId }, context.nextId('sgr'))],
    egress,
    tags: {},
  };
  return defaultGroupId;
}

/** Adds a security group; without `egress` it carries the default allow-all IPv4 egress rule. */
export function addSecurityGroup(store: Ec2Store, input: AddSecurityGroupInput): string {
  const { context } = store;
  store.seeded(VPCS, input.vpcId);
  const groupId = input.groupId ?? context.nextId('sg');
  store.seedId(GROUPS, groupId);
  const group: SecurityGroupRecord = {
    groupId,
    groupName: input.groupName,
    description: input.description ?? input.groupName,
    vpcId: input.vpcId,
    ingress: [],
    egress: [],
    tags: { ...input.tags },
  };
  // Rules may name the group itself, so they are made once it exists.
  store.state.securityGroups[groupId] = group;
  group.ingress = toRules(store, input.ingress ?? [], context);
  group.egress =
    input.egress === undefined
      ? [allowAll({ kind: 'ipv4', value: '0.0.0.0/0' }, context.nextId('sgr'))]
      : toRules(store, input.egress, context);
  return groupId;
}

/** A new ENI attached to `instanceId` at `deviceIndex`, its groups checked against its VPC. */
function newEni(
  store: Ec2Store,
  eni: {
    networkInterfaceId: string;
    groupIds: readonly string[];
    vpcId: string;
    subnetId: string;
    availabilityZone: string;
    privateIpAddress?: string;
    description?: string;
    deleteOnTermination: boolean;
  },
  instanceId: string,
  deviceIndex: number,
  attachTime: string,
): NetworkInterfaceRecord {
  store.seedId(NETWORK_INTERFACES, eni.networkInterfaceId);
  store.seeded(VPCS, eni.vpcId);
  for (const groupId of eni.groupIds) {
    if (store.state.securityGroups[groupId]?.vpcId !== eni.vpcId) {
      throw new Error(`Seed error: group ${groupId} is not a security group of ${eni.vpcId}`);
    }
  }
  const record: NetworkInterfaceRecord = {
    networkInterfaceId: eni.networkInterfaceId,
    vpcId: eni.vpcId,
    subnetId: eni.subnetId,
    availabilityZone: eni.availabilityZone,
    privateIpAddress: eni.privateIpAddress ?? `10.0.0.${10 + deviceIndex}`,
    description: eni.description ?? '',
    groupIds: [...eni.groupIds],
    sourceDestCheck: true,
    attachment: {
      attachmentId: store.context.nextId('eni-attach'),
      instanceId,
      deviceIndex,
      deleteOnTermination: eni.deleteOnTermination,
      attachTime,
    },
    tags: {},
  };
  store.state.networkInterfaces[record.networkInterfaceId] = record;
  return record;
}

/** Adds an instance with its ENIs (in device-index order), EBS volumes and instance profile. */
export function addInstance(store: Ec2Store, input: AddInstanceInput): void {
  const { context } = store;
  store.seedId(INSTANCES, input.instanceId);
  store.seeded(VPCS, input.vpcId);
  if (input.networkInterfaces.length === 0) throw new Error('An instance has at least one network interface');
  const availabilityZone = input.availabilityZone ?? `${context.region}a`;
  const launchTime = context.now().toISOString();
  input.networkInterfaces.forEach((eni, deviceIndex) => {
    newEni(
      store,
      {
        ...eni,
        vpcId: eni.vpcId ?? input.vpcId,
        subnetId: eni.subnetId ?? input.subnetId,
        availabilityZone,
        deleteOnTermination: eni.deleteOnTermination ?? deviceIndex === 0,
      },
      input.instanceId,
      deviceIndex,
      launchTime,
    );
  });
  for (const volume of input.volumes ?? []) {
    store.seedId(VOLUMES, volume.volumeId);
    store.state.volumes[volume.volumeId] = {
      volumeId: volume.volumeId,
      size: volume.size ?? 8,
      availabilityZone,
      encrypted: volume.encrypted ?? false,
      createTime: launchTime,
      attachment: {
        instanceId: input.instanceId,
        deviceName: volume.deviceName,
        deleteOnTermination: volume.deleteOnTermination,
        attachTime: launchTime,
      },
      tags: { ...volume.tags },
    };
  }
  store.state.instances[input.instanceId] = {
    instanceId: input.instanceId,
    reservationId: context.nextId('r'),
    vpcId: input.vpcId,
    subnetId: input.subnetId,
    availabilityZone,
    instanceType: input.instanceType ?? 't3.micro',
    imageId: input.imageId ?? 'ami-0123456789abcdef0',
    state: input.state ?? 'running',
    launchTime,
    rootDeviceName: input.rootDeviceName ?? '/dev/xvda',
    networkInterfaceIds: input.networkInterfaces.map((eni) => eni.networkInterfaceId),
    disableApiTermination: input.disableApiTermination ?? false,
    shutdownBehavior: input.shutdownBehavior ?? 'stop',
    tags: { ...input.tags },
  };
  if (input.iamInstanceProfileArn !== undefined) {
    attachProfile(store, input.instanceId, { Arn: input.iamInstanceProfileArn }, context);
  }
}

/** Attaches one more ENI to a seeded instance (as someone might while an incident runs). */
export function attachNetworkInterface(
  store: Ec2Store,
  input: {
    instanceId: string;
    networkInterfaceId: string;
    groupIds: readonly string[];
    subnetId: string;
    vpcId?: string;
  },
): void {
  const instance = store.seeded(INSTANCES, input.instanceId);
  const deviceIndex = instance.networkInterfaceIds.length;
  newEni(
    store,
    {
      ...input,
      vpcId: input.vpcId ?? instance.vpcId,
      availabilityZone: instance.availabilityZone,
      deleteOnTermination: false,
    },
    input.instanceId,
    deviceIndex,
    store.context.now().toISOString(),
  );
  instance.networkInterfaceIds.push(input.networkInterfaceId);
}

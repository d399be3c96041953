import type {
  DescribeInstanceAttributeCommandInput,
  DescribeInstanceAttributeCommandOutput,
  DescribeInstancesCommandInput,
  DescribeInstancesCommandOutput,
  Instance,
  InstanceBlockDeviceMapping,
  ModifyInstanceAttributeCommandInput,
  ModifyInstanceAttributeCommandOutput,
} from '@aws-sdk/client-ec2';
import type { CommandHandler } from '../../types.ts';
import type { Out } from '../command.ts';
import { type InstanceRecord, type NetworkInterfaceRecord, STATE_CODES } from './records.ts';
import { type Ec2Store, type FilterTable, fail, INSTANCES, NETWORK_INTERFACES, toTags } from './store.ts';

/**
 * Instances: DescribeInstances (one reservation per instance), DescribeInstanceAttribute and
 * ModifyInstanceAttribute, one attribute per call as AWS requires.
 */
export function instanceCommands(store: Ec2Store): Record<string, CommandHandler> {
  const filters: FilterTable<InstanceRecord> = {
    'instance-id': (instance) => [instance.instanceId],
    'instance-state-name': (instance) => [instance.state],
    'vpc-id': (instance) => [instance.vpcId],
    'subnet-id': (instance) => [instance.subnetId],
    'network-interface.network-interface-id': (instance) => instance.networkInterfaceIds,
    'instance.group-id': (instance) => store.instanceGroupIds(instance),
    'iam-instance-profile.arn': (instance) => {
      const association = store.associationOf(instance.instanceId);
      return association === undefined ? [] : [association.arn];
    },
  };

  const describeInstances = (input: DescribeInstancesCommandInput): Out<DescribeInstancesCommandOutput> => ({
    Reservations: store.select(INSTANCES, input.InstanceIds, input.Filters, filters).map((instance) => ({
      ReservationId: instance.reservationId,
      OwnerId: store.context.accountId,
      Groups: [],
      Instances: [toInstance(store, instance)],
    })),
  });

  return {
    DescribeInstances: store.reading(describeInstances),
    DescribeInstanceAttribute: store.reading((input: DescribeInstanceAttributeCommandInput) =>
      describeInstanceAttribute(store, input),
    ),
    ModifyInstanceAttribute: store.mutating((input: ModifyInstanceAttributeCommandInput) =>
      modifyInstanceAttribute(store, input),
    ),
  };
}

function blockDeviceMappings(store: Ec2Store, instanceId: string): InstanceBlockDeviceMapping[] {
  return store.attachedVolumes(instanceId).map((volume) => ({
    DeviceName: volume.attachment?.deviceName,
    Ebs: {
      VolumeId: volume.volumeId,
      Status: 'attached',
      DeleteOnTermination: volume.attachment?.deleteOnTermination,
      AttachTime: new Date(volume.attachment?.attachTime ?? volume.createTime),
    },
  }));
}

function toInstance(store: Ec2Store, instance: InstanceRecord): Instance {
  const association = store.associationOf(instance.instanceId);
  const primary = store.primaryEni(instance);
  return {
    InstanceId: instance.instanceId,
    ImageId: instance.imageId,
    InstanceType: instance.instanceType as Instance['InstanceType'], // free-form in seeds; AWS's enum is huge
    State: { Code: STATE_CODES[instance.state], Name: instance.state },
    LaunchTime: new Date(instance.launchTime),
    Placement: { AvailabilityZone: instance.availabilityZone, Tenancy: 'default' },
    VpcId: instance.vpcId,
    SubnetId: instance.subnetId,
    PrivateIpAddress: primary?.privateIpAddress,
    RootDeviceName: instance.rootDeviceName,
    RootDeviceType: 'ebs',
    BlockDeviceMappings: blockDeviceMappings(store, instance.instanceId),
    SecurityGroups: store.groupIdentifiers(store.instanceGroupIds(instance)),
    NetworkInterfaces: instance.networkInterfaceIds
      .map((id) => store.state.networkInterfaces[id])
      .filter((eni): eni is NetworkInterfaceRecord => eni !== undefined)
      .map((eni) => ({
        NetworkInterfaceId: eni.networkInterfaceId,
        SubnetId: eni.subnetId,
        VpcId: eni.vpcId,
        OwnerId: store.context.accountId,
        Description: eni.description,
        Status: 'in-use' as const,
        PrivateIpAddress: eni.privateIpAddress,
        SourceDestCheck: eni.sourceDestCheck,
        InterfaceType: 'interface',
        Groups: store.groupIdentifiers(eni.groupIds),
        Attachment: {
          AttachmentId: eni.attachment?.attachmentId,
          DeviceIndex: eni.attachment?.deviceIndex,
          NetworkCardIndex: 0,
          Status: 'attached' as const,
          DeleteOnTermination: eni.attachment?.deleteOnTermination,
          AttachTime: new Date(eni.attachment?.attachTime ?? instance.launchTime),
        },
      })),
    ...(association === undefined
      ? {}
      : { IamInstanceProfile: { Arn: association.arn, Id: association.id } }),
    SourceDestCheck: primary?.sourceDestCheck,
    Tags: toTags(instance.tags),
  };
}

function describeInstanceAttribute(
  store: Ec2Store,
  input: DescribeInstanceAttributeCommandInput,
): Out<DescribeInstanceAttributeCommandOutput> {
  const instance = store.one(INSTANCES, input.InstanceId);
  const base = { InstanceId: instance.instanceId };
  const primary = store.primaryEni(instance);
  switch (input.Attribute) {
    case 'disableApiTermination':
      return { ...base, DisableApiTermination: { Value: instance.disableApiTermination } };
    case 'instanceInitiatedShutdownBehavior':
      return { ...base, InstanceInitiatedShutdownBehavior: { Value: instance.shutdownBehavior } };
    case 'blockDeviceMapping':
      return { ...base, BlockDeviceMappings: blockDeviceMappings(store, instance.instanceId) };
    case 'groupSet':
      // The instance-level group set is the primary ENI's.
      return { ...base, Groups: store.groupIdentifiers(primary?.groupIds ?? []) };
    case 'sourceDestCheck':
      return { ...base, SourceDestCheck: { Value: primary?.sourceDestCheck ?? true } };
    case 'instanceType':
      return { ...base, InstanceType: { Value: instance.instanceType } };
    case 'rootDeviceName':
      return { ...base, RootDeviceName: { Value: instance.rootDeviceName } };
    default:
      throw fail('UnsupportedOperation', `The sandbox does not model instance attribute ${input.Attribute}`);
  }
}

/** Attributes ModifyInstanceAttribute may change that the sandbox does not model: refused, never ignored. */
const UNMODELLED_ATTRIBUTES = [
  'DisableApiStop',
  'InstanceType',
  'Kernel',
  'Ramdisk',
  'UserData',
  'EbsOptimized',
] as const;

/** The one attribute a ModifyInstanceAttribute call changes; AWS names the clash when given several. */
function attributeToModify(input: ModifyInstanceAttributeCommandInput): string {
  const given: string[] = [];
  if (input.DisableApiTermination !== undefined) given.push('disableApiTermination');
  if (input.InstanceInitiatedShutdownBehavior !== undefined) given.push('instanceInitiatedShutdownBehavior');
  if (input.BlockDeviceMappings !== undefined) given.push('blockDeviceMapping');
  if (input.Groups !== undefined) given.push('groupSet');
  if (input.SourceDestCheck !== undefined) given.push('sourceDestCheck');
  if (input.Attribute !== undefined) given.push(input.Attribute);
  for (const key of UNMODELLED_ATTRIBUTES) {
    if (input[key] !== undefined) throw fail('UnsupportedOperation', `The sandbox does not model ${key}`);
  }
  if (given.length > 1) {
    throw fail(
      'InvalidParameterCombination',
      `Fields for multiple attribute types specified: ${given.join(', ')}`,
    );
  }
  const [attribute] = given;
  if (attribute === undefined)
    throw fail('MissingParameter', 'The request must contain an attribute to modify');
  return attribute;
}

function modifyInstanceAttribute(
  store: Ec2Store,
  input: ModifyInstanceAttributeCommandInput,
): Out<ModifyInstanceAttributeCommandOutput> {
  const instance = store.one(INSTANCES, input.InstanceId);
  const attribute = attributeToModify(input);
  const value = input.Attribute === undefined ? undefined : (input.Value ?? '');
  if (attribute === 'disableApiTermination') {
    instance.disableApiTermination = input.DisableApiTermination?.Value ?? value === 'true';
  } else if (attribute === 'instanceInitiatedShutdownBehavior') {
    const behavior = input.InstanceInitiatedShutdownBehavior?.Value ?? value;
    if (behavior !== 'stop' && behavior !== 'terminate') {
      throw fail(
        'InvalidParameterValue',
        `Value (${behavior}) for parameter instanceInitiatedShutdownBehavior is invalid. Valid values are stop, terminate.`,
      );
    }
    instance.shutdownBehavior = behavior;
  } else if (attribute === 'blockDeviceMapping') {
    const volumes = store.attachedVolumes(instance.instanceId);
    for (const mapping of input.BlockDeviceMappings ?? []) {
      const volume = volumes.find((candidate) => candidate.attachment?.deviceName === mapping.DeviceName);
      if (volume?.attachment === undefined) {
        throw fail('InvalidInstanceAttributeValue', `No device is currently mapped at ${mapping.DeviceName}`);
      }
      if (mapping.Ebs?.DeleteOnTermination !== undefined) {
        volume.attachment.deleteOnTermination = mapping.Ebs.DeleteOnTermination;
      }
    }
  } else if (attribute === 'groupSet' || attribute === 'sourceDestCheck') {
    // These act on the primary ENI, so AWS refuses them when the instance has several.
    if (instance.networkInterfaceIds.length > 1) {
      throw fail(
        'InvalidInstanceID',
        `There are multiple interfaces attached to instance '${instance.instanceId}'. Please specify an interface ID for the operation instead.`,
      );
    }
    const primary = store.one(NETWORK_INTERFACES, instance.networkInterfaceIds[0]);
    if (attribute === 'groupSet') {
      const groups = input.Groups ?? [];
      store.checkGroupsFor(primary.vpcId, groups);
      primary.groupIds = [...groups];
    } else {
      primary.sourceDestCheck = input.SourceDestCheck?.Value ?? value === 'true';
    }
  } else {
    throw fail('UnsupportedOperation', `The sandbox does not model instance attribute ${attribute}`);
  }
  return {};
}

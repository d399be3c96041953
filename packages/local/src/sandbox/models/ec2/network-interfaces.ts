import type {
  DescribeNetworkInterfacesCommandInput,
  DescribeNetworkInterfacesCommandOutput,
  ModifyNetworkInterfaceAttributeCommandInput,
  ModifyNetworkInterfaceAttributeCommandOutput,
  NetworkInterface,
} from '@aws-sdk/client-ec2';
import type { CommandHandler } from '../../types.ts';
import type { Out } from '../command.ts';
import type { NetworkInterfaceRecord } from './records.ts';
import { type Ec2Store, type FilterTable, NETWORK_INTERFACES, toTags } from './store.ts';

/**
 * Network interfaces: DescribeNetworkInterfaces (the IAM request model reads an ENI's instance with it) and
 * ModifyNetworkInterfaceAttribute (groups, source/destination check, description, delete on termination). The
 * groups must exist and be in the ENI's VPC, as AWS checks.
 */
export function networkInterfaceCommands(store: Ec2Store): Record<string, CommandHandler> {
  const filters: FilterTable<NetworkInterfaceRecord> = {
    'network-interface-id': (eni) => [eni.networkInterfaceId],
    'attachment.instance-id': (eni) => (eni.attachment === undefined ? [] : [eni.attachment.instanceId]),
    'attachment.device-index': (eni) =>
      eni.attachment === undefined ? [] : [String(eni.attachment.deviceIndex)],
    'vpc-id': (eni) => [eni.vpcId],
    'subnet-id': (eni) => [eni.subnetId],
    'group-id': (eni) => eni.groupIds,
    status: (eni) => [eni.attachment === undefined ? 'available' : 'in-use'],
  };
  return {
    DescribeNetworkInterfaces: store.reading(
      (input: DescribeNetworkInterfacesCommandInput): Out<DescribeNetworkInterfacesCommandOutput> => ({
        NetworkInterfaces: store
          .select(NETWORK_INTERFACES, input.NetworkInterfaceIds, input.Filters, filters)
          .map((eni) => toNetworkInterface(store, eni)),
      }),
    ),
    ModifyNetworkInterfaceAttribute: store.mutating(
      (
        input: ModifyNetworkInterfaceAttributeCommandInput,
      ): Out<ModifyNetworkInterfaceAttributeCommandOutput> => {
        const eni = store.one(NETWORK_INTERFACES, input.NetworkInterfaceId);
        if (input.Groups !== undefined) {
          store.checkGroupsFor(eni.vpcId, input.Groups);
          eni.groupIds = [...input.Groups];
        }
        if (input.SourceDestCheck?.Value !== undefined) eni.sourceDestCheck = input.SourceDestCheck.Value;
        if (input.Description?.Value !== undefined) eni.description = input.Description.Value;
        if (input.Attachment?.DeleteOnTermination !== undefined && eni.attachment !== undefined) {
          eni.attachment.deleteOnTermination = input.Attachment.DeleteOnTermination;
        }
        return {};
      },
    ),
  };
}

function toNetworkInterface(store: Ec2Store, eni: NetworkInterfaceRecord): NetworkInterface {
  const { accountId } = store.context;
  return {
    NetworkInterfaceId: eni.networkInterfaceId,
    VpcId: eni.vpcId,
    SubnetId: eni.subnetId,
    AvailabilityZone: eni.availabilityZone,
    Description: eni.description,
    OwnerId: accountId,
    InterfaceType: 'interface',
    PrivateIpAddress: eni.privateIpAddress,
    SourceDestCheck: eni.sourceDestCheck,
    Status: eni.attachment === undefined ? 'available' : 'in-use',
    Groups: store.groupIdentifiers(eni.groupIds),
    ...(eni.attachment === undefined
      ? {}
      : {
          Attachment: {
            AttachmentId: eni.attachment.attachmentId,
            InstanceId: eni.attachment.instanceId,
            InstanceOwnerId: accountId,
            DeviceIndex: eni.attachment.deviceIndex,
            NetworkCardIndex: 0,
            Status: 'attached',
            DeleteOnTermination: eni.attachment.deleteOnTermination,
            AttachTime: new Date(eni.attachment.attachTime),
          },
        }),
    // ENIs carry their tags in `TagSet`, not `Tags`.
    TagSet: toTags(eni.tags) ?? [],
  };
}

import type {
  ModifyNetworkInterfaceAttributeCommandInput,
  ModifyNetworkInterfaceAttributeCommandOutput,
} from '@aws-sdk/client-ec2';
import type { CommandHandler } from '../../types.ts';
import type { Out } from '../command.ts';
import { type Ec2Store, NETWORK_INTERFACES } from './store.ts';

/**
 * Network interfaces: ModifyNetworkInterfaceAttribute (groups, source/destination check, description, delete on
 * termination). The groups must exist and be in the ENI's VPC, as AWS checks.
 */
export function networkInterfaceCommands(store: Ec2Store): Record<string, CommandHandler> {
  return {
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

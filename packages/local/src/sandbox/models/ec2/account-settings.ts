import type {
  DisableEbsEncryptionByDefaultCommandInput,
  DisableEbsEncryptionByDefaultCommandOutput,
  EnableEbsEncryptionByDefaultCommandInput,
  EnableEbsEncryptionByDefaultCommandOutput,
  GetEbsEncryptionByDefaultCommandInput,
  GetEbsEncryptionByDefaultCommandOutput,
} from '@aws-sdk/client-ec2';
import type { CommandHandler } from '../../types.ts';
import type { Out } from '../command.ts';
import type { Ec2Store } from './store.ts';

/**
 * EBS encryption by default, an account setting of each Region: off until enabled; enabling it "has no effect on the
 * encryption status of your existing volumes" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableEbsEncryptionByDefault.html).
 * Enable and Disable are idempotent and honour `DryRun`.
 */
export function accountSettingCommands(store: Ec2Store): Record<string, CommandHandler> {
  return {
    GetEbsEncryptionByDefault: store.reading(
      (_input: GetEbsEncryptionByDefaultCommandInput): Out<GetEbsEncryptionByDefaultCommandOutput> => ({
        // `SseType` is left out: what AWS answers there is not documented beyond its enum.
        EbsEncryptionByDefault: store.state.ebsEncryptionByDefault,
      }),
    ),
    EnableEbsEncryptionByDefault: store.mutating(
      (_input: EnableEbsEncryptionByDefaultCommandInput): Out<EnableEbsEncryptionByDefaultCommandOutput> => {
        store.state.ebsEncryptionByDefault = true;
        return { EbsEncryptionByDefault: true };
      },
    ),
    DisableEbsEncryptionByDefault: store.mutating(
      (
        _input: DisableEbsEncryptionByDefaultCommandInput,
      ): Out<DisableEbsEncryptionByDefaultCommandOutput> => {
        store.state.ebsEncryptionByDefault = false;
        return { EbsEncryptionByDefault: false };
      },
    ),
  };
}

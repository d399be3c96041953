/**
 * `enable-ebs-default-encryption`: the fix of `ec2-ebs-encryption-by-default` ("Checks if Amazon Elastic Block
 * Store (EBS) encryption is enabled by default. The rule is NON_COMPLIANT if the encryption is not enabled",
 * identifier EC2_EBS_ENCRYPTION_BY_DEFAULT, periodic:
 * https://docs.aws.amazon.com/config/latest/developerguide/ec2-ebs-encryption-by-default.html). Security Hub EC2.7
 * checks it on the account ("Resource type: AWS account").
 *
 * AWS facts relied on (EC2 API Reference):
 * - EnableEbsEncryptionByDefault "Enables EBS encryption by default for your account in the current Region";
 *   "Enabling encryption by default has no effect on the encryption status of your existing volumes"; "After you
 *   enable encryption by default, you can no longer launch instances using instance types that do not support
 *   encryption" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableEbsEncryptionByDefault.html).
 *   That last sentence is why the fix asks a person first by default: a launch template or an Auto Scaling group of
 *   a previous-generation type stops launching, and new volumes use the Region's default KMS key, which the roles
 *   that launch them must be able to use.
 * - GetEbsEncryptionByDefault answers `EbsEncryptionByDefault`; DisableEbsEncryptionByDefault turns it off
 *   (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetEbsEncryptionByDefault.html,
 *   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisableEbsEncryptionByDefault.html).
 * IAM: the three actions have no resource type (`*`) in the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html). An account setting has no
 * tags, so no exemption tag applies: a team that must keep it off maps the rule to `notify-only`.
 */
import {
  DisableEbsEncryptionByDefaultCommand,
  EnableEbsEncryptionByDefaultCommand,
  GetEbsEncryptionByDefaultCommand,
} from '@aws-sdk/client-ec2';
import { ActionFailedError, classifyAwsError } from '../errors.ts';
import type { Change } from '../ledger/ledger.ts';
import * as z from '../zod.ts';
import { TargetRuleSchema } from './revoke-open-ingress.ts';
import {
  type ActionContext,
  type ActionDefinition,
  type ActionPlan,
  type ActionRelease,
  StepEnvelopeSchema,
} from './types.ts';

export const EnableEbsDefaultEncryptionInput = z.extend(StepEnvelopeSchema, {
  /** The account AWS Config named (`AWS::::Account`). */
  accountId: z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id')),
  rule: z.optional(TargetRuleSchema),
});
export type EnableEbsDefaultEncryptionInput = z.output<typeof EnableEbsDefaultEncryptionInput>;

export interface EnableEbsDefaultEncryptionOutput {
  readonly accountId: string;
  readonly region: string;
  /** Whether this run turned it on (or would, in a dry run). */
  readonly enabled: boolean;
}

/** What the release needs: the setting was off in this account and Region before the fix. */
export const EbsEncryptionRestoreSchema = z.object({
  accountId: z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id')),
  region: z.string(),
  wasEnabled: z.literal(false),
});
export type EbsEncryptionRestore = z.output<typeof EbsEncryptionRestoreSchema>;

async function isEnabled(context: ActionContext): Promise<boolean> {
  try {
    const answer = await context.clients.ec2.send(new GetEbsEncryptionByDefaultCommand({}));
    return answer.EbsEncryptionByDefault === true;
  } catch (error) {
    throw classifyAwsError(error, 'GetEbsEncryptionByDefault');
  }
}

function settingChange(accountId: string, region: string, before: boolean, after: boolean): Change {
  return {
    resource: `${accountId}/${region}`,
    attribute: 'EBS encryption by default',
    before: before ? 'on' : 'off',
    after: after ? 'on' : 'off',
  };
}

/** The release: turns encryption by default off again, if it is on, in the account and Region the fix turned it on. */
export const ebsEncryptionRelease: ActionRelease<EbsEncryptionRestore> = {
  summary: 'Turns EBS encryption by default off again in the account and Region where the fix turned it on.',
  restore: EbsEncryptionRestoreSchema,
  permissions: [
    {
      actions: ['ec2:GetEbsEncryptionByDefault', 'ec2:DisableEbsEncryptionByDefault'],
      resources: ['*'],
      why: 'Read whether EBS encryption by default is on, and turn it off again where the fix turned it on (no resource type: an account setting).',
    },
  ],
  async plan(restore, context): Promise<ActionPlan<unknown>> {
    if (restore.region !== context.region || restore.accountId !== context.account) {
      throw new ActionFailedError(
        `The fix changed ${restore.accountId} in ${restore.region}, but the release runs in ${context.account} ${context.region}: nothing was changed.`,
      );
    }
    const on = await isEnabled(context);
    const output = { accountId: restore.accountId, region: restore.region, disabled: on };
    return {
      changes: on ? [settingChange(restore.accountId, restore.region, true, false)] : [],
      notes: on ? [] : ['EBS encryption by default is off already.'],
      output,
      async apply() {
        try {
          await context.clients.ec2.send(new DisableEbsEncryptionByDefaultCommand({}));
        } catch (error) {
          throw classifyAwsError(error, 'DisableEbsEncryptionByDefault');
        }
        return output;
      },
    };
  },
};

/**
 * `enable-ebs-default-encryption`: turns on EBS encryption by default in the incident's account and Region, after
 * recording that it was off. Existing volumes are not changed (AWS does not encrypt them); already on is
 * `already-done`. An account other than the incident's is refused, named, before any call.
 *
 * @example
 * await runAction(enableEbsDefaultEncryption, { ...envelope, accountId: '123456789012' }, environment)
 * // changes: 123456789012/us-east-1 EBS encryption by default: off → on
 */
export const enableEbsDefaultEncryption: ActionDefinition<
  EnableEbsDefaultEncryptionInput,
  EnableEbsDefaultEncryptionOutput
> = {
  id: 'enable-ebs-default-encryption',
  summary:
    'Turns on EBS encryption by default for the account in the Region (existing volumes are left as they are).',
  undo: 'Released from the ledger by `remediation-release` (always approved by a person): encryption by default is turned off again, only if the fix turned it on.',
  dryRunBehaviour: 'Reads the setting and records whether it would turn it on; no call changes anything.',
  mutating: true,
  input: EnableEbsDefaultEncryptionInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError'],
  permissions: [
    {
      actions: ['ec2:GetEbsEncryptionByDefault', 'ec2:EnableEbsEncryptionByDefault'],
      resources: ['*'],
      why: 'Read whether EBS encryption by default is on, and turn it on (no resource type: an account setting of the Region).',
    },
  ],
  release: ebsEncryptionRelease,
  async plan(input, context): Promise<ActionPlan<EnableEbsDefaultEncryptionOutput>> {
    if (input.accountId !== input.account) {
      throw new ActionFailedError(
        `AWS Config named account ${input.accountId}, but the incident is in ${input.account}: nothing was changed.`,
      );
    }
    const on = await isEnabled(context);
    const output: EnableEbsDefaultEncryptionOutput = {
      accountId: input.accountId,
      region: context.region,
      enabled: !on,
    };
    const restore: EbsEncryptionRestore = {
      accountId: input.accountId,
      region: context.region,
      wasEnabled: false,
    };
    return {
      changes: on ? [] : [settingChange(input.accountId, context.region, false, true)],
      restore,
      notes: on
        ? ['EBS encryption by default is on already.']
        : [
            'Existing volumes keep their encryption status; new volumes are encrypted with the Region’s default KMS key, and instance types that do not support encryption can no longer be launched.',
          ],
      output,
      async apply() {
        try {
          await context.clients.ec2.send(new EnableEbsEncryptionByDefaultCommand({}));
        } catch (error) {
          throw classifyAwsError(error, 'EnableEbsEncryptionByDefault');
        }
        return output;
      },
    };
  },
};

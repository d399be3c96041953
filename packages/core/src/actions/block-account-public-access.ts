import {
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3-control';
import { ActionFailedError, awsErrorCode, classifyAwsError } from '../errors.ts';
import * as z from '../zod.ts';
import {
  enforcedSettings,
  fromConfiguration,
  PUBLIC_ACCESS_BLOCK_SETTINGS,
  PublicAccessBlockSchema,
  type PublicAccessBlockSettings,
  sameSettings,
  settingChanges,
  settingsText,
  toConfiguration,
} from './public-access-block.ts';
import { TargetRuleSchema } from './revoke-open-ingress.ts';
import {
  type ActionContext,
  type ActionDefinition,
  type ActionPlan,
  type ActionRelease,
  StepEnvelopeSchema,
} from './types.ts';

/** The rules whose account-level settings this action restores (config-rules.ts). */
export const ACCOUNT_PUBLIC_ACCESS_RULES = [
  'S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS',
  'S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC',
] as const;

/**
 * "Amazon S3 throws this exception if you make a GetPublicAccessBlock request against an account that doesn't have
 * a PublicAccessBlockConfiguration set" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetPublicAccessBlock.html).
 */
const NO_CONFIGURATION = 'NoSuchPublicAccessBlockConfiguration';

/** Where the ledger's changes name the account's settings. */
const ATTRIBUTE = 's3:accountPublicAccessBlock';

export const BlockAccountPublicAccessInput = z.extend(StepEnvelopeSchema, {
  accountId: z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id')),
  rule: z.optional(TargetRuleSchema),
});
export type BlockAccountPublicAccessInput = z.output<typeof BlockAccountPublicAccessInput>;

export interface BlockAccountPublicAccessOutput {
  readonly accountId: string;
  /** The settings before, as text (`none` when the account had no configuration). */
  readonly before: string;
  /** The settings after (or that a dry run would set). */
  readonly after: string;
}

/** What a release needs: the account's configuration before the fix (`null`: none) and the one the fix set. */
export const AccountPublicAccessRestoreSchema = z.object({
  accountId: z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id')),
  previous: z.nullable(PublicAccessBlockSchema),
  applied: PublicAccessBlockSchema,
});
export type AccountPublicAccessRestore = z.output<typeof AccountPublicAccessRestoreSchema>;

/** The account's settings now, or `null` when it has none. */
export async function readAccountPublicAccessBlock(
  context: ActionContext,
  accountId: string,
): Promise<PublicAccessBlockSettings | null> {
  try {
    const answer = await context.clients.s3Control.send(
      new GetPublicAccessBlockCommand({ AccountId: accountId }),
    );
    return fromConfiguration(answer.PublicAccessBlockConfiguration ?? {});
  } catch (error) {
    if (awsErrorCode(error) === NO_CONFIGURATION) return null;
    throw classifyAwsError(error, `S3 Control GetPublicAccessBlock ${accountId}`);
  }
}

async function putAccountPublicAccessBlock(
  context: ActionContext,
  accountId: string,
  settings: PublicAccessBlockSettings,
): Promise<void> {
  try {
    await context.clients.s3Control.send(
      new PutPublicAccessBlockCommand({
        AccountId: accountId,
        PublicAccessBlockConfiguration: toConfiguration(settings),
      }),
    );
  } catch (error) {
    throw classifyAwsError(error, `S3 Control PutPublicAccessBlock ${accountId}`);
  }
}

/** An S3 Control client acts on the account it names; Cordon's clients are the incident's account's. */
function assertIncidentAccount(accountId: string, context: ActionContext, what: string): void {
  if (accountId !== context.account) {
    throw new ActionFailedError(
      `${what} names account ${accountId}, but the incident is in ${context.account}: Cordon changes an account's S3 Block Public Access only in the incident's own account; nothing was changed.`,
    );
  }
}

/**
 * The release of `block-account-public-access`: puts the account's configuration back as it was before the fix
 * (PutPublicAccessBlock with the four recorded settings), or deletes it when there was none
 * (DeletePublicAccessBlock). A configuration that is neither the one before nor the one the fix set was changed by
 * someone since: it is refused, named, and left as it is (a release never overwrites a later decision).
 */
export const accountPublicAccessRelease: ActionRelease<AccountPublicAccessRestore> = {
  summary:
    "Puts the account's S3 Block Public Access back exactly as it was before the fix, or deletes the configuration the fix created.",
  restore: AccountPublicAccessRestoreSchema,
  permissions: [
    {
      actions: ['s3:GetAccountPublicAccessBlock', 's3:PutAccountPublicAccessBlock'],
      resources: ['*'],
      why: "Read the account's Block Public Access and put back the configuration recorded before the fix, or delete it when there was none (DeletePublicAccessBlock needs s3:PutAccountPublicAccessBlock; neither action has a resource type, so only `*` grants them).",
    },
  ],
  async plan(restore, context): Promise<ActionPlan<BlockAccountPublicAccessOutput>> {
    const { accountId, previous, applied } = restore;
    assertIncidentAccount(accountId, context, 'The restore record');
    const live = await readAccountPublicAccessBlock(context, accountId);
    const output: BlockAccountPublicAccessOutput = {
      accountId,
      before: settingsText(live),
      after: settingsText(previous),
    };
    if (sameSettings(live, previous)) {
      return { changes: [], notes: [], output, apply: async () => output };
    }
    if (!sameSettings(live, applied)) {
      throw new ActionFailedError(
        `The account ${accountId}'s S3 Block Public Access is ${settingsText(live)}: neither what the fix set (${settingsText(applied)}) nor what it replaced (${settingsText(previous)}). Someone changed it since; it is left as it is and nothing was changed.`,
      );
    }
    return {
      changes: settingChanges(accountId, ATTRIBUTE, live, previous),
      notes:
        previous === null
          ? [`The account had no Block Public Access configuration before the fix: it is deleted.`]
          : [],
      output,
      async apply() {
        if (previous !== null) {
          await putAccountPublicAccessBlock(context, accountId, previous);
          return output;
        }
        try {
          await context.clients.s3Control.send(new DeletePublicAccessBlockCommand({ AccountId: accountId }));
        } catch (error) {
          throw classifyAwsError(error, `S3 Control DeletePublicAccessBlock ${accountId}`);
        }
        return output;
      },
    };
  },
};

/**
 * `block-account-public-access`: turns on the account's S3 Block Public Access settings that its AWS Config rule
 * enforces — all four by default (`s3-account-level-public-access-blocks` and its `-periodic` variant: each of
 * IgnorePublicAcls, BlockPublicPolicy, BlockPublicAcls and RestrictPublicBuckets "is enforced or not, default True",
 * https://docs.aws.amazon.com/config/latest/developerguide/s3-account-level-public-access-blocks-periodic.html),
 * keeping any setting the rule does not enforce as it is. One call, S3 Control's PutPublicAccessBlock
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_PutPublicAccessBlock.html), which replaces the
 * whole configuration: the configuration before it (or its absence) is recorded first, for `remediation-release`.
 *
 * Every bucket of the account stops being public at once ("Account level settings override settings on individual
 * objects", https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-account.html), so
 * the playbook asks for approval by default. An account has no exemption tag: to leave an account's settings
 * alone, map the rule to `notify-only`.
 *
 * Idempotent: an account whose enforced settings are on already is `already-done`.
 *
 * @example
 * await runAction(blockAccountPublicAccess, { ...envelope, accountId: '123456789012' }, environment)
 * // changes: 123456789012 s3:accountPublicAccessBlock:blockPublicPolicy false → true, …
 */
export const blockAccountPublicAccess: ActionDefinition<
  BlockAccountPublicAccessInput,
  BlockAccountPublicAccessOutput
> = {
  id: 'block-account-public-access',
  summary:
    "Turns on the account's S3 Block Public Access settings its AWS Config rule enforces (all four by default), recording the configuration it replaces.",
  undo: "Released from the ledger by `remediation-release`: the account's configuration is put back exactly as it was, or deleted when it had none.",
  dryRunBehaviour:
    "Reads the account's Block Public Access and records what it would set; no call changes anything.",
  mutating: true,
  input: BlockAccountPublicAccessInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError'],
  permissions: [
    {
      actions: ['s3:GetAccountPublicAccessBlock'],
      resources: ['*'],
      why: "Read the account's Block Public Access before changing it, to record it for a release (no resource type: only `*` grants it).",
    },
    {
      actions: ['s3:PutAccountPublicAccessBlock'],
      resources: ['*'],
      why: "Turn on the account's Block Public Access settings (no resource type: only `*` grants it).",
    },
  ],
  release: accountPublicAccessRelease,
  async plan(input, context): Promise<ActionPlan<BlockAccountPublicAccessOutput>> {
    const { accountId, rule } = input;
    // Named refusals come before any read or change.
    if (rule !== undefined && !(ACCOUNT_PUBLIC_ACCESS_RULES as readonly string[]).includes(rule.identifier)) {
      throw new ActionFailedError(
        `block-account-public-access does not know the Config rule ${rule.identifier} (${rule.name}): it restores the settings of ${ACCOUNT_PUBLIC_ACCESS_RULES.join(', ')}; nothing was changed.`,
      );
    }
    assertIncidentAccount(accountId, context, 'The target');
    const enforced = enforcedSettings(rule?.parametersKnown === true ? rule.parameters : {});
    const previous = await readAccountPublicAccessBlock(context, accountId);
    const target: PublicAccessBlockSettings = { ...(previous ?? fromConfiguration({})) };
    for (const setting of enforced) target[setting] = true;
    const changes =
      enforced.length === 0 || sameSettings(previous, target)
        ? []
        : settingChanges(accountId, ATTRIBUTE, previous, target);
    const output: BlockAccountPublicAccessOutput = {
      accountId,
      before: settingsText(previous),
      after: settingsText(changes.length === 0 ? previous : target),
    };
    const kept = PUBLIC_ACCESS_BLOCK_SETTINGS.filter((setting) => !enforced.includes(setting));
    const notes = [
      ...(rule !== undefined && !rule.parametersKnown
        ? [
            `The parameters of ${rule.name} could not be read: the four settings are enforced, each rule parameter's default.`,
          ]
        : []),
      ...(kept.length > 0 && changes.length > 0
        ? [`${kept.join(', ')} kept as they are: the rule does not enforce them.`]
        : []),
      ...(changes.length > 0
        ? [
            'Every bucket of the account stops allowing public access through ACLs or policies the settings block, whatever the bucket says.',
          ]
        : []),
    ];
    const restore: AccountPublicAccessRestore = { accountId, previous, applied: target };
    return {
      changes,
      restore,
      notes,
      output,
      async apply() {
        await putAccountPublicAccessBlock(context, accountId, target);
        return output;
      },
    };
  },
};

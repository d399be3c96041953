import {
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { ActionFailedError } from '../errors.ts';
import * as z from '../zod.ts';
import {
  fromConfiguration,
  PublicAccessBlockSchema,
  type PublicAccessBlockSettings,
  sameSettings,
  settingChanges,
  settingsText,
  toConfiguration,
} from './public-access-block.ts';
import { TargetRuleSchema } from './revoke-open-ingress.ts';
import { assertBucketNotExempt, BucketNameSchema, READ_BUCKET_TAGS, sendToOwnBucket } from './s3-buckets.ts';
import {
  type ActionContext,
  type ActionDefinition,
  type ActionPlan,
  type ActionRelease,
  StepEnvelopeSchema,
} from './types.ts';

/** The rules whose bucket-level settings this action restores (config-rules.ts). */
export const BUCKET_PUBLIC_ACCESS_RULES = [
  'S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED',
  // Both are compliant once Block Public Access restricts public policies and ACLs (their rule pages); AWS's
  // Automated Security Response answers S3.2 and S3.3 with the same four settings (ConfigureS3BucketPublicAccessBlock).
  'S3_BUCKET_PUBLIC_READ_PROHIBITED',
  'S3_BUCKET_PUBLIC_WRITE_PROHIBITED',
] as const;

/** GetPublicAccessBlock on a bucket without a configuration (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html). */
const NO_CONFIGURATION = 'NoSuchPublicAccessBlockConfiguration';

/** Where the ledger's changes name the bucket's settings. */
const ATTRIBUTE = 's3:bucketPublicAccessBlock';

const ALL_ON: PublicAccessBlockSettings = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};

export const BlockBucketPublicAccessInput = z.extend(StepEnvelopeSchema, {
  bucketName: BucketNameSchema,
  rule: z.optional(TargetRuleSchema),
});
export type BlockBucketPublicAccessInput = z.output<typeof BlockBucketPublicAccessInput>;

export interface BlockBucketPublicAccessOutput {
  readonly bucketName: string;
  /** The settings before, as text (`none` when the bucket had no configuration). */
  readonly before: string;
  /** The settings after (or that a dry run would set). */
  readonly after: string;
}

/** What a release needs: the bucket's configuration before the fix (`null`: none) and the one the fix set. */
export const BucketPublicAccessRestoreSchema = z.object({
  bucketName: BucketNameSchema,
  previous: z.nullable(PublicAccessBlockSchema),
  applied: PublicAccessBlockSchema,
});
export type BucketPublicAccessRestore = z.output<typeof BucketPublicAccessRestoreSchema>;

/** The bucket's own settings now (not the account's), or `null` when it has none. */
async function readBucketPublicAccessBlock(
  context: ActionContext,
  bucket: string,
): Promise<PublicAccessBlockSettings | null> {
  const answer = await sendToOwnBucket(
    context,
    'GetPublicAccessBlock',
    bucket,
    (owned) => context.clients.s3.send(new GetPublicAccessBlockCommand(owned)),
    NO_CONFIGURATION,
  );
  return answer === undefined ? null : fromConfiguration(answer.PublicAccessBlockConfiguration ?? {});
}

async function putBucketPublicAccessBlock(
  context: ActionContext,
  bucket: string,
  settings: PublicAccessBlockSettings,
): Promise<void> {
  await sendToOwnBucket(context, 'PutPublicAccessBlock', bucket, (owned) =>
    context.clients.s3.send(
      new PutPublicAccessBlockCommand({
        ...owned,
        PublicAccessBlockConfiguration: toConfiguration(settings),
      }),
    ),
  );
}

/**
 * The buckets a rule's `excludedPublicBuckets` parameter names ("Comma-separated list of known allowed public
 * Amazon S3 bucket names",
 * https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-level-public-access-prohibited.html).
 */
function excludedBuckets(parameters: Readonly<Record<string, string>>): string[] {
  return (parameters.excludedPublicBuckets ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/**
 * The release of `block-bucket-public-access`: puts the bucket's own configuration back as it was before the fix,
 * or deletes it when there was none. A configuration that is neither is someone's later decision: refused, named,
 * and left as it is.
 */
export const bucketPublicAccessRelease: ActionRelease<BucketPublicAccessRestore> = {
  summary:
    "Puts the bucket's S3 Block Public Access back exactly as it was before the fix, or deletes the configuration the fix created.",
  restore: BucketPublicAccessRestoreSchema,
  permissions: [
    {
      actions: ['s3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock'],
      resources: ['arn:aws:s3:::*'],
      why: "Read the bucket's Block Public Access and put back the configuration recorded before the fix, or delete it when there was none (DeletePublicAccessBlock needs s3:PutBucketPublicAccessBlock).",
    },
  ],
  async plan(restore, context): Promise<ActionPlan<BlockBucketPublicAccessOutput>> {
    const { bucketName, previous, applied } = restore;
    const live = await readBucketPublicAccessBlock(context, bucketName);
    const output: BlockBucketPublicAccessOutput = {
      bucketName,
      before: settingsText(live),
      after: settingsText(previous),
    };
    if (sameSettings(live, previous)) return { changes: [], notes: [], output, apply: async () => output };
    if (!sameSettings(live, applied)) {
      throw new ActionFailedError(
        `The S3 Block Public Access of bucket ${bucketName} is ${settingsText(live)}: neither what the fix set (${settingsText(applied)}) nor what it replaced (${settingsText(previous)}). Someone changed it since; it is left as it is and nothing was changed.`,
      );
    }
    return {
      changes: settingChanges(bucketName, ATTRIBUTE, live, previous),
      notes:
        previous === null
          ? ['The bucket had no Block Public Access configuration before the fix: it is deleted.']
          : [],
      output,
      async apply() {
        if (previous !== null) {
          await putBucketPublicAccessBlock(context, bucketName, previous);
          return output;
        }
        await sendToOwnBucket(context, 'DeletePublicAccessBlock', bucketName, (owned) =>
          context.clients.s3.send(new DeletePublicAccessBlockCommand(owned)),
        );
        return output;
      },
    };
  },
};

/**
 * `block-bucket-public-access`: turns on the four S3 Block Public Access settings of one bucket, which
 * `s3-bucket-level-public-access-prohibited` requires ("NON_COMPLIANT if an Amazon S3 bucket is not listed in the
 * excludedPublicBuckets parameter and bucket level settings are public",
 * https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-level-public-access-prohibited.html; Security
 * Hub S3.8 fails "if any of the following settings are set to false"). One call, S3's PutPublicAccessBlock
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html), which replaces the bucket's whole
 * configuration: the configuration before it (or its absence) is recorded first, for `remediation-release`.
 *
 * Refuses, named and before any change, a bucket the rule's `excludedPublicBuckets` names (the rule allows it to be
 * public) and a bucket with the exemption tag. Every call names the incident's account as the expected owner.
 * Idempotent: a bucket with all four settings on is `already-done`.
 *
 * @example
 * await runAction(blockBucketPublicAccess, { ...envelope, bucketName: 'amzn-s3-demo-bucket' }, environment)
 * // changes: amzn-s3-demo-bucket s3:bucketPublicAccessBlock:blockPublicPolicy false → true, …
 */
export const blockBucketPublicAccess: ActionDefinition<
  BlockBucketPublicAccessInput,
  BlockBucketPublicAccessOutput
> = {
  id: 'block-bucket-public-access',
  summary:
    "Turns on the four S3 Block Public Access settings of a bucket, recording the bucket's configuration it replaces.",
  undo: "Released from the ledger by `remediation-release`: the bucket's configuration is put back exactly as it was, or deleted when it had none.",
  dryRunBehaviour:
    "Reads the bucket's tags and Block Public Access and records what it would set; no call changes anything.",
  mutating: true,
  input: BlockBucketPublicAccessInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError'],
  permissions: [
    READ_BUCKET_TAGS,
    {
      actions: ['s3:GetBucketPublicAccessBlock'],
      resources: ['arn:aws:s3:::*'],
      why: "Read the bucket's own Block Public Access before changing it, to record it for a release.",
    },
    {
      actions: ['s3:PutBucketPublicAccessBlock'],
      resources: ['arn:aws:s3:::*'],
      why: "Turn on the bucket's Block Public Access; any bucket, since any bucket may be found public.",
    },
  ],
  release: bucketPublicAccessRelease,
  async plan(input, context): Promise<ActionPlan<BlockBucketPublicAccessOutput>> {
    const { bucketName, rule } = input;
    // Named refusals come before any read or change.
    if (rule !== undefined && !(BUCKET_PUBLIC_ACCESS_RULES as readonly string[]).includes(rule.identifier)) {
      throw new ActionFailedError(
        `block-bucket-public-access does not know the Config rule ${rule.identifier} (${rule.name}): it restores the settings of ${BUCKET_PUBLIC_ACCESS_RULES.join(', ')}; nothing was changed.`,
      );
    }
    if (rule !== undefined && excludedBuckets(rule.parameters).includes(bucketName)) {
      throw new ActionFailedError(
        `${rule.name} lists ${bucketName} in excludedPublicBuckets: the rule allows it to be public, so Cordon does not block it; nothing was changed.`,
      );
    }
    await assertBucketNotExempt(context, bucketName);
    const previous = await readBucketPublicAccessBlock(context, bucketName);
    const changes = sameSettings(previous, ALL_ON)
      ? []
      : settingChanges(bucketName, ATTRIBUTE, previous, ALL_ON);
    const output: BlockBucketPublicAccessOutput = {
      bucketName,
      before: settingsText(previous),
      after: settingsText(changes.length === 0 ? previous : ALL_ON),
    };
    const restore: BucketPublicAccessRestore = { bucketName, previous, applied: ALL_ON };
    return {
      changes,
      restore,
      notes:
        changes.length === 0
          ? []
          : [
              `Public access to ${bucketName} through ACLs or bucket policies stops at once (a public website or download link included).`,
            ],
      output,
      async apply() {
        await putBucketPublicAccessBlock(context, bucketName, ALL_ON);
        return output;
      },
    };
  },
};

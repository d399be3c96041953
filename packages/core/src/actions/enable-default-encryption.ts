import {
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  PutBucketEncryptionCommand,
  type ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';
import { ActionFailedError } from '../errors.ts';
import * as z from '../zod.ts';
import { TargetRuleSchema } from './revoke-open-ingress.ts';
import { assertBucketNotExempt, BucketNameSchema, READ_BUCKET_TAGS, sendToOwnBucket } from './s3-buckets.ts';
import {
  type ActionContext,
  type ActionDefinition,
  type ActionPlan,
  type ActionRelease,
  StepEnvelopeSchema,
} from './types.ts';

/** The rule this action answers (config-rules.ts). */
export const DEFAULT_ENCRYPTION_RULES = ['S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED'] as const;

/** GetBucketEncryption on a bucket without a configuration (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html). */
const NO_CONFIGURATION = 'ServerSideEncryptionConfigurationNotFoundError';

const ATTRIBUTE = 's3:defaultEncryption';

/**
 * SSE-S3: "server-side encryption with Amazon S3 managed keys", `SSEAlgorithm: AES256`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ServerSideEncryptionByDefault.html): no key to manage, no KMS
 * quota to meet, and readers need no KMS permission — the fix changes how new objects are stored, not who can read.
 */
const SSE_S3: ServerSideEncryptionRule = { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } };

export const EnableDefaultEncryptionInput = z.extend(StepEnvelopeSchema, {
  bucketName: BucketNameSchema,
  rule: z.optional(TargetRuleSchema),
});
export type EnableDefaultEncryptionInput = z.output<typeof EnableDefaultEncryptionInput>;

export interface EnableDefaultEncryptionOutput {
  readonly bucketName: string;
  /** The default encryption before (`none`, or its algorithm). */
  readonly before: string;
  /** The default encryption after (or that a dry run would set). */
  readonly after: string;
}

/** What a release needs: that the bucket had no default encryption before the fix (the only case the fix changes). */
export const DefaultEncryptionRestoreSchema = z.object({
  bucketName: BucketNameSchema,
  previous: z.null(),
});
export type DefaultEncryptionRestore = z.output<typeof DefaultEncryptionRestoreSchema>;

/** The bucket's default-encryption rules now, or `null` when it has none. */
async function readEncryption(
  context: ActionContext,
  bucket: string,
): Promise<ServerSideEncryptionRule[] | null> {
  const answer = await sendToOwnBucket(
    context,
    'GetBucketEncryption',
    bucket,
    (owned) => context.clients.s3.send(new GetBucketEncryptionCommand(owned)),
    NO_CONFIGURATION,
  );
  return answer === undefined ? null : (answer.ServerSideEncryptionConfiguration?.Rules ?? []);
}

/** The algorithm a bucket encrypts new objects with by default, or `none`. */
function algorithmOf(rules: readonly ServerSideEncryptionRule[] | null): string {
  const algorithm = rules?.find((rule) => rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm !== undefined)
    ?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
  return algorithm ?? 'none';
}

/**
 * The release of `enable-default-encryption`: DeleteBucketEncryption on a bucket still encrypted by the SSE-S3 the
 * fix set. S3 cannot put "no default encryption" back: DeleteBucketEncryption "resets the default encryption for the
 * bucket as server-side encryption with Amazon S3 managed keys (SSE-S3)"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketEncryption.html), so after a release the bucket
 * holds the configuration S3 gives every bucket; the release says so. A bucket whose default encryption was changed
 * since (to SSE-KMS, say) is someone's later decision: refused, named, and left as it is.
 */
export const defaultEncryptionRelease: ActionRelease<DefaultEncryptionRestore> = {
  summary:
    'Deletes the default encryption the fix set (S3 then applies its own default, SSE-S3: "no default encryption" cannot be put back).',
  restore: DefaultEncryptionRestoreSchema,
  permissions: [
    {
      actions: ['s3:GetEncryptionConfiguration', 's3:PutEncryptionConfiguration'],
      resources: ['arn:aws:s3:::*'],
      why: "Read the bucket's default encryption and delete the configuration the fix set (DeleteBucketEncryption needs s3:PutEncryptionConfiguration).",
    },
  ],
  async plan(restore, context): Promise<ActionPlan<EnableDefaultEncryptionOutput>> {
    const { bucketName } = restore;
    const live = await readEncryption(context, bucketName);
    const output: EnableDefaultEncryptionOutput = { bucketName, before: algorithmOf(live), after: 'none' };
    if (live === null) return { changes: [], notes: [], output, apply: async () => output };
    if (algorithmOf(live) !== 'AES256') {
      throw new ActionFailedError(
        `Bucket ${bucketName} encrypts by default with ${algorithmOf(live)}, not the SSE-S3 the fix set: someone changed it since; it is left as it is and nothing was changed.`,
      );
    }
    return {
      changes: [{ resource: bucketName, attribute: ATTRIBUTE, before: 'AES256', after: null }],
      notes: [
        'S3 resets a deleted default encryption to SSE-S3 (DeleteBucketEncryption): the configuration the fix set is removed, and S3 applies its own default in its place.',
      ],
      output,
      async apply() {
        await sendToOwnBucket(context, 'DeleteBucketEncryption', bucketName, (owned) =>
          context.clients.s3.send(new DeleteBucketEncryptionCommand(owned)),
        );
        return output;
      },
    };
  },
};

/**
 * `enable-default-encryption`: gives a bucket without default encryption SSE-S3 (AES256), which
 * `s3-bucket-server-side-encryption-enabled` asks for ("either has Amazon S3 default encryption enabled or … the S3
 * bucket policy explicitly denies put-object requests without server side encryption",
 * https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-server-side-encryption-enabled.html). A bucket
 * with any default encryption (SSE-S3, SSE-KMS, DSSE-KMS) is left as it is: the fix never changes a key someone
 * chose. One call, PutBucketEncryption; existing objects are not re-encrypted (default encryption applies to new
 * objects only, https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html).
 *
 * Refuses, named and before any change, an exempt bucket. Idempotent: a bucket with default encryption is
 * `already-done`. Since January 2023 S3 applies SSE-S3 to every bucket, so in a current account the rule is rarely
 * NON_COMPLIANT; a bucket whose configuration was removed before then is what this fixes.
 *
 * @example
 * await runAction(enableDefaultEncryption, { ...envelope, bucketName: 'amzn-s3-demo-bucket' }, environment)
 * // changes: amzn-s3-demo-bucket s3:defaultEncryption null → AES256
 */
export const enableDefaultEncryption: ActionDefinition<
  EnableDefaultEncryptionInput,
  EnableDefaultEncryptionOutput
> = {
  id: 'enable-default-encryption',
  summary:
    'Gives a bucket without default encryption SSE-S3 (AES256); a bucket with any default encryption is left as it is.',
  undo: 'Released from the ledger by `remediation-release`: the configuration is deleted (S3 then applies its own default, SSE-S3).',
  dryRunBehaviour:
    "Reads the bucket's tags and default encryption and records what it would set; no call changes anything.",
  mutating: true,
  input: EnableDefaultEncryptionInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError'],
  permissions: [
    READ_BUCKET_TAGS,
    {
      actions: ['s3:GetEncryptionConfiguration'],
      resources: ['arn:aws:s3:::*'],
      why: "Read the bucket's default encryption (GetBucketEncryption), so that one already set is never replaced.",
    },
    {
      actions: ['s3:PutEncryptionConfiguration'],
      resources: ['arn:aws:s3:::*'],
      why: 'Set SSE-S3 as the default encryption (PutBucketEncryption) of a bucket that has none.',
    },
  ],
  release: defaultEncryptionRelease,
  async plan(input, context): Promise<ActionPlan<EnableDefaultEncryptionOutput>> {
    const { bucketName, rule } = input;
    if (rule !== undefined && !(DEFAULT_ENCRYPTION_RULES as readonly string[]).includes(rule.identifier)) {
      throw new ActionFailedError(
        `enable-default-encryption does not know the Config rule ${rule.identifier} (${rule.name}): it answers ${DEFAULT_ENCRYPTION_RULES.join(', ')}; nothing was changed.`,
      );
    }
    await assertBucketNotExempt(context, bucketName);
    const live = await readEncryption(context, bucketName);
    const already = algorithmOf(live) !== 'none';
    const output: EnableDefaultEncryptionOutput = {
      bucketName,
      before: algorithmOf(live),
      after: already ? algorithmOf(live) : 'AES256',
    };
    return {
      changes: already ? [] : [{ resource: bucketName, attribute: ATTRIBUTE, before: null, after: 'AES256' }],
      ...(already ? {} : { restore: { bucketName, previous: null } satisfies DefaultEncryptionRestore }),
      notes: already
        ? [`${bucketName} encrypts new objects by default already (${algorithmOf(live)}): left as it is.`]
        : ['New objects are encrypted with SSE-S3; existing objects are not re-encrypted.'],
      output,
      async apply() {
        await sendToOwnBucket(context, 'PutBucketEncryption', bucketName, (owned) =>
          context.clients.s3.send(
            new PutBucketEncryptionCommand({
              ...owned,
              ServerSideEncryptionConfiguration: { Rules: [SSE_S3] },
            }),
          ),
        );
        return output;
      },
    };
  },
};

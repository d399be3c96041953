/**
 * What every S3 bucket remediation reads first: the bucket's exemption tag. Every call names the incident's
 * account as `ExpectedBucketOwner`, so that a bucket of the same name owned by anyone else is refused by S3
 * ("If the account ID that you provide does not match the actual owner of the bucket, the request fails with the
 * HTTP status code 403 Forbidden", https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html).
 */
import { GetBucketTaggingCommand } from '@aws-sdk/client-s3';
import { awsErrorCode, classifyAwsError } from '../errors.ts';
import * as z from '../zod.ts';
import { assertNotExempt } from './guardrails.ts';
import type { ActionContext, Permission } from './types.ts';

/**
 * A general purpose bucket's name: 3–63 lower-case letters, digits, dots and hyphens, beginning and ending with a
 * letter or digit (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
 */
export const BucketNameSchema = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'));

/** GetBucketTagging's answer for a bucket without tags (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketTagging.html). */
const NO_TAG_SET = 'NoSuchTagSet';

/** The grant to read a bucket's tags (for the exemption tag: S3 shows bucket tags to IAM only with ABAC on). */
export const READ_BUCKET_TAGS: Permission = {
  actions: ['s3:GetBucketTagging'],
  resources: ['arn:aws:s3:::*'],
  why: "Read the bucket's tags for the exemption tag (a bucket's tags reach IAM conditions only when ABAC is enabled on it, so the action checks them itself).",
};

/** What every bucket call of the S3 remediations names: the bucket, owned by the incident's account. */
export interface OwnedBucket {
  readonly Bucket: string;
  readonly ExpectedBucketOwner: string;
}

/**
 * One S3 call on a bucket of the incident's account: `send` gets the bucket and `ExpectedBucketOwner` to spread
 * into its command, and any error is named by `classifyAwsError` after the call — except `absentCode` (the
 * "no such configuration" answer of a Get), which is `undefined`. The one shape of every bucket call of the S3
 * remediations and their releases.
 *
 * @example
 * const policy = await sendToOwnBucket(context, 'GetBucketPolicy', bucket, (owned) => s3.send(new GetBucketPolicyCommand(owned)), 'NoSuchBucketPolicy');
 */
export async function sendToOwnBucket<T>(
  context: ActionContext,
  call: string,
  bucket: string,
  send: (owned: OwnedBucket) => Promise<T>,
  absentCode?: string,
): Promise<T | undefined> {
  try {
    return await send({ Bucket: bucket, ExpectedBucketOwner: context.account });
  } catch (error) {
    if (absentCode !== undefined && awsErrorCode(error) === absentCode) return undefined;
    throw classifyAwsError(error, `S3 ${call} ${bucket}`);
  }
}

/**
 * Refuses, with `ExemptResourceError`, a bucket that carries the exemption tag: read live, before any change.
 *
 * @example await assertBucketNotExempt(context, 'amzn-s3-demo-bucket')
 */
export async function assertBucketNotExempt(context: ActionContext, bucket: string): Promise<void> {
  const answer = await sendToOwnBucket(
    context,
    'GetBucketTagging',
    bucket,
    (owned) => context.clients.s3.send(new GetBucketTaggingCommand(owned)),
    NO_TAG_SET,
  );
  assertNotExempt(answer?.TagSet ?? [], context.settings, bucket);
}

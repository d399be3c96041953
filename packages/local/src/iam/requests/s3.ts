/**
 * S3 and S3 Control calls → IAM requests (SAR: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html).
 * The action is not always the command's name; each operation's API reference names its permission:
 * - GetPublicAccessBlock / PutPublicAccessBlock / DeletePublicAccessBlock on a bucket need
 *   `s3:GetBucketPublicAccessBlock` / `s3:PutBucketPublicAccessBlock` (Delete too: "To use this operation, you must
 *   have the s3:PutBucketPublicAccessBlock permission",
 *   https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeletePublicAccessBlock.html);
 * - Get/Put/DeleteBucketEncryption need `s3:GetEncryptionConfiguration` / `s3:PutEncryptionConfiguration` (Delete
 *   too, https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketEncryption.html);
 * - Put/DeleteBucketOwnershipControls need `s3:PutBucketOwnershipControls`
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html#object-ownership-permissions);
 * - S3 Control's Get/Put/DeletePublicAccessBlock need `s3:GetAccountPublicAccessBlock` /
 *   `s3:PutAccountPublicAccessBlock`, which have no resource type: only `"Resource": "*"` grants them
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_DeletePublicAccessBlock.html).
 *
 * Bucket tags reach IAM conditions (`aws:ResourceTag/…`, `s3:BucketTag/…`) only when the bucket has
 * attribute-based access control enabled ("By default, ABAC is disabled for all Amazon S3 general purpose buckets.
 * … When ABAC is disabled for the general purpose buckets, you can only use tags for cost tracking purposes",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/buckets-tagging-enable-abac.html): the model reads the
 * bucket's ABAC status (GetBucketAbac) and its tags (GetBucketTagging). `s3:ResourceAccount` is the bucket owner's
 * account, the sandbox's.
 */
import type { RequestContext } from '../conditions.ts';
import type { ResourceRequest } from '../evaluate.ts';
import { type CallScope, type RequestBuilder, request, text, unscoped } from './scope.ts';

/** The bucket's own keys: its tags, when ABAC is enabled on it. */
async function bucketContext(scope: CallScope, bucket: string): Promise<RequestContext> {
  const context: Record<string, string> = {};
  const abac = (await scope.read('S3', 'GetBucketAbac', { Bucket: bucket })) as
    | { AbacStatus?: { Status?: string } }
    | undefined;
  if (abac?.AbacStatus?.Status !== 'Enabled') return context;
  const tagging = (await scope.read('S3', 'GetBucketTagging', { Bucket: bucket })) as
    | { TagSet?: { Key?: string; Value?: string }[] }
    | undefined;
  for (const tag of tagging?.TagSet ?? []) {
    if (tag.Key === undefined) continue;
    context[`aws:ResourceTag/${tag.Key}`] = tag.Value ?? '';
    context[`s3:BucketTag/${tag.Key}`] = tag.Value ?? '';
  }
  return context;
}

async function bucketResource(scope: CallScope, bucket: string): Promise<ResourceRequest> {
  return { arn: `arn:aws:s3:::${bucket}`, type: 'bucket', context: await bucketContext(scope, bucket) };
}

/** A bucket-level call authorized as `action` on the bucket it names. */
const onBucket =
  (
    action: string,
    requestContext?: (input: Readonly<Record<string, unknown>>) => RequestContext,
  ): RequestBuilder =>
  async (input, scope) => {
    const bucket = text(input, 'Bucket');
    if (bucket === undefined) throw new TypeError(`${action} without Bucket`);
    return [
      request(action, [await bucketResource(scope, bucket)], {
        's3:ResourceAccount': scope.account,
        ...requestContext?.(input),
      }),
    ];
  };

export const S3_REQUESTS: Readonly<Record<string, RequestBuilder>> = {
  GetBucketPolicy: onBucket('s3:GetBucketPolicy'),
  PutBucketPolicy: onBucket('s3:PutBucketPolicy'),
  DeleteBucketPolicy: onBucket('s3:DeleteBucketPolicy'),
  GetPublicAccessBlock: onBucket('s3:GetBucketPublicAccessBlock'),
  PutPublicAccessBlock: onBucket('s3:PutBucketPublicAccessBlock'),
  DeletePublicAccessBlock: onBucket('s3:PutBucketPublicAccessBlock'),
  GetBucketEncryption: onBucket('s3:GetEncryptionConfiguration'),
  PutBucketEncryption: onBucket('s3:PutEncryptionConfiguration'),
  DeleteBucketEncryption: onBucket('s3:PutEncryptionConfiguration'),
  GetBucketAcl: onBucket('s3:GetBucketAcl'),
  // A canned ACL is the request's `s3:x-amz-acl` (the SAR lists the key for PutBucketAcl).
  PutBucketAcl: onBucket('s3:PutBucketAcl', (input): RequestContext => {
    const acl = text(input, 'ACL');
    return acl === undefined ? {} : { 's3:x-amz-acl': acl };
  }),
  GetBucketOwnershipControls: onBucket('s3:GetBucketOwnershipControls'),
  PutBucketOwnershipControls: onBucket('s3:PutBucketOwnershipControls'),
  DeleteBucketOwnershipControls: onBucket('s3:PutBucketOwnershipControls'),
  GetBucketTagging: onBucket('s3:GetBucketTagging'),
  GetBucketLocation: onBucket('s3:GetBucketLocation'),
  GetBucketAbac: onBucket('s3:GetBucketAbac'),
};

/** The account's Block Public Access: no resource type, so the request is on `*`. */
export const S3_CONTROL_REQUESTS: Readonly<Record<string, RequestBuilder>> = {
  GetPublicAccessBlock: unscoped('s3:GetAccountPublicAccessBlock'),
  PutPublicAccessBlock: unscoped('s3:PutAccountPublicAccessBlock'),
  DeletePublicAccessBlock: unscoped('s3:PutAccountPublicAccessBlock'),
};

import { serviceErrors } from '../errors.ts';

/**
 * S3's error codes and HTTP statuses, from its error list
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList) and the Object Ownership
 * troubleshooting page for the ACL ones (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html).
 * The SDK v3 names S3's errors by their code (only `NoSuchBucket` is modelled, under the same name).
 */
export const s3Error = serviceErrors('S3', {
  NoSuchBucket: { status: 404 },
  NoSuchBucketPolicy: { status: 404 },
  NoSuchPublicAccessBlockConfiguration: { status: 404 },
  ServerSideEncryptionConfigurationNotFoundError: { status: 404 },
  OwnershipControlsNotFoundError: { status: 404 },
  NoSuchTagSet: { status: 404 },
  AccessDenied: { status: 403 },
  NotImplemented: { status: 501 },
});

/** The messages S3 gives with the codes the models answer. */
export const S3_MESSAGES = {
  NoSuchBucket: 'The specified bucket does not exist',
  NoSuchBucketPolicy: 'The bucket policy does not exist',
  NoSuchPublicAccessBlockConfiguration: 'The public access block configuration was not found',
  ServerSideEncryptionConfigurationNotFoundError: 'The server side encryption configuration was not found',
  OwnershipControlsNotFoundError: 'The bucket ownership controls were not found',
  NoSuchTagSet: 'The TagSet does not exist',
  AccessDenied: 'Access Denied',
  AccessControlListNotSupported: 'The bucket does not allow ACLs',
  InvalidBucketAclWithObjectOwnership:
    "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
  MalformedXML: 'The XML you provided was not well-formed or did not validate against our published schema',
} as const;

import { S3Client } from '@aws-sdk/client-s3';
import { blockBucketPublicAccess } from '@cordon/core/actions/block-bucket-public-access';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(blockBucketPublicAccess, { clients: { s3: S3Client } });

import { S3Client } from '@aws-sdk/client-s3';
import { enableDefaultEncryption } from '@cordon/core/actions/enable-default-encryption';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(enableDefaultEncryption, { clients: { s3: S3Client } });

import { S3Client } from '@aws-sdk/client-s3';
import { requireSecureTransport } from '@cordon/core/actions/require-secure-transport';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(requireSecureTransport, { clients: { s3: S3Client } });

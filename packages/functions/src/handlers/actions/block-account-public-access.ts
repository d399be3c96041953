import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { blockAccountPublicAccess } from '@cordon/core/actions/block-account-public-access';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(blockAccountPublicAccess, {
  clients: { s3Control: S3ControlClient },
});

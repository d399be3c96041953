import { IAMClient } from '@aws-sdk/client-iam';
import { deactivateAccessKey } from '@cordon/core/actions/deactivate-access-key';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(deactivateAccessKey, { clients: { iam: IAMClient } });

import { IAMClient } from '@aws-sdk/client-iam';
import { revokeSessions } from '@cordon/core/actions/revoke-sessions';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(revokeSessions, { clients: { iam: IAMClient } });

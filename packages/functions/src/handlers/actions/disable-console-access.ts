import { IAMClient } from '@aws-sdk/client-iam';
import { disableConsoleAccess } from '@cordon/core/actions/disable-console-access';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(disableConsoleAccess, { clients: { iam: IAMClient } });

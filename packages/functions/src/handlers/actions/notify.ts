import { SNSClient } from '@aws-sdk/client-sns';
import { notify } from '@cordon/core/actions/notify';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(notify, { clients: { sns: SNSClient } });

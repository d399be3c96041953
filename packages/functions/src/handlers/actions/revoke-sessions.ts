import { revokeSessions } from '@cordon/core/actions/revoke-sessions';
import { createActionHandler } from '../../shared/action-handler.ts';

export const handler = createActionHandler(revokeSessions);

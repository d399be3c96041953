import { deactivateAccessKey } from '@cordon/core/actions/deactivate-access-key';
import { createActionHandler } from '../../shared/action-handler.ts';

export const handler = createActionHandler(deactivateAccessKey);

import { disableConsoleAccess } from '@cordon/core/actions/disable-console-access';
import { createActionHandler } from '../../shared/action-handler.ts';

export const handler = createActionHandler(disableConsoleAccess);

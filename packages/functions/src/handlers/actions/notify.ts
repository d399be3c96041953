import { notify } from '@cordon/core/actions/notify';
import { createActionHandler } from '../../shared/action-handler.ts';

export const handler = createActionHandler(notify);

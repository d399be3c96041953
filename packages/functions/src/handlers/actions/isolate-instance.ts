import { isolateInstance } from '@cordon/core/actions/isolate-instance';
import { createActionHandler } from '../../shared/action-handler.ts';

export const handler = createActionHandler(isolateInstance);

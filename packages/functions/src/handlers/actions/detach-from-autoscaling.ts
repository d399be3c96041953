import { detachFromAutoScaling } from '@cordon/core/actions/detach-from-autoscaling';
import { createActionHandler } from '../../shared/action-handler.ts';

export const handler = createActionHandler(detachFromAutoScaling);

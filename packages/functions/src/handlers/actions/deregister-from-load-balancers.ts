import { deregisterFromLoadBalancers } from '@cordon/core/actions/deregister-from-load-balancers';
import { createActionHandler } from '../../shared/action-handler.ts';

export const handler = createActionHandler(deregisterFromLoadBalancers);

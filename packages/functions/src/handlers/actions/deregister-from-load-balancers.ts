import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { deregisterFromLoadBalancers } from '@cordon/core/actions/deregister-from-load-balancers';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(deregisterFromLoadBalancers, {
  clients: { ec2: EC2Client, elb: ElasticLoadBalancingClient, elbv2: ElasticLoadBalancingV2Client },
});

import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { releaseInstance } from '@cordon/core/actions/release-instance';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(releaseInstance, {
  clients: {
    autoScaling: AutoScalingClient,
    ec2: EC2Client,
    elb: ElasticLoadBalancingClient,
    elbv2: ElasticLoadBalancingV2Client,
    iam: IAMClient,
  },
});

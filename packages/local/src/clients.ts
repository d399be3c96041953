import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import type { AwsClients } from '@cordon/core/actions/types';
import type { Sandbox } from './sandbox/index.ts';

/**
 * The real SDK clients an action uses, answered by the sandbox account. Credentials are never looked up:
 * the sandbox answers before signing; a fixed pair keeps the SDK from searching the machine for any.
 */
export function sandboxAwsClients(sandbox: Sandbox): AwsClients {
  const config = {
    region: sandbox.account.region,
    credentials: { accessKeyId: 'AKIASANDBOX000000000', secretAccessKey: 'sandbox' },
  };
  return {
    ec2: sandbox.account.attach(new EC2Client(config)),
    iam: sandbox.account.attach(new IAMClient(config)),
    autoScaling: sandbox.account.attach(new AutoScalingClient(config)),
    elbv2: sandbox.account.attach(new ElasticLoadBalancingV2Client(config)),
    elb: sandbox.account.attach(new ElasticLoadBalancingClient(config)),
    sns: sandbox.account.attach(new SNSClient(config)),
  };
}

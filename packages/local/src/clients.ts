import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { observeInstance } from '@cordon/core/actions/observe-instance';
import type { AwsClients } from '@cordon/core/actions/types';
import { DynamoDbLedger } from '@cordon/core/ledger/dynamodb-ledger';
import type { ObserveInstance } from '@cordon/core/triage/triage';
import type { Sandbox } from './sandbox/index.ts';
import type { SdkClientLike } from './sandbox/sandbox-account.ts';
import { SANDBOX_RESOURCES } from './seed.ts';

/**
 * Credentials are never looked up for a sandbox client (the sandbox answers before signing); a fixed pair
 * keeps the SDK from searching the machine for any.
 */
const SANDBOX_CREDENTIALS = { accessKeyId: 'AKIASANDBOX000000000', secretAccessKey: 'sandbox' };

type ClientConfig = { region: string; credentials: typeof SANDBOX_CREDENTIALS };

/**
 * A real SDK client of the sandbox's region, answered by the sandbox account.
 *
 * @example const dynamodb = sandboxClient(sandbox, DynamoDBClient);
 */
export function sandboxClient<C extends SdkClientLike>(
  sandbox: Sandbox,
  Client: new (config: ClientConfig) => C,
): C {
  return sandbox.account.attach(
    new Client({ region: sandbox.account.region, credentials: SANDBOX_CREDENTIALS }),
  );
}

/** The real SDK clients an action uses, answered by the sandbox account. */
export function sandboxAwsClients(sandbox: Sandbox): AwsClients {
  return {
    ec2: sandboxClient(sandbox, EC2Client),
    iam: sandboxClient(sandbox, IAMClient),
    autoScaling: sandboxClient(sandbox, AutoScalingClient),
    elbv2: sandboxClient(sandbox, ElasticLoadBalancingV2Client),
    elb: sandboxClient(sandbox, ElasticLoadBalancingClient),
    sns: sandboxClient(sandbox, SNSClient),
  };
}

/** The incident ledger in the sandbox's ledger table, as the deployed functions keep it in DynamoDB. */
export function sandboxLedger(sandbox: Sandbox, retentionDays: number): DynamoDbLedger {
  return new DynamoDbLedger({
    client: sandboxClient(sandbox, DynamoDBClient),
    tableName: SANDBOX_RESOURCES.ledgerTable,
    retentionDays,
  });
}

/**
 * Triage's reads of an instance before containment, on the sandbox account (in AWS: the observer role of the
 * incident's account).
 */
export function sandboxObserver(sandbox: Sandbox): ObserveInstance {
  const clients = {
    ec2: sandboxClient(sandbox, EC2Client),
    autoScaling: sandboxClient(sandbox, AutoScalingClient),
  };
  return ({ instanceId }) => observeInstance(clients, instanceId, new Date());
}

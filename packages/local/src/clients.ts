import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SNSClient } from '@aws-sdk/client-sns';
import { observeInstance } from '@cordon/core/actions/observe-instance';
import type { AwsClients } from '@cordon/core/actions/types';
import { DynamoDbLedger } from '@cordon/core/ledger/dynamodb-ledger';
import type { ObserveInstance } from '@cordon/core/triage/triage';
import type { AccountClientsOptions, ClientConstructors } from '@cordon/functions/shared/account-clients';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Sandbox } from './sandbox/index.ts';
import type { AttachOptions, SdkClientLike } from './sandbox/sandbox-account.ts';
import type { Principal } from './sandbox/types.ts';
import { SANDBOX_RESOURCES } from './seed.ts';

/**
 * Credentials are never looked up for a sandbox client (the sandbox answers before signing); a fixed pair
 * keeps the SDK from searching the machine for any.
 */
const SANDBOX_CREDENTIALS: AwsCredentialIdentity = {
  accessKeyId: 'AKIASANDBOX000000000',
  secretAccessKey: 'sandbox',
};

type ClientConfig = { region: string; credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider };

/**
 * A real SDK client of the sandbox's region (or `options.region`), answered by the sandbox account, its calls
 * made as `options.principal` when one is given.
 *
 * @example const dynamodb = sandboxClient(sandbox, DynamoDBClient, { principal: functionPrincipal('111111111111', 'local', 'triage') });
 */
export function sandboxClient<C extends SdkClientLike>(
  sandbox: Sandbox,
  Client: new (config: ClientConfig) => C,
  options: AttachOptions = {},
): C {
  const region = options.region ?? sandbox.account.region;
  return sandbox.account.attach(new Client({ region, credentials: SANDBOX_CREDENTIALS }), {
    ...options,
    region,
  });
}

/** The role a Cordon function runs as: `arn:aws:iam::<home>:role/cordon-<stage>-<function id>` (infra/lambda.ts). */
export function functionPrincipal(homeAccount: string, stage: string, functionId: string): Principal {
  return { arn: `arn:aws:iam::${homeAccount}:role/cordon-${stage}-${functionId}`, account: homeAccount };
}

/** The account an IAM ARN belongs to (`arn:aws:iam::<account>:role/…`). */
function accountOfArn(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/**
 * Which role a credentials provider stands for. Functions reach a member account with
 * `fromTemporaryCredentials` (AssumeRole); in the sandbox the provider made by {@link sandboxAssumeRole} is
 * remembered with the role it would assume, so that a client made with it calls as that role.
 */
const ASSUMED_ROLES = new WeakMap<object, string>();

/**
 * The `assumeRole` hook of `createAccountClients` for the sandbox: credentials that stand for the role the
 * deployed code chose (the responder role, the observer role). The sandbox answers before signing, so the
 * credentials are never resolved and no STS call is made; the client's calls are recorded as that role.
 */
export const sandboxAssumeRole: NonNullable<AccountClientsOptions['assumeRole']> = (roleArn) => {
  const provider: AwsCredentialIdentityProvider = async () => SANDBOX_CREDENTIALS;
  ASSUMED_ROLES.set(provider, roleArn);
  return provider;
};

/**
 * The SDK client classes a function's code constructs (`createAccountClients` takes them), as classes whose
 * instances are answered by the sandbox: a client made with credentials from {@link sandboxAssumeRole} calls
 * as the assumed role, any other as `home` (the function's own role). Each keeps the region it was made for.
 *
 * @example
 * const clientsFor = accountClientsByHome({ region, constructors: sandboxConstructors(sandbox, home), assumeRole: sandboxAssumeRole });
 */
export function sandboxConstructors(sandbox: Sandbox, home: Principal): ClientConstructors {
  const bound = <C extends SdkClientLike>(Client: new (config: ClientConfig) => C) =>
    function SandboxBound(config: ClientConfig): C {
      const assumed =
        typeof config.credentials === 'function' ? ASSUMED_ROLES.get(config.credentials) : undefined;
      const principal = assumed === undefined ? home : { arn: assumed, account: accountOfArn(assumed) };
      return sandboxClient(sandbox, Client, { principal, region: config.region });
    } as unknown as new (
      config: ClientConfig,
    ) => C; // called with `new`: a function returning an object stands in for a class
  return {
    ec2: bound(EC2Client),
    iam: bound(IAMClient),
    autoScaling: bound(AutoScalingClient),
    elbv2: bound(ElasticLoadBalancingV2Client),
    elb: bound(ElasticLoadBalancingClient),
    sns: bound(SNSClient),
    s3: bound(S3Client),
    s3Control: bound(S3ControlClient),
    config: bound(ConfigServiceClient),
    cloudTrail: bound(CloudTrailClient),
    kms: bound(KMSClient),
    rds: bound(RDSClient),
  };
}

/**
 * The real SDK clients an action uses, answered by the sandbox account, with no principal. For tests of one
 * action on its own; the local deployment makes its clients with the principal of each call.
 */
export function sandboxAwsClients(sandbox: Sandbox): AwsClients {
  return {
    ec2: sandboxClient(sandbox, EC2Client),
    iam: sandboxClient(sandbox, IAMClient),
    autoScaling: sandboxClient(sandbox, AutoScalingClient),
    elbv2: sandboxClient(sandbox, ElasticLoadBalancingV2Client),
    elb: sandboxClient(sandbox, ElasticLoadBalancingClient),
    sns: sandboxClient(sandbox, SNSClient),
    s3: sandboxClient(sandbox, S3Client),
    s3Control: sandboxClient(sandbox, S3ControlClient),
    cloudTrail: sandboxClient(sandbox, CloudTrailClient),
    kms: sandboxClient(sandbox, KMSClient),
    rds: sandboxClient(sandbox, RDSClient),
  };
}

/** The incident ledger in the sandbox's ledger table (stage `local`), as the deployed functions keep it in DynamoDB. */
export function sandboxLedger(sandbox: Sandbox, retentionDays: number): DynamoDbLedger {
  return new DynamoDbLedger({
    client: sandboxClient(sandbox, DynamoDBClient),
    tableName: SANDBOX_RESOURCES.ledgerTable,
    retentionDays,
  });
}

/**
 * Triage's reads of an instance before containment, on the sandbox account with no principal (benchmarks);
 * the local deployment reads through the deployed triage's observer instead.
 */
export function sandboxObserver(sandbox: Sandbox): ObserveInstance {
  const clients = {
    ec2: sandboxClient(sandbox, EC2Client),
    autoScaling: sandboxClient(sandbox, AutoScalingClient),
  };
  return ({ instanceId }) => observeInstance(clients, instanceId, new Date());
}

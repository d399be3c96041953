/**
 * A local deployment (running, or saved and opened again: saved-stage.ts) as a stage: the same SDK v3 clients
 * `awsStage` makes, attached to the deployment's sandbox account with the operator's principal, so that the
 * operator commands run their real calls against it (and the sandbox's IAM evaluation, when one is installed,
 * answers them as IAM would).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { sandboxClient } from '@cordon/local/clients';
import type { Sandbox } from '@cordon/local/sandbox/index';
import type { Principal } from '@cordon/local/sandbox/types';
import type { StageTarget } from './stage.ts';

/** A deployment over a sandbox account: a running `LocalDeployment`, or one saved and opened again. */
export interface SandboxDeployment {
  readonly sandbox: Sandbox;
  readonly stage: string;
  readonly region: string;
}

/**
 * The deployment's stage, reached as `principal` (an operator's user or role in the deployment's home account).
 *
 * @example const target = sandboxStage(deployment, { arn: 'arn:aws:iam::111122223333:user/jane', account: '111122223333' });
 */
export function sandboxStage(deployment: SandboxDeployment, principal: Principal): StageTarget {
  const { sandbox, region } = deployment;
  const options = { principal, region };
  return {
    stage: deployment.stage,
    region,
    ssm: sandboxClient(sandbox, SSMClient, options),
    dynamodb: sandboxClient(sandbox, DynamoDBClient, options),
    sfn: sandboxClient(sandbox, SFNClient, options),
    sts: sandboxClient(sandbox, STSClient, options),
    where: 'the sandbox',
  };
}

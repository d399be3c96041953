/**
 * Where an operator command acts: a stage is a set of SDK v3 clients and Cordon's names for the stage's
 * resources. `--stage S` makes the clients with the SDK's default credential chain and region (AWS_PROFILE,
 * AWS_REGION, the shared config files, SSO, a container or instance role); a local deployment gives clients
 * answered by its sandbox account (`sandbox-stage.ts`). The commands do not know which: the same code sends the
 * same calls to either.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { detectionsPath } from '@cordon/core/detections/thresholds';
import type { PlaybookId } from '@cordon/core/playbooks/ids';
import { settingsPath } from '@cordon/core/policy/settings';
import { awsCallError, type CallDescription } from './aws-errors.ts';

/** The clients a command may use, and the stage and region they reach. */
export interface StageTarget {
  readonly stage: string;
  readonly region: string;
  readonly ssm: SSMClient;
  readonly dynamodb: DynamoDBClient;
  readonly sfn: SFNClient;
  readonly sts: STSClient;
  /** Said in messages: `AWS` or `the sandbox`. */
  readonly where: string;
}

/** Cordon's names for a stage's resources (infra: `cordon-<stage>-…`, `/cordon/<stage>/…`). */
export interface StageNames {
  readonly settingsPath: string;
  readonly detectionsPath: string;
  readonly ledgerTable: string;
  readonly approvalsTable: string;
  stateMachineArn(account: string, playbook: PlaybookId): string;
  executionArn(account: string, playbook: PlaybookId, executionName: string): string;
}

/**
 * The names infra gives a stage's resources (infra/config.ts `prefix`, infra/storage.ts, infra/playbooks.ts).
 *
 * @throws SettingsStageInvalidError when the stage is not letters, digits, `-` and `_`.
 * @example stageNames('prod', 'eu-west-1').ledgerTable // 'cordon-prod-ledger'
 */
export function stageNames(stage: string, region: string): StageNames {
  const prefix = `cordon-${stage}`;
  const stateMachineArn = (account: string, playbook: PlaybookId) =>
    `arn:aws:states:${region}:${account}:stateMachine:${prefix}-${playbook}`;
  return {
    settingsPath: settingsPath(stage),
    detectionsPath: detectionsPath(stage),
    ledgerTable: `${prefix}-ledger`,
    approvalsTable: `${prefix}-approvals`,
    stateMachineArn,
    executionArn: (account, playbook, executionName) =>
      `${stateMachineArn(account, playbook).replace(':stateMachine:', ':execution:')}:${executionName}`,
  };
}

interface Sendable<Input, Output> {
  send(command: { readonly input: Input }): Promise<Output>;
}

/**
 * Sends one command and names its failure (`awsCallError`): missing credentials or region, access denied with
 * the IAM action, a missing stage.
 *
 * @example const page = await send(target.ssm, new GetParametersByPathCommand({ Path }), { action: 'ssm:GetParametersByPath', resource: Path })
 */
export async function send<Input, Output>(
  client: { send(command: never): Promise<unknown> },
  command: { readonly input: Input },
  call: CallDescription,
): Promise<Output> {
  try {
    // Each client's `send` is overloaded per command; the command given is one of its own.
    return await (client as unknown as Sendable<Input, Output>).send(command);
  } catch (error) {
    throw awsCallError(error, call);
  }
}

export interface Caller {
  readonly account: string;
  /** The caller's ARN (an assumed-role session for SSO and roles). */
  readonly arn: string;
}

/**
 * Who is calling, and in which account: STS GetCallerIdentity, which needs no permission
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html). Cordon's resources are in
 * the caller's account (the stage's home account), which names its state machines.
 */
export async function whoIsCalling(target: StageTarget): Promise<Caller> {
  const answer = await send<unknown, { Account?: string; Arn?: string }>(
    target.sts,
    new GetCallerIdentityCommand({}),
    { action: 'sts:GetCallerIdentity', resource: 'the caller' },
  );
  return { account: answer.Account ?? '', arn: answer.Arn ?? '' };
}

export interface AwsStageOptions {
  readonly stage: string;
  /** `--region`; otherwise the SDK's default region chain. */
  readonly region?: string;
}

/**
 * A stage in AWS, reached with the SDK's default credential chain. The region is resolved first (the
 * SDK's chain: `AWS_REGION`, the profile's `region`, the instance's), so that a missing one is named before any
 * call: https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html.
 *
 * @throws RegionMissingError when no region can be found.
 * @example const target = await awsStage({ stage: 'prod' });
 */
export async function awsStage(options: AwsStageOptions): Promise<StageTarget> {
  const probe = new SSMClient(options.region === undefined ? {} : { region: options.region });
  let region: string;
  try {
    region = await probe.config.region();
  } catch (error) {
    throw awsCallError(error, { action: 'resolving the region', resource: 'the SDK configuration' });
  } finally {
    probe.destroy();
  }
  return {
    stage: options.stage,
    region,
    ssm: new SSMClient({ region }),
    dynamodb: new DynamoDBClient({ region }),
    sfn: new SFNClient({ region }),
    sts: new STSClient({ region }),
    where: 'AWS',
  };
}

/**
 * A local deployment's state as a file: what `cordon scenario --save` writes (`deploymentState`), read back
 * and checked (`readDeploymentStateFile`), and the stores the operator commands read and write — the stage's SSM
 * parameters, its DynamoDB tables and its Step Functions executions — put back into a sandbox account
 * (`openSavedSandbox`), so that `cordon … --sandbox <state.json>` sends its real SDK calls to them.
 */
import { readFile } from 'node:fs/promises';
import { SettingsStageInvalidError } from '@cordon/core/errors';
import { PLAYBOOK_IDS } from '@cordon/core/playbooks/ids';
import { settingsPath } from '@cordon/core/policy/settings';
import type { LocalDeployment } from './deployment.ts';
import type { PendingApproval } from './deployment-approvals.ts';
import { StepFunctionsModel, type StepFunctionsState } from './deployment-step-functions.ts';
import type { ExecutionReport } from './engine.ts';
import { CordonLocalError } from './errors.ts';
import { createSandbox, type Sandbox } from './sandbox/index.ts';
import type { DynamoDbState } from './sandbox/models/dynamodb.ts';
import type { SsmState } from './sandbox/models/ssm.ts';

/** The version of the saved state's layout: a reader refuses a layout it does not know. */
export const DEPLOYMENT_STATE_VERSION = 1;

/**
 * A local deployment's state as JSON (`cordon scenario --save`): everything a later run needs to go on from
 * here — the sandbox's models (the account's resources; the ledger, claims, leases, blast-radius counts and
 * approvals in DynamoDB; the settings and secrets in SSM; the executions in Step Functions), the engine's
 * timelines of each execution, the approvals waiting for a person, and the clock.
 */
export interface DeploymentState {
  readonly version: typeof DEPLOYMENT_STATE_VERSION;
  readonly stage: string;
  readonly homeAccount: string;
  readonly region: string;
  /** The deployment's clock when the state was taken. */
  readonly clock: string;
  /** Every model's state, by service (`SandboxAccount.snapshot`). */
  readonly sandbox: Record<string, unknown>;
  readonly executions: readonly ExecutionReport[];
  readonly pendingApprovals: readonly PendingApproval[];
}

/** The state file is not there (or cannot be read): nothing was done. */
export class DeploymentStateNotFoundError extends CordonLocalError {
  public override readonly name = 'DeploymentStateNotFoundError';
}

/** The state file is not a saved deployment (not JSON, a field missing or of the wrong shape): nothing was done. */
export class DeploymentStateInvalidError extends CordonLocalError {
  public override readonly name = 'DeploymentStateInvalidError';
}

/** The state file was saved in a layout this version does not read: nothing was done. */
export class DeploymentStateVersionError extends CordonLocalError {
  public override readonly name = 'DeploymentStateVersionError';
}

/** What a saved sandbox cannot do (start an execution: its engine is not restored): the command stops. */
export class SavedSandboxUnsupportedError extends CordonLocalError {
  public override readonly name = 'SavedSandboxUnsupportedError';
}

/**
 * The deployment's state, as plain JSON (deep copies: later changes do not reach it).
 *
 * @example await writeFile('state.json', JSON.stringify(deploymentState(deployment)));
 */
export function deploymentState(deployment: LocalDeployment): DeploymentState {
  return {
    version: DEPLOYMENT_STATE_VERSION,
    stage: deployment.stage,
    homeAccount: deployment.homeAccount,
    region: deployment.region,
    clock: deployment.now().toISOString(),
    sandbox: deployment.sandbox.account.snapshot(),
    executions: structuredClone([...deployment.executions.values()]),
    pendingApprovals: deployment.pendingApprovals(),
  };
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The services whose state the operator commands reach (SSM, DynamoDB, Step Functions); the rest of a saved
 * sandbox is kept as read and written back unchanged.
 */
export const SAVED_SANDBOX_SERVICES = ['SSM', 'DynamoDB', 'SFN'] as const;

/** Every problem of a parsed state file's shape (empty when it is a saved deployment of this version). */
function shapeProblems(value: Json): string[] {
  const problems: string[] = [];
  const text = (key: string) => {
    if (typeof value[key] !== 'string' || value[key] === '')
      problems.push(`${key} must be a non-empty string`);
  };
  text('stage');
  text('region');
  if (typeof value.stage === 'string') {
    try {
      settingsPath(value.stage);
    } catch (error) {
      if (!(error instanceof SettingsStageInvalidError)) throw error;
      problems.push(`stage: ${error.message}`);
    }
  }
  if (typeof value.homeAccount !== 'string' || !/^\d{12}$/.test(value.homeAccount))
    problems.push('homeAccount must be a 12-digit account id');
  if (typeof value.clock !== 'string' || Number.isNaN(Date.parse(value.clock)))
    problems.push('clock must be an ISO-8601 time');
  if (!Array.isArray(value.executions)) problems.push('executions must be a list');
  if (!Array.isArray(value.pendingApprovals)) problems.push('pendingApprovals must be a list');
  const sandbox = value.sandbox;
  if (!isObject(sandbox)) {
    problems.push('sandbox must be an object of service states');
    return problems;
  }
  if (!isObject(sandbox.SSM) || !isObject(sandbox.SSM.parameters))
    problems.push('sandbox.SSM.parameters must be an object');
  else {
    for (const [name, parameter] of Object.entries(sandbox.SSM.parameters)) {
      if (
        !isObject(parameter) ||
        typeof parameter.value !== 'string' ||
        typeof parameter.type !== 'string' ||
        !Number.isInteger(parameter.version) ||
        Number.isNaN(Date.parse(String(parameter.lastModifiedDate)))
      ) {
        problems.push(
          `sandbox.SSM.parameters["${name}"] is not a parameter (value, type, version, lastModifiedDate)`,
        );
      }
    }
  }
  if (!isObject(sandbox.DynamoDB) || !isObject(sandbox.DynamoDB.tables))
    problems.push('sandbox.DynamoDB.tables must be an object');
  else {
    for (const [name, table] of Object.entries(sandbox.DynamoDB.tables)) {
      if (!isObject(table) || !isObject(table.partitionKey) || !Array.isArray(table.items))
        problems.push(`sandbox.DynamoDB.tables["${name}"] is not a table (partitionKey, items)`);
    }
  }
  if (!isObject(sandbox.SFN) || !isObject(sandbox.SFN.executions))
    problems.push('sandbox.SFN.executions must be an object');
  return problems;
}

/**
 * Reads and checks a state file written by `cordon scenario --save`.
 *
 * @throws DeploymentStateNotFoundError when the file cannot be read; DeploymentStateInvalidError when it is not
 *   JSON or not a saved deployment (every problem named); DeploymentStateVersionError when it was saved in
 *   another layout.
 * @example const state = await readDeploymentStateFile('state.json');
 */
export async function readDeploymentStateFile(file: string): Promise<DeploymentState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new DeploymentStateNotFoundError(
      `Cannot read the saved deployment ${file} (${code}): write one with cordon scenario <file> --save ${file}.`,
      { cause: error },
    );
  }
  return parseDeploymentState(text, file);
}

/**
 * A state file's text as a saved deployment (see {@link readDeploymentStateFile}).
 *
 * @example parseDeploymentState(await readFile('state.json', 'utf8'), 'state.json').stage // 'local'
 */
export function parseDeploymentState(text: string, file: string): DeploymentState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DeploymentStateInvalidError(
      `${file} is not a saved deployment: it is not valid JSON (${(error as Error).message}).`,
      { cause: error },
    );
  }
  if (!isObject(value)) {
    throw new DeploymentStateInvalidError(`${file} is not a saved deployment: it holds no JSON object.`);
  }
  if (value.version !== DEPLOYMENT_STATE_VERSION) {
    throw new DeploymentStateVersionError(
      `${file} was saved in layout version ${JSON.stringify(value.version)}; this cordon reads version ${DEPLOYMENT_STATE_VERSION}. Run the scenario again with --save.`,
    );
  }
  const problems = shapeProblems(value);
  if (problems.length > 0) {
    throw new DeploymentStateInvalidError(`${file} is not a saved deployment: ${problems.join('; ')}.`);
  }
  return value as unknown as DeploymentState;
}

/** A saved deployment's stores back in a sandbox account, and the state as they stand now. */
export interface SavedSandbox {
  readonly sandbox: Sandbox;
  readonly stage: string;
  readonly homeAccount: string;
  readonly region: string;
  /** The saved deployment's clock, stopped where the state was taken: the commands' "now". */
  now(): Date;
  /** Whether a call changed the stores since they were put back (a write to SSM, DynamoDB, Step Functions). */
  changed(): boolean;
  /** The state with the stores as they stand now; every other part as it was read. */
  current(): DeploymentState;
}

function storesOf(sandbox: Sandbox, stepFunctions: StepFunctionsModel): Json {
  return {
    SSM: sandbox.ssm.snapshot(),
    DynamoDB: sandbox.dynamodb.snapshot(),
    SFN: stepFunctions.snapshot(),
  };
}

/**
 * Puts a saved deployment's stores back into a new sandbox account in its home account and region, its clock
 * stopped at the saved time: the SSM parameters (values, versions, tags), the DynamoDB tables with their indexes
 * and items (the ledger, the approvals), and the Step Functions executions (DescribeExecution answers as it did).
 * StartExecution is refused by name: the engine's running executions are not restored.
 *
 * @example const saved = openSavedSandbox(await readDeploymentStateFile('state.json'));
 */
export function openSavedSandbox(state: DeploymentState): SavedSandbox {
  const clock = new Date(state.clock);
  const now = () => new Date(clock);
  const sandbox = createSandbox({ accountId: state.homeAccount, region: state.region, now });
  sandbox.ssm.restore(state.sandbox.SSM as SsmState);
  for (const [tableName, table] of Object.entries((state.sandbox.DynamoDB as DynamoDbState).tables)) {
    sandbox.dynamodb.createTable({
      tableName,
      partitionKey: table.partitionKey,
      ...(table.sortKey === undefined ? {} : { sortKey: table.sortKey }),
      ...(table.globalSecondaryIndexes === undefined
        ? {}
        : { globalSecondaryIndexes: table.globalSecondaryIndexes }),
    });
    for (const item of table.items) sandbox.dynamodb.putItem(tableName, item);
  }
  const stepFunctions = new StepFunctionsModel(sandbox.account.context, {
    stateMachineArns: PLAYBOOK_IDS.map(
      (playbook) =>
        `arn:aws:states:${state.region}:${state.homeAccount}:stateMachine:cordon-${state.stage}-${playbook}`,
    ),
    onStart: (execution) => {
      throw new SavedSandboxUnsupportedError(
        `Cannot start ${execution.name} on a saved deployment: its playbooks' engine is not restored (run it in a scenario step).`,
      );
    },
  });
  stepFunctions.restore(state.sandbox.SFN as StepFunctionsState);
  sandbox.account.register(stepFunctions);
  const restored = JSON.stringify(storesOf(sandbox, stepFunctions));
  return {
    sandbox,
    stage: state.stage,
    homeAccount: state.homeAccount,
    region: state.region,
    now,
    changed: () => JSON.stringify(storesOf(sandbox, stepFunctions)) !== restored,
    current: () => ({
      ...state,
      sandbox: { ...state.sandbox, ...storesOf(sandbox, stepFunctions) },
    }),
  };
}

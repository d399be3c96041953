/**
 * A local deployment's state as a file: what `cordon scenario --save` writes (`deploymentState`), read back
 * and checked (`readDeploymentStateFile`), and run again (`openSavedSandbox`): the whole sandbox account put
 * back (every model's `restore`, the id counter) under a local deployment made as a scenario makes it, so that
 * `cordon … --sandbox <state.json>` sends its real SDK calls to it and a StartExecution runs the playbook in
 * the deployment's engine, as on the deployed stage.
 */
import { readFile } from 'node:fs/promises';
import { SettingsStageInvalidError } from '@cordon/core/errors';
import { settingsPath } from '@cordon/core/policy/settings';
import { LocalDeployment } from './deployment.ts';
import type { PendingApproval } from './deployment-approvals.ts';
import { DeploymentClock } from './deployment-clock.ts';
import type { StepFunctionsModel, StepFunctionsState } from './deployment-step-functions.ts';
import type { ExecutionReport } from './engine.ts';
import { CordonLocalError } from './errors.ts';
import { createSandbox, restoreSandbox, type Sandbox } from './sandbox/index.ts';
import type { Authorizer, CommandHandler, ServiceModel } from './sandbox/types.ts';

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
  /**
   * How many ids the sandbox had handed out (`SandboxAccount.idsIssued`): a saved deployment opened again goes
   * on from there, so a new id never repeats a saved one. Absent in states saved before it was kept.
   */
  readonly idsIssued?: number;
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

/** What a saved deployment cannot do: the command stops, and the file is not written. */
export class SavedSandboxUnsupportedError extends CordonLocalError {
  public override readonly name: string = 'SavedSandboxUnsupportedError';
}

/**
 * A SendTaskSuccess / SendTaskFailure for an execution that was saved while it waited for it (an approval):
 * its engine's position is not serialisable, so nothing can continue it from the file. Nothing is changed.
 */
export class SavedExecutionNotResumableError extends SavedSandboxUnsupportedError {
  public override readonly name = 'SavedExecutionNotResumableError';
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
    idsIssued: deployment.sandbox.account.idsIssued(),
    sandbox: deployment.sandbox.account.snapshot(),
    executions: structuredClone([...deployment.executions.values()]),
    pendingApprovals: deployment.pendingApprovals(),
  };
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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
  if (
    value.idsIssued !== undefined &&
    (!Number.isSafeInteger(value.idsIssued) || (value.idsIssued as number) < 0)
  )
    problems.push('idsIssued must be a non-negative integer');
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

/** A saved deployment running again in this process, and the state as it stands now. */
export interface SavedSandbox {
  readonly sandbox: Sandbox;
  /** The deployment over the restored sandbox: its engine runs what StartExecution starts. */
  readonly deployment: LocalDeployment;
  readonly stage: string;
  readonly homeAccount: string;
  readonly region: string;
  /** The saved deployment's clock, stopped where the state was taken: the commands' "now". */
  now(): Date;
  /**
   * Waits until every execution started since the state was opened has ended or waits for a person (an
   * approval), as StartExecution's caller would find it a moment later in AWS.
   */
  settle(): Promise<void>;
  /** Whether a call changed the deployment since it was put back (any model, an execution started). */
  changed(): boolean;
  /** The state as it stands now, in the layout `deploymentState` writes. */
  current(): DeploymentState;
}

/**
 * The ids a sandbox had handed out when a state without `idsIssued` was saved (written before the counter was
 * saved): the highest counter any `nextId` id in it shows (`<prefix>-<zero-padded hex>`), so that new ids
 * never collide with saved ones.
 */
function idsIn(sandbox: Record<string, unknown>): number {
  let highest = 0;
  for (const match of JSON.stringify(sandbox).matchAll(/-(0{3,}[0-9a-f]+)(?![0-9a-f])/g)) {
    const value = Number.parseInt(match[1] ?? '0', 16);
    if (Number.isSafeInteger(value) && value > highest) highest = value;
  }
  return highest;
}

/** The approvals saved as pending: their tokens belong to executions whose engine position was not saved. */
function savedPendingTokens(sandbox: Sandbox, approvalsTable: string): Set<string> {
  const tokens = new Set<string>();
  if (sandbox.dynamodb.snapshot().tables[approvalsTable] === undefined) return tokens;
  for (const item of sandbox.dynamodb.items(approvalsTable)) {
    const token = item.taskToken?.S;
    if (token !== undefined && item.status?.S === 'pending') tokens.add(token);
  }
  return tokens;
}

/**
 * The deployment's Step Functions as the saved deployment answers them: as the live model does, except that a
 * SendTaskSuccess / SendTaskFailure for a task an execution saved while waiting was given is refused by name
 * (its engine's position is not in the file: nothing could continue it), changing nothing.
 */
class SavedStepFunctions implements ServiceModel {
  public readonly service = 'SFN';
  public readonly commands: Readonly<Record<string, CommandHandler>>;

  public constructor(
    private readonly live: StepFunctionsModel,
    savedTokens: ReadonlySet<string>,
    file: string,
  ) {
    const refuseSaved =
      (command: 'SendTaskSuccess' | 'SendTaskFailure'): CommandHandler =>
      (input, context) => {
        if (savedTokens.has(String(input.taskToken ?? ''))) {
          throw new SavedExecutionNotResumableError(
            `Cannot ${command} on ${file}: the execution waiting for this task was saved while it waited, and a saved deployment cannot go on with it (its engine's position is not saved). Run the scenario again with its decide step, or start a new execution.`,
          );
        }
        const handler = live.commands[command];
        if (handler === undefined) throw new Error(`Step Functions model without ${command}`);
        return handler(input, context);
      };
    this.commands = {
      ...live.commands,
      SendTaskSuccess: refuseSaved('SendTaskSuccess'),
      SendTaskFailure: refuseSaved('SendTaskFailure'),
    };
  }

  public snapshot(): StepFunctionsState {
    return this.live.snapshot();
  }
}

/**
 * The IAM evaluation of the deployed policies for Cordon's own functions (as in a scenario), and none for the
 * operator (`--sandbox` commands run as a user of the home account the deployed policies do not name; with
 * `--stage`, AWS's own IAM judges them). The evaluation (its IAM reference data is large) is loaded on the first
 * call a function makes: a command that only reads never loads it.
 */
function savedAuthorizer(
  state: DeploymentState,
  sandbox: Sandbox,
  operatorArn: string | undefined,
): Authorizer {
  let deployed: Promise<Authorizer> | undefined;
  return async (request) => {
    if (operatorArn !== undefined && request.principal.arn === operatorArn) {
      return { decision: 'allowed', reason: 'the operator of a saved deployment (not evaluated)' };
    }
    deployed ??= import('./iam/authorizer.ts').then(({ cordonAuthorizer }) =>
      cordonAuthorizer({
        deployment: { stage: state.stage, homeAccount: state.homeAccount, region: state.region },
        sandbox,
      }),
    );
    return (await deployed)(request);
  };
}

/** Options of {@link openSavedSandbox}. */
export interface OpenSavedSandboxOptions {
  /** Where the state was read from (named in errors). */
  readonly file?: string;
  /** The operator's principal ARN: its calls are not evaluated against Cordon's deployed policies. */
  readonly operatorArn?: string;
}

/**
 * Runs a saved deployment again: a new sandbox account in its home account and region, every model put back
 * (`restoreSandbox`: the account's resources, the SSM parameters, the DynamoDB tables — ledger, approvals —,
 * the published messages, the sessions) with the id counter, and a `LocalDeployment` over it as a scenario
 * makes it (the deployed approvals, the deployed policies' IAM evaluation), its Step Functions executions put
 * back and its clock stopped at the saved time. A StartExecution runs the playbook in the deployment's engine
 * until it ends or waits for an approval (`settle`). Executions saved while waiting stay RUNNING: a
 * SendTaskSuccess/Failure on their tasks is refused with {@link SavedExecutionNotResumableError}.
 *
 * @throws DeploymentStateInvalidError when a model's saved part cannot be put back (nothing is written).
 * @example const saved = await openSavedSandbox(await readDeploymentStateFile('state.json'));
 */
export async function openSavedSandbox(
  state: DeploymentState,
  options: OpenSavedSandboxOptions = {},
): Promise<SavedSandbox> {
  const file = options.file ?? 'the saved deployment';
  // Stopped: its wall clock never moves, so "now" stays the saved time for every part.
  const clock = new DeploymentClock(new Date(state.clock), () => 0);
  const sandbox = createSandbox({ accountId: state.homeAccount, region: state.region, now: clock.now });
  const deployment = await LocalDeployment.create({
    sandbox,
    stage: state.stage,
    clock,
    approvals: 'deployed',
    authorizer: savedAuthorizer(state, sandbox, options.operatorArn),
  });
  // What create wrote (default settings, new approval secrets, thresholds) is replaced by what was saved.
  try {
    restoreSandbox(sandbox, state.sandbox);
    deployment.stepFunctions.restore(state.sandbox.SFN as StepFunctionsState);
    sandbox.account.restoreIds(state.idsIssued ?? idsIn(state.sandbox));
  } catch (error) {
    throw new DeploymentStateInvalidError(
      `${file} is not a saved deployment: its sandbox cannot be put back (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}).`,
      { cause: error },
    );
  }
  sandbox.account.register(
    new SavedStepFunctions(
      deployment.stepFunctions,
      savedPendingTokens(sandbox, deployment.names.approvalsTable),
      file,
    ),
  );
  const restored = JSON.stringify(sandbox.account.snapshot());
  const now = () => clock.now();
  const current = (): DeploymentState => ({
    version: DEPLOYMENT_STATE_VERSION,
    stage: state.stage,
    homeAccount: state.homeAccount,
    region: state.region,
    clock: state.clock,
    idsIssued: sandbox.account.idsIssued(),
    sandbox: sandbox.account.snapshot(),
    executions: [...state.executions, ...structuredClone([...deployment.executions.values()])],
    pendingApprovals: [...state.pendingApprovals, ...deployment.pendingApprovals()],
  });
  return {
    sandbox,
    deployment,
    stage: state.stage,
    homeAccount: state.homeAccount,
    region: state.region,
    now,
    settle: async () => {
      await deployment.settle();
    },
    changed: () => deployment.executions.size > 0 || JSON.stringify(sandbox.account.snapshot()) !== restored,
    current,
  };
}

import type {
  DescribeExecutionCommandInput,
  DescribeExecutionCommandOutput,
  SendTaskFailureCommandInput,
  SendTaskSuccessCommandInput,
  StartExecutionCommandInput,
  StartExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import type { JsonValue } from '@cordon/core/playbooks/asl';
import { awsError } from './sandbox/errors.ts';
import type { CommandHandler, SandboxContext, ServiceModel } from './sandbox/types.ts';

/** Step Functions execution statuses (DescribeExecution's `status`). */
export type ExecutionStatusName = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One execution as Step Functions keeps it: JSON only, so that a sandbox's state can be saved and read back. */
export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  status: ExecutionStatusName;
  /** ISO-8601, from the sandbox clock. */
  readonly startDate: string;
  stopDate?: string;
  error?: string;
  cause?: string;
}

export interface StepFunctionsState {
  /** By execution ARN, in start order. */
  executions: Record<string, ExecutionRecord>;
}

/** What SendTaskSuccess / SendTaskFailure hand the task waiting on a token. */
export type TaskCallback =
  | { readonly kind: 'success'; readonly output: string }
  | { readonly kind: 'failure'; readonly error: string; readonly cause: string };

/**
 * The execution name rules of StartExecution: 1–80 characters, none of whitespace, brackets, wildcards, the
 * listed special characters or control characters
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what the rule refuses.
const INVALID_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

/**
 * A name is unique per state machine for 90 days: an execution closed longer ago than that no longer holds
 * it, and StartExecution starts a new one under the same name ("Names can be reused after 90 days":
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html). Cordon's claims, not
 * the name, keep a finding from being taken for a new incident then (ledger/claims.ts).
 */
const NAME_REUSE_AFTER_MS = 90 * 86_400_000;

function reusable(execution: ExecutionRecord, now: Date): boolean {
  return (
    execution.status !== 'RUNNING' &&
    execution.stopDate !== undefined &&
    now.getTime() - Date.parse(execution.stopDate) > NAME_REUSE_AFTER_MS
  );
}

/**
 * Step Functions as the local deployment's front door to its playbooks: the state machines of a stage, and
 * StartExecution with the service's rules — a name is unique per state machine for 90 days; the same name with
 * the same input while the execution runs answers the original execution (StartExecution is idempotent for
 * STANDARD workflows); otherwise `ExecutionAlreadyExists`, also once it has closed, until 90 days after
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html). A started
 * execution is handed to `onStart`, which runs it (the local engine); `finish` records how it ended.
 * SendTaskSuccess / SendTaskFailure answer a task waiting on its token: a token registered with
 * `waitForTaskToken` is answered here, once (the grouped approvals, deployment-grouped-approvals.ts); any other
 * goes to `onTaskCallback` (the deployed approvals, deployment-approvals.ts). Either way the approval API's
 * callbacks reach a waiting approval as in AWS.
 *
 * @example
 * const sfn = new StepFunctionsModel(sandbox.account.context, { stateMachineArns, onStart: (execution) => run(execution) });
 * sandbox.account.register(sfn);
 */
export class StepFunctionsModel implements ServiceModel {
  public readonly service = 'SFN';
  public readonly commands: Readonly<Record<string, CommandHandler>>;
  private readonly state: StepFunctionsState = { executions: {} };
  private readonly stateMachines: ReadonlySet<string>;
  /** Task tokens handed out by `.waitForTaskToken` Tasks: waiting for a callback, or closed. */
  private readonly tasks = new Map<
    string,
    { readonly execution: string; resolve(output: JsonValue): void; reject(error: Error): void } | 'closed'
  >();

  public constructor(
    private readonly context: SandboxContext,
    private readonly options: {
      readonly stateMachineArns: readonly string[];
      onStart(execution: ExecutionRecord): void;
      /**
       * A task token answered (the approval API's callbacks): `false` when no task waits on it, which Step
       * Functions answers with `TaskDoesNotExist`.
       */
      onTaskCallback?(taskToken: string, callback: TaskCallback): boolean;
    },
  ) {
    this.stateMachines = new Set(options.stateMachineArns);
    this.commands = {
      StartExecution: (input) => this.startExecution(input as unknown as StartExecutionCommandInput),
      DescribeExecution: (input) => this.describeExecution(input as unknown as DescribeExecutionCommandInput),
      SendTaskSuccess: (input) => {
        const success = input as unknown as SendTaskSuccessCommandInput;
        if (this.tasks.has(String(success.taskToken ?? ''))) return this.sendTaskSuccess(success);
        const { taskToken, output } = success;
        return this.taskCallback(taskToken, { kind: 'success', output: output ?? '{}' });
      },
      SendTaskFailure: (input) => {
        const failure = input as unknown as SendTaskFailureCommandInput;
        if (this.tasks.has(String(failure.taskToken ?? ''))) return this.sendTaskFailure(failure);
        const { taskToken, error, cause } = failure;
        return this.taskCallback(taskToken, { kind: 'failure', error: error ?? '', cause: cause ?? '' });
      },
    };
  }

  /**
   * A `.waitForTaskToken` Task of execution `execution` waits on `taskToken`: the promise is kept by
   * SendTaskSuccess (its output) and broken by SendTaskFailure (an error named as the call's `error`, which
   * the state's Catch matches), each accepted once.
   */
  public waitForTaskToken(taskToken: string, execution: string): Promise<JsonValue> {
    return new Promise<JsonValue>((resolve, reject) => {
      this.tasks.set(taskToken, { execution, resolve, reject });
    });
  }

  /** The Task of `taskToken` ended without a callback (it failed or timed out): a later one is refused. */
  public closeTask(taskToken: string): void {
    if (this.tasks.has(taskToken)) this.tasks.set(taskToken, 'closed');
  }

  /**
   * SendTaskSuccess / SendTaskFailure: the waiting task resumes with the output, or fails with the error
   * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html). A token no
   * task waits on (answered already, timed out, never issued) is `TaskDoesNotExist`.
   */
  private taskCallback(taskToken: string | undefined, callback: TaskCallback): Record<string, never> {
    const token = String(taskToken ?? '');
    if (token === '' || this.options.onTaskCallback?.(token, callback) !== true) {
      throw awsError('SFN', 'TaskDoesNotExist', 'Task does not exist anymore');
    }
    return {};
  }

  /** Records how an execution ended (the engine calls it when the run is over). */
  public finish(
    executionArn: string,
    outcome: { status: Exclude<ExecutionStatusName, 'RUNNING'>; error?: string; cause?: string },
  ): void {
    const execution = this.state.executions[executionArn];
    if (execution === undefined) return;
    // Its Tasks are over with it: a callback for one of them is now refused.
    for (const [token, task] of this.tasks) {
      if (task !== 'closed' && task.execution === execution.name) this.tasks.set(token, 'closed');
    }
    execution.status = outcome.status;
    execution.stopDate = this.context.now().toISOString();
    if (outcome.error !== undefined) execution.error = outcome.error;
    if (outcome.cause !== undefined) execution.cause = outcome.cause;
  }

  public executions(): ExecutionRecord[] {
    return structuredClone(Object.values(this.state.executions));
  }

  public snapshot(): StepFunctionsState {
    return structuredClone(this.state);
  }

  /** Puts back the executions of a snapshot taken earlier (a saved local deployment, `deployment-state.ts`). */
  public restore(state: StepFunctionsState): void {
    this.state.executions = structuredClone(state.executions);
  }

  private startExecution(input: StartExecutionCommandInput): Omit<StartExecutionCommandOutput, '$metadata'> {
    const stateMachineArn = String(input.stateMachineArn ?? '');
    if (!this.stateMachines.has(stateMachineArn)) {
      throw awsError('SFN', 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    }
    const name = input.name ?? this.context.nextId('execution', 32);
    if (name.length < 1 || name.length > 80 || INVALID_NAME.test(name)) {
      throw awsError('SFN', 'InvalidName', `Invalid Name: '${name}'`);
    }
    const text = input.input ?? '{}';
    try {
      JSON.parse(text);
    } catch {
      throw awsError('SFN', 'InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.state.executions[executionArn];
    if (existing !== undefined && !reusable(existing, this.context.now())) {
      if (existing.status === 'RUNNING' && existing.input === text) {
        return { executionArn, startDate: new Date(existing.startDate) };
      }
      throw awsError('SFN', 'ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const execution: ExecutionRecord = {
      executionArn,
      stateMachineArn,
      name,
      input: text,
      status: 'RUNNING',
      startDate: this.context.now().toISOString(),
    };
    this.state.executions[executionArn] = execution;
    this.options.onStart(structuredClone(execution));
    return { executionArn, startDate: new Date(execution.startDate) };
  }

  /**
   * The waiting Task of a registered token, taken (a token answers once). SendTaskSuccess and SendTaskFailure
   * refuse one whose Task is closed — answered already, or over (`TaskTimedOut`: "the task token has either
   * expired or the task associated with the token has already been closed",
   * https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html).
   */
  private takeTask(taskToken: string | undefined) {
    const task = this.tasks.get(String(taskToken ?? ''));
    if (task === undefined) throw awsError('SFN', 'TaskDoesNotExist', 'Task does not exist anymore');
    if (task === 'closed') throw awsError('SFN', 'TaskTimedOut', 'Task Timed Out');
    this.tasks.set(String(taskToken), 'closed');
    return task;
  }

  private sendTaskSuccess(input: SendTaskSuccessCommandInput): Record<string, never> {
    let output: JsonValue;
    try {
      output = JSON.parse(String(input.output ?? '')) as JsonValue;
    } catch {
      throw awsError('SFN', 'InvalidOutput', 'Invalid Output: not JSON');
    }
    this.takeTask(input.taskToken).resolve(output);
    return {};
  }

  private sendTaskFailure(input: SendTaskFailureCommandInput): Record<string, never> {
    const task = this.takeTask(input.taskToken);
    task.reject(
      Object.assign(new Error(String(input.cause ?? '')), { name: input.error ?? 'States.TaskFailed' }),
    );
    return {};
  }

  private describeExecution(
    input: DescribeExecutionCommandInput,
  ): Omit<DescribeExecutionCommandOutput, '$metadata'> {
    const execution = this.state.executions[String(input.executionArn ?? '')];
    if (execution === undefined) {
      throw awsError('SFN', 'ExecutionDoesNotExist', `Execution Does Not Exist: '${input.executionArn}'`);
    }
    return {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      input: execution.input,
      startDate: new Date(execution.startDate),
      ...(execution.stopDate === undefined ? {} : { stopDate: new Date(execution.stopDate) }),
      ...(execution.error === undefined ? {} : { error: execution.error }),
      ...(execution.cause === undefined ? {} : { cause: execution.cause }),
    };
  }
}

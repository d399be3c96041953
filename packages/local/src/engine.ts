import { ACTIONS, type ActionId } from '@cordon/core/actions/catalog';
import type { ActionOutcome } from '@cordon/core/actions/types';
import type { JsonValue } from '@cordon/core/playbooks/asl';
import { buildPlaybook, LOCAL_BUILD_OPTIONS } from '@cordon/core/playbooks/build';
import type { PlaybookId, StepId } from '@cordon/core/playbooks/ids';
import {
  immediateRetries,
  localExecutionArn,
  localRunContext,
  localTaskHandlers,
} from '@cordon/core/playbooks/local';
import type { ExecutionInput } from '@cordon/core/triage/execution-input';
import type { StartExecution } from '@cordon/core/triage/triage';
import {
  type ActionHandlerDependencies,
  type ActionLambdaHandler,
  createActionHandler,
} from '@cordon/functions/shared/action-handler';
import type { Context } from 'aws-lambda';
import { StateMachine } from 'aws-local-stepfunctions';
import { ApprovalRejectedError } from './errors.ts';

/** Step Functions execution statuses the local engine reports (plus NOT_STARTED for notify/ignore). */
export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One Task invocation as the timeline shows it: a retried step has one entry per attempt. */
export interface StepRun {
  readonly id: StepId;
  readonly state: string;
  readonly attempt: number;
  status: 'running' | 'succeeded' | 'failed';
  readonly startedAt: string;
  endedAt?: string;
  /** The step's outcome (`done`, `already-done`, `dry-run`) when it succeeded. */
  outcome?: string;
  error?: { readonly name: string; readonly message: string };
}

export interface ExecutionReport {
  readonly name: string;
  readonly playbook: PlaybookId;
  status: ExecutionStatus;
  readonly steps: StepRun[];
  /** States entered: what AWS bills as state transitions. */
  transitions: number;
  error?: string;
  cause?: string;
  output?: JsonValue;
  readonly input: ExecutionInput;
}

/** A pending approval, as the engine hands it to whoever answers it. */
export interface ApprovalRequest {
  readonly executionName: string;
  readonly taskToken: string;
  /** When the Task asked, on the engine's clock (the deployment's). */
  readonly requestedAt: Date;
  /** The request-approval function's payload (incident, step, actions, timeout). */
  readonly payload: Readonly<Record<string, unknown>>;
}

/**
 * Answers an approval: resolve = SendTaskSuccess (the output goes to `$.results.approval`), reject with an
 * Error named `ApprovalRejected` = SendTaskFailure. A promise never kept runs into the Task's timeout.
 */
export type ApprovalResponder = (request: ApprovalRequest) => Promise<JsonValue>;

/**
 * Answers every approval the same way, as `--approve` / `--reject` do, at once: the decision's time is the
 * request's, on the engine's clock (a local deployment's clock, which a scenario moves), not the wall clock.
 */
export function automaticApprovals(
  decision: 'approve' | 'reject',
  decidedBy = 'cordon replay',
): ApprovalResponder {
  return async ({ requestedAt }) => {
    if (decision === 'reject')
      throw new ApprovalRejectedError(
        JSON.stringify({ decidedBy, comment: 'rejected from the command line' }),
      );
    return { decision: 'approve', decidedBy, decidedAt: requestedAt.toISOString() };
  };
}

export interface LocalEngineOptions {
  readonly approvals: ApprovalResponder;
  /**
   * What each action function is built with — the deployed function builds the same from its environment
   * (`dependenciesFromEnvironment`). The local deployment gives each the SSM settings loader, the DynamoDB
   * ledger and SDK clients of the sandbox, made as the function's role.
   */
  readonly actionDependencies: (action: ActionId) => ActionHandlerDependencies;
  /** The ARN of a function, as Lambda hands it to the handler (its account is the function's home account). */
  readonly functionArn: (functionId: string) => string;
  /** Sees each step run start and end (the CLI shows progress with it). */
  readonly onStep?: (execution: string, step: StepRun) => void;
  readonly now?: () => Date;
}

/**
 * Runs playbooks as Step Functions would, on a laptop: the same ASL in aws-local-stepfunctions, each Task
 * resolved in process to the same Lambda handler code (middy + Powertools + the action) with the dependencies
 * it is given, approvals answered through `approvals`. Retries happen at once (no backoff waits). The local
 * deployment starts its executions through a Step Functions model in the sandbox (StartExecution's rules, as
 * triage calls it in AWS); `startExecution` here is the engine's own door, for benchmarks that drive triage
 * in process.
 *
 * @example
 * const engine = new LocalEngine({ approvals: automaticApprovals('approve'), actionDependencies, functionArn });
 * const report = await engine.run(incident.id, 'ec2-compromise', input);
 * report.status // 'SUCCEEDED'
 */
export class LocalEngine {
  public readonly executions = new Map<string, ExecutionReport>();
  /** The runs not ended yet, which `abort` can stop. */
  private readonly runs = new Map<string, { abort(): void }>();
  private readonly handlers: Record<ActionId, ActionLambdaHandler<unknown>>;
  private readonly now: () => Date;

  public constructor(private readonly options: LocalEngineOptions) {
    this.now = options.now ?? (() => new Date());
    this.handlers = Object.fromEntries(
      (Object.keys(ACTIONS) as ActionId[]).map((id) => [
        id,
        createActionHandler(ACTIONS[id], options.actionDependencies(id)),
      ]),
    ) as Record<ActionId, ActionLambdaHandler<unknown>>;
  }

  /**
   * A `StartExecution` port for triage driven in process (benchmarks): runs the execution to its end before
   * answering; a name used before is a duplicate.
   */
  public readonly startExecution: StartExecution = async ({ name, playbook, input }) => {
    if (this.executions.has(name)) return 'duplicate';
    await this.run(name, playbook, input);
    return 'started';
  };

  /**
   * Runs one execution to its end and reports it. `executionArn`: the execution's ARN in the local
   * deployment's Step Functions model (`$$.Execution.Id`); a run without one gets a local ARN.
   */
  public async run(
    name: string,
    playbook: PlaybookId,
    input: ExecutionInput,
    executionArn: string = localExecutionArn(name),
  ): Promise<ExecutionReport> {
    const report: ExecutionReport = { name, playbook, status: 'SUCCEEDED', steps: [], transitions: 0, input };
    this.executions.set(name, report);
    const definition = buildPlaybook(playbook, LOCAL_BUILD_OPTIONS);
    const attempts = new Map<string, number>();
    const taskToken = `${name}-approval`;

    const handlers = localTaskHandlers(definition, async ({ state, step, input: stepInput }) => {
      const attempt = (attempts.get(state) ?? 0) + 1;
      attempts.set(state, attempt);
      const run: StepRun = {
        id: step,
        state,
        attempt,
        status: 'running',
        startedAt: this.now().toISOString(),
      };
      report.steps.push(run);
      this.options.onStep?.(name, run);
      const finish = (status: 'succeeded' | 'failed', error?: unknown) => {
        run.status = status;
        run.endedAt = this.now().toISOString();
        if (error !== undefined) {
          run.error = {
            name: (error as Error).name ?? 'Error',
            message: (error as Error).message ?? String(error),
          };
        }
        this.options.onStep?.(name, run);
      };
      try {
        const output =
          step === 'request-approval'
            ? await this.options.approvals({
                executionName: name,
                taskToken,
                requestedAt: this.now(),
                payload: ((stepInput as { Payload?: Record<string, unknown> }).Payload ?? {}) as Record<
                  string,
                  unknown
                >,
              })
            : await this.invoke(step as ActionId, stepInput);
        const outcome = (output as { status?: unknown } | null)?.status;
        if (typeof outcome === 'string') run.outcome = outcome;
        finish('succeeded');
        return output;
      } catch (error) {
        finish('failed', error);
        throw error;
      }
    });

    // The engine's types are the same JSON and ASL shapes with mutable arrays; ours are read-only.
    type EngineDefinition = ConstructorParameters<typeof StateMachine>[0];
    type EngineJson = Parameters<StateMachine['run']>[0];
    type EngineHandlers = Record<string, (input: EngineJson) => Promise<EngineJson>>;
    const machine = new StateMachine(structuredClone(definition) as unknown as EngineDefinition, {
      // asl-validator checks every definition in the tests; the engine's own check compiles a schema each time.
      validationOptions: { noValidate: true },
    });
    const execution = machine.run(JSON.parse(JSON.stringify(input)) as EngineJson, {
      overrides: {
        taskResourceLocalHandlers: handlers as unknown as EngineHandlers,
        retryIntervalOverrides: immediateRetries(definition),
      },
      context: localRunContext(taskToken, executionArn),
    });
    this.runs.set(name, execution);
    const logged = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered') report.transitions += 1;
        if (event.type === 'ExecutionFailed') {
          report.error = event.Error;
          report.cause = typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause);
        }
      }
    })();
    try {
      report.output = (await execution.result) as JsonValue;
      report.status = 'SUCCEEDED';
    } catch (error) {
      const errorName = (error as Error).name;
      report.status =
        errorName === 'ExecutionTimeoutError'
          ? 'TIMED_OUT'
          : errorName === 'ExecutionAbortedError'
            ? 'ABORTED'
            : 'FAILED';
      report.error ??= errorName;
      report.cause ??= (error as Error).message;
    } finally {
      this.runs.delete(name);
    }
    await logged;
    return report;
  }

  /** Stops a run that has not ended (StopExecution): it ends `ABORTED`, running nothing more. */
  public abort(name: string): boolean {
    const run = this.runs.get(name);
    if (run === undefined) return false;
    run.abort();
    return true;
  }

  private async invoke(step: ActionId, input: JsonValue): Promise<JsonValue> {
    const invokedFunctionArn = this.options.functionArn(step);
    const context = {
      functionName: invokedFunctionArn.split(':').at(-1) ?? step,
      invokedFunctionArn,
      awsRequestId: `local-${this.now().getTime().toString(36)}`,
      getRemainingTimeInMillis: () => 60_000,
    } as Context; // only the fields the middlewares read
    const outcome = (await this.handlers[step](input, context)) as ActionOutcome<unknown>;
    // What Lambda would hand Step Functions: the JSON of the outcome.
    return JSON.parse(JSON.stringify(outcome)) as JsonValue;
  }
}

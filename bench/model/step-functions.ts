/**
 * Step Functions as the scale model runs Cordon's playbooks: StartExecution with the service's rules (the
 * local deployment's `StepFunctionsModel`: a name is unique per state machine), and each execution run by
 * aws-local-stepfunctions on the real ASL (`buildPlaybook`, the deployed ARNs) with the playbooks' own
 * Retry and Catch — their backoff and jitter in virtual time, not skipped as in the local engine. Each state
 * transition waits for the account's state-transition bucket and takes its latency; each Task invokes the
 * step's function through the Lambda model, and the approval Task invokes request-approval and then waits
 * for SendTaskSuccess/Failure (or its timeout) like `.waitForTaskToken`.
 */

import { StateMachine } from 'aws-local-stepfunctions';
import { ACTIONS, type ActionId } from '../../packages/core/src/actions/catalog.ts';
import type { JsonValue, StateMachineDefinition } from '../../packages/core/src/playbooks/asl.ts';
import { allStates } from '../../packages/core/src/playbooks/asl.ts';
import { buildPlaybook } from '../../packages/core/src/playbooks/build.ts';
import type { PlaybookId, StepId } from '../../packages/core/src/playbooks/ids.ts';
import { localRunContext, localTaskHandlers } from '../../packages/core/src/playbooks/local.ts';
import type { ExecutionInput } from '../../packages/core/src/triage/execution-input.ts';
import {
  type ExecutionRecord,
  StepFunctionsModel,
} from '../../packages/local/src/deployment-step-functions.ts';
import type { AwsWorld } from './aws-world.ts';
import { type LambdaService, LambdaThrottledError } from './lambda.ts';
import type { Latencies } from './latency.ts';
import { sampleLatency } from './random.ts';
import type { VirtualTime } from './virtual-time.ts';

export type RunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';

export interface StepAttempt {
  readonly step: StepId;
  readonly attempt: number;
  readonly startedAt: number;
  endedAt?: number;
  error?: string;
}

export interface ExecutionRun {
  readonly name: string;
  readonly playbook: PlaybookId;
  readonly startedAt: number;
  endedAt?: number;
  status: RunStatus;
  transitions: number;
  readonly steps: StepAttempt[];
  error?: string;
  cause?: string;
  readonly input: ExecutionInput;
}

/** A request waiting for a person (`.waitForTaskToken`), as the on-call model is told about it. */
export interface PendingApproval {
  readonly taskToken: string;
  readonly executionName: string;
  /** When request-approval returned (the request stored, and posted or published). */
  readonly requestedAt: number;
  readonly output: unknown;
}

/** An error Step Functions matches by name: `Lambda.TooManyRequestsException`, an action's error, … */
class NamedError extends Error {
  public constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface StepFunctionsOptions {
  readonly stateMachineArn: (playbook: PlaybookId) => string;
  readonly functionArn: (functionId: string) => string;
  /** Told about each approval request delivered (the on-call model). */
  readonly onApprovalRequested?: (approval: PendingApproval) => void;
}

type EngineDefinition = ConstructorParameters<typeof StateMachine>[0];
type EngineJson = Parameters<StateMachine['run']>[0];
type EngineHandlers = Record<string, (input: EngineJson) => Promise<EngineJson>>;

export class StepFunctionsService {
  public readonly model: StepFunctionsModel;
  public readonly runs = new Map<string, ExecutionRun>();
  private readonly running = new Set<Promise<void>>();
  private readonly waiting = new Map<
    string,
    { resolve: (value: JsonValue) => void; reject: (error: Error) => void }
  >();
  private readonly definitions = new Map<PlaybookId, StateMachineDefinition>();
  private readonly taskStates = new Map<PlaybookId, ReadonlySet<string>>();
  private readonly playbookByArn = new Map<string, PlaybookId>();

  public constructor(
    private readonly world: AwsWorld,
    private readonly lambda: LambdaService,
    private readonly time: VirtualTime,
    private readonly latencies: Latencies,
    private readonly random: () => number,
    private readonly options: StepFunctionsOptions,
    playbooks: readonly PlaybookId[],
  ) {
    for (const playbook of playbooks) this.playbookByArn.set(options.stateMachineArn(playbook), playbook);
    this.model = new StepFunctionsModel(world.homeSandbox.account.context, {
      stateMachineArns: [...this.playbookByArn.keys()],
      onStart: (record) => this.start(record),
    });
    world.serve('SFN', (command, input) => {
      const handler = this.model.commands[command];
      if (handler === undefined) throw new Error(`The scale model does not answer SFN.${command}`);
      return handler(structuredClone(input) as Record<string, unknown>, world.homeSandbox.account.context);
    });
  }

  /** Waits until every execution started so far (and those they lead to) has ended. */
  public async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** The approval API's SendTaskSuccess: the waiting Task resumes with `output`. */
  public sendTaskSuccess(taskToken: string, output: JsonValue): boolean {
    const waiter = this.waiting.get(taskToken);
    this.world.quotas.take('sfnSendTask', `${this.world.home.account}|${this.world.home.region}`);
    if (waiter === undefined) return false;
    this.waiting.delete(taskToken);
    waiter.resolve(output);
    return true;
  }

  /** SendTaskFailure with an error name the playbook matches (`ApprovalRejected`). */
  public sendTaskFailure(taskToken: string, error: string, cause: string): boolean {
    const waiter = this.waiting.get(taskToken);
    this.world.quotas.take('sfnSendTask', `${this.world.home.account}|${this.world.home.region}`);
    if (waiter === undefined) return false;
    this.waiting.delete(taskToken);
    waiter.reject(new NamedError(error, cause));
    return true;
  }

  private definition(playbook: PlaybookId): StateMachineDefinition {
    let definition = this.definitions.get(playbook);
    if (definition === undefined) {
      definition = buildPlaybook(playbook, {
        functionArn: (step) => this.options.functionArn(step === 'report-failure' ? 'notify' : step),
      });
      this.definitions.set(playbook, definition);
      this.taskStates.set(
        playbook,
        new Set(
          allStates(definition)
            .filter(({ state }) => state.Type === 'Task')
            .map(({ name }) => name),
        ),
      );
    }
    return definition;
  }

  private start(record: ExecutionRecord): void {
    const playbook = this.playbookByArn.get(record.stateMachineArn) as PlaybookId;
    const input = JSON.parse(record.input) as ExecutionInput;
    const run: ExecutionRun = {
      name: record.name,
      playbook,
      startedAt: this.time.now,
      status: 'RUNNING',
      transitions: 0,
      steps: [],
      input,
    };
    this.runs.set(record.name, run);
    let begin: () => void = () => {};
    const answered = new Promise<void>((resolve) => {
      begin = resolve;
    });
    // Once StartExecution has answered, the service runs the execution on its own.
    this.world.afterAnswer(() => begin());
    const done = answered
      .then(() => this.execute(run, record))
      .catch((error: unknown) => {
        run.status = 'FAILED';
        run.error = error instanceof Error ? error.name : 'Error';
        run.cause = error instanceof Error ? error.message : String(error);
      })
      .finally(() => {
        run.endedAt ??= this.time.now;
        this.model.finish(record.executionArn, {
          status: run.status === 'RUNNING' ? 'FAILED' : run.status,
          ...(run.error === undefined ? {} : { error: run.error }),
          ...(run.cause === undefined ? {} : { cause: run.cause }),
        });
        this.running.delete(done);
      });
    this.running.add(done);
  }

  private async execute(run: ExecutionRun, record: ExecutionRecord): Promise<void> {
    const definition = this.definition(run.playbook);
    const tasks = this.taskStates.get(run.playbook) as ReadonlySet<string>;
    const scope = `${this.world.home.account}|${this.world.home.region}`;
    const taskToken = `${record.name}-approval`;
    const attempts = new Map<string, number>();
    const handlers = localTaskHandlers(definition, async ({ state, step, input }) => {
      // The Task's own transition: it waits for the bucket (a throttled transition slows the execution).
      await this.world.quotas.waitFor('sfnStateTransition', scope, (ms) => this.time.sleep(ms));
      await this.time.sleep(sampleLatency(this.latencies.stateTransition, this.random));
      const attempt = (attempts.get(state) ?? 0) + 1;
      attempts.set(state, attempt);
      const entry: StepAttempt = { step, attempt, startedAt: this.time.now };
      run.steps.push(entry);
      try {
        const output =
          step === 'request-approval'
            ? await this.askForApproval(run, taskToken, input)
            : await this.invokeStep(step, input);
        entry.endedAt = this.time.now;
        return output;
      } catch (error) {
        entry.endedAt = this.time.now;
        entry.error = error instanceof Error ? error.name : 'Error';
        throw error;
      }
    });
    const machine = new StateMachine(structuredClone(definition) as unknown as EngineDefinition, {
      validationOptions: { noValidate: true },
    });
    const execution = machine.run(JSON.parse(record.input) as EngineJson, {
      overrides: { taskResourceLocalHandlers: handlers as unknown as EngineHandlers },
      context: localRunContext(taskToken, record.executionArn),
    });
    const logged = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type !== 'StateEntered') continue;
        run.transitions += 1;
        // Other states' transitions are charged as they happen (a Task's waited in its handler).
        if (!tasks.has(event.state.name)) this.world.quotas.take('sfnStateTransition', scope);
      }
    })();
    try {
      await execution.result;
      run.status = 'SUCCEEDED';
    } catch (error) {
      run.status = (error as Error).name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED';
      run.error = (error as Error).name;
      run.cause = (error as Error).message;
    }
    await logged;
    run.endedAt = this.time.now;
  }

  private async invokeStep(step: StepId, input: JsonValue): Promise<JsonValue> {
    if (!(step in ACTIONS)) throw new Error(`No function for step ${step}`);
    try {
      return (await this.lambda.invoke(step as ActionId, input)) as JsonValue;
    } catch (error) {
      // Step Functions names the Lambda service's own errors `Lambda.<Exception>`.
      if (error instanceof LambdaThrottledError) {
        throw new NamedError('Lambda.TooManyRequestsException', error.message);
      }
      throw error;
    }
  }

  private async askForApproval(run: ExecutionRun, taskToken: string, input: JsonValue): Promise<JsonValue> {
    const payload = (input as { Payload?: JsonValue }).Payload ?? {};
    let output: unknown;
    try {
      output = await this.lambda.invoke('request-approval', payload);
    } catch (error) {
      if (error instanceof LambdaThrottledError) {
        throw new NamedError('Lambda.TooManyRequestsException', error.message);
      }
      throw error;
    }
    // `.waitForTaskToken`: the Task now waits for SendTaskSuccess/Failure, or its TimeoutSecondsPath.
    const decided = new Promise<JsonValue>((resolve, reject) => {
      this.waiting.set(taskToken, { resolve, reject });
    });
    this.options.onApprovalRequested?.({
      taskToken,
      executionName: run.name,
      requestedAt: this.time.now,
      output,
    });
    return decided;
  }
}

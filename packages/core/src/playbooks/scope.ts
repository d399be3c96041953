/**
 * The building blocks of the playbooks' state machines: a {@link Scope} collects the states of one state
 * machine (or Parallel branch) and gives every Task its Retry, its catch-all Catch and the states that
 * record and report its failure, so that no builder can forget them.
 */
import { PlaybookDefinitionInvalidError } from '../errors.ts';
import type {
  Branch,
  Catcher,
  ChoiceState,
  JsonObject,
  Retrier,
  State,
  StateMachineDefinition,
  TaskState,
  Transition,
} from './asl.ts';
import { PLAYBOOK_ERRORS, retriersFor } from './error-handling.ts';
import type { PlaybookId, StepId } from './ids.ts';
import { failedStateName, reportStateName, STATE_NAMES, stoppedStateName } from './states.ts';

/** What the playbooks call: a step's function, or the function that reports a failed step. */
export type FunctionKey = StepId | 'report-failure';

export interface PlaybookBuildOptions {
  /** The Lambda function ARN of a step; `report-failure` is normally the notify function too. */
  functionArn(step: FunctionKey): string;
  /** Error names worth retrying for a step (default: `RETRYABLE_ERROR_NAMES`). */
  retryableErrors?(step: StepId): readonly string[];
}

/** The service integration that invokes a Lambda function and waits for SendTaskSuccess/Failure. */
export const APPROVAL_RESOURCE = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

const S = STATE_NAMES;

/** The fields every action takes (the actions' `StepEnvelopeSchema`). */
export const ENVELOPE: JsonObject = {
  'incidentId.$': '$.incident.id',
  'account.$': '$.incident.account',
  'region.$': '$.incident.region',
  'dryRun.$': '$.decision.dryRun',
};

/** `snapshot-volumes` → `snapshotVolumes`: the key of a step's result under `$.results`. */
export function resultKey(step: StepId): string {
  return step.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Collects the states of one state machine or branch, and adds each Task's failure path with it. */
export class Scope {
  public readonly states: Record<string, State> = {};

  public constructor(
    private readonly options: PlaybookBuildOptions,
    /** Top-level failures go to the shared report; a branch reports its own and fails. */
    private readonly where: 'top' | 'branch',
  ) {}

  public add(name: string, state: State): void {
    if (name in this.states)
      throw new PlaybookDefinitionInvalidError(`Playbook builder: state "${name}" is defined twice.`);
    this.states[name] = state;
  }

  public retry(step: StepId): Retrier[] {
    return retriersFor(step, this.options.retryableErrors?.(step));
  }

  /**
   * Adds a Task with its Retry, its catch-all Catch, and the states that record and report its failure.
   * `catchers` come before the catch-all (ASL tries catchers in order).
   */
  public task(
    name: string,
    step: StepId,
    task: Omit<TaskState, 'Type' | 'Retry' | 'Catch' | 'Next' | 'End'>,
    transition: Transition,
    catchers: readonly Catcher[] = [],
  ): void {
    const failed = failedStateName(name);
    this.add(name, {
      Type: 'Task',
      ...task,
      Retry: this.retry(step),
      Catch: [...catchers, { ErrorEquals: [PLAYBOOK_ERRORS.all], ResultPath: '$.failure', Next: failed }],
      ...transition,
    });
    if (this.where === 'top') {
      this.add(failed, { Type: 'Pass', Result: step, ResultPath: '$.failedStep', Next: S.reportFailedStep });
      return;
    }
    const report = reportStateName(name);
    const stopped = stoppedStateName(name);
    this.add(failed, { Type: 'Pass', Result: step, ResultPath: '$.failedStep', Next: report });
    this.add(report, this.reportTask(stopped));
    this.add(stopped, {
      Type: 'Fail',
      Error: PLAYBOOK_ERRORS.stepFailed,
      // The cause is the step id: the Parallel's Catch reads it back into `failedStep`.
      CausePath: '$.failedStep',
    });
  }

  /** An action step: the function ARN as Resource, so the result is the function's return value. */
  public action(name: string, step: StepId, parameters: JsonObject, transition: Transition): void {
    this.task(
      name,
      step,
      {
        Resource: this.options.functionArn(step),
        Parameters: { ...ENVELOPE, ...parameters },
        ResultPath: `$.results.${resultKey(step)}`,
      },
      transition,
    );
  }

  /** A notify step telling the responders about `event`. */
  public notify(name: string, event: string, transition: Transition, extra: JsonObject = {}): void {
    this.task(
      name,
      'notify',
      {
        Resource: this.options.functionArn('notify'),
        Parameters: { ...notifyParameters(event), ...extra },
        ResultPath: '$.results.notify',
      },
      transition,
    );
  }

  /** The failure report: notify `step-failed`, then stop, even when the report itself fails. */
  public reportTask(stop: string): TaskState {
    return {
      Type: 'Task',
      Resource: this.options.functionArn('report-failure'),
      Parameters: {
        ...notifyParameters('step-failed'),
        'failedStep.$': '$.failedStep',
        error: { 'name.$': '$.failure.Error', 'message.$': '$.failure.Cause' },
      },
      ResultPath: '$.results.failureReport',
      Retry: this.retry('notify'),
      Catch: [{ ErrorEquals: [PLAYBOOK_ERRORS.all], ResultPath: '$.failureReportError', Next: stop }],
      Next: stop,
    };
  }

  /**
   * A Parallel state of single-Task branches. Each branch writes `results.<step>` into its own copy of the
   * state; the Parallel merges the branches' `results` and the next Pass puts them back at `$.results`,
   * so the steps after it see one flat `results` (intrinsic functions cannot write two keys at once).
   */
  public parallel(
    name: string,
    branches: readonly (readonly [name: string, step: StepId, parameters: JsonObject])[],
    collect: string,
    next: string,
  ): void {
    const built: Branch[] = branches.map(([taskName, step, parameters]) => {
      const branch = new Scope(this.options, 'branch');
      branch.action(taskName, step, parameters, { End: true });
      return { StartAt: taskName, States: branch.states };
    });
    const merged = built
      .map((_, index) => `$[${index}].results`)
      .reduce((left, right) => `States.JsonMerge(${left}, ${right}, false)`);
    const failed = failedStateName(name);
    this.add(name, {
      Type: 'Parallel',
      Branches: built,
      ResultSelector: { 'merged.$': merged },
      ResultPath: '$.results',
      // The branch has already reported its failure; its Fail state's cause is the failed step's id.
      Catch: [{ ErrorEquals: [PLAYBOOK_ERRORS.all], ResultPath: '$.failure', Next: failed }],
      Next: collect,
    });
    this.add(failed, {
      Type: 'Pass',
      InputPath: '$.failure.Cause',
      ResultPath: '$.failedStep',
      Next: S.stopped,
    });
    this.add(collect, { Type: 'Pass', InputPath: '$.results.merged', ResultPath: '$.results', Next: next });
  }

  /** A Choice that runs `then` when the boolean at `variable` is true, and goes on to `otherwise` if not. */
  public when(name: string, variable: string, then: string, otherwise: string): void {
    const choice: ChoiceState = {
      Type: 'Choice',
      Choices: [{ Variable: variable, BooleanEquals: true, Next: then }],
      Default: otherwise,
    };
    this.add(name, choice);
  }

  /** The shared end of every top-level failure: report it, then fail with the step id as the cause. */
  public finishFailurePath(): void {
    this.add(S.reportFailedStep, this.reportTask(S.stopped));
    this.add(S.stopped, {
      Type: 'Fail',
      Error: PLAYBOOK_ERRORS.stepFailed,
      // CausePath runs in AWS and in the local engine: the execution's cause is the failed step's id.
      CausePath: '$.failedStep',
    });
  }
}

export function notifyParameters(event: string): JsonObject {
  return { ...ENVELOPE, event, 'incident.$': '$.incident', 'playbook.$': '$.decision.playbook' };
}

/** Ends a top-level scope: the shared failure path, and the definition with its comment. */
export function finish(
  scope: Scope,
  id: PlaybookId,
  startAt: string,
  summary: string,
): StateMachineDefinition {
  scope.finishFailurePath();
  return { Comment: `Cordon playbook ${id}: ${summary}`, StartAt: startAt, States: scope.states };
}

import { PlaybookDefinitionInvalidError } from '../errors.ts';
import { allStates, type Branch, type JsonValue } from './asl.ts';
import type { StepId } from './ids.ts';
import { stepOfState } from './states.ts';

/** One Task invocation, as the local engine hands it over. */
export interface LocalTaskCall {
  /** The Task state's name. */
  readonly state: string;
  /** The step the state runs (failure reports are `notify`). */
  readonly step: StepId;
  /** The state's `Resource`: a function ARN, or the waitForTaskToken integration for approvals. */
  readonly resource: string;
  /**
   * The effective input (after `Parameters`): the action's input, or for an approval
   * `{ FunctionName, Payload: { taskToken, … } }`.
   */
  readonly input: JsonValue;
}

export type LocalTaskHandler = (call: LocalTaskCall) => Promise<JsonValue> | JsonValue;

/**
 * Handlers for aws-local-stepfunctions' `overrides.taskResourceLocalHandlers`, which are keyed by STATE
 * NAME (not by Resource): one entry per Task state of the definition, Parallel branches included, each
 * calling `handle` with the step the state runs. For an approval, resolving the returned promise is
 * SendTaskSuccess and rejecting it with an Error named `ApprovalRejected` is SendTaskFailure; a promise
 * never kept runs into the Task's timeout (`States.Timeout`).
 *
 * @example
 * const execution = new StateMachine(definition).run(input, {
 *   overrides: { taskResourceLocalHandlers: localTaskHandlers(definition, ({ step, input }) => handlers[step](input)) },
 *   context: localRunContext(`${incidentId}-approval`),
 * });
 */
export function localTaskHandlers(
  definition: Branch,
  handle: LocalTaskHandler,
): Record<string, (input: JsonValue) => Promise<JsonValue>> {
  const handlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
  for (const { name, state } of allStates(definition)) {
    if (state.Type !== 'Task') continue;
    const step = stepOfState(name);
    if (step === undefined)
      throw new PlaybookDefinitionInvalidError(
        `Task state "${name}" runs no known step: add it to STATE_NAMES.`,
      );
    handlers[name] = async (input) => handle({ state: name, step, resource: state.Resource, input });
  }
  return handlers;
}

/**
 * `overrides.retryIntervalOverrides` that retry at once (in milliseconds), for tests and replays that must
 * not wait out the backoff.
 *
 * @example
 * machine.run(input, { overrides: { retryIntervalOverrides: immediateRetries(definition) } })
 */
export function immediateRetries(definition: Branch): Record<string, number> {
  const overrides: Record<string, number> = {};
  for (const { name, state } of allStates(definition)) {
    if ((state.Type === 'Task' || state.Type === 'Parallel') && state.Retry !== undefined)
      overrides[name] = 0;
  }
  return overrides;
}

/**
 * The execution ARN of a local run that has no Step Functions model behind it (benchmarks, core's playbook
 * tests): its Region is `local`, so no console link is ever made of it.
 *
 * @example localExecutionArn('incident-42') // 'arn:aws:states:local:000000000000:execution:cordon-local:incident-42'
 */
export function localExecutionArn(name: string): string {
  return `arn:aws:states:local:000000000000:execution:cordon-local:${name}`;
}

/**
 * The context object for a local run. The local engine has no task tokens of its own: the approval
 * Task reads `$$.Task.Token` (and `$$.Execution.Id`, the execution's ARN), so the run must provide them.
 *
 * @example
 * localRunContext('incident-42-approval', executionArn)
 * // { Task: { Token: 'incident-42-approval' }, Execution: { Id: 'arn:aws:states:…:execution:…:incident-42' } }
 */
export function localRunContext(
  taskToken: string,
  executionArn: string,
): { Task: { Token: string }; Execution: { Id: string } } {
  return { Task: { Token: taskToken }, Execution: { Id: executionArn } };
}

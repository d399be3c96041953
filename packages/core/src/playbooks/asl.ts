/**
 * Types for the subset of the Amazon States Language (JSONPath flavour) that Cordon's playbooks use.
 * JSONPath, not JSONata: aws-local-stepfunctions runs JSONPath only, and one definition must run both in
 * AWS and locally (ARCHITECTURE.md, "Decisions"). Only the fields the builders write are typed; a field
 * that is not here is one the playbooks do not rely on.
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonObject | readonly JsonValue[];
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** A state either names the next one or ends its (sub-)state machine. */
export type Transition =
  | { readonly Next: string; readonly End?: never }
  | { readonly End: true; readonly Next?: never };

/** Retries a failed state on the named errors, with exponential backoff. */
export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  /** `FULL` spreads retries of many executions throttled at once (both asl-validator and the local engine accept it). */
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

/** Sends a failed state to a fallback, with the error (`{ Error, Cause }`) at `ResultPath`. */
export interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
  readonly ResultPath?: string;
}

interface CommonFields {
  readonly Comment?: string;
  readonly InputPath?: string;
  readonly OutputPath?: string;
}

export type TaskState = CommonFields &
  Transition & {
    readonly Type: 'Task';
    /** A Lambda function ARN (its return value is the result) or a service integration ARN. */
    readonly Resource: string;
    readonly Parameters?: JsonObject;
    readonly ResultSelector?: JsonObject;
    readonly ResultPath?: string | null;
    readonly TimeoutSeconds?: number;
    /** Read from the state input in AWS, from the effective input (after `Parameters`) by the local engine. */
    readonly TimeoutSecondsPath?: string;
    readonly Retry?: readonly Retrier[];
    readonly Catch?: readonly Catcher[];
  };

export type ChoiceComparison =
  | { readonly BooleanEquals: boolean }
  | { readonly StringEquals: string }
  | { readonly NumericEquals: number }
  | { readonly IsPresent: boolean };

export type ChoiceDataTest = { readonly Variable: string } & ChoiceComparison;

export type ChoiceExpression =
  | ChoiceDataTest
  | { readonly And: readonly ChoiceExpression[] }
  | { readonly Or: readonly ChoiceExpression[] }
  | { readonly Not: ChoiceExpression };

export type ChoiceRule = ChoiceExpression & { readonly Next: string };

export interface ChoiceState extends CommonFields {
  readonly Type: 'Choice';
  readonly Choices: readonly ChoiceRule[];
  readonly Default?: string;
}

export type ParallelState = CommonFields &
  Transition & {
    readonly Type: 'Parallel';
    readonly Branches: readonly Branch[];
    readonly Parameters?: JsonObject;
    readonly ResultSelector?: JsonObject;
    readonly ResultPath?: string | null;
    readonly Retry?: readonly Retrier[];
    readonly Catch?: readonly Catcher[];
  };

export type PassState = CommonFields &
  Transition & {
    readonly Type: 'Pass';
    readonly Result?: JsonValue;
    readonly Parameters?: JsonObject;
    readonly ResultPath?: string | null;
  };

export interface SucceedState extends CommonFields {
  readonly Type: 'Succeed';
}

export interface FailState {
  readonly Type: 'Fail';
  readonly Comment?: string;
  readonly Error?: string;
  readonly Cause?: string;
  readonly ErrorPath?: string;
  readonly CausePath?: string;
}

export type State = TaskState | ChoiceState | ParallelState | PassState | SucceedState | FailState;
export type StateType = State['Type'];

/** A set of states with a start: a whole state machine, or one branch of a Parallel state. */
export interface Branch {
  readonly Comment?: string;
  readonly StartAt: string;
  readonly States: Readonly<Record<string, State>>;
}

export interface StateMachineDefinition extends Branch {
  readonly Comment: string;
  /** Standard workflows only: no Express-only feature is used. */
  readonly TimeoutSeconds?: number;
}

/** Where a state sits: the state machine's top level, or a branch of the named Parallel state. */
export interface LocatedState {
  readonly name: string;
  readonly state: State;
  /** The Parallel state whose branch holds this state; `undefined` at the top level. */
  readonly parallel?: string;
  readonly branch?: Branch;
}

/**
 * Every state of a definition, the states inside Parallel branches included, in definition order.
 *
 * @example
 * allStates(definition).filter(({ state }) => state.Type === 'Task').map(({ name }) => name)
 */
export function allStates(definition: Branch): LocatedState[] {
  const found: LocatedState[] = [];
  const visit = (branch: Branch, parallel: string | undefined): void => {
    for (const [name, state] of Object.entries(branch.States)) {
      found.push(parallel === undefined ? { name, state } : { name, state, parallel, branch });
      if (state.Type === 'Parallel') for (const inner of state.Branches) visit(inner, name);
    }
  };
  visit(definition, undefined);
  return found;
}

/**
 * The states a state can go to next, each with how it gets there (for diagrams and reachability checks).
 *
 * @example
 * edgesOf(choice) // [{ to: 'Ask for approval', kind: 'choice', label: 'approval.required is true' }, …]
 */
export function edgesOf(state: State): Edge[] {
  const out: Edge[] = [];
  if (state.Type === 'Choice') {
    for (const rule of state.Choices)
      out.push({ to: rule.Next, kind: 'choice', label: describeChoice(rule) });
    if (state.Default !== undefined) out.push({ to: state.Default, kind: 'default', label: 'otherwise' });
    return out;
  }
  if (state.Type === 'Succeed' || state.Type === 'Fail') return out;
  if (state.Next !== undefined) out.push({ to: state.Next, kind: 'next', label: '' });
  if (state.Type === 'Task' || state.Type === 'Parallel') {
    for (const catcher of state.Catch ?? []) {
      out.push({ to: catcher.Next, kind: 'catch', label: catcher.ErrorEquals.join(', ') });
    }
  }
  return out;
}

/** An edge of the state graph. */
export interface Edge {
  readonly to: string;
  readonly kind: 'next' | 'choice' | 'default' | 'catch';
  readonly label: string;
}

/**
 * A choice rule in words, as a diagram edge label.
 *
 * @example
 * describeChoice({ Variable: '$.approval.required', BooleanEquals: true, Next: 'x' }) // 'approval.required is true'
 */
export function describeChoice(expression: ChoiceExpression): string {
  if ('And' in expression) return expression.And.map(describeChoice).join(' and ');
  if ('Or' in expression) return expression.Or.map(describeChoice).join(' or ');
  if ('Not' in expression) return `not (${describeChoice(expression.Not)})`;
  const variable = expression.Variable.replace(/^\$\.?/, '');
  if ('BooleanEquals' in expression) return `${variable} is ${String(expression.BooleanEquals)}`;
  if ('StringEquals' in expression) return `${variable} is ${expression.StringEquals}`;
  if ('NumericEquals' in expression) return `${variable} = ${String(expression.NumericEquals)}`;
  return expression.IsPresent ? `${variable} is present` : `${variable} is absent`;
}

/**
 * Runs a playbook in aws-local-stepfunctions with stubbed steps, and records what happened: the calls the
 * stubs received (in order, with start and end), the states entered, and how the execution ended.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type {
  JsonObject,
  JsonValue,
  PlaybookId,
  StateMachineDefinition,
  StepId,
} from '../../src/playbooks/index.ts';
import {
  buildPlaybook,
  EXECUTION_INPUT_EXAMPLE,
  immediateRetries,
  LOCAL_BUILD_OPTIONS,
  localExecutionArn,
  localRunContext,
  localTaskHandlers,
  PLAYBOOKS,
  TARGET_EXAMPLES,
} from '../../src/playbooks/index.ts';

export interface StubCall {
  readonly state: string;
  readonly step: StepId;
  readonly input: JsonValue;
  readonly attempt: number;
  /** Order of the call's start and end among all starts and ends of the run. */
  readonly startedAt: number;
  endedAt?: number;
  failedWith?: string;
}

export interface RunScenario {
  readonly approvalRequired?: boolean;
  /** What the approver does; `timeout` never answers (the wait is 1 second). */
  readonly approval?: 'approve' | 'reject' | 'timeout';
  readonly timeoutDefault?: 'approve' | 'reject';
  readonly run?: { deactivateAccessKey: boolean; revokeSessions: boolean; disableConsoleAccess: boolean };
  /** State name → the error name its stub throws, on the first `times` attempts (all attempts if absent). */
  readonly failures?: Readonly<Record<string, { readonly error: string; readonly times?: number }>>;
}

export interface RunOutcome {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: string;
  readonly cause?: string;
  readonly output?: JsonValue;
  readonly calls: readonly StubCall[];
  /** States entered, in order (Parallel branches interleave). */
  readonly entered: readonly string[];
  /** The definition that ran. */
  readonly definition: StateMachineDefinition;
}

export const CHANGE_STEPS: readonly StepId[] = [
  'contain-instance',
  'deregister-from-load-balancers',
  'snapshot-volumes',
  'quarantine-instance-profile',
  'deactivate-access-key',
  'revoke-sessions',
  'disable-console-access',
  'release-instance',
];

/** A fresh execution input for a playbook, shaped as triage sends it. */
export function inputFor(playbook: PlaybookId, scenario: RunScenario = {}): JsonObject {
  const target: JsonObject = TARGET_EXAMPLES[PLAYBOOKS[playbook].target];
  const required = scenario.approvalRequired ?? scenario.approval !== undefined;
  return structuredClone({
    ...EXECUTION_INPUT_EXAMPLE,
    decision: { ...EXECUTION_INPUT_EXAMPLE.decision, playbook, approval: required ? 'required' : 'auto' },
    target,
    run: scenario.run ?? { deactivateAccessKey: true, revokeSessions: true, disableConsoleAccess: true },
    approval: {
      required,
      timeoutSeconds: scenario.approval === 'timeout' ? 1 : 60,
      timeoutDefault: scenario.timeoutDefault ?? 'reject',
    },
  });
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a playbook to its end in the local engine. */
export async function runPlaybook(playbook: PlaybookId, scenario: RunScenario = {}): Promise<RunOutcome> {
  const definition = buildPlaybook(playbook, LOCAL_BUILD_OPTIONS);
  const calls: StubCall[] = [];
  const attempts = new Map<string, number>();
  let clock = 0;

  const handlers = localTaskHandlers(definition, async ({ state, step, input }) => {
    const attempt = (attempts.get(state) ?? 0) + 1;
    attempts.set(state, attempt);
    const call: StubCall = { state, step, input, attempt, startedAt: clock++ };
    calls.push(call);
    // A short pause, so that steps in parallel branches overlap as they would in AWS.
    await tick(5);
    const failure = scenario.failures?.[state];
    if (failure !== undefined && (failure.times === undefined || attempt <= failure.times)) {
      call.failedWith = failure.error;
      call.endedAt = clock++;
      throw namedError(failure.error, `${state} failed (stub, attempt ${attempt})`);
    }
    if (step === 'request-approval') {
      if (scenario.approval === 'reject') {
        call.endedAt = clock++;
        throw namedError(
          'ApprovalRejected',
          JSON.stringify({ decidedBy: 'U0REJECTER', comment: 'false positive' }),
        );
      }
      if (scenario.approval === 'timeout') return new Promise<JsonValue>(() => {});
      call.endedAt = clock++;
      return { decision: 'approve', decidedBy: 'U0APPROVER' };
    }
    call.endedAt = clock++;
    return { status: 'done', step };
  });

  // The engine's types are the same JSON and ASL shapes with mutable arrays; ours are read-only.
  type EngineDefinition = ConstructorParameters<typeof StateMachine>[0];
  type EngineJson = Parameters<StateMachine['run']>[0];
  type EngineHandlers = Record<string, (input: EngineJson) => Promise<EngineJson>>;
  // The engine's own validation compiles a JSON schema on every construction; build.test.ts runs it once.
  const machine = new StateMachine(structuredClone(definition) as unknown as EngineDefinition, {
    validationOptions: { noValidate: true },
  });
  const execution = machine.run(inputFor(playbook, scenario) as EngineJson, {
    overrides: {
      taskResourceLocalHandlers: handlers as unknown as EngineHandlers,
      retryIntervalOverrides: immediateRetries(definition),
    },
    context: localRunContext('local-task-token', localExecutionArn('local-run')),
  });
  const entered: string[] = [];
  let failed: { error: string; cause: string } | undefined;
  const logged = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') entered.push(event.state.name);
      if (event.type === 'ExecutionFailed') failed = { error: event.Error, cause: String(event.Cause) };
    }
  })();
  try {
    const output = (await execution.result) as JsonValue;
    await logged;
    return { status: 'SUCCEEDED', output, calls, entered, definition };
  } catch {
    await logged;
    return { status: 'FAILED', error: failed?.error, cause: failed?.cause, calls, entered, definition };
  }
}

/** The calls that ran a step (failure reports included when `step` is notify). */
export function callsOf(outcome: RunOutcome, step: StepId): StubCall[] {
  return outcome.calls.filter((call) => call.step === step);
}

/** The steps called, in call order, without repeats of a retried call. */
export function stepsCalled(outcome: RunOutcome): StepId[] {
  return outcome.calls.filter((call) => call.attempt === 1).map((call) => call.step);
}

/** A field of a call's input object. */
export function field(call: StubCall | undefined, key: string): JsonValue | undefined {
  const input = call?.input;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return undefined;
  return (input as JsonObject)[key];
}

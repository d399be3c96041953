import { RETRYABLE_ERROR_NAMES } from '../actions/errors.ts';
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
import { PLAYBOOK_IDS, type PlaybookId, type StepId } from './ids.ts';
import { failedStateName, reportStateName, STATE_NAMES, stoppedStateName } from './states.ts';

/** What the playbooks call: a step's function, or the function that reports a failed step. */
export type FunctionKey = StepId | 'report-failure';

export interface PlaybookBuildOptions {
  /** The Lambda function ARN of a step; `report-failure` is normally the notify function too. */
  functionArn(step: FunctionKey): string;
  /** Error names worth retrying for a step (default: `RETRYABLE_ERROR_NAMES`). */
  retryableErrors?(step: StepId): readonly string[];
}

/**
 * Errors the Lambda service itself raises on an invocation; always worth a retry. AWS's list (Step Functions
 * Developer Guide, "Handle Lambda service exceptions":
 * https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html) plus Lambda's throttling.
 */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/** Error names the playbooks raise or match, besides the actions' own. */
export const PLAYBOOK_ERRORS = {
  /** The Fail state's error when a step failed; the cause is the step id. */
  stepFailed: 'PlaybookStepFailed',
  /** What the approval API sends with SendTaskFailure when an approver rejects. */
  approvalRejected: 'ApprovalRejected',
  /** What Step Functions raises when a Task outlives its timeout (the approval wait included). */
  timeout: 'States.Timeout',
  all: 'States.ALL',
} as const;

/** The service integration that invokes a Lambda function and waits for SendTaskSuccess/Failure. */
export const APPROVAL_RESOURCE = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** The retry policy of every Task: a few quick tries, backing off, jittered so throttled runs spread out. */
export const RETRY_POLICY = {
  IntervalSeconds: 1,
  BackoffRate: 2,
  MaxAttempts: 5,
  JitterStrategy: 'FULL',
} as const;

/** What request-approval throws when the request reached neither Slack nor SNS (core's errors.ts). */
export const APPROVAL_NOT_DELIVERED = 'ApprovalNotDeliveredError';

/** Errors that mean "too fast" (AWS throttling, Lambda concurrency): they clear by waiting, so more tries. */
export const THROTTLING_ERRORS = ['ThrottledError', 'Lambda.TooManyRequestsException'] as const;

/**
 * Throttling gets its own, longer retrier: in a burst every step competes for the same API rate limits, and
 * a containment that gives up on a rate limit is a containment lost (measured: docs/benchmarks.md). The
 * delay is capped so a step never sleeps for minutes.
 */
export const THROTTLING_RETRY_POLICY = {
  IntervalSeconds: 1,
  BackoffRate: 2,
  MaxAttempts: 10,
  MaxDelaySeconds: 30,
  JitterStrategy: 'FULL',
} as const;

/**
 * The ARN of a step's function in the local engine's fake account (the local engine keys its handlers by
 * state, but the ARN still has to be a valid Lambda ARN for the engine's validator). Failure reports go to
 * the notify function, as in AWS by default.
 *
 * @example LOCAL_FUNCTION_ARN('contain-instance') // 'arn:aws:lambda:us-east-1:000000000000:function:cordon-contain-instance'
 */
export function LOCAL_FUNCTION_ARN(step: FunctionKey): string {
  const name = step === 'report-failure' ? 'notify' : step;
  return `arn:aws:lambda:us-east-1:000000000000:function:cordon-${name}`;
}

/** Build options for the local engine and for the docs. */
export const LOCAL_BUILD_OPTIONS: PlaybookBuildOptions = { functionArn: LOCAL_FUNCTION_ARN };

/** A step of a playbook's successful run; an array is a set of steps that run in parallel. */
export type PlannedStep = StepId | readonly StepId[];

/** How a playbook asks for approval. */
export type ApprovalMode = 'when-required' | 'always' | 'never';

/** What a playbook is, besides its states: the docs and the tests read these. */
export interface PlaybookDefinition {
  readonly id: PlaybookId;
  readonly title: string;
  /** One sentence: what the playbook does. */
  readonly summary: string;
  /** The steps of a run where every step succeeds and approval (if any) is granted, in order. */
  readonly steps: readonly PlannedStep[];
  readonly approval: ApprovalMode;
  /** Whether `approval.timeoutDefault = approve` lets the changes run when nobody decides in time. */
  readonly timeoutDefaultApplies: boolean;
  /** The notify event of the last step. */
  readonly finalEvent: 'contained' | 'decided' | 'released';
  readonly build: (options: PlaybookBuildOptions) => StateMachineDefinition;
}

const S = STATE_NAMES;

/** The fields every action takes (the actions' `StepEnvelopeSchema`). */
const ENVELOPE: JsonObject = {
  'incidentId.$': '$.incident.id',
  'account.$': '$.incident.account',
  'region.$': '$.incident.region',
  'dryRun.$': '$.decision.dryRun',
};

const INSTANCE: JsonObject = { 'instanceId.$': '$.target.instanceId' };

/** contain-instance also takes triage's reads of the instance (`null` when there are none). */
const CONTAINMENT: JsonObject = { ...INSTANCE, 'observation.$': '$.observation' };

/** `snapshot-volumes` → `snapshotVolumes`: the key of a step's result under `$.results`. */
export function resultKey(step: StepId): string {
  return step.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Collects the states of one state machine or branch, and adds each Task's failure path with it. */
class Scope {
  public readonly states: Record<string, State> = {};

  public constructor(
    private readonly options: PlaybookBuildOptions,
    /** Top-level failures go to the shared report; a branch reports its own and fails. */
    private readonly where: 'top' | 'branch',
  ) {}

  public add(name: string, state: State): void {
    if (name in this.states) throw new Error(`Playbook builder: state "${name}" is defined twice.`);
    this.states[name] = state;
  }

  public retry(step: StepId): Retrier[] {
    const retryable = new Set<string>([
      ...(this.options.retryableErrors?.(step) ?? RETRYABLE_ERROR_NAMES),
      // A request that reached neither Slack nor SNS is asked again: nobody was told, nothing was decided.
      ...(step === 'request-approval' ? [APPROVAL_NOT_DELIVERED] : []),
      ...LAMBDA_SERVICE_ERRORS,
    ]);
    const throttling = THROTTLING_ERRORS.filter((name) => retryable.has(name));
    const others = [...retryable].filter((name) => !(THROTTLING_ERRORS as readonly string[]).includes(name));
    return [
      ...(throttling.length === 0 ? [] : [{ ErrorEquals: throttling, ...THROTTLING_RETRY_POLICY }]),
      ...(others.length === 0 ? [] : [{ ErrorEquals: others, ...RETRY_POLICY }]),
    ];
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

function notifyParameters(event: string): JsonObject {
  return { ...ENVELOPE, event, 'incident.$': '$.incident', 'playbook.$': '$.decision.playbook' };
}

interface ApprovalGate {
  /** The state that makes the first change, where an approval (or the approve default) leads. */
  readonly first: string;
  readonly firstStep: StepId;
  /** `true`: a Choice on `approval.required` comes first; `false`: approval is always asked for. */
  readonly optional: boolean;
  readonly timeoutDefaultApplies: boolean;
}

/**
 * The approval gate: ask, wait for the decision (SendTaskSuccess = approve; SendTaskFailure
 * `ApprovalRejected` = reject), and on timeout escalate, then apply `approval.timeoutDefault`.
 * A rejection or a "reject" default ends SUCCEEDED: a human decision is not a failed step.
 */
function approvalGate(scope: Scope, options: PlaybookBuildOptions, gate: ApprovalGate): string {
  if (gate.optional) scope.when(S.approvalRequired, '$.approval.required', S.setApprovalDeadline, gate.first);
  // TimeoutSecondsPath is read from the state input in AWS and from the effective input (after Parameters)
  // by aws-local-stepfunctions. `$.Payload.timeoutSeconds` exists in both: this Pass writes it into the
  // state input, and the Task's Parameters write it into the effective input.
  scope.add(S.setApprovalDeadline, {
    Type: 'Pass',
    Parameters: { 'timeoutSeconds.$': '$.approval.timeoutSeconds' },
    ResultPath: '$.Payload',
    Next: S.askForApproval,
  });
  const timeoutDefault: JsonObject = gate.timeoutDefaultApplies
    ? { 'timeoutDefault.$': '$.approval.timeoutDefault' }
    : { timeoutDefault: 'reject' };
  scope.task(
    S.askForApproval,
    'request-approval',
    {
      Resource: APPROVAL_RESOURCE,
      Parameters: {
        FunctionName: options.functionArn('request-approval'),
        Payload: {
          'taskToken.$': '$$.Task.Token',
          ...ENVELOPE,
          step: gate.firstStep,
          'actions.$': '$.decision.steps',
          'incident.$': '$.incident',
          'playbook.$': '$.decision.playbook',
          'reason.$': '$.decision.reason',
          'timeoutSeconds.$': '$.approval.timeoutSeconds',
          ...timeoutDefault,
        },
      },
      TimeoutSecondsPath: '$.Payload.timeoutSeconds',
      ResultPath: '$.results.approval',
    },
    { Next: gate.first },
    [
      {
        ErrorEquals: [PLAYBOOK_ERRORS.approvalRejected],
        ResultPath: '$.results.approval',
        Next: S.tellRejected,
      },
      { ErrorEquals: [PLAYBOOK_ERRORS.timeout], ResultPath: '$.results.approval', Next: S.escalate },
    ],
  );
  scope.notify(
    S.tellRejected,
    'approval-rejected',
    { Next: S.rejected },
    { 'approval.$': '$.results.approval' },
  );
  scope.add(S.rejected, { Type: 'Succeed', Comment: 'A rejection is a decision, not a failed step.' });
  scope.notify(
    S.escalate,
    'approval-timeout',
    { Next: gate.timeoutDefaultApplies ? S.approveByDefault : S.notApprovedInTime },
    { decidedBy: 'timeout', 'timeoutSeconds.$': '$.approval.timeoutSeconds', ...timeoutDefault },
  );
  if (gate.timeoutDefaultApplies) {
    scope.add(S.approveByDefault, {
      Type: 'Choice',
      Choices: [
        { Variable: '$.approval.timeoutDefault', StringEquals: 'approve', Next: S.approvedByDefault },
      ],
      Default: S.notApprovedInTime,
    });
    scope.add(S.approvedByDefault, {
      Type: 'Pass',
      Result: { decision: 'approve', decidedBy: 'timeout' },
      ResultPath: '$.results.approval',
      Next: gate.first,
    });
  }
  scope.add(S.notApprovedInTime, {
    Type: 'Succeed',
    Comment: 'Nobody decided in time and the default is reject.',
  });
  return gate.optional ? S.approvalRequired : S.setApprovalDeadline;
}

function finish(scope: Scope, id: PlaybookId, startAt: string, summary: string): StateMachineDefinition {
  scope.finishFailurePath();
  return { Comment: `Cordon playbook ${id}: ${summary}`, StartAt: startAt, States: scope.states };
}

function buildEc2Compromise(options: PlaybookBuildOptions): StateMachineDefinition {
  const scope = new Scope(options, 'top');
  const start = approvalGate(scope, options, {
    first: S.containInstance,
    firstStep: 'contain-instance',
    optional: true,
    timeoutDefaultApplies: true,
  });
  // One step to containment (evidence, Standby, both ENI moves): each step costs a Lambda invocation, a
  // state transition and a ledger write on the critical path (docs/benchmarks.md, "Containment path").
  scope.action(S.containInstance, 'contain-instance', CONTAINMENT, { Next: S.afterContainment });
  // Off the critical path: the LB no longer reaches the isolated instance anyway (DOMAIN.md item 13 says
  // not to wait for draining), and evidence and credentials are kept once the instance is cut off.
  scope.parallel(
    S.afterContainment,
    [
      [S.deregisterFromLoadBalancers, 'deregister-from-load-balancers', INSTANCE],
      [S.snapshotVolumes, 'snapshot-volumes', INSTANCE],
      [S.quarantineInstanceProfile, 'quarantine-instance-profile', INSTANCE],
    ],
    S.collectAfterContainment,
    S.tellContained,
  );
  scope.notify(S.tellContained, 'contained', { End: true }, { 'results.$': '$.results' });
  return finish(scope, 'ec2-compromise', start, PLAYBOOK_DEFINITIONS['ec2-compromise'].summary);
}

function buildCredentialCompromise(options: PlaybookBuildOptions): StateMachineDefinition {
  const scope = new Scope(options, 'top');
  const gate = approvalGate(scope, options, {
    first: S.deactivateAccessKeyChoice,
    firstStep: 'deactivate-access-key',
    optional: true,
    timeoutDefaultApplies: true,
  });
  // Every step may be switched off: without this, the final notify's `$.results` could be missing, and a
  // missing path is an uncatchable States.Runtime error.
  scope.add(S.startRecord, { Type: 'Pass', Result: {}, ResultPath: '$.results', Next: gate });
  const start = S.startRecord;
  scope.when(
    S.deactivateAccessKeyChoice,
    '$.run.deactivateAccessKey',
    S.deactivateAccessKey,
    S.revokeSessionsChoice,
  );
  // No userName: findings may lack it (DOMAIN.md item 22) and a missing path would fail the execution with
  // an uncatchable States.Runtime; the action resolves the key's user with GetAccessKeyLastUsed.
  scope.action(
    S.deactivateAccessKey,
    'deactivate-access-key',
    { 'accessKeyId.$': '$.target.accessKeyId' },
    { Next: S.revokeSessionsChoice },
  );
  scope.when(S.revokeSessionsChoice, '$.run.revokeSessions', S.revokeSessions, S.disableConsoleAccessChoice);
  scope.action(
    S.revokeSessions,
    'revoke-sessions',
    { 'principalType.$': '$.target.principalType', 'name.$': '$.target.name' },
    { Next: S.disableConsoleAccessChoice },
  );
  scope.when(
    S.disableConsoleAccessChoice,
    '$.run.disableConsoleAccess',
    S.disableConsoleAccess,
    S.tellContained,
  );
  scope.action(
    S.disableConsoleAccess,
    'disable-console-access',
    { 'userName.$': '$.target.userName' },
    { Next: S.tellContained },
  );
  scope.notify(S.tellContained, 'contained', { End: true }, { 'results.$': '$.results' });
  return finish(scope, 'credential-compromise', start, PLAYBOOK_DEFINITIONS['credential-compromise'].summary);
}

function buildStaleCredentials(options: PlaybookBuildOptions): StateMachineDefinition {
  const scope = new Scope(options, 'top');
  const start = approvalGate(scope, options, {
    first: S.deactivateStaleKeys,
    firstStep: 'deactivate-access-key',
    optional: true,
    timeoutDefaultApplies: true,
  });
  scope.action(
    S.deactivateStaleKeys,
    'deactivate-access-key',
    {
      'userId.$': '$.target.userId',
      'staleAfterDays.$': '$.target.staleAfterDays',
      'staleBy.$': '$.target.staleBy',
    },
    { Next: S.tellKeysDeactivated },
  );
  scope.notify(S.tellKeysDeactivated, 'contained', { End: true }, { 'results.$': '$.results' });
  return finish(scope, 'stale-credentials', start, PLAYBOOK_DEFINITIONS['stale-credentials'].summary);
}

function buildNotifyOnly(id: 'root-activity' | 'notify-only') {
  return (options: PlaybookBuildOptions): StateMachineDefinition => {
    const scope = new Scope(options, 'top');
    scope.notify(S.tellDecided, 'decided', { End: true }, { 'message.$': '$.decision.reason' });
    return finish(scope, id, S.tellDecided, PLAYBOOK_DEFINITIONS[id].summary);
  };
}

function buildEc2Release(options: PlaybookBuildOptions): StateMachineDefinition {
  const scope = new Scope(options, 'top');
  const start = approvalGate(scope, options, {
    first: S.releaseInstance,
    firstStep: 'release-instance',
    optional: false,
    // A release is never automatic (DOMAIN.md item 18): without a decision, nothing is released.
    timeoutDefaultApplies: false,
  });
  scope.action(S.releaseInstance, 'release-instance', INSTANCE, { Next: S.tellReleased });
  scope.notify(S.tellReleased, 'released', { End: true }, { 'results.$': '$.results' });
  return finish(scope, 'ec2-release', start, PLAYBOOK_DEFINITIONS['ec2-release'].summary);
}

/** Every playbook: what it is, its steps in order, and how to build its state machine. */
export const PLAYBOOK_DEFINITIONS: Readonly<Record<PlaybookId, PlaybookDefinition>> = {
  'ec2-compromise': {
    id: 'ec2-compromise',
    title: 'EC2 instance compromise',
    summary:
      'in one step, protect the evidence, put the instance in Standby in its Auto Scaling group and isolate every ENI; then take it out of its load balancers, snapshot its volumes and quarantine its instance profile.',
    steps: [
      'contain-instance',
      ['deregister-from-load-balancers', 'snapshot-volumes', 'quarantine-instance-profile'],
      'notify',
    ],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'contained',
    build: buildEc2Compromise,
  },
  'credential-compromise': {
    id: 'credential-compromise',
    title: 'Credential compromise',
    summary:
      'deactivate the access key a finding names, deny sessions issued before now, and disable console access — each only when triage asks for it.',
    steps: ['deactivate-access-key', 'revoke-sessions', 'disable-console-access', 'notify'],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'contained',
    build: buildCredentialCompromise,
  },
  'stale-credentials': {
    id: 'stale-credentials',
    title: 'Stale credentials',
    summary: "deactivate an IAM user's access keys older than the threshold that AWS Config flagged.",
    steps: ['deactivate-access-key', 'notify'],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'contained',
    build: buildStaleCredentials,
  },
  'root-activity': {
    id: 'root-activity',
    title: 'Root account activity',
    summary: 'tell the responders, at critical severity: root credentials cannot be revoked by IAM policy.',
    steps: ['notify'],
    approval: 'never',
    timeoutDefaultApplies: false,
    finalEvent: 'decided',
    build: buildNotifyOnly('root-activity'),
  },
  'notify-only': {
    id: 'notify-only',
    title: 'Notify only',
    summary: 'tell the responders what Cordon decided and why; change nothing.',
    steps: ['notify'],
    approval: 'never',
    timeoutDefaultApplies: false,
    finalEvent: 'decided',
    build: buildNotifyOnly('notify-only'),
  },
  'ec2-release': {
    id: 'ec2-release',
    title: 'EC2 instance release',
    summary:
      'after an approval, restore the security groups, instance profile, Auto Scaling group and load balancer registration that containment recorded.',
    steps: ['release-instance', 'notify'],
    approval: 'always',
    timeoutDefaultApplies: false,
    finalEvent: 'released',
    build: buildEc2Release,
  },
};

/**
 * The state machine definition of a playbook: JSONPath ASL that runs in AWS Step Functions (Standard) and in
 * aws-local-stepfunctions alike. Each call builds a fresh object, so callers may mutate it.
 *
 * @example
 * const definition = buildPlaybook('ec2-compromise', { functionArn: (step) => arns[step] });
 * new aws.sfn.StateMachine('ec2-compromise', { definition: JSON.stringify(definition), roleArn });
 */
export function buildPlaybook(id: PlaybookId, options: PlaybookBuildOptions): StateMachineDefinition {
  return PLAYBOOK_DEFINITIONS[id].build(options);
}

/**
 * Every playbook's definition, by id.
 *
 * @example
 * const local = allPlaybooks(LOCAL_BUILD_OPTIONS);
 * local['notify-only'].StartAt // 'Tell the responders what was decided'
 */
export function allPlaybooks(options: PlaybookBuildOptions): Record<PlaybookId, StateMachineDefinition> {
  const entries = PLAYBOOK_IDS.map((id) => [id, buildPlaybook(id, options)] as const);
  // Object.fromEntries loses the key type; every PlaybookId is an entry above.
  return Object.fromEntries(entries) as Record<PlaybookId, StateMachineDefinition>;
}

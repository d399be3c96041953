/**
 * The approval gate every playbook that asks first starts with: ask, wait for the decision, and on timeout
 * escalate, then apply `approval.timeoutDefault` (or never, for a release).
 */
import type { JsonObject } from './asl.ts';
import { PLAYBOOK_ERRORS } from './error-handling.ts';
import type { StepId } from './ids.ts';
import { APPROVAL_RESOURCE, ENVELOPE, type PlaybookBuildOptions, type Scope } from './scope.ts';
import { STATE_NAMES } from './states.ts';

const S = STATE_NAMES;

export interface ApprovalGate {
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
export function approvalGate(scope: Scope, options: PlaybookBuildOptions, gate: ApprovalGate): string {
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
          // The approval links to the execution in the console: the context object's `Execution.Id` is its ARN
          // (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html).
          'executionArn.$': '$$.Execution.Id',
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

/**
 * What the playbooks' state machines retry and catch: the contract between the state machines and the
 * functions they call. The actions' error names come from core's errors.ts (`RETRYABLE_ERROR_NAMES`, read
 * by the actions too); the Lambda service's own errors and the playbooks' own names are here.
 */
import { RETRYABLE_ERROR_NAMES } from '../errors.ts';
import type { Retrier } from './asl.ts';
import type { StepId } from './ids.ts';

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
 * The Retry of a step's Task: throttling with its own, longer retrier, everything else retryable with the
 * usual one. `retryable` are the step's retryable errors (default: `RETRYABLE_ERROR_NAMES`).
 *
 * @example retriersFor('notify')[0].ErrorEquals // ['ThrottledError', 'Lambda.TooManyRequestsException']
 */
export function retriersFor(step: StepId, retryable?: readonly string[]): Retrier[] {
  const names = new Set<string>([
    ...(retryable ?? RETRYABLE_ERROR_NAMES),
    // A request that reached neither Slack nor SNS is asked again: nobody was told, nothing was decided.
    ...(step === 'request-approval' ? [APPROVAL_NOT_DELIVERED] : []),
    ...LAMBDA_SERVICE_ERRORS,
  ]);
  const throttling = THROTTLING_ERRORS.filter((name) => names.has(name));
  const others = [...names].filter((name) => !(THROTTLING_ERRORS as readonly string[]).includes(name));
  return [
    ...(throttling.length === 0 ? [] : [{ ErrorEquals: throttling, ...THROTTLING_RETRY_POLICY }]),
    ...(others.length === 0 ? [] : [{ ErrorEquals: others, ...RETRY_POLICY }]),
  ];
}

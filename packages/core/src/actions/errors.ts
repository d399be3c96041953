import { CordonError } from '../errors.ts';

/**
 * Action errors: the names are the contract with Step Functions (`Retry` and `Catch` match on `name`).
 * Retryable errors are worth trying again with backoff; terminal ones end the step and the playbook
 * reports the failure. Keep the two lists apart: a terminal error retried hides a real failure, a retryable
 * error reported as terminal fails a containment that a second try would have finished.
 */
export const RETRYABLE_ERROR_NAMES = [
  'ThrottledError',
  'TransientServiceError',
  'EventualConsistencyError',
] as const;
export type RetryableErrorName = (typeof RETRYABLE_ERROR_NAMES)[number];

export const TERMINAL_ERROR_NAMES = [
  'AccessDeniedError',
  'ResourceGoneError',
  'ExemptResourceError',
  'UnmodifiableRoleError',
  'InvalidActionInputError',
  'ActionFailedError',
] as const;
export type TerminalErrorName = (typeof TERMINAL_ERROR_NAMES)[number];
export type ActionErrorName = RetryableErrorName | TerminalErrorName;

/** What a step changed before it failed: a fault mid-way loses nothing and is reported. */
export interface PartialProgress {
  readonly done: readonly string[];
  readonly notDone: readonly string[];
}

export interface ActionErrorOptions extends ErrorOptions {
  /** The AWS error code behind this error, when there is one. */
  readonly awsError?: string;
  readonly partial?: PartialProgress;
}

export abstract class ActionError extends CordonError {
  public abstract readonly retryable: boolean;
  public readonly awsError?: string;
  public readonly partial?: PartialProgress;

  public constructor(message: string, options: ActionErrorOptions = {}) {
    super(message, options);
    this.awsError = options.awsError;
    this.partial = options.partial;
  }
}

/** Throttling and rate limits (`Throttling`, `RequestLimitExceeded`, `ConcurrentSnapshotLimitExceeded`, …). */
export class ThrottledError extends ActionError {
  public readonly retryable = true;
  public constructor(message: string, options?: ActionErrorOptions) {
    super(message, options);
    this.name = 'ThrottledError';
  }
}

/** A 5xx or a network fault on AWS's side. */
export class TransientServiceError extends ActionError {
  public readonly retryable = true;
  public constructor(message: string, options?: ActionErrorOptions) {
    super(message, options);
    this.name = 'TransientServiceError';
  }
}

/** AWS has not caught up with a change yet (`InvalidGroup.NotFound` just after `CreateSecurityGroup`). */
export class EventualConsistencyError extends ActionError {
  public readonly retryable = true;
  public constructor(message: string, options?: ActionErrorOptions) {
    super(message, options);
    this.name = 'EventualConsistencyError';
  }
}

/** Cordon's role may not make this call (`AccessDenied`, `UnauthorizedOperation`). */
export class AccessDeniedError extends ActionError {
  public readonly retryable = false;
  public constructor(message: string, options?: ActionErrorOptions) {
    super(message, options);
    this.name = 'AccessDeniedError';
  }
}

/** The resource no longer exists (`InvalidInstanceID.NotFound`, `NoSuchEntity`). */
export class ResourceGoneError extends ActionError {
  public readonly retryable = false;
  public constructor(message: string, options?: ActionErrorOptions) {
    super(message, options);
    this.name = 'ResourceGoneError';
  }
}

/** The resource carries the exemption tag, or the principal is a break-glass one: notify, never act. */
export class ExemptResourceError extends ActionError {
  public readonly retryable = false;
  public constructor(message: string, options?: ActionErrorOptions) {
    super(message, options);
    this.name = 'ExemptResourceError';
  }
}

/** Service-linked and IAM Identity Center roles cannot carry Cordon's deny policy. */
export class UnmodifiableRoleError extends ActionError {
  public readonly retryable = false;
  public constructor(message: string, options?: ActionErrorOptions) {
    super(message, options);
    this.name = 'UnmodifiableRoleError';
  }
}

/** The step's input does not match the action's schema. */
export class InvalidActionInputError extends ActionError {
  public readonly retryable = false;
  public constructor(message: string, options?: ActionErrorOptions) {
    super(message, options);
    this.name = 'InvalidActionInputError';
  }
}

/** Any other AWS error: terminal, with the AWS code in `awsError`. */
export class ActionFailedError extends ActionError {
  public readonly retryable = false;
  public constructor(message: string, options?: ActionErrorOptions) {
    super(message, options);
    this.name = 'ActionFailedError';
  }
}

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  // SNS's wire code for ThrottledException (HTTP 429); `awsErrorCode` prefers `Code`, so the name is not enough.
  'Throttled',
  'KMSThrottling',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'ConcurrentSnapshotLimitExceeded',
  'SnapshotCreationPerVolumeRateExceeded',
  'PriorRequestNotComplete',
  'SlowDown',
  'LimitExceededException',
]);
const TRANSIENT_CODES = new Set([
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ServiceFailure',
  'Unavailable',
  'TimeoutError',
  'RequestTimeout',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
]);
const ACCESS_DENIED_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  // SNS's wire code for AuthorizationErrorException (HTTP 403).
  'AuthorizationError',
  'AuthFailure',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
]);
const GONE_CODES = new Set([
  'InvalidInstanceID.NotFound',
  'InvalidNetworkInterfaceID.NotFound',
  'InvalidVolume.NotFound',
  'InvalidSnapshot.NotFound',
  'NoSuchEntity',
  'TargetGroupNotFound',
  'TargetGroupNotFoundException',
  'LoadBalancerNotFound',
  'AccessPointNotFound',
  'AccessPointNotFoundException',
  'NotFound',
]);

export interface ClassifyOptions {
  /** Codes that mean "not caught up yet" in this action (e.g. `InvalidGroup.NotFound` after creating it). */
  readonly eventualConsistency?: readonly string[];
  readonly partial?: PartialProgress;
}

/**
 * Maps any error thrown by an AWS SDK call (or by our own code) to an action error whose name tells
 * Step Functions whether to retry. Action errors pass through unchanged.
 *
 * @example
 * try { await ec2.send(command) } catch (error) { throw classifyAwsError(error, 'isolate-instance: ModifyNetworkInterfaceAttribute') }
 */
export function classifyAwsError(error: unknown, what: string, options: ClassifyOptions = {}): ActionError {
  if (error instanceof ActionError) return error;
  const code = awsErrorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  const message = `${what} failed: ${code}${detail && detail !== code ? ` (${detail})` : ''}`;
  const errorOptions: ActionErrorOptions = { cause: error, awsError: code, partial: options.partial };
  if (options.eventualConsistency?.includes(code)) return new EventualConsistencyError(message, errorOptions);
  if (THROTTLING_CODES.has(code)) return new ThrottledError(message, errorOptions);
  if (TRANSIENT_CODES.has(code) || isServerFault(error))
    return new TransientServiceError(message, errorOptions);
  if (ACCESS_DENIED_CODES.has(code)) return new AccessDeniedError(message, errorOptions);
  if (GONE_CODES.has(code)) return new ResourceGoneError(message, errorOptions);
  return new ActionFailedError(message, errorOptions);
}

/**
 * Of the errors of several calls, the one a step reports: a terminal one wins (retrying would only meet it
 * again), otherwise the first; `undefined` for none.
 */
export function mostSerious(errors: readonly ActionError[]): ActionError | undefined {
  return errors.find((error) => !error.retryable) ?? errors[0];
}

/** The AWS error code: SDK v3 exceptions carry it as `name` (and `Code` for query protocols). */
export function awsErrorCode(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const record = error as { name?: unknown; Code?: unknown; code?: unknown };
    for (const candidate of [record.Code, record.name, record.code]) {
      if (typeof candidate === 'string' && candidate !== '' && candidate !== 'Error') return candidate;
    }
  }
  return 'UnknownError';
}

function isServerFault(error: unknown): boolean {
  return error !== null && typeof error === 'object' && (error as { $fault?: unknown }).$fault === 'server';
}

/** `true` when the error is AWS's answer to a successful `DryRun: true` call. */
export function isDryRunSuccess(error: unknown): boolean {
  return awsErrorCode(error) === 'DryRunOperation';
}

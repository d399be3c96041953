/**
 * Every error of @cordon/core, in one module: the contract with Step Functions (`Retry` and `Catch` match an
 * error by its `name`), the errors the actions throw, and the configuration and input errors of the rest of
 * the core.
 *
 * Each class names itself: {@link CordonError} declares `name` abstract, so TypeScript refuses an error class
 * that does not say its own name. The name is a string literal on purpose — a name read from the constructor
 * (`new.target.name`) would be whatever a minifier renamed the class to, and Step Functions would match
 * nothing. Names end in `Error` and never change: deployed state machines match them.
 */

/** The base of every Cordon error; the cause is kept (`{ cause }`). */
export abstract class CordonError extends Error {
  public abstract override readonly name: string;

  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * The name of an error's innermost cause, for a log line that must not quote messages (they may hold a URL,
 * a token or request data): Powertools wraps SDK errors (`GetParameterError` ← `ParameterNotFound`).
 *
 * @example rootCauseName(new Error('x', { cause: Object.assign(new Error('y'), { name: 'ParameterNotFound' }) })) // 'ParameterNotFound'
 */
export function rootCauseName(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.name : 'unknown';
}

// ---------------------------------------------------------------------------------------------------------
// The contract with Step Functions: what the playbooks retry, and what ends a step.

/**
 * Errors worth trying again with backoff: every Task of every playbook retries these (playbooks/retry.ts),
 * and an action declares which of them it may throw (`ActionDefinition.retryableErrors`). Keep the two lists
 * apart: a terminal error retried hides a real failure, a retryable error reported as terminal fails a
 * containment that a second try would have finished.
 */
export const RETRYABLE_ERROR_NAMES = [
  'ThrottledError',
  'TransientServiceError',
  'EventualConsistencyError',
] as const;
export type RetryableErrorName = (typeof RETRYABLE_ERROR_NAMES)[number];

/** Errors that end a step at once: the playbook reports the failure and stops. */
export const TERMINAL_ERROR_NAMES = [
  'AccessDeniedError',
  'ResourceGoneError',
  'ExemptResourceError',
  'UnmodifiableRoleError',
  'DenyPolicyFullError',
  'InvalidActionInputError',
  'ActionFailedError',
] as const;
export type TerminalErrorName = (typeof TERMINAL_ERROR_NAMES)[number];
export type ActionErrorName = RetryableErrorName | TerminalErrorName;

// ---------------------------------------------------------------------------------------------------------
// Action errors.

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

/** An error an action throws; its name is one of {@link RETRYABLE_ERROR_NAMES} or {@link TERMINAL_ERROR_NAMES}. */
export abstract class ActionError extends CordonError {
  public abstract override readonly name: ActionErrorName;
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
  public override readonly name = 'ThrottledError';
  public readonly retryable = true;
}

/** A 5xx or a network fault on AWS's side. */
export class TransientServiceError extends ActionError {
  public override readonly name = 'TransientServiceError';
  public readonly retryable = true;
}

/** AWS has not caught up with a change yet (`InvalidGroup.NotFound` just after `CreateSecurityGroup`). */
export class EventualConsistencyError extends ActionError {
  public override readonly name = 'EventualConsistencyError';
  public readonly retryable = true;
}

/** Cordon's role may not make this call (`AccessDenied`, `UnauthorizedOperation`). */
export class AccessDeniedError extends ActionError {
  public override readonly name = 'AccessDeniedError';
  public readonly retryable = false;
}

/** The resource no longer exists (`InvalidInstanceID.NotFound`, `NoSuchEntity`). */
export class ResourceGoneError extends ActionError {
  public override readonly name = 'ResourceGoneError';
  public readonly retryable = false;
}

/** The resource carries the exemption tag, or the principal is a break-glass one: notify, never act. */
export class ExemptResourceError extends ActionError {
  public override readonly name = 'ExemptResourceError';
  public readonly retryable = false;
}

/** Service-linked and IAM Identity Center roles cannot carry Cordon's deny policy. */
export class UnmodifiableRoleError extends ActionError {
  public override readonly name = 'UnmodifiableRoleError';
  public readonly retryable = false;
}

/**
 * Cordon's deny policy on a role or user would pass IAM's quota for the principal's inline policies (a role's
 * total 10,240 characters, a user's 2,048): the deny was not written, and the notification says what to do.
 */
export class DenyPolicyFullError extends ActionError {
  public override readonly name = 'DenyPolicyFullError';
  public readonly retryable = false;
}

/** The step's input does not match the action's schema. */
export class InvalidActionInputError extends ActionError {
  public override readonly name = 'InvalidActionInputError';
  public readonly retryable = false;
}

/** Any other AWS error: terminal, with the AWS code in `awsError`. */
export class ActionFailedError extends ActionError {
  public override readonly name = 'ActionFailedError';
  public readonly retryable = false;
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
 *
 * @example mostSerious([new ThrottledError('a'), new AccessDeniedError('b')])?.name // 'AccessDeniedError'
 */
export function mostSerious(errors: readonly ActionError[]): ActionError | undefined {
  return errors.find((error) => !error.retryable) ?? errors[0];
}

/**
 * The AWS error code: SDK v3 exceptions carry it as `name` (and `Code` for query protocols).
 *
 * @example awsErrorCode(Object.assign(new Error('x'), { name: 'NoSuchEntityException', Code: 'NoSuchEntity' })) // 'NoSuchEntity'
 */
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

// ---------------------------------------------------------------------------------------------------------
// Input, configuration and approval errors of the rest of the core.

/** Input that cannot be turned into an incident; never retried. */
export class EventRejectedError extends CordonError {
  public override readonly name = 'EventRejectedError';
}

/**
 * An EventBridge event pattern that EventBridge itself would refuse (empty array, unknown operator, a numeric
 * operator without a number, …). Raised while validating a rule's pattern, before anything is deployed or
 * matched; a configuration mistake, never retried.
 */
export class InvalidEventPatternError extends CordonError {
  public override readonly name = 'InvalidEventPatternError';
  /** Where in the pattern the problem is, as a JSON-ish path (`detail.severity[0].numeric`). */
  public readonly path: string;

  public constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`Invalid event pattern at ${path}: ${reason}`, options);
    this.path = path;
  }
}

/**
 * A playbook the catalog declares but that cannot be built as declared (a step without its Task, a state
 * defined twice): a mistake in the code, caught by the conformance test before anything is deployed.
 */
export class PlaybookDefinitionInvalidError extends CordonError {
  public override readonly name = 'PlaybookDefinitionInvalidError';
}

/** Options for Cordon's EventBridge rules that would build a wrong or empty rule; never retried. */
export class InvalidEventRuleOptionsError extends CordonError {
  public override readonly name = 'InvalidEventRuleOptionsError';
}

/** A stage name that cannot be part of the settings path (`/cordon/<stage>/`); a deployment error, never retried. */
/** A Config rule's `InputParameters` that are not a JSON object: the rule's parameters are then unknown. */
export class ConfigRuleParametersInvalidError extends CordonError {
  public override readonly name = 'ConfigRuleParametersInvalidError';
}

export class SettingsStageInvalidError extends CordonError {
  public override readonly name = 'SettingsStageInvalidError';
}

/**
 * A `request-approval` Payload that is not what the playbook sends (missing token, unknown incident shape,
 * a non-positive timeout, …); a wiring mistake, never retried.
 */
export class ApprovalRequestInvalidError extends CordonError {
  public override readonly name = 'ApprovalRequestInvalidError';
}

/** A link-signing key too short to be a secret (fewer than 32 characters); a deployment error, never retried. */
export class ApprovalSigningKeyInvalidError extends CordonError {
  public override readonly name = 'ApprovalSigningKeyInvalidError';
}

/**
 * A secret the approval flow cannot work without (the link-signing key) is not in SSM: nothing can be signed
 * or verified. A deployment error; the approval API answers 503 and decides nothing.
 */
export class ApprovalSecretMissingError extends CordonError {
  public override readonly name = 'ApprovalSecretMissingError';
}

/**
 * An approval request that reached nobody: every configured channel (Slack, SNS) failed, or none is
 * configured. Retryable: the Task's Retry asks again (with a new approval id) rather than waiting silently.
 */
export class ApprovalNotDeliveredError extends CordonError {
  public override readonly name = 'ApprovalNotDeliveredError';
}

/**
 * Slack refused a message or could not be reached: the message is the HTTP status and Slack's short reason,
 * Slack's error code, or the network error's name — never a webhook URL or a token.
 */
export class SlackDeliveryError extends CordonError {
  public override readonly name = 'SlackDeliveryError';
  /** The HTTP status Slack answered with, when it answered one (429: rate limited). */
  public readonly status: number | undefined;
  /**
   * Seconds Slack asked to wait before the next call (its `Retry-After` header on a 429,
   * https://docs.slack.dev/apis/web-api/rate-limits), when it gave one.
   */
  public readonly retryAfterSeconds: number | undefined;

  public constructor(
    message: string,
    details: { readonly status?: number; readonly retryAfterSeconds?: number } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.status = details.status;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }

  /** Slack refused for its rate limit (HTTP 429): waiting `Retry-After` and trying again may succeed. */
  public get rateLimited(): boolean {
    return this.status === 429;
  }
}

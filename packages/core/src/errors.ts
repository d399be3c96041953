/**
 * Errors of @cordon/core. Names end in `Error`, `this.name` is set, the cause is kept.
 * Step Functions `Retry`/`Catch` match on `name`: retryable and terminal errors stay apart.
 */
export class CordonError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CordonError';
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

/** Input that cannot be turned into an incident; never retried. */
export class EventRejectedError extends CordonError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventRejectedError';
  }
}

/**
 * An EventBridge event pattern that EventBridge itself would refuse (empty array, unknown operator, a numeric
 * operator without a number, …). Raised while validating a rule's pattern, before anything is deployed or
 * matched; a configuration mistake, never retried.
 */
export class InvalidEventPatternError extends CordonError {
  /** Where in the pattern the problem is, as a JSON-ish path (`detail.severity[0].numeric`). */
  public readonly path: string;

  public constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`Invalid event pattern at ${path}: ${reason}`, options);
    this.name = 'InvalidEventPatternError';
    this.path = path;
  }
}

/** Options for Cordon's EventBridge rules that would build a wrong or empty rule; never retried. */
export class InvalidEventRuleOptionsError extends CordonError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidEventRuleOptionsError';
  }
}

/** A stage name that cannot be part of the settings path (`/cordon/<stage>/`); a deployment error, never retried. */
export class SettingsStageInvalidError extends CordonError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SettingsStageInvalidError';
  }
}

/**
 * A `request-approval` Payload that is not what the playbook sends (missing token, unknown incident shape,
 * a non-positive timeout, …); a wiring mistake, never retried.
 */
export class ApprovalRequestInvalidError extends CordonError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApprovalRequestInvalidError';
  }
}

/** A link-signing key too short to be a secret (fewer than 32 characters); a deployment error, never retried. */
export class ApprovalSigningKeyInvalidError extends CordonError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApprovalSigningKeyInvalidError';
  }
}

/**
 * A secret the approval flow cannot work without (the link-signing key) is not in SSM: nothing can be signed
 * or verified. A deployment error; the approval API answers 503 and decides nothing.
 */
export class ApprovalSecretMissingError extends CordonError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApprovalSecretMissingError';
  }
}

/**
 * An approval request that reached nobody: every configured channel (Slack, SNS) failed, or none is
 * configured. Retryable: the Task's Retry asks again (with a new approval id) rather than waiting silently.
 */
export class ApprovalNotDeliveredError extends CordonError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApprovalNotDeliveredError';
  }
}

/**
 * Slack refused a message or could not be reached: the message is the HTTP status and Slack's short reason,
 * Slack's error code, or the network error's name — never a webhook URL or a token.
 */
export class SlackDeliveryError extends CordonError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SlackDeliveryError';
  }
}

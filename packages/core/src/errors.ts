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

/** Input that cannot be turned into an incident; never retried. */
export class EventRejectedError extends CordonError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventRejectedError';
  }
}

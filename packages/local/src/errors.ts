/**
 * Errors of @cordon/local outside the sandbox account (the local engine and the local approval page; the
 * sandbox models' AWS-shaped errors are in `sandbox/`). Each class sets `this.name`; the cause is kept.
 */
import { APPROVAL_REJECTED_ERROR } from '@cordon/core/approval/decide';
import { CordonError } from '@cordon/core/errors';

/** The base of the local engine's and local approval page's errors. */
export class CordonLocalError extends CordonError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CordonLocalError';
  }
}

/**
 * A rejected approval, as the local engine hands it to the playbook: SendTaskFailure with the error name
 * the playbooks' `Catch` matches (`ApprovalRejected`, core's `APPROVAL_REJECTED_ERROR`). That name is the
 * contract with the ASL, which is why it does not end in `Error` like the class.
 */
export class ApprovalRejectedError extends CordonLocalError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = APPROVAL_REJECTED_ERROR;
  }
}

/** A request to the local approval page whose body is larger than the page accepts (answered 413). */
export class RequestBodyTooLargeError extends CordonLocalError {
  public constructor(limitBytes: number) {
    super(`The request body is larger than ${limitBytes} bytes.`);
    this.name = 'RequestBodyTooLargeError';
  }
}

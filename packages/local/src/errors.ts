/**
 * Errors of @cordon/local outside the sandbox account and the IAM evaluator (the sandbox models' AWS-shaped
 * errors are in `sandbox/`, the evaluator's in `iam/errors.ts`): the local deployment, the local engine and
 * its approvals. Each class names itself (core's `CordonError` declares `name` abstract); the cause is kept.
 */
import { APPROVAL_REJECTED_ERROR } from '@cordon/core/approval/decide';
import { CordonError } from '@cordon/core/errors';

/** The base of the local deployment's and the local engine's errors. */
export abstract class CordonLocalError extends CordonError {}

/** How a local deployment was set up wrongly (an account id that is not one): nothing is created. */
export class LocalDeploymentConfigError extends CordonLocalError {
  public override readonly name = 'LocalDeploymentConfigError';
}

/**
 * Settings given to a local deployment that SSM could not hold (not an object, an empty value, a value over
 * SSM's 4,096 characters): nothing is written, and the message names the setting.
 */
export class LocalSettingsInvalidError extends CordonLocalError {
  public override readonly name = 'LocalSettingsInvalidError';
}

/**
 * A rejected approval, as the local engine hands it to the playbook: SendTaskFailure with the error name
 * the playbooks' `Catch` matches (`ApprovalRejected`, core's `APPROVAL_REJECTED_ERROR`). That name is the
 * contract with the ASL, which is why it does not end in `Error` like the class.
 */
export class ApprovalRejectedError extends CordonLocalError {
  public override readonly name = APPROVAL_REJECTED_ERROR;
}

/** The engine cannot answer an approval (a local deployment given no way to answer it). */
export class ApprovalUnansweredError extends CordonLocalError {
  public override readonly name = 'ApprovalUnansweredError';
}

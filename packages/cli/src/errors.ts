/**
 * Errors of the `cordon` command. Each class names itself (core's `CordonError` declares `name` abstract);
 * the cause is kept. `main.ts` maps them to exit codes: a `UsageError` is exit code 2 with the usage text, a
 * `ReplayStoppedError` exit code 1 with its message; anything else is a failure reported as such.
 */
import { CordonError } from '@cordon/core/errors';

/** The base of the command's errors: a problem the command explains, not a bug. */
export abstract class CordonCliError extends CordonError {}

/** A mistake in how the command was called: exit code 2 with the message. */
export class UsageError extends CordonCliError {
  public override readonly name = 'UsageError';
}

/** Something that stops a replay before the playbook runs: exit code 1 with the message. */
export class ReplayStoppedError extends CordonCliError {
  public override readonly name = 'ReplayStoppedError';
}

// ---- the operator commands (settings, detections, incidents, evidence) ----------------------------
// Named for what a person must do about them: sign in, ask for a permission, pick another stage or region, fix
// the file. Input refused (InputInvalidError, ConfirmationRequiredError) is exit code 2 with nothing written.

/** No credentials anywhere in the SDK's default chain (environment, shared files, SSO, container, instance). */
export class CredentialsMissingError extends CordonCliError {
  public override readonly name = 'CredentialsMissingError';
}

/** Credentials were found but AWS refused them (expired session, deleted key). */
export class CredentialsInvalidError extends CordonCliError {
  public override readonly name = 'CredentialsInvalidError';
}

/** No region: neither `--region`, `AWS_REGION` nor the profile names one. */
export class RegionMissingError extends CordonCliError {
  public override readonly name = 'RegionMissingError';
}

/** IAM refused a call; `action` is the permission the caller lacks. */
export class AccessDeniedError extends CordonCliError {
  public override readonly name = 'AccessDeniedError';
  public constructor(
    message: string,
    public readonly action: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The stage's resources are not where Cordon's naming puts them (wrong stage, account or region). */
export class StageNotFoundError extends CordonCliError {
  public override readonly name = 'StageNotFoundError';
}

/** The ledger holds no entry of this incident (a mistyped id, another stage, or expired after the retention). */
export class IncidentNotFoundError extends CordonCliError {
  public override readonly name = 'IncidentNotFoundError';
}

/** Any other refusal of an AWS call, with the service's error name. */
export class AwsCallFailedError extends CordonCliError {
  public override readonly name = 'AwsCallFailedError';
  public constructor(
    message: string,
    public readonly awsError: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A settings or thresholds file that is not valid: every problem is named, nothing is written. */
export class InputInvalidError extends CordonCliError {
  // A string, not the literal: InputFileNotFoundError narrows it.
  public override readonly name: string = 'InputInvalidError';
  public constructor(
    message: string,
    public readonly problems: readonly string[] = [],
  ) {
    super(message);
  }
}

/**
 * A settings or thresholds file that cannot be read (missing, a directory, no permission): named with the file
 * and the system's code, exit 2, nothing written.
 */
export class InputFileNotFoundError extends InputInvalidError {
  public override readonly name = 'InputFileNotFoundError';
}

/** A push that needs a person's yes: no terminal to ask on, and no `--yes`. Nothing is written. */
export class ConfirmationRequiredError extends CordonCliError {
  public override readonly name = 'ConfirmationRequiredError';
}

/** A push that wrote part of its changes before a call failed: what was written and what was not. */
export class PushIncompleteError extends CordonCliError {
  public override readonly name = 'PushIncompleteError';
}

/**
 * The errors of the operator commands, named for what a person must do about them: sign in, ask for a
 * permission, pick another stage or region, fix the file. Exit code 2 for the command line or the input
 * (nothing was written), 1 for everything else (`exitCodeOf`).
 */

/** No credentials anywhere in the SDK's default chain (environment, shared files, SSO, container, instance). */
export class CredentialsMissingError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CredentialsMissingError';
  }
}

/** Credentials were found but AWS refused them (expired session, deleted key). */
export class CredentialsInvalidError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CredentialsInvalidError';
  }
}

/** No region: neither `--region`, `AWS_REGION` nor the profile names one. */
export class RegionMissingError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RegionMissingError';
  }
}

/** IAM refused a call; `action` is the permission the caller lacks. */
export class AccessDeniedError extends Error {
  public constructor(
    message: string,
    public readonly action: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AccessDeniedError';
  }
}

/** The stage's resources are not where Cordon's naming puts them (wrong stage, account or region). */
export class StageNotFoundError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StageNotFoundError';
  }
}

/** The ledger holds no entry of this incident (a mistyped id, another stage, or expired after the retention). */
export class IncidentNotFoundError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'IncidentNotFoundError';
  }
}

/** Any other refusal of an AWS call, with the service's error name. */
export class AwsCallFailedError extends Error {
  public constructor(
    message: string,
    public readonly awsError: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AwsCallFailedError';
  }
}

/** A settings or thresholds file that is not valid: every problem is named, nothing is written. */
export class InputInvalidError extends Error {
  public constructor(
    message: string,
    public readonly problems: readonly string[] = [],
  ) {
    super(message);
    this.name = 'InputInvalidError';
  }
}

/** A push that needs a person's yes: no terminal to ask on, and no `--yes`. Nothing is written. */
export class ConfirmationRequiredError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ConfirmationRequiredError';
  }
}

/** A push that wrote part of its changes before a call failed: what was written and what was not. */
export class PushIncompleteError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PushIncompleteError';
  }
}

const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation']);
const INVALID_CREDENTIALS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
]);

/** What a call was, for its error: the IAM action it needs and what it acts on. */
export interface CallDescription {
  /** The IAM action (`ssm:GetParametersByPath`). */
  readonly action: string;
  /** The resource, as a person would recognise it (a parameter path, a table, an execution). */
  readonly resource: string;
  /** Set when a missing resource means the stage is not there (its table, its parameters). */
  readonly stageWhenMissing?: { readonly stage: string; readonly region: string };
}

/**
 * An SDK error as a named error of the CLI. The SDK reports missing credentials as `CredentialsProviderError`
 * ("Could not load credentials from any providers") and a missing region as "Region is missing" when the
 * client first resolves its configuration; AWS answers a refused permission with `AccessDeniedException` (JSON
 * services), `AccessDenied` (query services) or `UnauthorizedOperation` (EC2).
 *
 * @example throw awsCallError(error, { action: 'dynamodb:Query', resource: 'table cordon-prod-ledger' })
 */
export function awsCallError(error: unknown, call: CallDescription): Error {
  if (!(error instanceof Error))
    return new AwsCallFailedError(`${call.action} failed: ${String(error)}`, 'Error');
  if (
    error.name === 'CredentialsProviderError' ||
    /Could not load credentials from any providers/.test(error.message)
  ) {
    return new CredentialsMissingError(
      'No AWS credentials: the standard chain (AWS_PROFILE and ~/.aws, AWS_ACCESS_KEY_ID, SSO, a container or instance role) found none. Sign in (`aws sso login --profile <name>`) and set AWS_PROFILE, or export credentials.',
      { cause: error },
    );
  }
  if (error.message === 'Region is missing') {
    return new RegionMissingError(
      'No AWS region: pass --region, set AWS_REGION, or name one in the profile (region = …).',
      { cause: error },
    );
  }
  if (INVALID_CREDENTIALS.has(error.name)) {
    return new CredentialsInvalidError(
      `AWS refused the credentials (${error.name}): sign in again or refresh them. ${error.message}`,
      { cause: error },
    );
  }
  if (DENIED.has(error.name)) {
    return new AccessDeniedError(
      `Access denied: the caller lacks ${call.action} on ${call.resource} (docs/operations.md lists the operator and settings-admin policies). AWS said: ${error.message}`,
      call.action,
      { cause: error },
    );
  }
  if (call.stageWhenMissing !== undefined && error.name === 'ResourceNotFoundException') {
    const { stage, region } = call.stageWhenMissing;
    return new StageNotFoundError(
      `Stage ${stage} not found in ${region}: ${call.resource} does not exist (is the stage deployed in this account and region?)`,
      { cause: error },
    );
  }
  return new AwsCallFailedError(
    `${call.action} on ${call.resource} failed: ${error.name}: ${error.message}`,
    error.name,
    {
      cause: error,
    },
  );
}

/** Usage errors and refused input are 2 (nothing was done); anything else that stops a command is 1. */
export function isBadInput(error: unknown): boolean {
  return error instanceof InputInvalidError || error instanceof ConfirmationRequiredError;
}

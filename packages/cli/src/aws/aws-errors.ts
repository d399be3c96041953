/**
 * AWS SDK errors as the operator commands' named errors (../errors.ts): no credentials, no region, credentials
 * refused, access denied (with the IAM action), stage not found, any other refusal with its AWS name.
 */
import {
  AccessDeniedError,
  AwsCallFailedError,
  ConfirmationRequiredError,
  CredentialsInvalidError,
  CredentialsMissingError,
  InputInvalidError,
  RegionMissingError,
  StageNotFoundError,
} from '../errors.ts';
import { isBadStateFile } from './saved-stage.ts';

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

/**
 * Usage errors and refused input are 2 (nothing was done): a refused file or push, a `--sandbox` state file that
 * is missing, corrupt or of another layout. Anything else that stops a command is 1.
 */
export function isBadInput(error: unknown): boolean {
  return (
    error instanceof InputInvalidError || error instanceof ConfirmationRequiredError || isBadStateFile(error)
  );
}

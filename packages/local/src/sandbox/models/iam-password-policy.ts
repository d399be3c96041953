/**
 * The account password policy: GetAccountPasswordPolicy, UpdateAccountPasswordPolicy, DeleteAccountPasswordPolicy
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html).
 *
 * - "This operation does not support partial updates. No parameters are required, but if you do not specify a
 *   parameter, that parameter's value reverts to its default value": every call replaces the whole policy.
 * - Ranges: MinimumPasswordLength 6–128 (default 6), MaxPasswordAge 1–1095 (default 0: never expire),
 *   PasswordReusePrevention 1–24 (default 0: no limit). "Some parameters do not allow the default parameter to be
 *   explicitly set": 0 for the last two is out of range.
 * - Without a policy, Get answers `NoSuchEntity` "The Password Policy with domain name <account> cannot be found."
 *   (404; the answer AWS gives, https://github.com/aws/aws-cli/issues/7265), and so does Delete.
 */
import type {
  GetAccountPasswordPolicyCommandOutput,
  PasswordPolicy,
  UpdateAccountPasswordPolicyCommandInput,
} from '@aws-sdk/client-iam';
import type { Out } from './command.ts';
import { iamError } from './iam-policies.ts';

export interface PasswordPolicyRecord {
  minimumPasswordLength: number;
  requireSymbols: boolean;
  requireNumbers: boolean;
  requireUppercaseCharacters: boolean;
  requireLowercaseCharacters: boolean;
  allowUsersToChangePassword: boolean;
  /** 0: passwords never expire. */
  maxPasswordAge: number;
  /** 0: no limit on reuse. */
  passwordReusePrevention: number;
  hardExpiry: boolean;
}

const RANGES = {
  MinimumPasswordLength: [6, 128],
  MaxPasswordAge: [1, 1095],
  PasswordReusePrevention: [1, 24],
} as const;

function inRange(name: keyof typeof RANGES, value: number | undefined): void {
  if (value === undefined) return;
  const [min, max] = RANGES[name];
  // IAM's validation wording names the member in lower camel case.
  const member = name.charAt(0).toLowerCase() + name.slice(1);
  if (!Number.isInteger(value) || value < min) {
    throw iamError(
      'ValidationError',
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`,
    );
  }
  if (value > max) {
    throw iamError(
      'ValidationError',
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
    );
  }
}

/** The policy an UpdateAccountPasswordPolicy call sets: every parameter left out takes its default. */
export function passwordPolicyFrom(input: UpdateAccountPasswordPolicyCommandInput): PasswordPolicyRecord {
  inRange('MinimumPasswordLength', input.MinimumPasswordLength);
  inRange('MaxPasswordAge', input.MaxPasswordAge);
  inRange('PasswordReusePrevention', input.PasswordReusePrevention);
  return {
    minimumPasswordLength: input.MinimumPasswordLength ?? 6,
    requireSymbols: input.RequireSymbols ?? false,
    requireNumbers: input.RequireNumbers ?? false,
    requireUppercaseCharacters: input.RequireUppercaseCharacters ?? false,
    requireLowercaseCharacters: input.RequireLowercaseCharacters ?? false,
    allowUsersToChangePassword: input.AllowUsersToChangePassword ?? false,
    maxPasswordAge: input.MaxPasswordAge ?? 0,
    passwordReusePrevention: input.PasswordReusePrevention ?? 0,
    hardExpiry: input.HardExpiry ?? false,
  };
}

export function noPasswordPolicy(accountId: string) {
  return iamError('NoSuchEntity', `The Password Policy with domain name ${accountId} cannot be found.`);
}

/**
 * GetAccountPasswordPolicy's answer. As IAM answers it, `ExpirePasswords` says whether `MaxPasswordAge` is set, and
 * the age, reuse and hard-expiry members appear only when set.
 */
export function toPasswordPolicy(
  policy: PasswordPolicyRecord | undefined,
  accountId: string,
): Out<GetAccountPasswordPolicyCommandOutput> {
  if (policy === undefined) throw noPasswordPolicy(accountId);
  const answer: PasswordPolicy = {
    MinimumPasswordLength: policy.minimumPasswordLength,
    RequireSymbols: policy.requireSymbols,
    RequireNumbers: policy.requireNumbers,
    RequireUppercaseCharacters: policy.requireUppercaseCharacters,
    RequireLowercaseCharacters: policy.requireLowercaseCharacters,
    AllowUsersToChangePassword: policy.allowUsersToChangePassword,
    ExpirePasswords: policy.maxPasswordAge > 0,
    ...(policy.maxPasswordAge > 0 ? { MaxPasswordAge: policy.maxPasswordAge } : {}),
    ...(policy.passwordReusePrevention > 0
      ? { PasswordReusePrevention: policy.passwordReusePrevention }
      : {}),
    ...(policy.hardExpiry ? { HardExpiry: true } : {}),
  };
  return { PasswordPolicy: answer };
}

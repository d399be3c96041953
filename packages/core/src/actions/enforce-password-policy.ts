/**
 * `enforce-password-policy`: the fix of `iam-password-policy` ("Checks if the account password policy for AWS
 * Identity and Access Management (IAM) users meets the specified requirements indicated in the parameters",
 * identifier IAM_PASSWORD_POLICY, periodic; "This rule is marked as NON_COMPLIANT when the default IAM password policy
 * is used": https://docs.aws.amazon.com/config/latest/developerguide/iam-password-policy.html). Security Hub IAM.7,
 * IAM.10 and IAM.11–IAM.17 are all backed by it ("Resource type: AWS account").
 *
 * It sets the account password policy to the policy in the settings (`settings.passwordPolicy`), never weakening a
 * requirement the account already has (a stricter live value is kept: a longer minimum, more remembered passwords,
 * a shorter expiry, a requirement already on).
 *
 * AWS facts relied on (IAM API Reference,
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html):
 * - "This operation does not support partial updates. No parameters are required, but if you do not specify a
 *   parameter, that parameter's value reverts to its default value": every call names all nine parameters, and the
 *   release puts back the whole recorded policy.
 * - Ranges: MinimumPasswordLength 6–128, MaxPasswordAge 1–1095, PasswordReusePrevention 1–24; 0 ("never expire",
 *   "no limit") is the default of the last two and cannot be sent explicitly, so it is sent by leaving them out.
 * - GetAccountPasswordPolicy answers `NoSuchEntity` when the account has no policy
 *   (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountPasswordPolicy.html); the release then
 *   deletes the policy the fix created (DeleteAccountPasswordPolicy,
 *   https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteAccountPasswordPolicy.html).
 * - "When you create or change a password policy, most of the password policy settings are enforced the next time
 *   users change their passwords. Some of the settings are enforced immediately" (Security Hub IAM.7): an expiry
 *   makes older passwords expire at once, and users then change them at their next sign-in.
 * IAM: the three actions have no resource type (`*`) in the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
 * The policy is one per account, for every Region: an account setting has no tags, so no exemption tag applies — a
 * team that keeps its own policy maps the rule to `notify-only`.
 */
import {
  DeleteAccountPasswordPolicyCommand,
  GetAccountPasswordPolicyCommand,
  type PasswordPolicy,
  UpdateAccountPasswordPolicyCommand,
} from '@aws-sdk/client-iam';
import { ActionFailedError, awsErrorCode, classifyAwsError } from '../errors.ts';
import type { Change } from '../ledger/ledger.ts';
import type { Settings } from '../policy/settings.ts';
import * as z from '../zod.ts';
import { TargetRuleSchema } from './revoke-open-ingress.ts';
import {
  type ActionContext,
  type ActionDefinition,
  type ActionPlan,
  type ActionRelease,
  StepEnvelopeSchema,
} from './types.ts';

/** IAM's "no such entity": the SDK names it `NoSuchEntityException`, the wire `NoSuchEntity`. */
function isNoSuchEntity(error: unknown): boolean {
  const code = awsErrorCode(error);
  return code === 'NoSuchEntity' || code === 'NoSuchEntityException';
}

const ACCOUNT_ID = z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'));

/** An account password policy, every parameter explicit (0: never expire / no reuse limit). */
export const PasswordPolicyRecordSchema = z.strictObject({
  minimumPasswordLength: z.number().check(z.int(), z.gte(6), z.lte(128)),
  requireSymbols: z.boolean(),
  requireNumbers: z.boolean(),
  requireUppercaseCharacters: z.boolean(),
  requireLowercaseCharacters: z.boolean(),
  allowUsersToChangePassword: z.boolean(),
  maxPasswordAge: z.number().check(z.int(), z.gte(0), z.lte(1095)),
  passwordReusePrevention: z.number().check(z.int(), z.gte(0), z.lte(24)),
  hardExpiry: z.boolean(),
});
export type PasswordPolicyRecord = z.output<typeof PasswordPolicyRecordSchema>;

export const EnforcePasswordPolicyInput = z.extend(StepEnvelopeSchema, {
  /** The account AWS Config named (`AWS::::Account`). */
  accountId: ACCOUNT_ID,
  rule: z.optional(TargetRuleSchema),
});
export type EnforcePasswordPolicyInput = z.output<typeof EnforcePasswordPolicyInput>;

export interface EnforcePasswordPolicyOutput {
  readonly accountId: string;
  /** The policy before (`null`: the account had none). */
  readonly before: PasswordPolicyRecord | null;
  /** The policy set (or that would be, in a dry run). */
  readonly after: PasswordPolicyRecord;
}

/**
 * What the release needs: the policy before the fix, exactly (`null`: none), and the policy the fix set (a live
 * policy that is neither was changed by someone since, and is left alone).
 */
export const PasswordPolicyRestoreSchema = z.object({
  accountId: ACCOUNT_ID,
  previous: z.nullable(PasswordPolicyRecordSchema),
  applied: PasswordPolicyRecordSchema,
});
export type PasswordPolicyRestore = z.output<typeof PasswordPolicyRestoreSchema>;

const FIELDS = [
  'minimumPasswordLength',
  'requireSymbols',
  'requireNumbers',
  'requireUppercaseCharacters',
  'requireLowercaseCharacters',
  'allowUsersToChangePassword',
  'maxPasswordAge',
  'passwordReusePrevention',
  'hardExpiry',
] as const satisfies readonly (keyof PasswordPolicyRecord)[];

/** IAM's answer as a record: the members IAM leaves out when unset are 0 or false. */
function recordOf(policy: PasswordPolicy): PasswordPolicyRecord {
  return {
    minimumPasswordLength: policy.MinimumPasswordLength ?? 6,
    requireSymbols: policy.RequireSymbols === true,
    requireNumbers: policy.RequireNumbers === true,
    requireUppercaseCharacters: policy.RequireUppercaseCharacters === true,
    requireLowercaseCharacters: policy.RequireLowercaseCharacters === true,
    allowUsersToChangePassword: policy.AllowUsersToChangePassword === true,
    maxPasswordAge: policy.ExpirePasswords === false ? 0 : (policy.MaxPasswordAge ?? 0),
    passwordReusePrevention: policy.PasswordReusePrevention ?? 0,
    hardExpiry: policy.HardExpiry === true,
  };
}

/** The account's password policy, `null` when it has none (IAM's `NoSuchEntity`). */
async function readPolicy(context: ActionContext): Promise<PasswordPolicyRecord | null> {
  try {
    const answer = await context.clients.iam.send(new GetAccountPasswordPolicyCommand({}));
    return answer.PasswordPolicy === undefined ? null : recordOf(answer.PasswordPolicy);
  } catch (error) {
    if (isNoSuchEntity(error)) return null;
    throw classifyAwsError(error, 'GetAccountPasswordPolicy');
  }
}

/** UpdateAccountPasswordPolicy with every parameter (0 is IAM's default of the last two: sent by leaving them out). */
async function writePolicy(context: ActionContext, policy: PasswordPolicyRecord): Promise<void> {
  try {
    await context.clients.iam.send(
      new UpdateAccountPasswordPolicyCommand({
        MinimumPasswordLength: policy.minimumPasswordLength,
        RequireSymbols: policy.requireSymbols,
        RequireNumbers: policy.requireNumbers,
        RequireUppercaseCharacters: policy.requireUppercaseCharacters,
        RequireLowercaseCharacters: policy.requireLowercaseCharacters,
        AllowUsersToChangePassword: policy.allowUsersToChangePassword,
        ...(policy.maxPasswordAge > 0 ? { MaxPasswordAge: policy.maxPasswordAge } : {}),
        ...(policy.passwordReusePrevention > 0
          ? { PasswordReusePrevention: policy.passwordReusePrevention }
          : {}),
        HardExpiry: policy.hardExpiry,
      }),
    );
  } catch (error) {
    throw classifyAwsError(error, 'UpdateAccountPasswordPolicy');
  }
}

/** The shorter of two expiries, 0 being "never". */
function shorterExpiry(a: number, b: number): number {
  if (a === 0) return b;
  if (b === 0) return a;
  return Math.min(a, b);
}

/**
 * The policy the fix sets: the settings' policy, each requirement at least as strict as the account's live one
 * (a longer minimum, more remembered passwords, a shorter expiry and any requirement already on are kept).
 *
 * @example targetPolicy(DEFAULT_SETTINGS.passwordPolicy, null).minimumPasswordLength // 14
 */
export function targetPolicy(
  wanted: Settings['passwordPolicy'],
  live: PasswordPolicyRecord | null,
): PasswordPolicyRecord {
  if (live === null) return { ...wanted };
  return {
    minimumPasswordLength: Math.max(wanted.minimumPasswordLength, live.minimumPasswordLength),
    requireSymbols: wanted.requireSymbols || live.requireSymbols,
    requireNumbers: wanted.requireNumbers || live.requireNumbers,
    requireUppercaseCharacters: wanted.requireUppercaseCharacters || live.requireUppercaseCharacters,
    requireLowercaseCharacters: wanted.requireLowercaseCharacters || live.requireLowercaseCharacters,
    allowUsersToChangePassword: wanted.allowUsersToChangePassword || live.allowUsersToChangePassword,
    maxPasswordAge: shorterExpiry(wanted.maxPasswordAge, live.maxPasswordAge),
    passwordReusePrevention: Math.max(wanted.passwordReusePrevention, live.passwordReusePrevention),
    hardExpiry: wanted.hardExpiry || live.hardExpiry,
  };
}

function samePolicy(a: PasswordPolicyRecord | null, b: PasswordPolicyRecord | null): boolean {
  if (a === null || b === null) return a === b;
  return FIELDS.every((field) => a[field] === b[field]);
}

function valueText(policy: PasswordPolicyRecord | null, field: (typeof FIELDS)[number]): string {
  return policy === null ? '(no policy)' : String(policy[field]);
}

/** One change per parameter that differs (`(no policy)` on the side without a policy). */
function policyChanges(
  accountId: string,
  before: PasswordPolicyRecord | null,
  after: PasswordPolicyRecord | null,
): Change[] {
  return FIELDS.filter((field) => before === null || after === null || before[field] !== after[field]).map(
    (field) => ({
      resource: `${accountId}/password-policy`,
      attribute: field,
      before: valueText(before, field),
      after: valueText(after, field),
    }),
  );
}

function policyText(policy: PasswordPolicyRecord | null): string {
  return policy === null ? 'no policy' : FIELDS.map((field) => `${field}=${policy[field]}`).join(', ');
}

/** IAM clients act on their own account; Cordon's clients are the incident's account's. */
function assertIncidentAccount(accountId: string, context: ActionContext, what: string): void {
  if (accountId !== context.account) {
    throw new ActionFailedError(
      `${what} names account ${accountId}, but the incident is in ${context.account}: Cordon changes a password policy only in the incident's own account; nothing was changed.`,
    );
  }
}

/**
 * The release: puts the recorded policy back exactly (UpdateAccountPasswordPolicy with all nine parameters), or
 * deletes the policy when the account had none. A live policy that is neither the one before nor the one the fix set
 * was changed by someone since: refused, named, and left as it is.
 */
export const passwordPolicyRelease: ActionRelease<PasswordPolicyRestore> = {
  summary:
    "Puts the account's password policy back exactly as it was before the fix, or deletes it when the account had none.",
  restore: PasswordPolicyRestoreSchema,
  permissions: [
    {
      actions: [
        'iam:GetAccountPasswordPolicy',
        'iam:UpdateAccountPasswordPolicy',
        'iam:DeleteAccountPasswordPolicy',
      ],
      resources: ['*'],
      why: 'Read the account password policy and put back the one recorded before the fix, or delete it when there was none (no resource type: an account setting).',
    },
  ],
  async plan(restore, context): Promise<ActionPlan<unknown>> {
    const { accountId, previous, applied } = restore;
    assertIncidentAccount(accountId, context, 'The restore record');
    const live = await readPolicy(context);
    const output = { accountId, before: live, after: previous };
    if (samePolicy(live, previous)) {
      return {
        changes: [],
        notes: ['The password policy is as it was before the fix already.'],
        output,
        apply: async () => output,
      };
    }
    if (!samePolicy(live, applied)) {
      throw new ActionFailedError(
        `The account ${accountId}'s password policy is ${policyText(live)}: neither what the fix set (${policyText(applied)}) nor what it replaced (${policyText(previous)}). Someone changed it since; it is left as it is and nothing was changed.`,
      );
    }
    return {
      changes: policyChanges(accountId, live, previous),
      notes: previous === null ? ['The account had no password policy before the fix: it is deleted.'] : [],
      output,
      async apply() {
        if (previous !== null) {
          await writePolicy(context, previous);
          return output;
        }
        try {
          await context.clients.iam.send(new DeleteAccountPasswordPolicyCommand({}));
        } catch (error) {
          // Deleted meanwhile: the account is as it was before the fix.
          if (!isNoSuchEntity(error)) throw classifyAwsError(error, 'DeleteAccountPasswordPolicy');
        }
        return output;
      },
    };
  },
};

/**
 * `enforce-password-policy`: sets the account password policy to `settings.passwordPolicy`, keeping any stricter
 * requirement the account has, after recording the policy it replaces (or that there was none). A policy already
 * at least as strict as the settings' is `already-done`. An account other than the incident's is refused, named,
 * before any call.
 *
 * @example
 * await runAction(enforcePasswordPolicy, { ...envelope, accountId: '123456789012' }, environment)
 * // changes: 123456789012/password-policy minimumPasswordLength: (no policy) → 14, …
 */
export const enforcePasswordPolicy: ActionDefinition<
  EnforcePasswordPolicyInput,
  EnforcePasswordPolicyOutput
> = {
  id: 'enforce-password-policy',
  summary:
    "Sets the account's IAM password policy to the one in the settings (`passwordPolicy`), keeping any stricter requirement the account already has.",
  undo: 'Released from the ledger by `remediation-release` (always approved by a person): the policy from before is put back exactly, or deleted when there was none.',
  dryRunBehaviour: 'Reads the policy and records the one it would set; no call changes anything.',
  mutating: true,
  input: EnforcePasswordPolicyInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError'],
  permissions: [
    {
      actions: ['iam:GetAccountPasswordPolicy', 'iam:UpdateAccountPasswordPolicy'],
      resources: ['*'],
      why: 'Read the account password policy, and set it to the one in the settings (no resource type: an account setting).',
    },
  ],
  release: passwordPolicyRelease,
  async plan(input, context): Promise<ActionPlan<EnforcePasswordPolicyOutput>> {
    assertIncidentAccount(input.accountId, context, 'AWS Config');
    const live = await readPolicy(context);
    const target = targetPolicy(context.settings.passwordPolicy, live);
    const output: EnforcePasswordPolicyOutput = { accountId: input.accountId, before: live, after: target };
    const done = samePolicy(live, target);
    const restore: PasswordPolicyRestore = { accountId: input.accountId, previous: live, applied: target };
    return {
      changes: done ? [] : policyChanges(input.accountId, live, target),
      restore,
      notes: done
        ? ['The password policy is at least as strict as settings.passwordPolicy already.']
        : [
            'Most requirements apply at each user’s next password change; an expiry applies at once (older passwords expire, and their users change them at their next sign-in). Access keys and roles are not affected.',
          ],
      output,
      async apply() {
        await writePolicy(context, target);
        return output;
      },
    };
  },
};

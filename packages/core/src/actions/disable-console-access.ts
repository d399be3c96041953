import { DeleteLoginProfileCommand, GetLoginProfileCommand, type LoginProfile } from '@aws-sdk/client-iam';
import { awsErrorCode, classifyAwsError } from '../errors.ts';
import * as z from '../zod.ts';
import { assertUserActionable, IAM_NAME } from './deactivate-access-key.ts';
import { type ActionContext, type ActionDefinition, type ActionPlan, StepEnvelopeSchema } from './types.ts';

export const DisableConsoleAccessInput = z.extend(StepEnvelopeSchema, {
  userName: z.string().check(z.regex(IAM_NAME, 'must be an IAM user name')),
});
export type DisableConsoleAccessInput = z.output<typeof DisableConsoleAccessInput>;

export interface DisableConsoleAccessRestore {
  readonly userName: string;
  readonly hadLoginProfile: true;
  readonly passwordResetRequired: boolean;
}

export interface DisableConsoleAccessOutput {
  readonly userName: string;
  /** Whether the user had a console password when the step read it. */
  readonly hadLoginProfile: boolean;
}

/** The user's console password (login profile), or `undefined` when it has none. */
async function loginProfileOf(context: ActionContext, userName: string): Promise<LoginProfile | undefined> {
  try {
    const answer = await context.clients.iam.send(new GetLoginProfileCommand({ UserName: userName }));
    return answer.LoginProfile;
  } catch (error) {
    // The user was read just before (its tags), so NoSuchEntity here means "no password", not "no user".
    if (awsErrorCode(error) === 'NoSuchEntity') return undefined;
    throw error;
  }
}

/**
 * `disable-console-access`: deletes the IAM user's login profile (its console password), for findings that
 * say the console was used (DOMAIN.md item 19). Access keys and sessions are other steps.
 *
 * Idempotent: a user without a login profile is already done; a delete that meets `NoSuchEntity` (a retry
 * after a lost answer) is done too. Break-glass and exempt users are refused before any change.
 * IAM: iam:ListUserTags, iam:GetLoginProfile, iam:DeleteLoginProfile.
 *
 * @example
 * await runAction(disableConsoleAccess, { incidentId, account, region, dryRun: false, userName: 'alice' }, environment)
 * // changes: alice loginProfile { passwordResetRequired: false } → null
 * // restore: { userName: 'alice', hadLoginProfile: true, passwordResetRequired: false }
 */
export const disableConsoleAccess: ActionDefinition<DisableConsoleAccessInput, DisableConsoleAccessOutput> = {
  id: 'disable-console-access',
  summary:
    "Deletes the IAM user's console password (login profile), so nobody can sign in to the console as it.",
  undo: 'The old password cannot be restored: once the incident is closed, an administrator creates a new login profile with a new password (iam:CreateLoginProfile, PasswordResetRequired=true) and hands it over out of band.',
  dryRunBehaviour:
    'Reads the user, its tags and whether it has a console password, and records what it would delete; no call changes anything.',
  mutating: true,
  input: DisableConsoleAccessInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError', 'EventualConsistencyError'],
  permissions: [
    {
      actions: ['iam:ListUserTags', 'iam:GetLoginProfile'],
      resources: ['arn:aws:iam::{account}:user/*'],
      why: 'Check the exemption tag and whether the user has a console password.',
    },
    {
      actions: ['iam:DeleteLoginProfile'],
      resources: ['arn:aws:iam::{account}:user/*'],
      why: 'Remove the console password (never iam:CreateLoginProfile or iam:UpdateLoginProfile: Cordon never sets passwords).',
    },
  ],
  async plan(input, context): Promise<ActionPlan<DisableConsoleAccessOutput>> {
    const { userName } = input;
    await assertUserActionable(context, userName);
    const profile = await loginProfileOf(context, userName);
    if (profile === undefined) {
      return {
        changes: [],
        notes: [`IAM user ${userName} has no console access (no login profile): nothing to remove.`],
        output: { userName, hadLoginProfile: false },
        apply: async () => ({ userName, hadLoginProfile: false }),
      };
    }
    const passwordResetRequired = profile.PasswordResetRequired ?? false;
    const restore: DisableConsoleAccessRestore = { userName, hadLoginProfile: true, passwordResetRequired };
    const output: DisableConsoleAccessOutput = { userName, hadLoginProfile: true };
    return {
      changes: [
        {
          resource: userName,
          attribute: 'loginProfile',
          before: {
            passwordResetRequired,
            ...(profile.CreateDate === undefined ? {} : { createDate: profile.CreateDate.toISOString() }),
          },
          after: null,
        },
      ],
      restore,
      notes: ['The console password cannot be restored: a new one must be set by an administrator.'],
      output,
      async apply() {
        try {
          await context.clients.iam.send(new DeleteLoginProfileCommand({ UserName: userName }));
        } catch (error) {
          // Gone between the plan and now (or a retry after a lost answer): the outcome is the one wanted.
          if (awsErrorCode(error) === 'NoSuchEntity') return output;
          // IAM refuses changes for a moment after a user's password changed: worth retrying.
          throw classifyAwsError(error, 'disable-console-access: DeleteLoginProfile', {
            eventualConsistency: ['EntityTemporarilyUnmodifiable'],
          });
        }
        return output;
      },
    };
  },
};

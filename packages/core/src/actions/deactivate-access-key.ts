import {
  type AccessKeyMetadata,
  GetAccessKeyLastUsedCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  type Tag,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  ActionFailedError,
  classifyAwsError,
  InvalidActionInputError,
  ResourceGoneError,
} from '../errors.ts';
import type { Change } from '../ledger/ledger.ts';
import * as z from '../zod.ts';
import { assertNotBreakGlass, assertNotExempt } from './guardrails.ts';
import { type ActionContext, type ActionDefinition, type ActionPlan, StepEnvelopeSchema } from './types.ts';

/** IAM user and role names: 1–64 characters of letters, digits and `+=,.@_-`. */
export const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
// Long-term keys only: a temporary key (ASIA…) belongs to a role session, which UpdateAccessKey cannot reach.
const LONG_TERM_ACCESS_KEY_ID = /^AKIA[A-Z0-9]{12,124}$/;
const USER_ID = /^AIDA[A-Z0-9]{12,124}$/;
const DAY_MS = 86_400_000;

/**
 * Two modes in one input (DOMAIN.md items 19, 22 and 9):
 * - credential compromise: `{ accessKeyId, userName? }` — the one key a finding names;
 * - stale credentials: `{ userId | userName, staleAfterDays? }` — every active key older than the threshold
 *   of the user a Config rule names (by its `AIDA…` id).
 */
export const DeactivateAccessKeyInput = z
  .extend(StepEnvelopeSchema, {
    accessKeyId: z.optional(
      z
        .string()
        .check(
          z.regex(
            LONG_TERM_ACCESS_KEY_ID,
            'must be a long-term access key id (AKIA…); a temporary key (ASIA…) is revoked with revoke-sessions',
          ),
        ),
    ),
    userName: z.optional(z.string().check(z.regex(IAM_NAME, 'must be an IAM user name'))),
    userId: z.optional(z.string().check(z.regex(USER_ID, 'must be an IAM user id (AIDA…)'))),
    staleAfterDays: z.optional(
      z.number().check(z.int('must be a whole number of days'), z.gte(1, 'must be at least 1')),
    ),
    /**
     * What makes a key stale: `age` (created more than staleAfterDays ago: `access-keys-rotated`) or
     * `last-use` (not used for staleAfterDays, or never used and that old: `iam-user-unused-credentials-check`).
     * A key in daily use is never stale by last use, however old it is.
     */
    staleBy: z.optional(z.enum(['age', 'last-use'])),
  })
  .check(
    z.superRefine((input, ctx) => {
      if (input.accessKeyId !== undefined) {
        // One key named by a finding: a stale-key field here would mean the caller mixed the two modes up.
        if (input.userId !== undefined || input.staleAfterDays !== undefined || input.staleBy !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['accessKeyId'],
            message: 'names one key: userId and staleAfterDays belong to the stale-credentials mode',
          });
        }
      } else if (input.userId === undefined && input.userName === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['accessKeyId'],
          message: 'is required, unless userId or userName names a user whose stale keys are deactivated',
        });
      }
    }),
  );
export type DeactivateAccessKeyInput = z.output<typeof DeactivateAccessKeyInput>;

/** Keys are deactivated, never deleted: the stale-credentials default follows CIS (90 days). */
export const DEFAULT_STALE_AFTER_DAYS = 90;

export interface DeactivateAccessKeyRestore {
  readonly userName: string;
  /** Each key the step deactivates, with its status before the change. */
  readonly keys: ReadonlyArray<{ readonly accessKeyId: string; readonly status: string }>;
}

export interface DeactivateAccessKeyOutput {
  readonly userName: string;
  /** The keys the step is about (the named key, or the stale ones): all inactive once it is done. */
  readonly accessKeyIds: readonly string[];
}

/**
 * Checks a user against the guardrails before any change (DOMAIN.md item 30): a break-glass principal or a
 * user carrying the exemption tag (read live, with ListUserTags) is refused with `ExemptResourceError`.
 * A user that does not exist surfaces as `NoSuchEntity`, which the classifier turns into `ResourceGoneError`.
 *
 * @example await assertUserActionable(context, 'alice')
 */
export async function assertUserActionable(context: ActionContext, userName: string): Promise<void> {
  assertNotBreakGlass(userName, context.settings);
  const tags: Tag[] = [];
  let marker: string | undefined;
  do {
    const page = await context.clients.iam.send(
      new ListUserTagsCommand({ UserName: userName, ...(marker === undefined ? {} : { Marker: marker }) }),
    );
    tags.push(...(page.Tags ?? []));
    marker = page.IsTruncated === true ? page.Marker : undefined;
  } while (marker !== undefined);
  assertNotExempt(tags, context.settings, `IAM user ${userName}`);
}

async function listAccessKeys(context: ActionContext, userName: string): Promise<AccessKeyMetadata[]> {
  const keys: AccessKeyMetadata[] = [];
  let marker: string | undefined;
  do {
    const page = await context.clients.iam.send(
      new ListAccessKeysCommand({ UserName: userName, ...(marker === undefined ? {} : { Marker: marker }) }),
    );
    keys.push(...(page.AccessKeyMetadata ?? []));
    marker = page.IsTruncated === true ? page.Marker : undefined;
  } while (marker !== undefined);
  return keys;
}

/** The user a finding's key belongs to, when the finding does not say (DOMAIN.md item 22). */
async function userOfKey(context: ActionContext, accessKeyId: string): Promise<string> {
  const lastUsed = await context.clients.iam.send(
    new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }),
  );
  if (lastUsed.UserName === undefined || lastUsed.UserName === '') {
    throw new ActionFailedError(`IAM did not name the user of access key ${accessKeyId}.`);
  }
  return lastUsed.UserName;
}

/**
 * The user a Config rule names. Config reports the `AIDA…` id, not the name (DOMAIN.md item 9), and a user
 * deleted and re-created under the same name has a new id: only the user with that id is the one flagged.
 */
async function userOfId(
  context: ActionContext,
  userId: string,
  userName: string | undefined,
): Promise<string> {
  if (userName !== undefined) {
    const { User: user } = await context.clients.iam.send(new GetUserCommand({ UserName: userName }));
    if (user?.UserId !== userId) {
      throw new ResourceGoneError(
        `IAM user ${userName} is not the user ${userId} the finding names (it was deleted and re-created?).`,
      );
    }
    return userName;
  }
  let marker: string | undefined;
  do {
    const page = await context.clients.iam.send(
      new ListUsersCommand(marker === undefined ? {} : { Marker: marker }),
    );
    const found = page.Users?.find((user) => user.UserId === userId);
    if (found?.UserName !== undefined) return found.UserName;
    marker = page.IsTruncated === true ? page.Marker : undefined;
  } while (marker !== undefined);
  throw new ResourceGoneError(`No IAM user has the id ${userId} (deleted since the finding?).`);
}

function statusChange(accessKeyId: string): Change {
  return { resource: accessKeyId, attribute: 'status', before: 'Active', after: 'Inactive' };
}

/**
 * Sets each key Inactive, one after the other. A fault mid-way says which keys are already inactive; a
 * retry plans again from live state and finishes the rest (UpdateAccessKey to Inactive is idempotent).
 */
async function deactivate(context: ActionContext, userName: string, accessKeyIds: readonly string[]) {
  const done: string[] = [];
  for (const accessKeyId of accessKeyIds) {
    try {
      await context.clients.iam.send(
        new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' }),
      );
    } catch (error) {
      throw classifyAwsError(error, `deactivate-access-key: UpdateAccessKey ${accessKeyId}`, {
        partial: { done: [...done], notDone: accessKeyIds.filter((id) => !done.includes(id)) },
      });
    }
    done.push(accessKeyId);
  }
}

async function planCompromisedKey(
  accessKeyId: string,
  givenUserName: string | undefined,
  context: ActionContext,
): Promise<ActionPlan<DeactivateAccessKeyOutput>> {
  const userName = givenUserName ?? (await userOfKey(context, accessKeyId));
  await assertUserActionable(context, userName);
  const key = (await listAccessKeys(context, userName)).find(
    (candidate) => candidate.AccessKeyId === accessKeyId,
  );
  if (key === undefined) {
    throw new ResourceGoneError(`Access key ${accessKeyId} does not exist (for IAM user ${userName}).`);
  }
  const output: DeactivateAccessKeyOutput = { userName, accessKeyIds: [accessKeyId] };
  const active = key.Status === 'Active';
  const restore: DeactivateAccessKeyRestore = { userName, keys: [{ accessKeyId, status: 'Active' }] };
  return {
    changes: active ? [statusChange(accessKeyId)] : [],
    ...(active ? { restore } : {}),
    notes: [
      ...(givenUserName === undefined
        ? [`The finding did not name the key's user: GetAccessKeyLastUsed says ${userName}.`]
        : []),
      ...(active ? [] : [`Access key ${accessKeyId} is already inactive.`]),
    ],
    output,
    async apply() {
      await deactivate(context, userName, [accessKeyId]);
      return output;
    },
  };
}

/** The last use of each key (GetAccessKeyLastUsed), read in parallel; a key never used has no entry. */
async function lastUsedDates(
  context: ActionContext,
  keys: readonly { AccessKeyId?: string; Status?: string }[],
): Promise<Map<string, Date>> {
  // Only active keys can be deactivated: the others need no answer.
  const ids = keys.flatMap((key) =>
    key.AccessKeyId === undefined || key.Status !== 'Active' ? [] : [key.AccessKeyId],
  );
  const answers = await Promise.all(
    ids.map((accessKeyId) =>
      context.clients.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId })),
    ),
  );
  const dates = new Map<string, Date>();
  answers.forEach((answer, index) => {
    const used = answer?.AccessKeyLastUsed?.LastUsedDate;
    const id = ids[index];
    if (used !== undefined && id !== undefined) dates.set(id, used);
  });
  return dates;
}

async function planStaleKeys(
  input: DeactivateAccessKeyInput,
  context: ActionContext,
): Promise<ActionPlan<DeactivateAccessKeyOutput>> {
  const userName =
    input.userId === undefined ? input.userName : await userOfId(context, input.userId, input.userName);
  if (userName === undefined) {
    // The schema requires one of the two; this keeps the type honest without a cast.
    throw new InvalidActionInputError('deactivate-access-key: neither userId nor userName was given.');
  }
  await assertUserActionable(context, userName);
  const staleAfterDays = input.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS;
  const cutoff = context.now().getTime() - staleAfterDays * DAY_MS;
  const staleBy = input.staleBy ?? 'age';
  const keys = await listAccessKeys(context, userName);
  const lastUse = staleBy === 'last-use' ? await lastUsedDates(context, keys) : new Map<string, Date>();
  const stale = keys.filter((key) => {
    if (key.AccessKeyId === undefined || key.CreateDate === undefined) return false;
    // By last use: the last time the key was used, or its creation when it never was.
    const since = staleBy === 'last-use' ? (lastUse.get(key.AccessKeyId) ?? key.CreateDate) : key.CreateDate;
    return since.getTime() < cutoff;
  });
  const toDeactivate = stale
    .filter((key) => key.Status === 'Active')
    .flatMap((key) => (key.AccessKeyId === undefined ? [] : [key.AccessKeyId]));
  const newer = keys.length - stale.length;
  const output: DeactivateAccessKeyOutput = {
    userName,
    accessKeyIds: stale.flatMap((key) => (key.AccessKeyId === undefined ? [] : [key.AccessKeyId])),
  };
  const restore: DeactivateAccessKeyRestore = {
    userName,
    keys: toDeactivate.map((accessKeyId) => ({ accessKeyId, status: 'Active' })),
  };
  return {
    changes: toDeactivate.map(statusChange),
    ...(toDeactivate.length > 0 ? { restore } : {}),
    notes: [
      staleBy === 'last-use'
        ? `Keys not used since ${new Date(cutoff).toISOString()} (${staleAfterDays} days) are stale.`
        : `Keys created before ${new Date(cutoff).toISOString()} (${staleAfterDays} days) are stale.`,
      ...(toDeactivate.length === 0 ? [`IAM user ${userName} has no active stale key.`] : []),
      ...(newer > 0 ? [`${newer} newer key(s) of ${userName} left as they are.`] : []),
    ],
    output,
    async apply() {
      await deactivate(context, userName, toDeactivate);
      return output;
    },
  };
}

/**
 * `deactivate-access-key`: sets IAM access keys `Inactive` — never deletes them, so the key stays as evidence
 * and can be turned back on (DOMAIN.md item 19).
 *
 * - Credential compromise (`accessKeyId`): the one key the finding names, and none of the user's other keys.
 *   Without `userName` the user is found with GetAccessKeyLastUsed (item 22).
 * - Stale credentials (`userId` or `userName`, `staleAfterDays` default 90): every active key of that user
 *   created more than `staleAfterDays` before now; newer keys are left alone.
 *
 * Idempotent: an inactive key is already done. A key that does not exist is `ResourceGoneError`; a
 * break-glass or exempt user is refused before any change.
 * IAM: iam:GetAccessKeyLastUsed, iam:ListUsers, iam:GetUser, iam:ListUserTags, iam:ListAccessKeys,
 * iam:UpdateAccessKey.
 *
 * @example
 * await runAction(deactivateAccessKey, { incidentId, account, region, dryRun: false, accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }, environment)
 * // changes: AKIAIOSFODNN7EXAMPLE status Active → Inactive; restore: { userName: 'alice', keys: [{ accessKeyId, status: 'Active' }] }
 * await runAction(deactivateAccessKey, { incidentId, account, region, dryRun: false, userId: 'AIDAJQABLZS4A3QDU576Q' }, environment)
 * // deactivates alice's active keys created more than 90 days ago
 */
export const deactivateAccessKey: ActionDefinition<DeactivateAccessKeyInput, DeactivateAccessKeyOutput> = {
  id: 'deactivate-access-key',
  summary:
    "Sets the IAM access key a finding names (or a user's stale keys) to Inactive; never deletes a key and never touches the user's other keys.",
  undo: 'Release does not reactivate keys: rotate the credentials first, then an administrator may reactivate a key by hand (UpdateAccessKey Status=Active) if it is still needed.',
  dryRunBehaviour:
    'Resolves the user, reads its tags and keys, and records which keys it would deactivate; no call changes anything.',
  mutating: true,
  input: DeactivateAccessKeyInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError'],
  permissions: [
    {
      // No iam:GetUser: it serves an input naming both the user's id and name, which no playbook sends.
      actions: ['iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys', 'iam:ListUserTags'],
      resources: ['arn:aws:iam::{account}:user/*'],
      why: "Find the key's user when the finding lacks it, read the user's keys, and check the exemption tag.",
    },
    {
      actions: ['iam:ListUsers'],
      // ListUsers has no resource type in the Service Authorization Reference: a statement naming user/* never
      // matches it (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
      resources: ['*'],
      why: 'Find the user a Config rule names by its AIDA… id (Config does not give the name; ListUsers has no resource-level permissions).',
    },
    {
      actions: ['iam:UpdateAccessKey'],
      resources: ['arn:aws:iam::{account}:user/*'],
      why: 'Set the key Inactive (never iam:DeleteAccessKey: the key stays as evidence and can be reactivated).',
    },
  ],
  async plan(input, context) {
    return input.accessKeyId === undefined
      ? planStaleKeys(input, context)
      : planCompromisedKey(input.accessKeyId, input.userName, context);
  },
};

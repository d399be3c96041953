import { GetRoleCommand, ListRoleTagsCommand, type Tag } from '@aws-sdk/client-iam';
import { ActionFailedError, UnmodifiableRoleError } from '../errors.ts';
import * as z from '../zod.ts';
import { assertUserActionable, IAM_NAME } from './deactivate-access-key.ts';
import {
  changeDenyPolicy,
  type DenyPolicyDocument,
  hasStatement,
  readDenyPolicy,
  revokeOlderSessionsStatement,
  withStatement,
} from './deny-policy.ts';
import { assertNotBreakGlass, assertNotExempt, CORDON_DENY_POLICY_NAME } from './guardrails.ts';
import { type ActionContext, type ActionDefinition, type ActionPlan, StepEnvelopeSchema } from './types.ts';

export const RevokeSessionsInput = z.extend(StepEnvelopeSchema, {
  principalType: z.enum(['user', 'role']),
  /** A user name, or for a role session (`ASIA…`, `AssumedRole`) the role's name. */
  name: z.string().check(z.regex(IAM_NAME, 'must be an IAM user or role name')),
});
export type RevokeSessionsInput = z.output<typeof RevokeSessionsInput>;
export type PrincipalType = RevokeSessionsInput['principalType'];

export interface RevokeSessionsRestore {
  readonly principalType: PrincipalType;
  readonly name: string;
  /** The statement to remove from Cordon's deny policy on release. */
  readonly statementSid: string;
}

export interface RevokeSessionsOutput {
  readonly principalType: PrincipalType;
  readonly name: string;
  readonly statementSid: string;
  /** Sessions issued before this time are denied. */
  readonly issuedBefore: string;
}

/** Service-linked roles (DOMAIN.md item 21): only AWS may change them. */
const SERVICE_LINKED_PATH = '/aws-service-role/';
/** IAM Identity Center roles: changed only through Identity Center, which would undo Cordon's policy. */
const IDENTITY_CENTER_PATH = '/aws-reserved/sso.amazonaws.com/';
const IDENTITY_CENTER_PREFIX = 'AWSReservedSSO_';

interface CurrentPolicy {
  /** Whether any inline policy named `cordon-deny` exists, Cordon's or not. */
  readonly exists: boolean;
  readonly policy: DenyPolicyDocument | undefined;
}

function foreignPolicyError(principalType: PrincipalType, name: string): ActionFailedError {
  return new ActionFailedError(
    `The ${principalType} ${name} has an inline policy named ${CORDON_DENY_POLICY_NAME} that Cordon did not write: refusing to overwrite it. Rename or remove it, then run the step again.`,
  );
}

/**
 * Cordon's deny policy on the principal, refusing one of that name that Cordon did not write: Cordon never
 * overwrites a policy it cannot account for.
 */
async function currentDenyPolicy(
  context: ActionContext,
  principalType: PrincipalType,
  name: string,
): Promise<CurrentPolicy> {
  const current = await readDenyPolicy(context.clients.iam, { type: principalType, name });
  if (current.kind === 'foreign') throw foreignPolicyError(principalType, name);
  return current.kind === 'absent'
    ? { exists: false, policy: undefined }
    : { exists: true, policy: current.policy };
}

/**
 * Refuses a role Cordon must not change, before any change: service-linked roles (IAM refuses them) and IAM
 * Identity Center roles (Identity Center owns them). Then the guardrails: break-glass and the exemption tag,
 * read live.
 */
async function assertRoleActionable(context: ActionContext, roleName: string): Promise<void> {
  const { Role: role } = await context.clients.iam.send(new GetRoleCommand({ RoleName: roleName }));
  const path = role?.Path ?? '/';
  if (path.startsWith(SERVICE_LINKED_PATH)) {
    throw new UnmodifiableRoleError(
      `${roleName} is a service-linked role: only AWS may change it, so its sessions cannot be denied; notify instead.`,
    );
  }
  if (path.startsWith(IDENTITY_CENTER_PATH) || roleName.startsWith(IDENTITY_CENTER_PREFIX)) {
    throw new UnmodifiableRoleError(
      `${roleName} is an IAM Identity Center role: revoke the user's sessions in Identity Center instead.`,
    );
  }
  assertNotBreakGlass(roleName, context.settings);
  if (role?.Arn !== undefined) assertNotBreakGlass(role.Arn, context.settings);
  const tags: Tag[] = [];
  let marker: string | undefined;
  do {
    const page = await context.clients.iam.send(
      new ListRoleTagsCommand({ RoleName: roleName, ...(marker === undefined ? {} : { Marker: marker }) }),
    );
    tags.push(...(page.Tags ?? []));
    marker = page.IsTruncated === true ? page.Marker : undefined;
  } while (marker !== undefined);
  assertNotExempt(tags, context.settings, `IAM role ${roleName}`);
}

function issuedBeforeOf(policy: DenyPolicyDocument | undefined, sid: string): string | undefined {
  const statement = policy?.Statement.find((candidate) => candidate.Sid === sid);
  const value = statement?.Condition.DateLessThan?.['aws:TokenIssueTime'];
  return typeof value === 'string' ? value : undefined;
}

/**
 * `revoke-sessions`: adds to the principal's inline policy `cordon-deny` a statement denying every request
 * made with a session issued before now (`DateLessThan aws:TokenIssueTime`, DOMAIN.md items 19–21).
 *
 * "Now" is the time of the action, never the finding's last-seen time: a session minted between the two
 * would otherwise survive. The statement's Sid is derived from the incident id, so a second run for the same
 * incident finds it and changes nothing; statements of other incidents are kept. `aws:TokenIssueTime`
 * exists only on temporary credentials: against an IAM user this stops STS sessions minted from its keys,
 * never the long-term key itself (deactivate-access-key does that). The policy is changed under the principal's
 * deny-policy lease (deny-policy.ts), and a policy that would pass IAM's inline-policy quota is not written
 * (`DenyPolicyFullError`). Service-linked and Identity Center
 * roles are refused with `UnmodifiableRoleError`; a `cordon-deny` policy Cordon did not write is never
 * overwritten (`ActionFailedError`).
 * IAM: iam:ListUserTags, iam:GetUserPolicy, iam:PutUserPolicy, iam:GetRole, iam:ListRoleTags,
 * iam:GetRolePolicy, iam:PutRolePolicy.
 *
 * @example
 * await runAction(revokeSessions, { incidentId, account, region, dryRun: false, principalType: 'role', name: 'app-role' }, environment)
 * // cordon-deny on app-role gains { Sid: 'CordonRevokeSessions…', Effect: 'Deny', Action: '*', Resource: '*',
 * //   Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-28T10:00:00.000Z' } } }
 */
export const revokeSessions: ActionDefinition<RevokeSessionsInput, RevokeSessionsOutput> = {
  id: 'revoke-sessions',
  summary:
    "Adds to the user's or role's inline policy cordon-deny a statement denying every session issued before now.",
  undo: "Not undone automatically: once the credentials are rotated, remove this incident's statement (its Sid is in the ledger) from cordon-deny, or delete the policy when nothing else is left in it. Sessions issued after the statement's time were never denied.",
  dryRunBehaviour:
    'Reads the principal, its tags and its cordon-deny policy, and records the statement it would add; no call changes anything.',
  mutating: true,
  // The principal's deny-policy lease: one writer of cordon-deny at a time.
  leases: true,
  input: RevokeSessionsInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError', 'EventualConsistencyError'],
  permissions: [
    {
      actions: ['iam:ListUserTags', 'iam:GetUserPolicy'],
      resources: ['arn:aws:iam::{account}:user/*'],
      why: "Check the user's exemption tag and read Cordon's deny policy before changing it.",
    },
    {
      actions: ['iam:PutUserPolicy'],
      resources: ['arn:aws:iam::{account}:user/*'],
      why: "Write the inline policy cordon-deny. IAM has no condition key for an inline policy's name: the code only ever writes the constant name (tested), never a name from its input.",
    },
    {
      actions: ['iam:GetRole', 'iam:ListRoleTags', 'iam:GetRolePolicy'],
      resources: ['arn:aws:iam::{account}:role/*'],
      why: "Refuse service-linked and Identity Center roles, check the exemption tag, read Cordon's deny policy.",
    },
    {
      actions: ['iam:PutRolePolicy'],
      resources: ['arn:aws:iam::{account}:role/*'],
      why: 'Write the inline policy cordon-deny on the role (the constant name only, as for users).',
    },
  ],
  async plan(input, context): Promise<ActionPlan<RevokeSessionsOutput>> {
    const { principalType, name } = input;
    if (principalType === 'user') await assertUserActionable(context, name);
    else await assertRoleActionable(context, name);

    const current = await currentDenyPolicy(context, principalType, name);
    const statement = revokeOlderSessionsStatement(context.incidentId, context.now());
    const issuedBefore = issuedBeforeOf(current.policy, statement.Sid);
    const already = hasStatement(current.policy, statement.Sid);
    const output: RevokeSessionsOutput = {
      principalType,
      name,
      statementSid: statement.Sid,
      issuedBefore: issuedBefore ?? context.now().toISOString(),
    };
    const restore: RevokeSessionsRestore = { principalType, name, statementSid: statement.Sid };
    const notes =
      principalType === 'user'
        ? [
            `aws:TokenIssueTime exists only on temporary credentials: this denies STS sessions minted from ${name}'s keys before ${output.issuedBefore}, and does nothing against a long-term access key itself (deactivate-access-key handles that).`,
          ]
        : [
            `This denies every session of role ${name} issued before ${output.issuedBefore}, not only the suspicious one: workloads using the role must assume it again.`,
          ];
    if (already) notes.push(`${CORDON_DENY_POLICY_NAME} already holds this incident's statement.`);
    return {
      changes: already
        ? []
        : [
            {
              resource: name,
              attribute: `inlinePolicy:${CORDON_DENY_POLICY_NAME}`,
              before: current.policy ?? null,
              after: withStatement(current.policy, statement),
            },
          ],
      ...(already ? {} : { restore }),
      notes,
      output,
      async apply() {
        // Read again and written back under the principal's deny-policy lease: another incident's step may
        // change cordon-deny at the same time, and IAM has no conditional write.
        const written = await changeDenyPolicy(
          context,
          { type: principalType, name },
          (latest) => (hasStatement(latest, statement.Sid) ? 'unchanged' : withStatement(latest, statement)),
          () => foreignPolicyError(principalType, name),
        );
        // A concurrent run of this step wrote it first: its time stands.
        return {
          ...output,
          issuedBefore: issuedBeforeOf(written.after, statement.Sid) ?? output.issuedBefore,
        };
      },
    };
  },
};

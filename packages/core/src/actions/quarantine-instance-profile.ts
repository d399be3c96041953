import {
  DescribeIamInstanceProfileAssociationsCommand,
  DisassociateIamInstanceProfileCommand,
  type IamInstanceProfileAssociation,
  ReplaceIamInstanceProfileAssociationCommand,
} from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand, type Role } from '@aws-sdk/client-iam';
import { ActionFailedError, awsErrorCode, DenyPolicyFullError, UnmodifiableRoleError } from '../errors.ts';
import type { Change } from '../ledger/ledger.ts';
import {
  type CurrentDenyPolicy,
  changeDenyPolicy,
  denyEntries,
  INLINE_POLICY_QUOTA,
  isQuarantined,
  policySize,
  QUARANTINE_SID,
  readDenyPolicy,
  withQuarantinedInstance,
} from './deny-policy.ts';
import { type ApplyCall, runInPhases } from './deregister-from-load-balancers.ts';
import { assertNotExempt, CORDON_DENY_POLICY_NAME } from './guardrails.ts';
import { describeInstance, ProtectEvidenceInput } from './protect-evidence.ts';
import type { ActionContext, ActionDefinition, ActionPlan } from './types.ts';

export type ProfileAction = 'disassociate' | 'replace' | 'keep';

/** What `release-instance` needs to give the instance its profile back and lift the deny. */
export interface QuarantineInstanceProfileRestore {
  readonly instanceId: string;
  readonly instanceArn: string;
  /** The profile's role, which carries the deny statement; `null` for a profile without a role. */
  readonly roleName: string | null;
  readonly profileArn: string;
  readonly statementSid: string;
  readonly profileAction: ProfileAction;
}

export interface QuarantineInstanceProfileOutput {
  readonly instanceId: string;
  readonly instanceArn: string;
  readonly roleName: string | null;
  readonly profileAction: ProfileAction | null;
  readonly statementSid: string | null;
}

/** The instance's ARN as `ec2:SourceInstanceARN` reports it in the credentials it hands out. */
export function instanceArn(context: Pick<ActionContext, 'region' | 'account'>, instanceId: string): string {
  return `arn:aws:ec2:${context.region}:${context.account}:instance/${instanceId}`;
}

/** `arn:aws:iam::123456789012:instance-profile/path/web` → `web` (GetInstanceProfile takes the bare name). */
export function profileNameFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** Service-linked and IAM Identity Center roles: only AWS may change them (DOMAIN.md item 21). */
export function isUnmodifiableRole(role: Pick<Role, 'Path' | 'RoleName'>): boolean {
  const path = role.Path ?? '/';
  return (
    path.startsWith('/aws-service-role/') ||
    path.startsWith('/aws-reserved/sso.amazonaws.com/') ||
    (role.RoleName ?? '').startsWith('AWSReservedSSO_')
  );
}

export function isNoSuchEntity(error: unknown): boolean {
  const code = awsErrorCode(error);
  return code === 'NoSuchEntity' || code === 'NoSuchEntityException';
}

/** The instance's current profile association (`associated` only), if any. */
export async function currentAssociation(
  context: ActionContext,
  instanceId: string,
): Promise<IamInstanceProfileAssociation | undefined> {
  const described = await context.clients.ec2.send(
    new DescribeIamInstanceProfileAssociationsCommand({
      Filters: [
        { Name: 'instance-id', Values: [instanceId] },
        { Name: 'state', Values: ['associated'] },
      ],
    }),
  );
  return described.IamInstanceProfileAssociations?.find(
    (association) => association.InstanceId === instanceId,
  );
}

/** Cordon's deny policy on a role (see `readDenyPolicy`). */
export type RoleDenyPolicy = CurrentDenyPolicy;

export function readRoleDenyPolicy(context: ActionContext, roleName: string): Promise<RoleDenyPolicy> {
  return readDenyPolicy(context.clients.iam, { type: 'role', name: roleName });
}

function foreignPolicyError(roleName: string): ActionFailedError {
  return new ActionFailedError(
    `Role ${roleName} has an inline policy named ${CORDON_DENY_POLICY_NAME} that Cordon did not write: Cordon never edits a policy it did not write.`,
  );
}

/**
 * `quarantine-instance-profile`: cuts the instance's IAM credentials (DOMAIN.md item 17). Replacing or
 * removing an instance profile does not revoke credentials already handed out, so first a `Deny *` with
 * `ec2:SourceInstanceARN` = this instance goes into Cordon's own inline policy (`cordon-deny`) on the
 * profile's role: only this instance's sessions are denied, never every session of a role a fleet shares.
 * Then, per `settings.instanceProfileQuarantine`, the profile is disassociated, replaced with the quarantine
 * profile, or kept.
 *
 * Every quarantined instance of a role shares one statement (`CordonQuarantineInstances`, the list of their
 * ARNs), and the policy is changed under the role's lease in the ledger table: parallel containments of a fleet
 * keep every instance's deny. A policy that would pass IAM's 10,240 characters for a role's inline policies is
 * not written: the profile is still changed, and the step fails with `DenyPolicyFullError` (docs/actions.md).
 *
 * Idempotent: an instance already listed is not written again; a profile already gone (or already the
 * quarantine profile) is left alone. Service-linked and Identity Center roles → `UnmodifiableRoleError`.
 * IAM: ec2:DescribeInstances, ec2:DescribeIamInstanceProfileAssociations, iam:GetInstanceProfile,
 * iam:GetRolePolicy, iam:PutRolePolicy, ec2:DisassociateIamInstanceProfile or
 * ec2:ReplaceIamInstanceProfileAssociation (+ iam:PassRole to EC2).
 *
 * @example
 * await runAction(quarantineInstanceProfile, { incidentId, account, region, dryRun: false, instanceId: 'i-0abc…' }, environment)
 * // changes: web-role inlinePolicy:cordon-deny null → [arn:aws:ec2:…:instance/i-0abc…]; i-0abc… iamInstanceProfile web → null
 */
export const quarantineInstanceProfile: ActionDefinition<
  ProtectEvidenceInput,
  QuarantineInstanceProfileOutput
> = {
  id: 'quarantine-instance-profile',
  summary:
    "Denies the profile role's sessions on this instance only (ec2:SourceInstanceARN) in Cordon's own inline policy, then disassociates, replaces or keeps the instance profile as the settings say.",
  undo: "Release removes this instance from cordon-deny's list (deleting the policy when nothing is left) and associates the original profile again.",
  dryRunBehaviour:
    'Reads the profile association, the role and its cordon-deny policy and records what it would change; nothing is written.',
  mutating: true,
  // The role's deny-policy lease: one writer of cordon-deny at a time.
  leases: true,
  input: ProtectEvidenceInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError', 'EventualConsistencyError'],
  permissions: [
    {
      actions: ['ec2:DescribeInstances', 'ec2:DescribeIamInstanceProfileAssociations'],
      resources: ['*'],
      why: 'Read the instance, its tags (exemption check) and its profile association (Describe* has no resource-level permissions).',
    },
    {
      actions: ['iam:GetInstanceProfile'],
      resources: ['arn:aws:iam::{account}:instance-profile/*'],
      why: "Find the profile's role (and the quarantine profile's ARN).",
    },
    {
      actions: ['iam:GetRolePolicy', 'iam:PutRolePolicy'],
      resources: ['arn:aws:iam::{account}:role/*'],
      why: "Add this instance to the list of Cordon's own inline policy cordon-deny. IAM has no condition key for an inline policy's name: the action only ever writes cordon-deny, and only Deny statements.",
    },
    {
      actions: ['ec2:DisassociateIamInstanceProfile', 'ec2:ReplaceIamInstanceProfileAssociation'],
      resources: ['arn:aws:ec2:{region}:{account}:instance/*'],
      why: 'Remove the instance profile, or replace it with the quarantine profile.',
    },
    {
      actions: ['iam:PassRole'],
      // `{quarantineRole}`: the role of the quarantine instance profile, fixed at deploy time (docs/deploy.md).
      resources: ['arn:aws:iam::{account}:role/{quarantineRole}'],
      condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      why: "Replacing a profile passes the quarantine profile's role to EC2: that role only, and only to EC2.",
    },
  ],
  async plan(input, context): Promise<ActionPlan<QuarantineInstanceProfileOutput>> {
    const { instanceId } = input;
    const arn = instanceArn(context, instanceId);
    const [instance, association] = await Promise.all([
      describeInstance(context, instanceId),
      currentAssociation(context, instanceId),
    ]);
    assertNotExempt(instance.Tags, context.settings, instanceId);

    const profileAction = context.settings.instanceProfileQuarantine;
    const quarantineName = context.settings.quarantineInstanceProfileName;
    const profileArn = association?.IamInstanceProfile?.Arn;
    const associationId = association?.AssociationId;
    const none: QuarantineInstanceProfileOutput = {
      instanceId,
      instanceArn: arn,
      roleName: null,
      profileAction: null,
      statementSid: null,
    };
    if (profileArn === undefined || associationId === undefined) {
      return nothingToDo(
        none,
        `${instanceId} has no instance profile: it holds no instance credentials to deny.`,
      );
    }
    const profileName = profileNameFromArn(profileArn);
    if (profileAction === 'replace' && profileName === quarantineName) {
      // The run that swapped the profile in also denied the original role's sessions for this instance.
      return nothingToDo(none, `${instanceId} already carries the quarantine profile ${quarantineName}.`);
    }

    const [profile, quarantineArn] = await Promise.all([
      context.clients.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profileName })),
      profileAction === 'replace' && quarantineName !== undefined
        ? quarantineProfileArn(context, quarantineName)
        : Promise.resolve(undefined),
    ]);
    const role = profile.InstanceProfile?.Roles?.[0];
    const roleName = role?.RoleName ?? null;
    if (role !== undefined && isUnmodifiableRole(role)) {
      throw new UnmodifiableRoleError(
        `Role ${roleName} of ${instanceId}'s profile is a service-linked or IAM Identity Center role: Cordon cannot put its deny policy on it.`,
      );
    }
    const denyPolicy = roleName === null ? undefined : await readRoleDenyPolicy(context, roleName);
    if (roleName !== null && denyPolicy?.kind === 'foreign') throw foreignPolicyError(roleName);
    const existing = denyPolicy?.kind === 'cordon' ? denyPolicy.policy : undefined;
    const denyNeeded = roleName !== null && !isQuarantined(existing, arn);
    const projected = withQuarantinedInstance(existing, arn);

    const changes: Change[] = [];
    const notes: string[] = [];
    if (roleName === null) {
      notes.push(`Profile ${profileName} has no role: there are no instance credentials to deny.`);
    } else if (denyNeeded) {
      changes.push({
        resource: roleName,
        attribute: `inlinePolicy:${CORDON_DENY_POLICY_NAME}`,
        before: existing === undefined ? null : denyEntries(existing),
        after: denyEntries(projected),
      });
      notes.push(
        `Role ${roleName} keeps working for every other instance: the deny matches ec2:SourceInstanceARN = ${arn} only.`,
      );
      if (policySize(projected) > INLINE_POLICY_QUOTA.role) {
        notes.push(
          `Role ${roleName}'s ${CORDON_DENY_POLICY_NAME} would pass IAM's ${INLINE_POLICY_QUOTA.role} characters with this instance: the profile is still changed, and the step fails with DenyPolicyFullError.`,
        );
      }
    }
    if (profileAction === 'disassociate') {
      changes.push({
        resource: instanceId,
        attribute: 'iamInstanceProfile',
        before: profileArn,
        after: null,
      });
    } else if (profileAction === 'replace') {
      changes.push({
        resource: instanceId,
        attribute: 'iamInstanceProfile',
        before: profileArn,
        after: quarantineArn ?? null,
      });
    } else {
      notes.push(`The instance keeps profile ${profileName} (instanceProfileQuarantine is keep).`);
    }

    const restore: QuarantineInstanceProfileRestore = {
      instanceId,
      instanceArn: arn,
      roleName,
      profileArn,
      statementSid: QUARANTINE_SID,
      profileAction,
    };
    const output: QuarantineInstanceProfileOutput = {
      instanceId,
      instanceArn: arn,
      roleName,
      profileAction,
      statementSid: roleName === null ? null : QUARANTINE_SID,
    };
    return {
      changes,
      restore,
      notes,
      output,
      async apply() {
        const deny: ApplyCall[] =
          roleName !== null && denyNeeded
            ? [{ what: `deny on role ${roleName}`, run: () => putDeny(context, roleName, arn) }]
            : [];
        const profileCall: ApplyCall[] = [];
        if (profileAction === 'disassociate') {
          profileCall.push({
            what: `disassociate profile ${profileName}`,
            run: () =>
              context.clients.ec2.send(
                new DisassociateIamInstanceProfileCommand({ AssociationId: associationId }),
              ),
          });
        } else if (profileAction === 'replace') {
          profileCall.push({
            what: `replace profile ${profileName} with ${quarantineName}`,
            run: () =>
              context.clients.ec2.send(
                new ReplaceIamInstanceProfileAssociationCommand({
                  AssociationId: associationId,
                  IamInstanceProfile: { Arn: quarantineArn },
                }),
              ),
          });
        }
        // The deny goes first: a profile change alone revokes no credential already handed out.
        try {
          await runInPhases('quarantine-instance-profile', [deny, profileCall]);
        } catch (error) {
          if (!(error instanceof DenyPolicyFullError)) throw error;
          // No room for the deny: the profile is still changed (no new credentials reach the instance), and
          // the step fails by name, so that the playbook reports it and a person can approve the wider deny.
          await runInPhases('quarantine-instance-profile', [profileCall]);
          throw new DenyPolicyFullError(error.message, {
            cause: error,
            awsError: error.awsError,
            partial: { done: profileCall.map((call) => call.what), notDone: deny.map((call) => call.what) },
          });
        }
        return output;
      },
    };
  },
};

/**
 * Adds the instance to the quarantine list of the role's `cordon-deny`, read again and written back under the
 * role's deny-policy lease: another step (a second instance of the fleet, a revoke-sessions, a release) may
 * change the policy at the same time, and its statement must stay.
 */
async function putDeny(context: ActionContext, roleName: string, instanceArn: string): Promise<void> {
  await changeDenyPolicy(
    context,
    { type: 'role', name: roleName },
    (current) =>
      isQuarantined(current, instanceArn) ? 'unchanged' : withQuarantinedInstance(current, instanceArn),
    () => foreignPolicyError(roleName),
  );
}

async function quarantineProfileArn(context: ActionContext, name: string): Promise<string> {
  try {
    const got = await context.clients.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }));
    const arn = got.InstanceProfile?.Arn;
    if (arn !== undefined) return arn;
  } catch (error) {
    if (!isNoSuchEntity(error)) throw error;
  }
  // A settings problem, not a vanished resource: the step fails before any change, and says which.
  throw new ActionFailedError(
    `The quarantine instance profile ${name} (settings.quarantineInstanceProfileName) does not exist.`,
  );
}

function nothingToDo(
  output: QuarantineInstanceProfileOutput,
  note: string,
): ActionPlan<QuarantineInstanceProfileOutput> {
  return { changes: [], notes: [note], output, apply: async () => output };
}

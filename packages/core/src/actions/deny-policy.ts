import { createHash } from 'node:crypto';
import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  type IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  awsErrorCode,
  DenyPolicyFullError,
  EventualConsistencyError,
  UnmodifiableRoleError,
} from '../errors.ts';
import { CORDON_DENY_POLICY_NAME } from './guardrails.ts';
import type { ActionContext } from './types.ts';

/**
 * Cordon's own inline deny policy (`cordon-deny`) on users and roles. It only ever holds Deny statements
 * that Cordon wrote, each with a Sid that says what it is for, so statements from different incidents and
 * actions live side by side, and a release removes exactly its own.
 */
export interface DenyStatement {
  readonly Sid: string;
  readonly Effect: 'Deny';
  readonly Action: '*';
  readonly Resource: '*';
  readonly Condition: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface DenyPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly DenyStatement[];
}

/** A Sid is alphanumeric: the prefix plus the first 16 hex digits of the key's SHA-256. */
export function statementSid(
  prefix: 'CordonRevokeSessions' | 'CordonQuarantineInstance',
  key: string,
): string {
  return `${prefix}${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/**
 * Denies every session issued before `now` (DOMAIN.md items 19–21). `aws:TokenIssueTime` exists only on
 * temporary credentials: this statement alone does nothing against a long-term key, which must be
 * deactivated as well.
 */
export function revokeOlderSessionsStatement(incidentId: string, now: Date): DenyStatement {
  return {
    Sid: statementSid('CordonRevokeSessions', incidentId),
    Effect: 'Deny',
    Action: '*',
    Resource: '*',
    Condition: { DateLessThan: { 'aws:TokenIssueTime': now.toISOString() } },
  };
}

/**
 * Denies the role's sessions on one instance only (`ec2:SourceInstanceARN`, DOMAIN.md item 17), rather than
 * every session of a role that a whole fleet shares. The form written before statements were compacted (one
 * statement per instance): it is still read, and folded into {@link QUARANTINE_SID}'s list when the policy is
 * next written.
 */
export function quarantineInstanceStatement(instanceArn: string): DenyStatement {
  return {
    Sid: statementSid('CordonQuarantineInstance', instanceArn),
    Effect: 'Deny',
    Action: '*',
    Resource: '*',
    Condition: { ArnEquals: { 'ec2:SourceInstanceARN': instanceArn } },
  };
}

/**
 * The one statement that denies the role's sessions on every quarantined instance: `ArnEquals` with the list
 * of instance ARNs, which IAM evaluates as "any of them" (several values of one condition key are ORed:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html).
 * About 65 characters per instance instead of about 200 for a statement each: a role's inline policies may
 * total 10,240 characters, so a fleet of some 150 instances fits rather than some 50.
 */
export const QUARANTINE_SID = 'CordonQuarantineInstances';

/** The instance ARNs a statement denies sessions on, when it is a quarantine statement (either form). */
function quarantinedBy(statement: DenyStatement): string[] | undefined {
  const quarantine = statement.Sid === QUARANTINE_SID || statement.Sid.startsWith('CordonQuarantineInstance');
  const value = statement.Condition.ArnEquals?.['ec2:SourceInstanceARN'];
  if (!quarantine || value === undefined) return undefined;
  return typeof value === 'string' ? [value] : [...value];
}

/** Every instance whose sessions the policy denies. */
export function quarantinedInstances(policy: DenyPolicyDocument | undefined): string[] {
  return (policy?.Statement ?? []).flatMap((statement) => quarantinedBy(statement) ?? []);
}

export function isQuarantined(policy: DenyPolicyDocument | undefined, instanceArn: string): boolean {
  return quarantinedInstances(policy).includes(instanceArn);
}

/** The policy with `instanceArns` as its quarantine list: the other statements kept, every quarantine folded into one. */
function withQuarantineList(
  policy: DenyPolicyDocument | undefined,
  instanceArns: readonly string[],
): DenyPolicyDocument | undefined {
  const others = (policy?.Statement ?? []).filter((statement) => quarantinedBy(statement) === undefined);
  const list = [...new Set(instanceArns)];
  const quarantine: DenyStatement[] =
    list.length === 0
      ? []
      : [
          {
            Sid: QUARANTINE_SID,
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { ArnEquals: { 'ec2:SourceInstanceARN': list } },
          },
        ];
  const statements = [...others, ...quarantine];
  return statements.length === 0 ? undefined : { Version: '2012-10-17', Statement: statements };
}

/** Adds an instance to the quarantine list (one statement for every instance). */
export function withQuarantinedInstance(
  policy: DenyPolicyDocument | undefined,
  instanceArn: string,
): DenyPolicyDocument {
  return withQuarantineList(policy, [...quarantinedInstances(policy), instanceArn]) as DenyPolicyDocument;
}

/** Removes an instance from the quarantine list; `undefined` when nothing is left (delete the policy then). */
export function withoutQuarantinedInstance(
  policy: DenyPolicyDocument | undefined,
  instanceArn: string,
): DenyPolicyDocument | undefined {
  return withQuarantineList(
    policy,
    quarantinedInstances(policy).filter((arn) => arn !== instanceArn),
  );
}

/**
 * What the policy denies, as the ledger records it: each quarantined instance's ARN, and the Sid of every
 * other statement (a revoke-sessions statement names its incident).
 */
export function denyEntries(policy: DenyPolicyDocument | undefined): string[] {
  return (policy?.Statement ?? []).flatMap((statement) => quarantinedBy(statement) ?? [statement.Sid]);
}

/**
 * Parses a policy document as IAM returns it (URL-encoded JSON from Get*Policy) or as written (plain JSON).
 * Anything that is not a Cordon deny policy yields `undefined`: Cordon never edits a policy it did not write.
 */
export function parseDenyPolicy(document: string | undefined): DenyPolicyDocument | undefined {
  if (document === undefined || document === '') return undefined;
  let text = document;
  if (!text.trimStart().startsWith('{')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return undefined;
    }
  }
  try {
    const parsed = JSON.parse(text) as { Version?: unknown; Statement?: unknown };
    if (!Array.isArray(parsed.Statement)) return undefined;
    const statements = parsed.Statement as DenyStatement[];
    if (!statements.every((statement) => statement.Effect === 'Deny' && typeof statement.Sid === 'string'))
      return undefined;
    return { Version: '2012-10-17', Statement: statements };
  } catch {
    return undefined;
  }
}

/** Adds (or replaces, by Sid) a statement. */
export function withStatement(
  policy: DenyPolicyDocument | undefined,
  statement: DenyStatement,
): DenyPolicyDocument {
  const others = (policy?.Statement ?? []).filter((existing) => existing.Sid !== statement.Sid);
  return { Version: '2012-10-17', Statement: [...others, statement] };
}

/** Removes a statement by Sid; `undefined` when nothing is left (delete the policy then). */
export function withoutStatement(
  policy: DenyPolicyDocument | undefined,
  sid: string,
): DenyPolicyDocument | undefined {
  const remaining = (policy?.Statement ?? []).filter((existing) => existing.Sid !== sid);
  return remaining.length === 0 ? undefined : { Version: '2012-10-17', Statement: remaining };
}

export function hasStatement(policy: DenyPolicyDocument | undefined, sid: string): boolean {
  return (policy?.Statement ?? []).some((statement) => statement.Sid === sid);
}

/** Cordon's deny policy on a user or role: absent, Cordon's own (parsed), or a policy Cordon did not write. */
export type CurrentDenyPolicy =
  | { readonly kind: 'absent' }
  | { readonly kind: 'cordon'; readonly policy: DenyPolicyDocument }
  | { readonly kind: 'foreign' };

/**
 * Reads the inline policy `cordon-deny` of a user or a role. `NoSuchEntity` means there is none yet (a
 * vanished principal surfaces at the write); anything else is thrown for the action's classifier.
 *
 * @example await readDenyPolicy(clients.iam, { type: 'role', name: 'web-role' }) // { kind: 'absent' }
 */
export async function readDenyPolicy(
  iam: Pick<IAMClient, 'send'>,
  principal: { readonly type: 'user' | 'role'; readonly name: string },
): Promise<CurrentDenyPolicy> {
  try {
    const answer =
      principal.type === 'user'
        ? await iam.send(
            new GetUserPolicyCommand({ UserName: principal.name, PolicyName: CORDON_DENY_POLICY_NAME }),
          )
        : await iam.send(
            new GetRolePolicyCommand({ RoleName: principal.name, PolicyName: CORDON_DENY_POLICY_NAME }),
          );
    const policy = parseDenyPolicy(answer.PolicyDocument);
    return policy === undefined ? { kind: 'foreign' } : { kind: 'cordon', policy };
  } catch (error) {
    if (awsErrorCode(error) === 'NoSuchEntity') return { kind: 'absent' };
    throw error;
  }
}

/**
 * IAM's quota on the total size of a principal's inline policies, in characters, white space not counted: a
 * role's may total 10,240, a user's 2,048 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html,
 * "IAM and STS character quotas"). A write past it is refused with `LimitExceeded`
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html).
 */
export const INLINE_POLICY_QUOTA = { role: 10_240, user: 2_048 } as const;

/** The size IAM counts for a policy document: its characters, white space left out. */
export function policySize(policy: DenyPolicyDocument): number {
  return JSON.stringify(policy).replace(/\s/g, '').length;
}

/** A user or role whose `cordon-deny` Cordon changes. */
export interface DenyPolicyPrincipal {
  readonly type: 'user' | 'role';
  readonly name: string;
}

/** How long one writer may hold a principal's deny policy (a read and a write take well under a second). */
const LEASE_SECONDS = 60;
/** Waits between tries for a lease another writer holds: about six seconds in all, then the step is retried. */
const LEASE_WAITS_MS = [25, 50, 100, 200, 400, 800, 1600, 2400] as const;

function denyLeaseKey(context: Pick<ActionContext, 'account'>, principal: DenyPolicyPrincipal): string {
  return `deny-policy#${context.account}#${principal.type}#${principal.name}`;
}

/**
 * Runs `work` holding the principal's deny-policy lease in the ledger table, so that two steps (two instances
 * of a fleet quarantined at once, a release and a quarantine) never read, change and write back `cordon-deny`
 * at the same time: IAM has no conditional write, and the second write would drop the first one's statement.
 * Another holder is waited for, briefly; past that the step fails with `EventualConsistencyError` and is
 * retried. A ledger without leases (unit tests) runs `work` at once.
 */
async function withDenyPolicyLease<T>(
  context: Pick<ActionContext, 'ledger' | 'account' | 'incidentId' | 'step' | 'now' | 'logger'>,
  principal: DenyPolicyPrincipal,
  work: () => Promise<T>,
): Promise<T> {
  const { ledger } = context;
  if (ledger.acquireLease === undefined) return work();
  const key = denyLeaseKey(context, principal);
  const holder = `${context.incidentId}#${context.step}`;
  let held: string | undefined;
  for (let attempt = 0; ; attempt += 1) {
    const now = context.now();
    const lease = await ledger.acquireLease(key, holder, new Date(now.getTime() + LEASE_SECONDS * 1000), now);
    if (lease.acquired) break;
    held = lease.holder;
    const wait = LEASE_WAITS_MS[attempt];
    if (wait === undefined) {
      throw new EventualConsistencyError(
        `Cordon's deny policy on ${principal.type} ${principal.name} is being changed by ${held}: this step is tried again once that is done.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, wait / 2 + Math.random() * (wait / 2)));
  }
  try {
    return await work();
  } finally {
    try {
      await ledger.releaseLease?.(key, holder);
    } catch (error) {
      // It runs out by itself; another writer waits at most that long.
      context.logger.warn(
        `${context.step}: could not give back the lease on ${principal.name}'s deny policy`,
        {
          error: String(error),
        },
      );
    }
  }
}

/** What a change of `cordon-deny` did. */
export interface DenyPolicyChange {
  readonly before: DenyPolicyDocument | undefined;
  readonly after: DenyPolicyDocument | undefined;
  readonly written: boolean;
}

/**
 * Changes Cordon's deny policy on a user or role, one writer at a time (see `withDenyPolicyLease`): the policy
 * is read under the lease, `change` computes the new one from it (`'unchanged'` to write nothing; `undefined`
 * to delete the policy), and it is written back — unless it would pass IAM's inline-policy quota,
 * which is `DenyPolicyFullError` before any write (IAM's own `LimitExceeded`, when the principal's other
 * inline policies take the room, is reported the same way). A `cordon-deny` policy Cordon did not write is
 * never changed: `foreign()` names the error.
 *
 * @example
 * await changeDenyPolicy(context, { type: 'role', name: 'web-role' }, (policy) => withQuarantinedInstance(policy, arn), foreign)
 */
export async function changeDenyPolicy(
  context: Pick<ActionContext, 'clients' | 'ledger' | 'account' | 'incidentId' | 'step' | 'now' | 'logger'>,
  principal: DenyPolicyPrincipal,
  change: (current: DenyPolicyDocument | undefined) => DenyPolicyDocument | undefined | 'unchanged',
  foreign: () => Error,
): Promise<DenyPolicyChange> {
  return withDenyPolicyLease(context, principal, async () => {
    const current = await readDenyPolicy(context.clients.iam, principal);
    if (current.kind === 'foreign') throw foreign();
    const before = current.kind === 'cordon' ? current.policy : undefined;
    const after = change(before);
    if (after === 'unchanged') return { before, after: before, written: false };
    const { iam } = context.clients;
    if (after === undefined) {
      if (before === undefined) return { before, after, written: false };
      try {
        // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUserPolicy.html and API_DeleteRolePolicy.html
        await (principal.type === 'user'
          ? iam.send(
              new DeleteUserPolicyCommand({ UserName: principal.name, PolicyName: CORDON_DENY_POLICY_NAME }),
            )
          : iam.send(
              new DeleteRolePolicyCommand({ RoleName: principal.name, PolicyName: CORDON_DENY_POLICY_NAME }),
            ));
      } catch (error) {
        // Already deleted: the statement is gone, which is the goal.
        if (awsErrorCode(error) !== 'NoSuchEntity' && awsErrorCode(error) !== 'NoSuchEntityException')
          throw error;
      }
      return { before, after, written: true };
    }
    const quota = INLINE_POLICY_QUOTA[principal.type];
    const size = policySize(after);
    if (size > quota) throw policyFull(principal, `would hold ${size} characters`, quota);
    // The policy name is the constant, never an input: Cordon may only ever write its own deny policy (item 23).
    const common = { PolicyName: CORDON_DENY_POLICY_NAME, PolicyDocument: JSON.stringify(after) };
    try {
      await (principal.type === 'user'
        ? iam.send(new PutUserPolicyCommand({ UserName: principal.name, ...common }))
        : iam.send(new PutRolePolicyCommand({ RoleName: principal.name, ...common })));
    } catch (error) {
      const code = awsErrorCode(error);
      if (code === 'LimitExceeded' || code === 'LimitExceededException') {
        throw policyFull(
          principal,
          `with its other inline policies would pass IAM's quota (${size} characters of its own)`,
          quota,
          error,
        );
      }
      if (code === 'UnmodifiableEntity' || code === 'UnmodifiableEntityException') {
        throw new UnmodifiableRoleError(
          `IAM refused to change the protected ${principal.type} ${principal.name}.`,
          {
            cause: error,
            awsError: code,
          },
        );
      }
      throw error;
    }
    return { before, after, written: true };
  });
}

function policyFull(
  principal: DenyPolicyPrincipal,
  how: string,
  quota: number,
  cause?: unknown,
): DenyPolicyFullError {
  return new DenyPolicyFullError(
    `The ${principal.type} ${principal.name}'s ${CORDON_DENY_POLICY_NAME} ${how}: IAM allows ${quota.toLocaleString('en-US')} characters for all of a ${principal.type}'s inline policies (white space not counted). Nothing was written. To deny its sessions anyway, approve revoking every session of ${principal.type} ${principal.name} (docs/actions.md, "When cordon-deny is full").`,
    {
      ...(cause === undefined ? {} : { cause }),
      awsError: cause === undefined ? 'PolicySizeQuota' : awsErrorCode(cause),
    },
  );
}

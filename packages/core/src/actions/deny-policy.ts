import { createHash } from 'node:crypto';
import { GetRolePolicyCommand, GetUserPolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { awsErrorCode } from '../errors.ts';
import { CORDON_DENY_POLICY_NAME } from './guardrails.ts';

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
 * every session of a role that a whole fleet shares.
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

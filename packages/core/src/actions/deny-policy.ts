import { createHash } from 'node:crypto';

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

import { ActionFailedError, classifyAwsError } from '../errors.ts';
import type { Change, LedgerEntry } from '../ledger/ledger.ts';
import * as z from '../zod.ts';
import { IAM_NAME } from './deactivate-access-key.ts';
import {
  changeDenyPolicy,
  hasStatement,
  readDenyPolicy,
  statementSid,
  withoutStatement,
} from './deny-policy.ts';
import { CORDON_DENY_POLICY_NAME } from './guardrails.ts';
import {
  type ActionContext,
  type ActionDefinition,
  type ActionPlan,
  type StepEnvelope,
  StepEnvelopeSchema,
} from './types.ts';

/**
 * The restore record `revoke-sessions` writes before it adds its statement (RevokeSessionsRestore): ledger
 * data is validated before it is trusted, and a Sid that is not a revoke-sessions Sid is never removed.
 */
export const RevokedSessionsRecord = z.object({
  principalType: z.enum(['user', 'role']),
  name: z.string().check(z.regex(IAM_NAME, 'must be an IAM user or role name')),
  statementSid: z
    .string()
    .check(z.regex(/^CordonRevokeSessions[0-9a-f]{16}$/, "must be a revoke-sessions statement's Sid")),
});
export type RevokedSessionsRecord = z.output<typeof RevokedSessionsRecord>;

/** What the release did to one principal's `cordon-deny`. */
export interface ReleasedStatement extends RevokedSessionsRecord {
  /**
   * `removed`: the incident's statement was taken out (`policyDeleted` when nothing else was left in it);
   * `already-gone`: it was no longer there (someone removed it, or an earlier release did) — nothing changed;
   * `would-remove`: a dry run found it there and left it (the plan of a dry run never says `removed`).
   */
  readonly result: 'removed' | 'already-gone' | 'would-remove';
  readonly policyDeleted: boolean;
}

export interface ReleaseCredentialsOutput {
  readonly statements: readonly ReleasedStatement[];
  /** What the release leaves as it is, on purpose (keys stay inactive, console access stays removed). */
  readonly stays: readonly string[];
}

/**
 * The session denies an incident's `revoke-sessions` added, from its restore records (the earliest `planned`
 * entry of each principal and Sid: the state from before its first try, so a step retried after a fault is
 * still released). A dry run's records are skipped: it added nothing. A record that does not validate, or
 * whose Sid is not the one `revoke-sessions` derives from *this* incident's id (a statement another incident
 * added, named by a corrupted or crafted record), is a terminal error: Cordon never edits a policy from ledger
 * data it cannot account for.
 *
 * @example revokedSessions(await ledger.entries(incidentId), incidentId) // [{ principalType: 'role', name: 'app', statementSid: 'CordonRevokeSessions…' }]
 */
export function revokedSessions(
  entries: readonly LedgerEntry[],
  incidentId: string,
): RevokedSessionsRecord[] {
  const found = new Map<string, RevokedSessionsRecord>();
  const ownSid = statementSid('CordonRevokeSessions', incidentId);
  const sorted = [...entries].sort((a, b) => a.at.localeCompare(b.at));
  for (const entry of sorted) {
    if (
      entry.step !== 'revoke-sessions' ||
      entry.outcome !== 'planned' ||
      entry.dryRun ||
      entry.restore === undefined
    )
      continue;
    const parsed = RevokedSessionsRecord.safeParse(entry.restore);
    if (!parsed.success) {
      throw new ActionFailedError(
        `The restore record of revoke-sessions (written ${entry.at}) is not what the release reads: ${parsed.error.issues
          .map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`)
          .join('; ')}. Nothing was changed.`,
      );
    }
    if (parsed.data.statementSid !== ownSid) {
      throw new ActionFailedError(
        `The restore record of revoke-sessions (written ${entry.at}) names statement ${parsed.data.statementSid}, which is not the one incident ${incidentId} adds (${ownSid}): it may be another incident's session deny. Nothing was changed.`,
      );
    }
    const key = `${parsed.data.principalType}#${parsed.data.name}#${parsed.data.statementSid}`;
    if (!found.has(key)) found.set(key, parsed.data);
  }
  return [...found.values()];
}

/**
 * What stays as containment left it, in words, from the incident's ledger: the keys `deactivate-access-key`
 * made inactive and the console passwords `disable-console-access` deleted. A release never undoes them: the
 * key may be in an attacker's hands and the password may be known; an administrator rotates and resets
 * (docs/on-call.md, "After a credential release").
 */
export function whatStays(entries: readonly LedgerEntry[]): string[] {
  const done = entries.filter((entry) => entry.outcome === 'done');
  const keys = [
    ...new Set(
      done
        .filter((entry) => entry.step === 'deactivate-access-key')
        .flatMap((entry) => entry.changes.map((change) => change.resource)),
    ),
  ];
  const users = [
    ...new Set(
      done
        .filter((entry) => entry.step === 'disable-console-access')
        .flatMap((entry) => entry.changes.map((change) => change.resource)),
    ),
  ];
  return [
    ...keys.map(
      (key) =>
        `Access key ${key} stays inactive: an administrator rotates it (create a new key, move its users, delete the old one).`,
    ),
    ...users.map(
      (user) =>
        `Console access of ${user} stays removed: an administrator sets a new password (aws iam create-login-profile --password-reset-required).`,
    ),
  ];
}

function foreignPolicyError(record: RevokedSessionsRecord): ActionFailedError {
  return new ActionFailedError(
    `The ${record.principalType} ${record.name} has an inline policy named ${CORDON_DENY_POLICY_NAME} that Cordon did not write: refusing to change it. Nothing was changed.`,
  );
}

interface PlannedStatement {
  readonly record: RevokedSessionsRecord;
  readonly present: boolean;
  readonly change?: Change;
}

async function planStatement(
  record: RevokedSessionsRecord,
  context: ActionContext,
): Promise<PlannedStatement> {
  const current = await readDenyPolicy(context.clients.iam, {
    type: record.principalType,
    name: record.name,
  });
  if (current.kind === 'foreign') throw foreignPolicyError(record);
  const policy = current.kind === 'cordon' ? current.policy : undefined;
  if (!hasStatement(policy, record.statementSid)) return { record, present: false };
  return {
    record,
    present: true,
    change: {
      resource: record.name,
      attribute: `inlinePolicy:${CORDON_DENY_POLICY_NAME}`,
      before: policy ?? null,
      after: withoutStatement(policy, record.statementSid) ?? null,
    },
  };
}

/**
 * `release-credentials`: the release of `credential-compromise`. Removes from each principal's inline policy
 * `cordon-deny` exactly the statement this incident's `revoke-sessions` added (its Sid, read from the restore
 * record in the ledger), keeps every other statement (other incidents', instance quarantines) as it is, and
 * deletes the policy only when nothing is left in it — so the policy is back as it was before the containment.
 * Each change is made under the principal's deny-policy lease (deny-policy.ts), read again there.
 *
 * Keys stay inactive and console access stays removed (the output's `stays` names them): rotation and a new
 * password by an administrator are the fix. A statement already gone is reported `already-gone`, never as
 * removed; a `cordon-deny` Cordon did not write is never changed (`ActionFailedError`). Nothing recorded →
 * terminal `ActionFailedError`. Never automatic: `credential-release` always asks for approval.
 *
 * @example
 * await runAction(releaseCredentials, { incidentId, account, region, dryRun: false }, environment)
 * // cordon-deny on app-role loses { Sid: 'CordonRevokeSessions…' }; other statements stay
 */
export const releaseCredentials: ActionDefinition<StepEnvelope, ReleaseCredentialsOutput> = {
  id: 'release-credentials',
  summary:
    "Removes from cordon-deny exactly the session-deny statements an incident's credential containment added, keeping every other statement; keys stay inactive.",
  undo: 'Not undone by Cordon: a new finding about the principal starts a new containment.',
  dryRunBehaviour:
    "Reads the ledger and each principal's cordon-deny, and records which statements it would remove; no call changes anything.",
  mutating: true,
  // The principal's deny-policy lease: one writer of cordon-deny at a time.
  leases: true,
  input: StepEnvelopeSchema,
  retryableErrors: ['ThrottledError', 'TransientServiceError', 'EventualConsistencyError'],
  permissions: [
    {
      actions: ['iam:GetUserPolicy', 'iam:PutUserPolicy', 'iam:DeleteUserPolicy'],
      resources: ['arn:aws:iam::{account}:user/*'],
      why: "Read cordon-deny on the user, write it back without this incident's statement, or delete it when nothing else is left (the constant name only, never a name from the input).",
    },
    {
      actions: ['iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'],
      resources: ['arn:aws:iam::{account}:role/*'],
      why: "Read cordon-deny on the role, write it back without this incident's statement, or delete it when nothing else is left (the constant name only).",
    },
  ],
  async plan(input, context): Promise<ActionPlan<ReleaseCredentialsOutput>> {
    // No exemption check: a release only undoes Cordon's own recorded changes, which is always allowed.
    const entries = await context.ledger.entries(input.incidentId);
    const records = revokedSessions(entries, input.incidentId);
    if (records.length === 0) {
      throw new ActionFailedError(
        `Nothing to release: incident ${input.incidentId} recorded no session deny by revoke-sessions. Deactivated keys and removed console access are never undone by Cordon (docs/on-call.md, "After a credential release").`,
      );
    }
    const planned: PlannedStatement[] = [];
    for (const record of records) planned.push(await planStatement(record, context));
    const stays = whatStays(entries);
    const closed = context.dryRun
      ? undefined
      : // Closed as the release begins, as release-instance does: a later occurrence of the finding about
        // these credentials is contained again (ledger/claims.ts).
        await context.ledger.closeClaim?.(input.incidentId, context.now(), releaseCredentials.id);
    const notes = [
      ...(closed === 'closed'
        ? [
            `The incident's claim is closed: a later occurrence of the finding (updated after ${context.now().toISOString()}) is contained again.`,
          ]
        : []),
      ...planned
        .filter((each) => !each.present)
        .map(
          ({ record }) =>
            `${record.statementSid} is no longer in ${CORDON_DENY_POLICY_NAME} on ${record.principalType} ${record.name}: nothing to remove.`,
        ),
      ...stays,
    ];
    const output: ReleaseCredentialsOutput = {
      statements: planned.map(({ record, present, change }) => ({
        ...record,
        result: present ? (context.dryRun ? 'would-remove' : 'removed') : 'already-gone',
        policyDeleted: change?.after === null,
      })),
      stays,
    };
    const changes = planned.flatMap(({ change }) => (change === undefined ? [] : [change]));
    return {
      changes,
      notes,
      output,
      async apply() {
        const statements: ReleasedStatement[] = [];
        const done: string[] = [];
        for (const { record } of planned) {
          try {
            // Read again under the lease: another incident may have changed cordon-deny since the plan.
            const written = await changeDenyPolicy(
              context,
              { type: record.principalType, name: record.name },
              (latest) =>
                hasStatement(latest, record.statementSid)
                  ? withoutStatement(latest, record.statementSid)
                  : 'unchanged',
              () => foreignPolicyError(record),
            );
            statements.push({
              ...record,
              result: written.written ? 'removed' : 'already-gone',
              policyDeleted: written.written && written.after === undefined,
            });
            done.push(`${record.principalType} ${record.name}`);
          } catch (error) {
            // What was removed before the failure stays removed; the retry plans again from live state.
            const partial = {
              done,
              notDone: planned
                .map(({ record: each }) => `${each.principalType} ${each.name}`)
                .filter((each) => !done.includes(each)),
            };
            throw classifyAwsError(error, `release-credentials: ${record.principalType} ${record.name}`, {
              partial,
            });
          }
        }
        return { statements, stays };
      },
    };
  },
};

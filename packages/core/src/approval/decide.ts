/**
 * Deciding an approval, shared by the approval page and Slack (DOMAIN.md items 27 and 29).
 *
 * Order matters: the approver is checked, the decision is written with a conditional write (single use),
 * and only then is Step Functions told. A second click — concurrent or late — loses the conditional write
 * and sends nothing. A callback that fails after the write is recorded on the approval and reported: the
 * decision stands, and the playbook will time out and apply its default, which people must be able to see.
 */
import type {
  ApprovalDecision,
  ApprovalDecisionValue,
  ApprovalRecord,
  ApprovalStore,
  CallbackResult,
  DecidedBy,
} from './records.ts';

/** The error name a rejection sends with SendTaskFailure; the playbook's Catch matches it. */
export const APPROVAL_REJECTED_ERROR = 'ApprovalRejected';
/** Longest comment kept; the page's field has the same limit. */
export const MAX_COMMENT_LENGTH = 1000;
/** Step Functions limits a failure's cause to 32,768 characters. */
const MAX_CAUSE_LENGTH = 32_768;

/** What SendTaskSuccess sends: the playbook stores it as `$.results.approval`. */
export interface ApprovalTaskOutput {
  readonly decision: 'approve';
  readonly approvalId: string;
  readonly decidedBy: DecidedBy;
  readonly decidedAt: string;
  readonly comment?: string;
}

/** Step Functions' task callbacks (SendTaskSuccess / SendTaskFailure), or the local engine's. */
export interface TaskCallbacks {
  sendTaskSuccess(taskToken: string, output: ApprovalTaskOutput): Promise<void>;
  sendTaskFailure(taskToken: string, error: typeof APPROVAL_REJECTED_ERROR, cause: string): Promise<void>;
}

/** Log lines of the approval flow; callers never pass a token, a signature or a secret. */
export interface ApprovalLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Whether someone may decide this approval. */
export type IsApprover = (decidedBy: DecidedBy, record: ApprovalRecord) => boolean | Promise<boolean>;

export interface DecideApprovalPorts {
  readonly store: ApprovalStore;
  readonly callbacks: TaskCallbacks;
  readonly isApprover: IsApprover;
  readonly logger?: ApprovalLogger;
  /** The clock for the callback's time (the decision's time is the input's `now`). */
  readonly now?: () => Date;
}

export interface DecideApprovalInput {
  readonly approvalId: string;
  readonly decision: ApprovalDecisionValue;
  readonly decidedBy: DecidedBy;
  readonly comment?: string;
  readonly now: Date;
}

/** The end of a decision. The API maps: decided → 200 (502 when the callback failed), not-approver → 403, already-decided → 409, expired → 410, not-found → 404. */
export type DecisionOutcome =
  | { readonly code: 'decided'; readonly record: ApprovalRecord; readonly callback: CallbackResult }
  | { readonly code: 'not-approver'; readonly record: ApprovalRecord }
  | { readonly code: 'already-decided'; readonly record: ApprovalRecord }
  | { readonly code: 'expired'; readonly record: ApprovalRecord }
  | { readonly code: 'not-found' };

/** A claimed decision: written, not yet sent. `deliver` tells Step Functions and records whether it could. */
export type ClaimOutcome =
  | Exclude<DecisionOutcome, { code: 'decided' }>
  | {
      readonly code: 'decided';
      readonly record: ApprovalRecord;
      deliver(): Promise<Extract<DecisionOutcome, { code: 'decided' }>>;
    };

export interface ConfiguredApproversOptions {
  /** Whether a Slack user is a member of a Slack user group (`usergroups.users.list`); absent: groups deny. */
  isInUserGroup?(userId: string, groupId: string): Promise<boolean>;
  readonly logger?: ApprovalLogger;
}

/**
 * The approver rule of the settings (`approval.approvers`, as recorded on the approval): a Slack user whose
 * id is listed or who belongs to a listed user group; a web identity that is listed (compared without case:
 * e-mail addresses and SSO names are case-insensitive). Empty lists mean nobody is configured, and nobody
 * may decide through that channel: the approval then times out and the severity's default applies. Failing
 * closed is the safe side of "who may change production".
 *
 * @example configuredApprovers({ isInUserGroup })({ kind: 'slack', id: 'U0123' }, record) // true when U0123 is listed
 */
export function configuredApprovers(options: ConfiguredApproversOptions = {}): IsApprover {
  return async (decidedBy, record) => {
    const { approvers } = record;
    if (decidedBy.kind === 'web') {
      const id = decidedBy.id.toLowerCase();
      return approvers.identities.some((identity) => identity.toLowerCase() === id);
    }
    if (approvers.slackUserIds.includes(decidedBy.id)) return true;
    const isInUserGroup = options.isInUserGroup;
    if (isInUserGroup === undefined) return false;
    for (const groupId of approvers.slackUserGroupIds) {
      try {
        if (await isInUserGroup(decidedBy.id, groupId)) return true;
      } catch (error) {
        // A membership that cannot be read is not a membership.
        options.logger?.warn('approval: could not read a Slack user group; treated as not a member', {
          groupId,
          error: error instanceof Error ? error.name : 'unknown',
        });
      }
    }
    return false;
  };
}

/** Comments are free text: control characters go (new lines stay), and the length is capped. */
export function cleanComment(comment: string | undefined): string | undefined {
  if (comment === undefined) return undefined;
  const cleaned = comment
    .replace(/\r\n?/g, '\n')
    .replace(/(?!\n)\p{Cc}/gu, '')
    .trim()
    .slice(0, MAX_COMMENT_LENGTH);
  return cleaned === '' ? undefined : cleaned;
}

function who(decidedBy: DecidedBy): string {
  const name = decidedBy.name === undefined ? '' : ` (${decidedBy.name})`;
  return `${decidedBy.kind}:${decidedBy.id}${name}`;
}

/**
 * The cause sent with a rejection: who, when, and why.
 *
 * @example rejectionCause(decision) // 'Rejected by slack:U0123 (alice) at 2026-11-28T10:05:00.000Z: not during the release'
 */
export function rejectionCause(decision: ApprovalDecision): string {
  const why = decision.comment === undefined ? '' : `: ${decision.comment}`;
  return `Rejected by ${who(decision.decidedBy)} at ${decision.decidedAt}${why}`.slice(0, MAX_CAUSE_LENGTH);
}

/**
 * Checks the approver and writes the decision (single use), without telling Step Functions yet. Slack's
 * handler acknowledges between the two; the page calls `decideApproval`, which does both.
 *
 * @example
 * const claim = await claimDecision({ approvalId, decision: 'approve', decidedBy, now: new Date() }, ports);
 * if (claim.code === 'decided') await claim.deliver();
 */
export async function claimDecision(
  input: DecideApprovalInput,
  ports: DecideApprovalPorts,
): Promise<ClaimOutcome> {
  const record = await ports.store.get(input.approvalId);
  if (record === undefined) return { code: 'not-found' };
  if (!(await ports.isApprover(input.decidedBy, record))) {
    ports.logger?.warn('approval: refused a decision from someone who is not a configured approver', {
      approvalId: record.approvalId,
      decidedBy: who(input.decidedBy),
    });
    return { code: 'not-approver', record };
  }
  if (record.status !== 'pending') return { code: 'already-decided', record };
  if (input.now.getTime() >= Date.parse(record.expiresAt)) return { code: 'expired', record };

  const comment = cleanComment(input.comment);
  const decision: ApprovalDecision = {
    decision: input.decision,
    decidedBy: input.decidedBy,
    decidedAt: input.now.toISOString(),
    ...(comment === undefined ? {} : { comment }),
  };
  const written = await ports.store.decide(record.approvalId, decision, 'pending');
  if (written === 'not-found') return { code: 'not-found' };
  if (written !== 'decided') {
    // Someone else won the conditional write (or the record expired meanwhile): nothing is sent.
    return { code: written, record: (await ports.store.get(record.approvalId)) ?? record };
  }
  const decided: ApprovalRecord = {
    ...record,
    status: input.decision === 'approve' ? 'approved' : 'rejected',
    decision,
  };
  ports.logger?.info('approval: decided', {
    approvalId: record.approvalId,
    incidentId: record.incidentId,
    decision: decision.decision,
    decidedBy: who(decision.decidedBy),
  });
  return { code: 'decided', record: decided, deliver: () => deliver(decided, decision, ports) };
}

async function deliver(
  record: ApprovalRecord,
  decision: ApprovalDecision,
  ports: DecideApprovalPorts,
): Promise<Extract<DecisionOutcome, { code: 'decided' }>> {
  let callback: CallbackResult;
  try {
    if (decision.decision === 'approve') {
      await ports.callbacks.sendTaskSuccess(record.taskToken, {
        decision: 'approve',
        approvalId: record.approvalId,
        decidedBy: decision.decidedBy,
        decidedAt: decision.decidedAt,
        ...(decision.comment === undefined ? {} : { comment: decision.comment }),
      });
    } else {
      await ports.callbacks.sendTaskFailure(
        record.taskToken,
        APPROVAL_REJECTED_ERROR,
        rejectionCause(decision),
      );
    }
    callback = { status: 'sent', at: (ports.now?.() ?? new Date()).toISOString() };
  } catch (error) {
    // Only the error's name: Step Functions' messages about a token may quote it.
    const name = error instanceof Error ? error.name : 'UnknownError';
    callback = { status: 'failed', at: (ports.now?.() ?? new Date()).toISOString(), error: name };
    ports.logger?.error('approval: the decision is recorded but Step Functions could not be told', {
      approvalId: record.approvalId,
      incidentId: record.incidentId,
      decision: decision.decision,
      error: name,
    });
  }
  try {
    await ports.store.recordCallback(record.approvalId, callback);
  } catch (error) {
    ports.logger?.warn('approval: could not record the callback result', {
      approvalId: record.approvalId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
  return { code: 'decided', record: { ...record, callback }, callback };
}

/**
 * Decides an approval: approver check, single-use conditional write, then SendTaskSuccess (approve, with
 * `{ decision, approvalId, decidedBy, decidedAt, comment }`) or SendTaskFailure (reject, error
 * `ApprovalRejected`, a cause naming who and why). A rejection is never sent as a success.
 *
 * @example
 * await decideApproval(
 *   { approvalId, decision: 'reject', decidedBy: { kind: 'web', id: 'alice@example.com' }, comment: 'maintenance', now: new Date() },
 *   { store, callbacks, isApprover: configuredApprovers() },
 * ) // { code: 'decided', callback: { status: 'sent', … }, … }
 */
export async function decideApproval(
  input: DecideApprovalInput,
  ports: DecideApprovalPorts,
): Promise<DecisionOutcome> {
  const claim = await claimDecision(input, ports);
  return claim.code === 'decided' ? claim.deliver() : claim;
}

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

/**
 * What an approver check reads: the approvers recorded when the approval (or the group, whose members share
 * them) was requested.
 */
export type ApproverSubject = Pick<ApprovalRecord, 'approvers'>;

/** Whether someone may decide this approval (or this group). */
export type IsApprover = (decidedBy: DecidedBy, subject: ApproverSubject) => boolean | Promise<boolean>;

export interface DecideApprovalPorts {
  readonly store: ApprovalStore;
  readonly callbacks: TaskCallbacks;
  readonly isApprover: IsApprover;
  readonly logger?: ApprovalLogger;
  /** The clock for the callback's time (the decision's time is the input's `now`). */
  readonly now?: () => Date;
  /** Waits between callback attempts (tests pass one that does not wait). Default: a timer. */
  sleep?(milliseconds: number): Promise<void>;
}

/**
 * SendTaskSuccess / SendTaskFailure errors that sending again cannot cure: the task is gone or closed
 * (TaskTimedOut: "the task token has either expired or the task associated with the token has already been
 * closed"), the token or output is refused, or the execution's KMS key cannot be used
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html#API_SendTaskSuccess_Errors),
 * or the function may not call (AccessDeniedException). Every other error — throttling (the account's
 * SendTaskSuccess bucket: https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html), a 5xx, the
 * network — is tried again, then recorded as retryable.
 */
export const TERMINAL_CALLBACK_ERRORS: ReadonlySet<string> = new Set([
  'TaskTimedOut',
  'TaskDoesNotExist',
  'InvalidToken',
  'InvalidOutput',
  'KmsAccessDeniedException',
  'KmsInvalidStateException',
  'AccessDeniedException',
  'ValidationException',
]);

/** Tries per callback before it is recorded as failed; the SDK's own retries come on top of these. */
export const CALLBACK_ATTEMPTS = 3;
/** The wait before the second try; each later one waits four times longer (with jitter). */
const CALLBACK_BACKOFF_MS = 250;

const timer = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

export interface DecideApprovalInput {
  readonly approvalId: string;
  readonly decision: ApprovalDecisionValue;
  readonly decidedBy: DecidedBy;
  readonly comment?: string;
  readonly now: Date;
  /** The group decision round this decision applies (a member decided with its group). */
  readonly round?: number;
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
    ...(input.round === undefined ? {} : { round: input.round }),
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

/** Sends the decision's callback once: success with the decision, or failure with `ApprovalRejected`. */
async function sendCallback(
  record: ApprovalRecord,
  decision: ApprovalDecision,
  callbacks: TaskCallbacks,
): Promise<void> {
  if (decision.decision === 'approve') {
    await callbacks.sendTaskSuccess(record.taskToken, {
      decision: 'approve',
      approvalId: record.approvalId,
      decidedBy: decision.decidedBy,
      decidedAt: decision.decidedAt,
      ...(decision.comment === undefined ? {} : { comment: decision.comment }),
    });
  } else {
    await callbacks.sendTaskFailure(record.taskToken, APPROVAL_REJECTED_ERROR, rejectionCause(decision));
  }
}

/**
 * Tells Step Functions, trying again (up to {@link CALLBACK_ATTEMPTS} in all, backing off) while the error
 * is not one of {@link TERMINAL_CALLBACK_ERRORS}; a retryable failure is recorded as such, so that it can be
 * retried later (the group page's *Retry delivery*) and is never silently lost.
 */
async function tell(
  record: ApprovalRecord,
  decision: ApprovalDecision,
  ports: DecideApprovalPorts,
): Promise<CallbackResult> {
  const sleep = ports.sleep ?? timer;
  const at = () => (ports.now?.() ?? new Date()).toISOString();
  let name = 'UnknownError';
  for (let attempt = 1; attempt <= CALLBACK_ATTEMPTS; attempt += 1) {
    try {
      await sendCallback(record, decision, ports.callbacks);
      return { status: 'sent', at: at() };
    } catch (error) {
      // Only the error's name: Step Functions' messages about a token may quote it.
      name = error instanceof Error ? error.name : 'UnknownError';
      if (TERMINAL_CALLBACK_ERRORS.has(name) || attempt === CALLBACK_ATTEMPTS) break;
      const backoff = CALLBACK_BACKOFF_MS * 4 ** (attempt - 1);
      await sleep(backoff / 2 + Math.random() * (backoff / 2));
    }
  }
  const retryable = !TERMINAL_CALLBACK_ERRORS.has(name);
  ports.logger?.error('approval: the decision is recorded but Step Functions could not be told', {
    approvalId: record.approvalId,
    incidentId: record.incidentId,
    decision: decision.decision,
    error: name,
    retryable,
  });
  return { status: 'failed', at: at(), error: name, ...(retryable ? { retryable } : {}) };
}

async function deliver(
  record: ApprovalRecord,
  decision: ApprovalDecision,
  ports: DecideApprovalPorts,
): Promise<Extract<DecisionOutcome, { code: 'decided' }>> {
  const callback = await tell(record, decision, ports);
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

/** The end of sending a decided approval's callback again. */
export type RedeliveryOutcome =
  | { readonly code: 'sent' | 'failed'; readonly record: ApprovalRecord; readonly callback: CallbackResult }
  | { readonly code: 'not-due' | 'not-found' };

/** How long a delivery may stay "sending" before another process may take it over (the API's timeout, with room). */
export const REDELIVERY_STALE_SECONDS = 120;

/**
 * Sends a decided approval's callback again — its recorded decision, unchanged — when its last attempt failed
 * with a retryable error, or when its delivery was interrupted. A conditional write claims the resend, so
 * two people pressing *Retry delivery* at once send it once; a delivered or terminally failed approval is
 * `not-due` and nothing is sent.
 *
 * @example await redeliverDecision(approvalId, { store, callbacks, isApprover }, new Date()) // { code: 'sent', … }
 */
export async function redeliverDecision(
  approvalId: string,
  ports: DecideApprovalPorts,
  now: Date,
): Promise<RedeliveryOutcome> {
  const record = await ports.store.get(approvalId);
  if (record === undefined) return { code: 'not-found' };
  if (record.decision === undefined || (record.status !== 'approved' && record.status !== 'rejected')) {
    return { code: 'not-due' };
  }
  const staleBefore = new Date(now.getTime() - REDELIVERY_STALE_SECONDS * 1000).toISOString();
  if (!(await ports.store.claimRedelivery(approvalId, now.toISOString(), staleBefore))) {
    return { code: 'not-due' };
  }
  const delivered = await deliver(record, record.decision, ports);
  return { code: delivered.callback.status, record: delivered.record, callback: delivered.callback };
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

import { createHash } from 'node:crypto';
import type { PlaybookId } from '../playbooks/ids.ts';

/**
 * An incident's claim: which playbook holds the incident, which executions Cordon has started for it, and
 * whether a release closed it. One item per incident in the ledger table (`sk` = `~execution`), written with
 * conditional writes only, never expiring: the claim — not Step Functions' execution name, which may be
 * reused 90 days after the execution closed
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html) — decides whether
 * a delivery starts anything.
 *
 * Every execution Cordon starts for an incident takes the next number: the first is named by the incident id
 * (as before generations existed), the n-th `<incident id>-<n>` ({@link executionNameOf}).
 *
 * - **holder**: the playbook a decision made under healthy settings claimed the incident for, its execution
 *   and whether StartExecution has answered for it. A re-delivery of the same finding is a duplicate once the
 *   holder has started; a retried triage (StartExecution failed after the claim) starts it again.
 * - **notice**: the notification a decision made under fail-closed settings started. It never holds the
 *   incident: a later healthy decision takes over (a new execution), and it runs once until then.
 * - **closed**: a release (ec2-release) closed the holder's claim. A later occurrence of the finding (its
 *   `updatedAt` after the release) opens a new generation; a re-delivery of an older occurrence stays a
 *   duplicate.
 */
export interface IncidentClaim {
  /** Bumped by every write: each change is conditional on the revision it was computed from. */
  readonly revision: number;
  /** How many execution numbers the incident has handed out. */
  readonly executions: number;
  readonly holder?: ClaimHolder;
  readonly notice?: ClaimNotice;
  readonly closed?: { readonly at: string; readonly by: string };
}

export interface ClaimHolder {
  readonly playbook: PlaybookId;
  /** The execution's number (1 = named by the incident id). */
  readonly execution: number;
  readonly started: boolean;
  readonly claimedAt: string;
  /** The finding's `updatedAt` when the holder claimed it. */
  readonly occurrence?: string;
}

export interface ClaimNotice {
  readonly playbook: PlaybookId;
  readonly execution: number;
  readonly started: boolean;
  readonly claimedAt: string;
}

/** What a triage asks of the claim. */
export interface ClaimRequest {
  readonly incidentId: string;
  readonly playbook: PlaybookId;
  /** `true` when the decision was made under settings that failed closed (notify-only): it must not hold. */
  readonly provisional: boolean;
  /** The finding's `updatedAt`: a later occurrence after a release starts a new generation. */
  readonly occurrence?: string;
  readonly now: Date;
}

/**
 * The claim's answer: `claimed` (start execution `executionName`, which has never been started), `reclaimed`
 * (start it again: an earlier triage claimed it and StartExecution has not answered for it, a retry), or
 * `duplicate` (nothing to start; `executionName` is the execution that handles the incident).
 */
export interface ClaimAnswer {
  readonly outcome: 'claimed' | 'reclaimed' | 'duplicate';
  readonly execution: number;
  readonly executionName: string;
  readonly provisional: boolean;
  /** Why, for the ledger and the logs. */
  readonly reason: string;
}

/** A claim's next state and the answer it gives; `next` is absent when nothing changes. */
export interface ClaimTransition {
  readonly answer: ClaimAnswer;
  readonly next?: IncidentClaim;
}

/** StartExecution's names are 1 to 80 characters (API_StartExecution.html, above). */
export const EXECUTION_NAME_MAX_LENGTH = 80;

/**
 * The name of an incident's n-th execution: the incident id for the first, `<incident id>-<n>` after. An id
 * too long for the suffix keeps its first characters and a hash of the whole id, so two incidents never share
 * a name and every name stays within 80 characters of `[A-Za-z0-9_-]`.
 *
 * @example executionNameOf('guardduty-123456789012-us-east-1-f1', 2) // 'guardduty-123456789012-us-east-1-f1-2'
 */
export function executionNameOf(incidentId: string, execution: number): string {
  if (execution <= 1) return incidentId;
  const suffix = `-${execution}`;
  if (incidentId.length + suffix.length <= EXECUTION_NAME_MAX_LENGTH) return `${incidentId}${suffix}`;
  const hash = createHash('sha256').update(incidentId).digest('hex').slice(0, 8);
  return `${incidentId.slice(0, EXECUTION_NAME_MAX_LENGTH - suffix.length - hash.length - 1)}_${hash}${suffix}`;
}

function answer(
  request: ClaimRequest,
  outcome: ClaimAnswer['outcome'],
  execution: number,
  reason: string,
  provisional = request.provisional,
): ClaimAnswer {
  return {
    outcome,
    execution,
    executionName: executionNameOf(request.incidentId, execution),
    provisional,
    reason,
  };
}

/** `true` when the finding was updated after the release: activity after the incident was released. */
function laterThan(occurrence: string | undefined, closedAt: string): boolean {
  if (occurrence === undefined) return false;
  const updated = Date.parse(occurrence);
  return Number.isFinite(updated) && updated > Date.parse(closedAt);
}

/**
 * The claim's transition for one request: pure, so that the store only has to make it atomic (a conditional
 * write on the revision it was computed from).
 *
 * @example
 * claimTransition(undefined, { incidentId: 'i', playbook: 'ec2-compromise', provisional: false, now }).answer
 * // { outcome: 'claimed', execution: 1, executionName: 'i', provisional: false, … }
 */
export function claimTransition(current: IncidentClaim | undefined, request: ClaimRequest): ClaimTransition {
  const at = request.now.toISOString();
  const claim: IncidentClaim = current ?? { revision: 0, executions: 0 };
  const { holder, notice, closed } = claim;
  const next = claim.executions + 1;
  const released = closed !== undefined;
  const newOccurrence = closed !== undefined && laterThan(request.occurrence, closed.at);

  if (!request.provisional) {
    if (holder === undefined || newOccurrence) {
      const took =
        holder === undefined && notice !== undefined
          ? ` It takes over from the notification ${executionNameOf(request.incidentId, notice.execution)} that settings failing closed had started.`
          : '';
      const generation = newOccurrence
        ? `The finding was updated at ${request.occurrence}, after the release at ${closed?.at}: a new occurrence, contained again as execution ${next}.`
        : `First claim of the incident, for ${request.playbook}.${took}`;
      return {
        answer: answer(request, 'claimed', next, generation),
        next: {
          revision: claim.revision + 1,
          executions: next,
          holder: {
            playbook: request.playbook,
            execution: next,
            started: false,
            claimedAt: at,
            ...(request.occurrence === undefined ? {} : { occurrence: request.occurrence }),
          },
          // A new generation starts clean; a takeover keeps the notice on record (it ran, and runs no more).
          ...(notice === undefined || newOccurrence ? {} : { notice }),
        },
      };
    }
    if (released) {
      return {
        answer: answer(
          request,
          'duplicate',
          holder.execution,
          `The incident was released at ${closed.at} and this occurrence (updated ${request.occurrence ?? 'at an unknown time'}) is not later: nothing new is started.`,
        ),
      };
    }
    if (holder.playbook === request.playbook && !holder.started) {
      return {
        answer: answer(
          request,
          'reclaimed',
          holder.execution,
          `Claimed by ${holder.playbook} at ${holder.claimedAt} and not started yet (a retried triage): started again.`,
        ),
      };
    }
    return {
      answer: answer(
        request,
        'duplicate',
        holder.execution,
        holder.playbook === request.playbook
          ? `${holder.playbook} already handles the incident (execution ${executionNameOf(request.incidentId, holder.execution)}).`
          : `${holder.playbook} already holds the incident (execution ${executionNameOf(request.incidentId, holder.execution)}); a different decision now (${request.playbook}) starts nothing.`,
      ),
    };
  }

  // A decision made while settings fail closed: it tells people, once, and never holds the incident.
  if (holder !== undefined && !released && holder.started) {
    return {
      answer: answer(
        request,
        'duplicate',
        holder.execution,
        `${holder.playbook} already handles the incident: a decision made while settings fail closed changes nothing.`,
      ),
    };
  }
  if (released && !newOccurrence) {
    return {
      answer: answer(
        request,
        'duplicate',
        holder?.execution ?? claim.executions,
        `The incident was released at ${closed.at} and this occurrence is not later: nothing new is started.`,
      ),
    };
  }
  const noticeCurrent = notice !== undefined && (holder === undefined || notice.execution > holder.execution);
  if (noticeCurrent) {
    if (notice.playbook === request.playbook && !notice.started) {
      return {
        answer: answer(
          request,
          'reclaimed',
          notice.execution,
          'The fail-closed notification was claimed and not started yet (a retried triage): started again.',
        ),
      };
    }
    return {
      answer: answer(
        request,
        'duplicate',
        notice.execution,
        `Settings fail closed and the notification ${executionNameOf(request.incidentId, notice.execution)} already ran: it runs once.`,
      ),
    };
  }
  const waiting =
    holder !== undefined && !released
      ? ` ${holder.playbook} claimed the incident and has not started: the next delivery under healthy settings starts it.`
      : '';
  return {
    answer: answer(
      request,
      'claimed',
      next,
      `Settings fail closed: a provisional notification, which does not hold the incident (a later decision under healthy settings may act).${waiting}`,
    ),
    next: {
      ...claim,
      revision: claim.revision + 1,
      executions: next,
      notice: { playbook: request.playbook, execution: next, started: false, claimedAt: at },
    },
  };
}

/**
 * The claim once a release began (ec2-release, approved and not a dry run): closed, so that a later occurrence
 * of the finding is contained again. `undefined` when there is nothing to close.
 */
export function closedTransition(
  current: IncidentClaim | undefined,
  at: Date,
  by: string,
): IncidentClaim | undefined {
  if (current === undefined || current.holder === undefined || current.closed !== undefined) return undefined;
  return { ...current, revision: current.revision + 1, closed: { at: at.toISOString(), by } };
}

/**
 * Where claims are kept (the ledger table in AWS and in the sandbox): `claim` makes the transition atomic,
 * `started` records that StartExecution answered, `close` closes the claim on release.
 */
export interface ClaimStore {
  claim(request: ClaimRequest): Promise<ClaimAnswer>;
  started(incidentId: string, execution: number): Promise<void>;
  close(incidentId: string, at: Date, by: string): Promise<'closed' | 'not-open'>;
}

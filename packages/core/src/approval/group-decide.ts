/**
 * Deciding an approval group (groups.ts) — as a whole or one by one — with the single approval's rules for
 * every member (decide.ts): the approver check, a conditional write per member (single use), then its own
 * SendTaskSuccess or SendTaskFailure.
 *
 * A group decision is a **round**: "members `from + 1` … `through` — the ones I saw waiting — approved (or
 * rejected) by me". It is claimed with one conditional write on the group (nobody decided since `from`, and
 * the group has `through` members), then applied to each member in turn. A member already decided one by
 * one, already expired (its Task timed out and applied its default) or withdrawn keeps what it has, and the
 * report says so; a member that joins after the round is not in it and waits for a decision of its own —
 * a person approved what they saw, never what arrived after, so a group decision never lets more
 * containments run without asking than people were shown.
 *
 * A round whose delivery was cut short (the function ran out of time) leaves members pending under it; a
 * callback that failed with a retryable error is recorded as such. `resumeGroup` finishes both, and the page
 * and message offer it (*Retry delivery*): nothing decided is silently lost.
 */
import { mapLimit } from '../map-limit.ts';
import {
  type ClaimOutcome,
  claimDecision,
  cleanComment,
  type DecideApprovalPorts,
  type DecisionOutcome,
  decideApproval,
  REDELIVERY_STALE_SECONDS,
  redeliverDecision,
} from './decide.ts';
import type { ApprovalGroup, ApprovalGroupStore, GroupRound, GroupTally } from './groups.ts';
import { memberApprovalId } from './groups.ts';
import type {
  ApprovalDecisionValue,
  ApprovalRecord,
  ApprovalStore,
  CallbackResult,
  DecidedBy,
} from './records.ts';

/** Members decided at once: well inside Step Functions' SendTaskSuccess bucket (3,000, or 1,500 in smaller Regions). */
export const GROUP_DELIVERY_CONCURRENCY = 16;

export interface GroupDecidePorts extends DecideApprovalPorts {
  readonly groups: ApprovalGroupStore;
  readonly concurrency?: number;
}

/** What became of one member in a round, a resume or a one-by-one decision. */
export interface MemberOutcome {
  readonly seq: number;
  readonly approvalId: string;
  readonly code:
    | 'decided'
    | 'redelivered'
    | 'already-decided'
    | 'expired'
    | 'withdrawn'
    | 'not-approver'
    | 'not-found';
  /** Whether Step Functions was told (decided and redelivered members). */
  readonly callback?: CallbackResult;
  /** The member's record as it stands after this. */
  readonly record?: ApprovalRecord;
}

/** A round (or a resume) as it was carried out, member by member. */
export interface GroupReport {
  readonly groupId: string;
  readonly round?: GroupRound;
  readonly members: readonly MemberOutcome[];
}

export interface GroupRoundInput {
  readonly groupId: string;
  /** The places the person saw waiting: `from + 1` … `through`. */
  readonly from: number;
  readonly through: number;
  readonly decision: ApprovalDecisionValue;
  readonly decidedBy: DecidedBy;
  readonly comment?: string;
  readonly now: Date;
}

/** The end of claiming a round. The API maps: claimed → 200 (502 when a member was not delivered), not-approver → 403, conflict → 409, expired → 410, not-found → 404. */
export type GroupClaimOutcome =
  | {
      readonly code: 'claimed';
      readonly group: ApprovalGroup;
      readonly round: GroupRound;
      deliver(): Promise<GroupReport>;
    }
  | { readonly code: 'not-approver' | 'conflict' | 'expired'; readonly group: ApprovalGroup }
  | { readonly code: 'not-found' };

function who(decidedBy: DecidedBy): string {
  return `${decidedBy.kind}:${decidedBy.id}`;
}

function places(from: number, through: number): number[] {
  return Array.from({ length: Math.max(0, through - from) }, (_, index) => from + 1 + index);
}

/**
 * Reads every member of a group, in place order (a place never written reads `undefined`).
 *
 * @example const members = await groupMembers(group, store); members[0]?.group?.seq // 1
 */
export async function groupMembers(
  group: Pick<ApprovalGroup, 'groupId' | 'memberCount'>,
  store: Pick<ApprovalStore, 'get'>,
  concurrency = GROUP_DELIVERY_CONCURRENCY,
): Promise<Array<ApprovalRecord | undefined>> {
  return mapLimit(places(0, group.memberCount), concurrency, (seq) =>
    store.get(memberApprovalId(group.groupId, seq)),
  );
}

/** How a member stands now, as the page and the tally say it. */
export type MemberState =
  | 'waiting'
  | 'expired'
  | 'withdrawn'
  | 'approved'
  | 'rejected'
  | 'delivering'
  | 'undelivered'
  | 'failed';

/**
 * A member's state: waiting (pending, not expired), expired (pending past its expiry: its Task applied its
 * timeout default), withdrawn; decided members are approved or rejected once Step Functions was told,
 * `delivering` while the callback is under way, `undelivered` when it failed retryably or was cut short
 * (older than the redelivery window), `failed` when Step Functions refused it for good.
 */
export function memberState(record: ApprovalRecord, now: Date): MemberState {
  if (record.status === 'withdrawn') return 'withdrawn';
  if (record.status === 'pending')
    return now.getTime() >= Date.parse(record.expiresAt) ? 'expired' : 'waiting';
  const { callback } = record;
  if (callback?.status === 'sent') return record.status;
  if (callback?.status === 'failed') return callback.retryable === true ? 'undelivered' : 'failed';
  const decidedAt = Date.parse(record.decision?.decidedAt ?? record.requestedAt);
  return now.getTime() - decidedAt > REDELIVERY_STALE_SECONDS * 1000 ? 'undelivered' : 'delivering';
}

/**
 * Counts a group's members by state.
 *
 * @example tallyOf(members, now) // { total: 37, waiting: 5, approved: 30, rejected: 2, … }
 */
export function tallyOf(members: ReadonlyArray<ApprovalRecord | undefined>, now: Date): GroupTally {
  const tally = {
    at: now.toISOString(),
    total: members.length,
    waiting: 0,
    approved: 0,
    rejected: 0,
    expired: 0,
    withdrawn: 0,
    undelivered: 0,
    failed: 0,
  };
  for (const record of members) {
    if (record === undefined) continue;
    const state = memberState(record, now);
    if (state === 'delivering') tally[record.status === 'approved' ? 'approved' : 'rejected'] += 1;
    else tally[state] += 1;
  }
  return tally;
}

function outcomeOf(seq: number, approvalId: string, claim: ClaimOutcome | DecisionOutcome): MemberOutcome {
  if (claim.code === 'not-found') return { seq, approvalId, code: 'not-found' };
  if (claim.code === 'already-decided' && claim.record.status === 'withdrawn') {
    return { seq, approvalId, code: 'withdrawn', record: claim.record };
  }
  if (claim.code === 'decided' && 'callback' in claim) {
    return { seq, approvalId, code: 'decided', callback: claim.callback, record: claim.record };
  }
  return { seq, approvalId, code: claim.code === 'decided' ? 'decided' : claim.code, record: claim.record };
}

/** Applies a round's decision to one member: the single approval's claim, write and callback. */
async function applyRound(
  groupId: string,
  seq: number,
  round: GroupRound,
  ports: GroupDecidePorts,
): Promise<MemberOutcome> {
  const approvalId = memberApprovalId(groupId, seq);
  const now = ports.now?.() ?? new Date();
  const claim = await claimDecision(
    {
      approvalId,
      decision: round.decision.decision,
      decidedBy: round.decision.decidedBy,
      ...(round.decision.comment === undefined ? {} : { comment: round.decision.comment }),
      now,
      round: round.n,
    },
    ports,
  );
  return outcomeOf(seq, approvalId, claim.code === 'decided' ? await claim.deliver() : claim);
}

/**
 * Claims a group decision for the members the person saw waiting (`from + 1` … `through`): the approver
 * check against the group's approvers, then one conditional write on the group. `deliver` applies it to
 * each member — its own conditional write and callback — and reports every member.
 *
 * @example
 * const claim = await claimGroupRound({ groupId, from: 0, through: 37, decision: 'approve', decidedBy, now }, ports);
 * if (claim.code === 'claimed') (await claim.deliver()).members.filter((m) => m.code === 'decided').length // 37
 */
export async function claimGroupRound(
  input: GroupRoundInput,
  ports: GroupDecidePorts,
): Promise<GroupClaimOutcome> {
  const group = await ports.groups.get(input.groupId);
  if (group === undefined) return { code: 'not-found' };
  if (!(await ports.isApprover(input.decidedBy, group.shape))) {
    ports.logger?.warn('approval: refused a group decision from someone who is not a configured approver', {
      groupId: group.groupId,
      decidedBy: who(input.decidedBy),
    });
    return { code: 'not-approver', group };
  }
  if (input.now.getTime() >= Date.parse(group.linkExpiresAt)) return { code: 'expired', group };
  const decidedThrough = group.decidedThrough ?? 0;
  // What the person saw is not what is waiting: someone decided since, or the places are not the group's.
  if (decidedThrough !== input.from || input.through <= input.from || input.through > group.memberCount) {
    return { code: 'conflict', group };
  }
  const n = (group.rounds ?? 0) + 1;
  const comment = cleanComment(input.comment);
  const round: GroupRound = {
    n,
    from: input.from,
    through: input.through,
    decision: {
      decision: input.decision,
      decidedBy: input.decidedBy,
      decidedAt: input.now.toISOString(),
      ...(comment === undefined ? {} : { comment }),
      round: n,
    },
  };
  if ((await ports.groups.claimRound(group.groupId, round)) === 'conflict') {
    return { code: 'conflict', group: (await ports.groups.get(group.groupId)) ?? group };
  }
  ports.logger?.info('approval: group decided', {
    groupId: group.groupId,
    round: n,
    from: input.from,
    through: input.through,
    decision: input.decision,
    decidedBy: who(input.decidedBy),
  });
  const decided: ApprovalGroup = {
    ...group,
    decidedThrough: input.through,
    rounds: n,
    roundList: [...group.roundList, round],
  };
  return {
    code: 'claimed',
    group: decided,
    round,
    deliver: async () => ({
      groupId: group.groupId,
      round,
      members: await mapLimit(
        places(input.from, input.through),
        ports.concurrency ?? GROUP_DELIVERY_CONCURRENCY,
        (seq) => applyRound(group.groupId, seq, round, ports),
      ),
    }),
  };
}

/**
 * Decides one member of a group on its own (one by one): the single approval's decision, once — a member a
 * round already decided answers `already-decided`.
 *
 * @example await decideGroupMember({ groupId, seq: 3, decision: 'reject', decidedBy, now }, ports) // { code: 'decided', … }
 */
export async function decideGroupMember(
  input: Omit<GroupRoundInput, 'from' | 'through'> & { readonly seq: number },
  ports: GroupDecidePorts,
): Promise<{ readonly group?: ApprovalGroup; readonly outcome: MemberOutcome }> {
  const approvalId = memberApprovalId(input.groupId, input.seq);
  const group = await ports.groups.get(input.groupId);
  if (group === undefined || input.seq < 1 || input.seq > group.memberCount) {
    return { outcome: { seq: input.seq, approvalId, code: 'not-found' } };
  }
  const outcome = await decideApproval(
    {
      approvalId,
      decision: input.decision,
      decidedBy: input.decidedBy,
      ...(input.comment === undefined ? {} : { comment: input.comment }),
      now: input.now,
    },
    ports,
  );
  return { group, outcome: outcomeOf(input.seq, approvalId, outcome) };
}

/**
 * Finishes what a group's decisions left undone: members under a round that were never written (the
 * delivery was cut short) get the round's decision — still by the person who made it — if they are still
 * waiting; decided members whose callback failed retryably, or was cut short, are sent again. The person
 * asking must be an approver; nobody is decided twice (each write is the member's own conditional write).
 *
 * @example await resumeGroup({ groupId, decidedBy, now }, ports) // { members: [{ seq: 12, code: 'redelivered', callback: { status: 'sent' } }] }
 */
export async function resumeGroup(
  input: { readonly groupId: string; readonly decidedBy: DecidedBy; readonly now: Date },
  ports: GroupDecidePorts,
): Promise<
  { readonly code: 'resumed'; readonly report: GroupReport } | { readonly code: 'not-found' | 'not-approver' }
> {
  const group = await ports.groups.get(input.groupId);
  if (group === undefined) return { code: 'not-found' };
  if (!(await ports.isApprover(input.decidedBy, group.shape))) return { code: 'not-approver' };
  const members = await groupMembers(group, ports.store, ports.concurrency);
  type Todo =
    | { readonly seq: number; readonly kind: 'apply'; readonly round: GroupRound }
    | {
        readonly seq: number;
        readonly kind: 'redeliver';
      };
  const todo = members.flatMap((record, index): Todo[] => {
    const seq = index + 1;
    if (record === undefined) return [];
    const state = memberState(record, input.now);
    const round = group.roundList.find((candidate) => candidate.from < seq && seq <= candidate.through);
    if (state === 'waiting' && round !== undefined) return [{ seq, kind: 'apply', round }];
    if (state === 'undelivered') return [{ seq, kind: 'redeliver' }];
    return [];
  });
  const outcomes = await mapLimit(
    todo,
    ports.concurrency ?? GROUP_DELIVERY_CONCURRENCY,
    async (item): Promise<MemberOutcome> => {
      if (item.kind === 'apply') return applyRound(group.groupId, item.seq, item.round, ports);
      const approvalId = memberApprovalId(group.groupId, item.seq);
      const redelivered = await redeliverDecision(approvalId, ports, input.now);
      if (redelivered.code === 'sent' || redelivered.code === 'failed') {
        return {
          seq: item.seq,
          approvalId,
          code: 'redelivered',
          callback: redelivered.callback,
          record: redelivered.record,
        };
      }
      // Someone else is sending it, or it was sent meanwhile.
      return { seq: item.seq, approvalId, code: 'already-decided' };
    },
  );
  ports.logger?.info('approval: group resumed', {
    groupId: group.groupId,
    members: outcomes.length,
    decidedBy: who(input.decidedBy),
  });
  return { code: 'resumed', report: { groupId: group.groupId, members: outcomes } };
}

/** A report in numbers: decided and told, decided but not told, and each reason a member was left alone. */
export function reportCounts(
  report: GroupReport,
): Record<MemberOutcome['code'] | 'sent' | 'notDelivered', number> {
  const counts = {
    decided: 0,
    redelivered: 0,
    sent: 0,
    notDelivered: 0,
    'already-decided': 0,
    expired: 0,
    withdrawn: 0,
    'not-approver': 0,
    'not-found': 0,
  };
  for (const member of report.members) {
    counts[member.code] += 1;
    if (member.callback?.status === 'sent') counts.sent += 1;
    if (member.callback?.status === 'failed') counts.notDelivered += 1;
  }
  return counts;
}

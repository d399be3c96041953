import { describe, expect, it, vi } from 'vitest';
import {
  APPROVAL_REJECTED_ERROR,
  configuredApprovers,
  REDELIVERY_STALE_SECONDS,
  type TaskCallbacks,
} from '../../src/approval/decide.ts';
import {
  claimGroupRound,
  decideGroupMember,
  type GroupDecidePorts,
  groupMembers,
  memberState,
  reportCounts,
  resumeGroup,
  tallyOf,
} from '../../src/approval/group-decide.ts';
import { memberApprovalId } from '../../src/approval/groups.ts';
import type { ApprovalRecord, DecidedBy } from '../../src/approval/records.ts';
import { requestApproval } from '../../src/approval/request-approval.ts';
import {
  APPROVER_SLACK,
  APPROVER_WEB,
  EXPIRES_AT,
  NOW,
  pendingRecord,
  recordingCallbacks,
} from './fixtures.ts';
import { groupHarness, stormPayload } from './group-fixtures.ts';

const ALICE: DecidedBy = { kind: 'slack', id: APPROVER_SLACK, name: 'alice' };
const BOB: DecidedBy = { kind: 'web', id: APPROVER_WEB };

/** A group of `size` members asked through requestApproval, and the ports that decide it. */
async function storm(size: number, callbacks: TaskCallbacks = recordingCallbacks()) {
  const harness = groupHarness();
  const { updateSlack: _none, ...asking } = harness.ports();
  const results = [];
  for (let n = 1; n <= size; n += 1) results.push(await requestApproval(stormPayload(n), asking));
  const groupId = String(results[0]?.group?.id);
  const ports: GroupDecidePorts = {
    store: harness.store,
    groups: harness.groups,
    callbacks,
    isApprover: configuredApprovers(),
    now: harness.now,
    sleep: async () => undefined,
  };
  return { harness, groupId, ports, callbacks };
}

function tokenOf(n: number): string {
  return String(stormPayload(n).taskToken);
}

describe('group decisions', () => {
  it('approving the group answers every member’s task once, with SendTaskSuccess and the decision', async () => {
    // Prepare
    const callbacks = recordingCallbacks();
    const { groupId, ports, harness } = await storm(5, callbacks);

    // Act
    const claim = await claimGroupRound(
      {
        groupId,
        from: 0,
        through: 5,
        decision: 'approve',
        decidedBy: ALICE,
        comment: 'contain them',
        now: harness.now(),
      },
      ports,
    );
    const report = claim.code === 'claimed' ? await claim.deliver() : undefined;

    // Assess
    expect(claim.code).toBe('claimed');
    expect(report?.members.map((member) => member.code)).toEqual(Array(5).fill('decided'));
    expect(callbacks.calls.map((call) => call.kind)).toEqual(Array(5).fill('success'));
    expect(new Set(callbacks.calls.map((call) => call.token))).toEqual(new Set([1, 2, 3, 4, 5].map(tokenOf)));
    expect(callbacks.calls[0]?.output).toMatchObject({
      decision: 'approve',
      decidedBy: ALICE,
      comment: 'contain them',
    });
    const member = await harness.store.get(memberApprovalId(groupId, 3));
    expect(member).toMatchObject({
      status: 'approved',
      decision: { round: 1 },
      callback: { status: 'sent' },
    });
  });

  it('rejecting the group is SendTaskFailure ApprovalRejected for each, never success', async () => {
    // Prepare
    const callbacks = recordingCallbacks();
    const { groupId, ports, harness } = await storm(3, callbacks);

    // Act
    const claim = await claimGroupRound(
      { groupId, from: 0, through: 3, decision: 'reject', decidedBy: BOB, now: harness.now() },
      ports,
    );
    if (claim.code === 'claimed') await claim.deliver();

    // Assess
    expect(callbacks.calls.map((call) => [call.kind, call.error])).toEqual(
      Array(3).fill(['failure', APPROVAL_REJECTED_ERROR]),
    );
  });

  it('members decided one by one keep their decision and are reported; nobody is decided twice', async () => {
    // Prepare
    const callbacks = recordingCallbacks();
    const { groupId, ports, harness } = await storm(3, callbacks);
    await decideGroupMember(
      { groupId, seq: 2, decision: 'reject', decidedBy: BOB, now: harness.now() },
      ports,
    );

    // Act
    const claim = await claimGroupRound(
      { groupId, from: 0, through: 3, decision: 'approve', decidedBy: ALICE, now: harness.now() },
      ports,
    );
    const report = claim.code === 'claimed' ? await claim.deliver() : undefined;

    // Assess
    expect(report?.members.map((member) => [member.seq, member.code])).toEqual([
      [1, 'decided'],
      [2, 'already-decided'],
      [3, 'decided'],
    ]);
    expect(callbacks.calls.filter((call) => call.token === tokenOf(2)).map((call) => call.kind)).toEqual([
      'failure',
    ]);
    expect((await harness.store.get(memberApprovalId(groupId, 2)))?.decision?.round).toBeUndefined();
  });

  it('members that already timed out are reported expired and never answered (their playbooks applied the default)', async () => {
    // Prepare
    const callbacks = recordingCallbacks();
    const { groupId, ports, harness } = await storm(2, callbacks);
    // Past each member's expiry, still before the group link's (the window later).
    harness.advance(3_600_000);

    // Act
    const claim = await claimGroupRound(
      { groupId, from: 0, through: 2, decision: 'approve', decidedBy: ALICE, now: harness.now() },
      ports,
    );
    const report = claim.code === 'claimed' ? await claim.deliver() : undefined;

    // Assess
    expect(report?.members.map((member) => member.code)).toEqual(['expired', 'expired']);
    expect(callbacks.calls).toEqual([]);
    expect(
      tallyOf(await groupMembers({ groupId, memberCount: 2 }, harness.store), harness.now()),
    ).toMatchObject({
      expired: 2,
      waiting: 0,
    });
  });

  it('a member that joins after the group was decided is not in the decision: it waits for its own', async () => {
    // Prepare
    const callbacks = recordingCallbacks();
    const { groupId, ports, harness } = await storm(3, callbacks);
    const claim = await claimGroupRound(
      { groupId, from: 0, through: 3, decision: 'approve', decidedBy: ALICE, now: harness.now() },
      ports,
    );
    if (claim.code === 'claimed') await claim.deliver();

    // Act
    const late = await requestApproval(stormPayload(4), harness.ports());

    // Assess
    expect(late.group).toMatchObject({ id: groupId, seq: 4 });
    expect((await harness.store.get(late.approvalId))?.status).toBe('pending');
    expect(callbacks.calls.map((call) => call.token)).not.toContain(tokenOf(4));
    const group = await harness.groups.get(groupId);
    expect(group).toMatchObject({ memberCount: 4, decidedThrough: 3 });
    const next = await claimGroupRound(
      { groupId, from: 3, through: 4, decision: 'reject', decidedBy: ALICE, now: harness.now() },
      ports,
    );
    expect(next.code).toBe('claimed');
  });

  it('of two concurrent decisions of the same members exactly one is made; a stale view is a conflict that writes nothing', async () => {
    // Prepare
    const callbacks = recordingCallbacks();
    const { groupId, ports, harness } = await storm(6, callbacks);

    // Act
    const claims = await Promise.all([
      claimGroupRound(
        { groupId, from: 0, through: 6, decision: 'approve', decidedBy: ALICE, now: harness.now() },
        ports,
      ),
      claimGroupRound(
        { groupId, from: 0, through: 6, decision: 'reject', decidedBy: BOB, now: harness.now() },
        ports,
      ),
      claimGroupRound(
        { groupId, from: 0, through: 4, decision: 'reject', decidedBy: BOB, now: harness.now() },
        ports,
      ),
    ]);
    for (const claim of claims) if (claim.code === 'claimed') await claim.deliver();
    const stale = await claimGroupRound(
      { groupId, from: 0, through: 6, decision: 'reject', decidedBy: BOB, now: harness.now() },
      ports,
    );

    // Assess
    expect(claims.filter((claim) => claim.code === 'claimed')).toHaveLength(1);
    expect(stale.code).toBe('conflict');
    const tokens = callbacks.calls.map((call) => call.token);
    expect(new Set(tokens).size).toBe(tokens.length);
    expect((await harness.groups.get(groupId))?.roundList).toHaveLength(1);
  });

  it('refuses someone who is not a configured approver, and places the group does not have', async () => {
    // Prepare
    const callbacks = recordingCallbacks();
    const { groupId, ports, harness } = await storm(2, callbacks);

    // Act
    const stranger = await claimGroupRound(
      {
        groupId,
        from: 0,
        through: 2,
        decision: 'approve',
        decidedBy: { kind: 'slack', id: 'U0STRANGER' },
        now: harness.now(),
      },
      ports,
    );
    const beyond = await claimGroupRound(
      { groupId, from: 0, through: 3, decision: 'approve', decidedBy: ALICE, now: harness.now() },
      ports,
    );
    const unknown = await claimGroupRound(
      {
        groupId: 'AAAAAAAAAAAAAAAAAAAAAA_9',
        from: 0,
        through: 1,
        decision: 'approve',
        decidedBy: ALICE,
        now: harness.now(),
      },
      ports,
    );

    // Assess
    expect([stranger.code, beyond.code, unknown.code]).toEqual(['not-approver', 'conflict', 'not-found']);
    expect(callbacks.calls).toEqual([]);
    expect((await harness.groups.get(groupId))?.decidedThrough).toBeUndefined();
  });

  it('a throttled SendTaskSuccess is tried again and delivered; one throttled throughout is recorded retryable, counted undelivered, and Retry delivery sends it', async () => {
    // Prepare
    let throttle = new Set([tokenOf(2)]);
    let attemptsOn3 = 0;
    const sent: string[] = [];
    const callbacks: TaskCallbacks = {
      async sendTaskSuccess(token) {
        if (token === tokenOf(3) && attemptsOn3++ === 0)
          throw Object.assign(new Error('slow'), { name: 'ThrottlingException' });
        if (throttle.has(token)) throw Object.assign(new Error('slow'), { name: 'ThrottlingException' });
        sent.push(token);
      },
      async sendTaskFailure() {},
    };
    const { groupId, ports, harness } = await storm(3, callbacks);

    // Act
    const claim = await claimGroupRound(
      { groupId, from: 0, through: 3, decision: 'approve', decidedBy: ALICE, now: harness.now() },
      ports,
    );
    const report = claim.code === 'claimed' ? await claim.deliver() : undefined;
    const tally = tallyOf(await groupMembers({ groupId, memberCount: 3 }, harness.store), harness.now());
    throttle = new Set();
    const resumed = await resumeGroup({ groupId, decidedBy: BOB, now: harness.now() }, ports);
    const again = await resumeGroup({ groupId, decidedBy: BOB, now: harness.now() }, ports);

    // Assess
    expect(report === undefined ? undefined : reportCounts(report)).toMatchObject({
      decided: 3,
      sent: 2,
      notDelivered: 1,
    });
    expect(report?.members[1]?.callback).toMatchObject({
      status: 'failed',
      error: 'ThrottlingException',
      retryable: true,
    });
    expect(attemptsOn3).toBe(2);
    expect(tally).toMatchObject({ approved: 2, undelivered: 1, waiting: 0 });
    expect(
      resumed.code === 'resumed'
        ? resumed.report.members.map((member) => [member.seq, member.code, member.callback?.status])
        : [],
    ).toEqual([[2, 'redelivered', 'sent']]);
    expect(again.code === 'resumed' ? again.report.members : ['?']).toEqual([]);
    expect(sent.filter((token) => token === tokenOf(2))).toHaveLength(1);
  });

  it('a task that is gone (TaskTimedOut) is not tried again: recorded failed for good, its timeout default applied', async () => {
    // Prepare
    const callbacks = recordingCallbacks(Object.assign(new Error('closed'), { name: 'TaskTimedOut' }));
    const { groupId, ports, harness } = await storm(1, callbacks);

    // Act
    const claim = await claimGroupRound(
      { groupId, from: 0, through: 1, decision: 'approve', decidedBy: ALICE, now: harness.now() },
      ports,
    );
    if (claim.code === 'claimed') await claim.deliver();
    const resumed = await resumeGroup({ groupId, decidedBy: BOB, now: harness.now() }, ports);

    // Assess
    expect(callbacks.calls).toHaveLength(1);
    expect(
      tallyOf(await groupMembers({ groupId, memberCount: 1 }, harness.store), harness.now()),
    ).toMatchObject({
      failed: 1,
      undelivered: 0,
    });
    expect(resumed.code === 'resumed' ? resumed.report.members : ['?']).toEqual([]);
  });

  it('a decision cut short (claimed, never delivered) is finished by Retry delivery with the decider’s decision', async () => {
    // Prepare
    const callbacks = recordingCallbacks();
    const { groupId, ports, harness } = await storm(3, callbacks);
    const claim = await claimGroupRound(
      {
        groupId,
        from: 0,
        through: 3,
        decision: 'reject',
        decidedBy: ALICE,
        comment: 'known test',
        now: harness.now(),
      },
      ports,
    );
    expect(claim.code).toBe('claimed');

    // Act
    const resumed = await resumeGroup({ groupId, decidedBy: BOB, now: harness.now() }, ports);

    // Assess
    expect(resumed.code === 'resumed' ? resumed.report.members.map((member) => member.code) : []).toEqual([
      'decided',
      'decided',
      'decided',
    ]);
    expect(callbacks.calls.map((call) => call.kind)).toEqual(['failure', 'failure', 'failure']);
    expect(callbacks.calls[0]?.cause).toContain('known test');
    expect((await harness.store.get(memberApprovalId(groupId, 1)))?.decision).toMatchObject({
      decidedBy: ALICE,
      round: 1,
    });
  });

  it('a withdrawn member is never decided', async () => {
    // Prepare
    const callbacks = recordingCallbacks();
    const { groupId, ports, harness } = await storm(2, callbacks);
    await harness.store.withdraw(memberApprovalId(groupId, 1));

    // Act
    const claim = await claimGroupRound(
      { groupId, from: 0, through: 2, decision: 'approve', decidedBy: ALICE, now: harness.now() },
      ports,
    );
    const report = claim.code === 'claimed' ? await claim.deliver() : undefined;

    // Assess
    expect(report?.members.map((member) => member.code)).toEqual(['withdrawn', 'decided']);
    expect(callbacks.calls.map((call) => call.token)).toEqual([tokenOf(2)]);
  });
});

describe('memberState and tallyOf', () => {
  const decided = (status: 'approved' | 'rejected', decidedAt: Date, callback?: ApprovalRecord['callback']) =>
    pendingRecord({
      status,
      decision: {
        decision: status === 'approved' ? 'approve' : 'reject',
        decidedBy: ALICE,
        decidedAt: decidedAt.toISOString(),
      },
      ...(callback === undefined ? {} : { callback }),
    });
  const at = (milliseconds: number) => new Date(NOW.getTime() + milliseconds);
  const stale = REDELIVERY_STALE_SECONDS * 1000;

  it('a pending member is waiting until its expiry, and expired from that instant on', () => {
    // Act / Assess
    expect(memberState(pendingRecord(), new Date(EXPIRES_AT.getTime() - 1))).toBe('waiting');
    expect(memberState(pendingRecord(), EXPIRES_AT)).toBe('expired');
    expect(memberState(pendingRecord({ status: 'withdrawn' }), NOW)).toBe('withdrawn');
  });

  it('a decided member is its decision once told, undelivered when the callback failed retryably, failed for good otherwise', () => {
    // Prepare
    const sent = { status: 'sent', at: NOW.toISOString() } as const;
    const throttled = {
      status: 'failed',
      at: NOW.toISOString(),
      error: 'ThrottlingException',
      retryable: true,
    } as const;
    const gone = {
      status: 'failed',
      at: NOW.toISOString(),
      error: 'TaskTimedOut',
      retryable: false,
    } as const;

    // Act / Assess
    expect(memberState(decided('approved', NOW, sent), NOW)).toBe('approved');
    expect(memberState(decided('rejected', NOW, sent), NOW)).toBe('rejected');
    expect(memberState(decided('approved', NOW, throttled), NOW)).toBe('undelivered');
    expect(memberState(decided('approved', NOW, gone), NOW)).toBe('failed');
    expect(memberState(decided('approved', NOW, { status: 'failed', at: NOW.toISOString() }), NOW)).toBe(
      'failed',
    );
  });

  it(`a decided member with no callback yet is delivering for ${REDELIVERY_STALE_SECONDS} s after its decision, then undelivered`, () => {
    // Act / Assess
    expect(memberState(decided('approved', NOW), at(stale))).toBe('delivering');
    expect(memberState(decided('approved', NOW), at(stale + 1))).toBe('undelivered');
    // A record with no decision is timed from its request.
    const { decision: _none, ...undecided } = decided('approved', NOW);
    expect(memberState(undecided, at(stale))).toBe('delivering');
    expect(memberState(undecided, at(stale + 1))).toBe('undelivered');
  });

  it('counts every place, a place never written only in the total, and a member being delivered as its decision', () => {
    // Prepare
    const members = [
      pendingRecord(),
      undefined,
      decided('approved', NOW),
      decided('approved', NOW),
      decided('rejected', NOW),
      decided('approved', NOW, { status: 'failed', at: NOW.toISOString(), retryable: true }),
      decided('rejected', NOW, { status: 'failed', at: NOW.toISOString(), retryable: false }),
      pendingRecord({ status: 'withdrawn' }),
    ];

    // Act
    const tally = tallyOf(members, at(1000));

    // Assess
    expect(tally).toEqual({
      at: at(1000).toISOString(),
      total: 8,
      waiting: 1,
      approved: 2,
      rejected: 1,
      expired: 0,
      withdrawn: 1,
      undelivered: 1,
      failed: 1,
    });
    expect(tallyOf([pendingRecord()], EXPIRES_AT)).toMatchObject({ waiting: 0, expired: 1 });
  });

  it('reportCounts counts each code, and sent and not delivered callbacks apart', () => {
    // Prepare
    const sent = { status: 'sent', at: NOW.toISOString() } as const;
    const failed = { status: 'failed', at: NOW.toISOString(), error: 'ThrottlingException' } as const;

    // Act
    const counts = reportCounts({
      groupId: 'g',
      members: [
        { seq: 1, approvalId: 'g-1', code: 'decided', callback: sent },
        { seq: 2, approvalId: 'g-2', code: 'decided', callback: failed },
        { seq: 3, approvalId: 'g-3', code: 'redelivered', callback: sent },
        { seq: 4, approvalId: 'g-4', code: 'already-decided' },
        { seq: 5, approvalId: 'g-5', code: 'expired' },
        { seq: 6, approvalId: 'g-6', code: 'withdrawn' },
        { seq: 7, approvalId: 'g-7', code: 'not-approver' },
        { seq: 8, approvalId: 'g-8', code: 'not-found' },
        { seq: 9, approvalId: 'g-9', code: 'not-found' },
      ],
    });

    // Assess
    expect(counts).toEqual({
      decided: 2,
      redelivered: 1,
      sent: 2,
      notDelivered: 1,
      'already-decided': 1,
      expired: 1,
      withdrawn: 1,
      'not-approver': 1,
      'not-found': 2,
    });
  });
});

describe('group decision guards', () => {
  /** The group store, counting the round claims it is asked for (a conflict seen in memory must write nothing). */
  function countingRounds(ports: GroupDecidePorts) {
    const claims: unknown[] = [];
    const groups = {
      ...ports.groups,
      get: ports.groups.get.bind(ports.groups),
      claimRound: async (...args: Parameters<GroupDecidePorts['groups']['claimRound']>) => {
        claims.push(args);
        return ports.groups.claimRound(...args);
      },
    };
    return { claims, ports: { ...ports, groups } as GroupDecidePorts };
  }

  it('a round that is not what is waiting is a conflict decided in memory: no claim is written', async () => {
    // Prepare
    const { groupId, harness, ports: base } = await storm(3);
    const { claims, ports } = countingRounds(base);
    const round = (from: number, through: number) =>
      claimGroupRound(
        { groupId, from, through, decision: 'approve', decidedBy: ALICE, now: harness.now() },
        ports,
      );

    // Act
    const empty = await round(0, 0);
    const beyond = await round(0, 4);
    const notFromStart = await round(1, 3);
    const whole = await round(0, 3);

    // Assess
    expect([empty.code, beyond.code, notFromStart.code]).toEqual(['conflict', 'conflict', 'conflict']);
    expect(claims).toHaveLength(1);
    expect(whole.code).toBe('claimed');
    if (whole.code !== 'claimed') return;
    expect(whole.group).toMatchObject({ decidedThrough: 3, rounds: 1 });
    expect(whole.group.roundList).toEqual([whole.round]);
  });

  it('a group link is expired from its expiry on', async () => {
    // Prepare
    const { groupId, ports, harness } = await storm(1);
    const group = await harness.groups.get(groupId);
    const expiry = Date.parse(String(group?.linkExpiresAt));
    const at = (now: number) =>
      claimGroupRound(
        { groupId, from: 0, through: 1, decision: 'approve', decidedBy: ALICE, now: new Date(now) },
        ports,
      );

    // Act
    const expired = await at(expiry);

    // Assess
    expect(expired.code).toBe('expired');
    expect((await harness.groups.get(groupId))?.decidedThrough).toBeUndefined();
  });

  it('one by one: a place outside the group is not found, without the group', async () => {
    // Prepare
    const { groupId, ports, harness } = await storm(2);
    const member = (seq: number, id = groupId) =>
      decideGroupMember(
        { groupId: id, seq, decision: 'reject', decidedBy: ALICE, now: harness.now() },
        ports,
      );

    // Act
    const zero = await member(0);
    const beyond = await member(3);
    const last = await member(2);

    // Assess
    expect(zero).toEqual({
      outcome: { seq: 0, approvalId: memberApprovalId(groupId, 0), code: 'not-found' },
    });
    expect(beyond).toEqual({
      outcome: { seq: 3, approvalId: memberApprovalId(groupId, 3), code: 'not-found' },
    });
    expect(last.outcome.code).toBe('decided');
  });

  it('resume: an unknown group is not found and a stranger is refused, deciding nothing', async () => {
    // Prepare
    const { groupId, ports, harness, callbacks } = await storm(1);

    // Act
    const unknown = await resumeGroup(
      { groupId: 'AAAAAAAAAAAAAAAAAAAAAA_9', decidedBy: ALICE, now: harness.now() },
      ports,
    );
    const stranger = await resumeGroup(
      { groupId, decidedBy: { kind: 'slack', id: 'U0STRANGER' }, now: harness.now() },
      ports,
    );

    // Assess
    expect(unknown).toEqual({ code: 'not-found' });
    expect(stranger).toEqual({ code: 'not-approver' });
    expect((callbacks as ReturnType<typeof recordingCallbacks>).calls).toEqual([]);
  });

  it('a second round delivers exactly the places after the first round, no more', async () => {
    // Prepare
    const { groupId, ports, harness } = await storm(4);
    const round = (from: number, through: number) =>
      claimGroupRound(
        { groupId, from, through, decision: 'approve', decidedBy: ALICE, now: harness.now() },
        ports,
      );
    const first = await round(0, 1);
    if (first.code === 'claimed') await first.deliver();

    // Act
    const second = await round(1, 3);
    const report = second.code === 'claimed' ? await second.deliver() : undefined;

    // Assess
    expect(report?.members.map((member) => [member.seq, member.code])).toEqual([
      [2, 'decided'],
      [3, 'decided'],
    ]);
    expect((await harness.store.get(memberApprovalId(groupId, 4)))?.status).toBe('pending');
  });

  it('reads the system clock when the ports bring none', async () => {
    // Prepare: the system clock (Date only) set inside the member's wait, then past its expiry.
    const { groupId, ports: withClock, harness } = await storm(2);
    const { now: _none, ...ports } = withClock;
    const claim = await claimGroupRound(
      { groupId, from: 0, through: 2, decision: 'approve', decidedBy: ALICE, now: harness.now() },
      ports,
    );
    vi.useFakeTimers({ toFake: ['Date'] });

    // Act
    try {
      vi.setSystemTime(EXPIRES_AT);
      const report = claim.code === 'claimed' ? await claim.deliver() : undefined;

      // Assess
      expect(report?.members.map((member) => member.code)).toEqual(['expired', 'expired']);
    } finally {
      vi.useRealTimers();
    }
  });
});

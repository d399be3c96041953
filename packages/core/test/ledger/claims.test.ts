import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type ClaimRequest,
  claimTransition,
  closedTransition,
  EXECUTION_NAME_MAX_LENGTH,
  executionNameOf,
  type IncidentClaim,
} from '../../src/ledger/claims.ts';

const ID = 'guardduty-123456789012-us-east-1-b4b01b60fc24a199139f8f5f490edd81';
const NOW = new Date('2026-11-28T10:00:00.000Z');

function request(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return { incidentId: ID, playbook: 'ec2-compromise', provisional: false, now: NOW, ...overrides };
}

/** Plays requests in order, marking each claimed execution started as StartExecution would answer. */
function play(requests: readonly ClaimRequest[], claim?: IncidentClaim) {
  let current = claim;
  return requests.map((next) => {
    const { answer, next: after } = claimTransition(current, next);
    current = after ?? current;
    if (current !== undefined && answer.outcome !== 'duplicate') current = started(current, answer.execution);
    return answer;
  });
}

function started(claim: IncidentClaim, execution: number): IncidentClaim {
  if (claim.holder?.execution === execution) return { ...claim, holder: { ...claim.holder, started: true } };
  if (claim.notice?.execution === execution) return { ...claim, notice: { ...claim.notice, started: true } };
  return claim;
}

describe('executionNameOf', () => {
  it('names the first execution by the incident id and the n-th <incident id>-<n>', () => {
    expect(executionNameOf(ID, 1)).toBe(ID);
    expect(executionNameOf(ID, 2)).toBe(`${ID}-2`);
    expect(executionNameOf(ID, 12)).toBe(`${ID}-12`);
  });

  it("keeps within StartExecution's 80 characters, two long ids never sharing a name", () => {
    const long = `config-123456789012-ap-southeast-4-${'a'.repeat(44)}`;
    const other = `${long.slice(0, -1)}b`;
    const names = [executionNameOf(long, 2), executionNameOf(other, 2), executionNameOf(long, 1234)];
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(EXECUTION_NAME_MAX_LENGTH);
      expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    expect(names[0]).not.toBe(names[1]);
    expect(names[0]?.endsWith('-2')).toBe(true);
  });
});

describe('the claim of an incident', () => {
  it('starts one playbook per incident: a re-delivery once it started is a duplicate, a retry before that starts it again', () => {
    const first = claimTransition(undefined, request());
    expect(first.answer).toMatchObject({ outcome: 'claimed', execution: 1, executionName: ID });
    // StartExecution has not answered yet: a retried triage starts the same execution again.
    expect(claimTransition(first.next, request()).answer.outcome).toBe('reclaimed');
    const afterStart = started(first.next as IncidentClaim, 1);
    expect(claimTransition(afterStart, request()).answer).toMatchObject({
      outcome: 'duplicate',
      executionName: ID,
    });
    expect(claimTransition(afterStart, request({ playbook: 'notify-only' })).answer.outcome).toBe(
      'duplicate',
    );
  });

  it('a fail-closed decision never holds an incident against a later healthy decision', () => {
    const answers = play([
      request({ playbook: 'notify-only', provisional: true }),
      request({ playbook: 'notify-only', provisional: true }),
      request(),
      request(),
    ]);
    expect(answers.map(({ outcome, execution, provisional }) => [outcome, execution, provisional])).toEqual([
      // The notification runs, once, and holds nothing.
      ['claimed', 1, true],
      ['duplicate', 1, true],
      // Settings recovered: the healthy decision takes over, as a new execution.
      ['claimed', 2, false],
      ['duplicate', 2, false],
    ]);
    expect(answers[2]?.reason).toMatch(/takes over from the notification/);
  });

  it('a fail-closed retry of a triage whose healthy claim never started notifies, and the next healthy delivery still starts the playbook', () => {
    // Attempt 1 claimed for ec2-compromise, and StartExecution was throttled (nothing marked started).
    const claimed = claimTransition(undefined, request()).next as IncidentClaim;
    const answers = play(
      [
        request({ playbook: 'notify-only', provisional: true }),
        request({ playbook: 'notify-only', provisional: true }),
        request(),
      ],
      claimed,
    );
    expect(answers.map(({ outcome, execution }) => [outcome, execution])).toEqual([
      ['claimed', 2],
      ['duplicate', 2],
      ['reclaimed', 1],
    ]);
    expect(answers[0]?.reason).toMatch(/has not started/);
  });

  it('after a release, a new occurrence of the finding is contained again, and an older one is not', () => {
    const contained = started(claimTransition(undefined, request()).next as IncidentClaim, 1);
    const closed = closedTransition(contained, new Date('2026-11-28T12:00:00.000Z'), 'release-instance');
    expect(closed?.closed).toEqual({ at: '2026-11-28T12:00:00.000Z', by: 'release-instance' });

    const older = claimTransition(closed, request({ occurrence: '2026-11-28T11:59:59.000Z' }));
    const unknown = claimTransition(closed, request());
    const later = claimTransition(closed, request({ occurrence: '2026-11-28T18:00:00.000Z' }));

    expect(older.answer.outcome).toBe('duplicate');
    expect(unknown.answer.outcome).toBe('duplicate');
    expect(later.answer).toMatchObject({ outcome: 'claimed', execution: 2, executionName: `${ID}-2` });
    expect(later.next?.closed).toBeUndefined();
    // The new generation is held like the first: a re-delivery of it is a duplicate once it started.
    const again = started(later.next as IncidentClaim, 2);
    expect(claimTransition(again, request({ occurrence: '2026-11-28T18:00:00.000Z' })).answer).toMatchObject({
      outcome: 'duplicate',
      execution: 2,
    });
  });

  it('a finding id is never mistaken for a new incident merely because its execution name aged out', () => {
    // Ninety-one days on, Step Functions would accept the name again; the claim (which never expires) says no.
    const contained = started(claimTransition(undefined, request()).next as IncidentClaim, 1);
    const late = claimTransition(contained, request({ now: new Date('2027-02-28T10:00:00.000Z') }));
    expect(late.answer.outcome).toBe('duplicate');
    expect(late.next).toBeUndefined();
  });

  it('a release closes only a held, open claim', () => {
    expect(closedTransition(undefined, NOW, 'release-instance')).toBeUndefined();
    const notice = claimTransition(undefined, request({ provisional: true, playbook: 'notify-only' }));
    expect(closedTransition(notice.next, NOW, 'release-instance')).toBeUndefined();
    const held = claimTransition(undefined, request()).next as IncidentClaim;
    const closed = closedTransition(held, NOW, 'release-instance') as IncidentClaim;
    expect(closed.revision).toBe(held.revision + 1);
    expect(closedTransition(closed, NOW, 'release-instance')).toBeUndefined();
  });

  it('a fail-closed decision after a release notifies about a new occurrence, once, without holding it', () => {
    const contained = started(claimTransition(undefined, request()).next as IncidentClaim, 1);
    const closed = closedTransition(contained, new Date('2026-11-28T12:00:00.000Z'), 'release-instance');
    const occurrence = '2026-11-28T18:00:00.000Z';
    const answers = play(
      [
        request({ provisional: true, playbook: 'notify-only', occurrence }),
        request({ provisional: true, playbook: 'notify-only', occurrence }),
        request({ occurrence }),
      ],
      closed,
    );
    expect(answers.map(({ outcome, execution }) => [outcome, execution])).toEqual([
      ['claimed', 2],
      ['duplicate', 2],
      ['claimed', 3],
    ]);
  });
});

// Issue 18 (third wave): every branch of the transition, with the whole answer (its reason is what the ledger and
// the logs tell a responder) and the whole next state (what the store writes).
describe('every answer of the claim, exactly', () => {
  const RELEASED_AT = '2026-11-28T12:00:00.000Z';
  const holder = (overrides: Partial<NonNullable<IncidentClaim['holder']>> = {}) => ({
    playbook: 'ec2-compromise' as const,
    execution: 1,
    started: true,
    claimedAt: '2026-11-28T09:00:00.000Z',
    ...overrides,
  });
  const notice = (overrides: Partial<NonNullable<IncidentClaim['notice']>> = {}) => ({
    playbook: 'notify-only' as const,
    execution: 1,
    started: true,
    claimedAt: '2026-11-28T08:00:00.000Z',
    ...overrides,
  });
  const released = { at: RELEASED_AT, by: 'release-instance' };

  it('a first claim holds the incident from now, with the occurrence it was made for, on revision 1', () => {
    const occurrence = '2026-11-28T09:59:00.000Z';
    // Strictly: no `notice: undefined` key either (there was no notice to keep on record).
    expect(claimTransition(undefined, request({ occurrence }))).toStrictEqual({
      answer: {
        outcome: 'claimed',
        execution: 1,
        executionName: ID,
        provisional: false,
        reason: 'First claim of the incident, for ec2-compromise.',
      },
      next: {
        revision: 1,
        executions: 1,
        holder: {
          playbook: 'ec2-compromise',
          execution: 1,
          started: false,
          claimedAt: NOW.toISOString(),
          occurrence,
        },
      },
    });
    // No occurrence known: none recorded (never an `occurrence: undefined` the store would have to drop).
    expect(claimTransition(undefined, request()).next?.holder).not.toHaveProperty('occurrence');
  });

  it('a healthy decision takes over from a notification, keeping it on record, on the next revision', () => {
    const claim: IncidentClaim = { revision: 3, executions: 1, notice: notice() };
    expect(claimTransition(claim, request())).toEqual({
      answer: {
        outcome: 'claimed',
        execution: 2,
        executionName: `${ID}-2`,
        provisional: false,
        reason: `First claim of the incident, for ec2-compromise. It takes over from the notification ${ID} that settings failing closed had started.`,
      },
      next: {
        revision: 4,
        executions: 2,
        holder: { playbook: 'ec2-compromise', execution: 2, started: false, claimedAt: NOW.toISOString() },
        notice: notice(),
      },
    });
  });

  it('a new occurrence after a release starts a new generation clean: no notice, no release, its reason says why', () => {
    const claim: IncidentClaim = {
      revision: 5,
      executions: 2,
      holder: holder(),
      notice: notice({ execution: 2 }),
      closed: released,
    };
    const occurrence = '2026-11-28T12:00:00.001Z';
    expect(claimTransition(claim, request({ occurrence }))).toEqual({
      answer: {
        outcome: 'claimed',
        execution: 3,
        executionName: `${ID}-3`,
        provisional: false,
        reason: `The finding was updated at ${occurrence}, after the release at ${RELEASED_AT}: a new occurrence, contained again as execution 3.`,
      },
      next: {
        revision: 6,
        executions: 3,
        holder: {
          playbook: 'ec2-compromise',
          execution: 3,
          started: false,
          claimedAt: NOW.toISOString(),
          occurrence,
        },
      },
    });
  });

  it('an occurrence at the very time of the release, or with a time that does not parse, is not a new one', () => {
    const claim: IncidentClaim = { revision: 2, executions: 1, holder: holder(), closed: released };
    const at = claimTransition(claim, request({ occurrence: RELEASED_AT }));
    expect(at).toEqual({
      answer: {
        outcome: 'duplicate',
        execution: 1,
        executionName: ID,
        provisional: false,
        reason: `The incident was released at ${RELEASED_AT} and this occurrence (updated ${RELEASED_AT}) is not later: nothing new is started.`,
      },
    });
    expect(claimTransition(claim, request({ occurrence: 'yesterday' })).answer.outcome).toBe('duplicate');
  });

  it('a released claim whose holder never started is not started again by a re-delivery of the old occurrence', () => {
    const claim: IncidentClaim = {
      revision: 2,
      executions: 1,
      holder: holder({ started: false }),
      closed: released,
    };
    expect(claimTransition(claim, request()).answer).toEqual({
      outcome: 'duplicate',
      execution: 1,
      executionName: ID,
      provisional: false,
      reason: `The incident was released at ${RELEASED_AT} and this occurrence (updated at an unknown time) is not later: nothing new is started.`,
    });
  });

  it('a retried triage is told to start its own unstarted execution again, and writes nothing', () => {
    const claim: IncidentClaim = {
      revision: 1,
      executions: 2,
      holder: holder({ execution: 2, started: false }),
    };
    expect(claimTransition(claim, request())).toEqual({
      answer: {
        outcome: 'reclaimed',
        execution: 2,
        executionName: `${ID}-2`,
        provisional: false,
        reason:
          'Claimed by ec2-compromise at 2026-11-28T09:00:00.000Z and not started yet (a retried triage): started again.',
      },
    });
  });

  it('another playbook never takes a held incident, started or not, and says which playbook holds it', () => {
    for (const started of [true, false]) {
      const claim: IncidentClaim = { revision: 1, executions: 2, holder: holder({ execution: 2, started }) };
      expect(claimTransition(claim, request({ playbook: 'credential-compromise' }))).toEqual({
        answer: {
          outcome: 'duplicate',
          execution: 2,
          executionName: `${ID}-2`,
          provisional: false,
          reason: `ec2-compromise already holds the incident (execution ${ID}-2); a different decision now (credential-compromise) starts nothing.`,
        },
      });
    }
    const same = { revision: 1, executions: 2, holder: holder({ execution: 2 }) };
    expect(claimTransition(same, request()).answer.reason).toBe(
      `ec2-compromise already handles the incident (execution ${ID}-2).`,
    );
  });

  it('a fail-closed decision changes nothing once the holder started', () => {
    const claim: IncidentClaim = { revision: 2, executions: 1, holder: holder() };
    expect(claimTransition(claim, request({ provisional: true, playbook: 'notify-only' }))).toEqual({
      answer: {
        outcome: 'duplicate',
        execution: 1,
        executionName: ID,
        provisional: true,
        reason:
          'ec2-compromise already handles the incident: a decision made while settings fail closed changes nothing.',
      },
    });
  });

  it('a fail-closed decision after a release, for no later occurrence, starts nothing and names the execution that handled it', () => {
    // The holder's execution (1), not the last number handed out (2, a notice).
    const claim: IncidentClaim = {
      revision: 4,
      executions: 2,
      holder: holder(),
      notice: notice({ execution: 2 }),
      closed: released,
    };
    const expected = {
      answer: {
        outcome: 'duplicate',
        execution: 1,
        executionName: ID,
        provisional: true,
        reason: `The incident was released at ${RELEASED_AT} and this occurrence is not later: nothing new is started.`,
      },
    };
    expect(claimTransition(claim, request({ provisional: true, playbook: 'notify-only' }))).toEqual(expected);
    // An unstarted holder, released: the same answer (a release closed it whatever StartExecution said).
    const unstarted = { ...claim, holder: holder({ started: false }) };
    expect(claimTransition(unstarted, request({ provisional: true, playbook: 'notify-only' }))).toEqual(
      expected,
    );
    // A release recorded without a holder (an item edited by hand): the last number handed out.
    const bare: IncidentClaim = { revision: 1, executions: 3, closed: released };
    expect(
      claimTransition(bare, request({ provisional: true, playbook: 'notify-only' })).answer,
    ).toMatchObject({
      outcome: 'duplicate',
      execution: 3,
    });
  });

  it('a fail-closed retry starts its own unstarted notification again; another playbook or a started one is a duplicate', () => {
    const claim: IncidentClaim = { revision: 1, executions: 1, notice: notice({ started: false }) };
    const provisional = (playbook: 'notify-only' | 'ec2-compromise') =>
      claimTransition(claim, request({ provisional: true, playbook }));
    expect(provisional('notify-only')).toEqual({
      answer: {
        outcome: 'reclaimed',
        execution: 1,
        executionName: ID,
        provisional: true,
        reason:
          'The fail-closed notification was claimed and not started yet (a retried triage): started again.',
      },
    });
    const once = {
      answer: {
        outcome: 'duplicate',
        execution: 1,
        executionName: ID,
        provisional: true,
        reason: `Settings fail closed and the notification ${ID} already ran: it runs once.`,
      },
    };
    expect(provisional('ec2-compromise')).toEqual(once);
    const ran: IncidentClaim = { ...claim, notice: notice() };
    expect(claimTransition(ran, request({ provisional: true, playbook: 'notify-only' }))).toEqual(once);
  });

  it('a notification older than an unstarted holder is not current: a fail-closed decision notifies anew, saying the holder waits', () => {
    const claim: IncidentClaim = {
      revision: 3,
      executions: 2,
      notice: notice({ started: false }),
      holder: holder({ execution: 2, started: false }),
    };
    expect(claimTransition(claim, request({ provisional: true, playbook: 'notify-only' }))).toEqual({
      answer: {
        outcome: 'claimed',
        execution: 3,
        executionName: `${ID}-3`,
        provisional: true,
        reason:
          'Settings fail closed: a provisional notification, which does not hold the incident (a later decision under healthy settings may act). ec2-compromise claimed the incident and has not started: the next delivery under healthy settings starts it.',
      },
      next: {
        revision: 4,
        executions: 3,
        holder: holder({ execution: 2, started: false }),
        notice: { playbook: 'notify-only', execution: 3, started: false, claimedAt: NOW.toISOString() },
      },
    });
  });

  it('a first fail-closed decision notifies, unstarted, on revision 1, without a holder to wait for', () => {
    expect(claimTransition(undefined, request({ provisional: true, playbook: 'notify-only' }))).toEqual({
      answer: {
        outcome: 'claimed',
        execution: 1,
        executionName: ID,
        provisional: true,
        reason:
          'Settings fail closed: a provisional notification, which does not hold the incident (a later decision under healthy settings may act).',
      },
      next: {
        revision: 1,
        executions: 1,
        notice: { playbook: 'notify-only', execution: 1, started: false, claimedAt: NOW.toISOString() },
      },
    });
  });
});

describe('executionNameOf, at the limit', () => {
  it('keeps an id that fits exactly with its suffix whole, and hashes one a character longer', () => {
    const fits = `i${'d'.repeat(EXECUTION_NAME_MAX_LENGTH - 3)}`; // 78 characters + '-2' = 80
    expect(executionNameOf(fits, 2)).toBe(`${fits}-2`);
    const over = `${fits}x`;
    const hash = createHash('sha256').update(over).digest('hex').slice(0, 8);
    expect(executionNameOf(over, 2)).toBe(`${over.slice(0, EXECUTION_NAME_MAX_LENGTH - 11)}_${hash}-2`);
    expect(executionNameOf(over, 2)).toHaveLength(EXECUTION_NAME_MAX_LENGTH);
  });
});

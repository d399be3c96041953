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

import { describe, expect, it } from 'vitest';
import {
  claimDecision,
  configuredApprovers,
  type DecideApprovalInput,
  decideApproval,
} from '../../src/approval/decide.ts';
import { MemoryApprovalStore } from '../../src/approval/records.ts';
import {
  APPROVAL_ID,
  APPROVER_GROUP,
  APPROVER_SLACK,
  APPROVER_WEB,
  EXPIRES_AT,
  NOW,
  pendingRecord,
  recordingCallbacks,
  recordingLogger,
  TASK_TOKEN,
} from './fixtures.ts';

const LATER = new Date('2026-11-28T10:05:00.000Z');

async function setup(record = pendingRecord(), fail?: Error) {
  const store = new MemoryApprovalStore();
  await store.create(record);
  const callbacks = recordingCallbacks(fail);
  const logger = recordingLogger();
  const ports = { store, callbacks, isApprover: configuredApprovers(), logger, now: () => LATER };
  return { store, callbacks, logger, ports };
}

function input(overrides: Partial<DecideApprovalInput> = {}): DecideApprovalInput {
  return {
    approvalId: APPROVAL_ID,
    decision: 'approve',
    decidedBy: { kind: 'slack', id: APPROVER_SLACK, name: 'alice' },
    now: LATER,
    ...overrides,
  };
}

describe('decideApproval', () => {
  it('an approval is SendTaskSuccess with the decision, who, when and the comment', async () => {
    // Prepare
    const { callbacks, ports } = await setup();

    // Act
    const outcome = await decideApproval(input({ comment: 'contain it' }), ports);

    // Assess
    expect(outcome).toMatchObject({ code: 'decided', callback: { status: 'sent' } });
    expect(callbacks.calls).toEqual([
      {
        kind: 'success',
        token: TASK_TOKEN,
        output: {
          decision: 'approve',
          approvalId: APPROVAL_ID,
          decidedBy: { kind: 'slack', id: APPROVER_SLACK, name: 'alice' },
          decidedAt: LATER.toISOString(),
          comment: 'contain it',
        },
      },
    ]);
  });

  it('a rejection is SendTaskFailure with ApprovalRejected, never success', async () => {
    // Prepare
    const { callbacks, ports } = await setup();

    // Act
    await decideApproval(input({ decision: 'reject', comment: 'planned pentest' }), ports);

    // Assess
    expect(callbacks.calls.map((call) => call.kind)).toEqual(['failure']);
    expect(callbacks.calls[0]).toMatchObject({ token: TASK_TOKEN, error: 'ApprovalRejected' });
    expect(callbacks.calls[0]?.cause).toBe(
      `Rejected by slack:${APPROVER_SLACK} (alice) at ${LATER.toISOString()}: planned pentest`,
    );
  });

  it('records who decided, when, and the comment', async () => {
    // Prepare
    const { store, ports } = await setup();

    // Act
    await decideApproval(
      input({ decidedBy: { kind: 'web', id: APPROVER_WEB }, comment: '  ok\u0007 to\r\nisolate  ' }),
      ports,
    );

    // Assess
    expect(await store.get(APPROVAL_ID)).toMatchObject({
      status: 'approved',
      decision: {
        decision: 'approve',
        decidedBy: { kind: 'web', id: APPROVER_WEB },
        decidedAt: LATER.toISOString(),
        comment: 'ok to\nisolate',
      },
      callback: { status: 'sent', at: LATER.toISOString() },
    });
  });

  it('a second decision answers already-decided and sends nothing', async () => {
    // Prepare
    const { store, callbacks, ports } = await setup();
    await decideApproval(input(), ports);

    // Act
    const second = await decideApproval(input({ decision: 'reject' }), ports);

    // Assess
    expect(second.code).toBe('already-decided');
    expect(callbacks.calls).toHaveLength(1);
    expect((await store.get(APPROVAL_ID))?.status).toBe('approved');
  });

  it('two concurrent clicks send exactly one callback', async () => {
    // Prepare
    const { callbacks, ports } = await setup();

    // Act
    const outcomes = await Promise.all([decideApproval(input(), ports), decideApproval(input(), ports)]);

    // Assess
    expect(outcomes.map((outcome) => outcome.code).sort()).toEqual(['already-decided', 'decided']);
    expect(callbacks.calls).toHaveLength(1);
  });

  it('an expired approval cannot be decided', async () => {
    // Prepare
    const { callbacks, ports } = await setup();

    // Act
    const outcome = await decideApproval(input({ now: EXPIRES_AT }), ports);

    // Assess
    expect(outcome.code).toBe('expired');
    expect(callbacks.calls).toEqual([]);
  });

  it('an unknown approval is not-found', async () => {
    // Prepare
    const { ports } = await setup();

    // Act / Assess
    expect(await decideApproval(input({ approvalId: 'Zz9k0Vd1cB2m9xWZ_p-7aQ4t' }), ports)).toEqual({
      code: 'not-found',
    });
  });

  it('only configured approvers may decide', async () => {
    // Prepare
    const { store, callbacks, ports } = await setup();

    // Act
    const slack = await decideApproval(input({ decidedBy: { kind: 'slack', id: 'U0STRANGER' } }), ports);
    const web = await decideApproval(input({ decidedBy: { kind: 'web', id: 'mallory@example.com' } }), ports);

    // Assess
    expect([slack.code, web.code]).toEqual(['not-approver', 'not-approver']);
    expect(callbacks.calls).toEqual([]);
    expect((await store.get(APPROVAL_ID))?.status).toBe('pending');
  });

  it('with no approvers configured, nobody may decide (fail closed)', async () => {
    // Prepare
    const { callbacks, ports } = await setup(
      pendingRecord({ approvers: { slackUserIds: [], slackUserGroupIds: [], identities: [] } }),
    );

    // Act
    const outcome = await decideApproval(input(), ports);

    // Assess
    expect(outcome.code).toBe('not-approver');
    expect(callbacks.calls).toEqual([]);
  });

  it('when the callback fails, the decision stands and the failure is recorded and reported', async () => {
    // Prepare
    const timedOut = Object.assign(new Error(`Task Timed Out: '${TASK_TOKEN}'`), { name: 'TaskTimedOut' });
    const { store, logger, ports } = await setup(pendingRecord(), timedOut);

    // Act
    const outcome = await decideApproval(input(), ports);

    // Assess
    expect(outcome).toMatchObject({ code: 'decided', callback: { status: 'failed', error: 'TaskTimedOut' } });
    expect(await store.get(APPROVAL_ID)).toMatchObject({
      status: 'approved',
      callback: { status: 'failed', error: 'TaskTimedOut' },
    });
    expect(logger.lines.some((line) => line.startsWith('error') && line.includes('TaskTimedOut'))).toBe(true);
    expect(logger.lines.join('\n')).not.toContain(TASK_TOKEN.slice(0, 20));
  });

  it('claims before telling Step Functions: nothing is sent until deliver is called', async () => {
    // Prepare
    const { store, callbacks, ports } = await setup();

    // Act
    const claim = await claimDecision(input(), ports);

    // Assess
    expect(claim.code).toBe('decided');
    expect(callbacks.calls).toEqual([]);
    expect((await store.get(APPROVAL_ID))?.status).toBe('approved');
    if (claim.code === 'decided') await claim.deliver();
    expect(callbacks.calls).toHaveLength(1);
  });
});

describe('configuredApprovers', () => {
  it('accepts a member of a configured Slack user group', async () => {
    // Prepare
    const isApprover = configuredApprovers({
      isInUserGroup: async (userId, groupId) => userId === 'U0MEMBER' && groupId === APPROVER_GROUP,
    });

    // Act / Assess
    expect(await isApprover({ kind: 'slack', id: 'U0MEMBER' }, pendingRecord())).toBe(true);
    expect(await isApprover({ kind: 'slack', id: 'U0OTHER' }, pendingRecord())).toBe(false);
  });

  it('treats a group it cannot read as no membership', async () => {
    // Prepare
    const isApprover = configuredApprovers({
      isInUserGroup: async () => {
        throw new Error('ratelimited');
      },
    });

    // Act / Assess
    expect(await isApprover({ kind: 'slack', id: 'U0MEMBER' }, pendingRecord())).toBe(false);
  });

  it('compares web identities without case', async () => {
    // Act / Assess
    expect(await configuredApprovers()({ kind: 'web', id: 'Alice@Example.com' }, pendingRecord())).toBe(true);
  });

  it('does not accept a Slack user id as a web identity', async () => {
    // Act / Assess
    expect(await configuredApprovers()({ kind: 'web', id: APPROVER_SLACK }, pendingRecord())).toBe(false);
  });
});

describe('the decision time', () => {
  it('is the input clock, not the wall clock', async () => {
    // Prepare
    const { store, ports } = await setup();

    // Act
    await decideApproval(input({ now: NOW }), ports);

    // Assess
    expect((await store.get(APPROVAL_ID))?.decision?.decidedAt).toBe(NOW.toISOString());
  });
});

import { describe, expect, it } from 'vitest';
import { approvalMessage, decidedMessage } from '../../src/approval/slack-messages.ts';
import { APPROVAL_ID, pendingRecord, signedLink, TASK_TOKEN } from './fixtures.ts';

describe('approvalMessage', () => {
  it('buttons carry the approval id only, never the task token; link unfurling is off', () => {
    // Act
    const message = approvalMessage(pendingRecord(), signedLink().toString());

    // Assess
    expect(message.unfurl_links).toBe(false);
    expect(message.unfurl_media).toBe(false);
    const actions = message.blocks.find((block) => block.type === 'actions');
    expect(actions).toMatchObject({
      elements: [
        { action_id: 'cordon_approve', value: APPROVAL_ID },
        { action_id: 'cordon_reject', value: APPROVAL_ID },
      ],
    });
    expect(JSON.stringify(message)).not.toContain(TASK_TOKEN.slice(0, 20));
  });

  it('lists the incident, its resources, the exact steps approval runs and the page link', () => {
    // Act
    const text = JSON.stringify(approvalMessage(pendingRecord(), signedLink().toString()));

    // Assess
    expect(text).toContain('HIGH instance-compromise');
    expect(text).toContain('i-0abc1234def567890');
    for (const step of ['contain-instance', 'snapshot-volumes']) expect(text).toContain(step);
    expect(text).not.toContain('`request-approval`');
    expect(text).toContain(`|Open the approval page>`);
  });

  it('escapes Slack markup coming from the finding', () => {
    // Prepare
    const record = pendingRecord();
    const hostile = {
      ...record,
      incident: { ...record.incident, title: '<!channel> <https://evil.example|click>' },
    };

    // Act
    const text = JSON.stringify(approvalMessage(hostile, signedLink().toString()));

    // Assess
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
  });
});

describe('decidedMessage', () => {
  it('replaces the buttons with who decided, when, and the comment', () => {
    // Prepare
    const record = pendingRecord({
      status: 'rejected',
      decision: {
        decision: 'reject',
        decidedBy: { kind: 'slack', id: 'U0APPROVER', name: 'alice' },
        decidedAt: '2026-11-28T10:05:00.000Z',
        comment: 'planned pentest',
      },
    });

    // Act
    const message = decidedMessage(record);

    // Assess
    expect(message.blocks.some((block) => block.type === 'actions')).toBe(false);
    const text = JSON.stringify(message);
    expect(text).toContain('Rejected by <@U0APPROVER>');
    expect(text).toContain('planned pentest');
  });

  it('says an undecided approval expired and which default applies', () => {
    // Act
    const text = JSON.stringify(decidedMessage(pendingRecord()));

    // Assess
    expect(text).toContain('Expired');
    expect(text).toContain('timeout default (approve)');
  });

  it('shows that Step Functions could not be told', () => {
    // Prepare
    const record = pendingRecord({
      status: 'approved',
      decision: {
        decision: 'approve',
        decidedBy: { kind: 'web', id: 'alice@example.com' },
        decidedAt: '2026-11-28T10:05:00.000Z',
      },
      callback: { status: 'failed', at: '2026-11-28T10:05:01.000Z', error: 'TaskTimedOut' },
    });

    // Act / Assess
    expect(JSON.stringify(decidedMessage(record))).toContain('could not be told (TaskTimedOut)');
  });
});

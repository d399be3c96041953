import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { MemoryApprovalStore } from '../../src/approval/records.ts';
import {
  approvalExpiry,
  type RequestApprovalPorts,
  requestApproval,
} from '../../src/approval/request-approval.ts';
import { STEP_WORDS } from '../../src/approval/step-words.generated.ts';
import { ApprovalNotDeliveredError, ApprovalRequestInvalidError } from '../../src/errors.ts';
import { parseSettings } from '../../src/policy/settings.ts';
import type { SlackMessage } from '../../src/slack/blocks.ts';
import {
  APPROVER_SLACK,
  APPROVER_WEB,
  approvalPayload,
  BASE_URL,
  INCIDENT_ID,
  LINK_KEY,
  NOW,
  recordingLogger,
  TASK_TOKEN,
} from './fixtures.ts';

function approvalSettings(overrides: Record<string, unknown> = {}) {
  const parsed = parseSettings({
    approval: {
      approvers: { slackUserIds: [APPROVER_SLACK], identities: [APPROVER_WEB] },
      slackChannel: 'C0SECURITY',
      ...overrides,
    },
  });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.settings.approval;
}

function ports(overrides: Partial<RequestApprovalPorts> = {}) {
  const store = new MemoryApprovalStore();
  const slackMessages: SlackMessage[] = [];
  const published: Array<{
    subject: string;
    message: string;
    attributes?: Readonly<Record<string, string>>;
  }> = [];
  const logger = recordingLogger();
  const value: RequestApprovalPorts = {
    store,
    approval: approvalSettings(),
    linkBaseUrl: BASE_URL,
    linkSigningKey: LINK_KEY,
    now: () => NOW,
    randomBytes: (size) => Buffer.alloc(size, 7),
    postSlack: async (message) => {
      slackMessages.push(message);
      return { channel: 'C0SECURITY', ts: '1795860000.000100' };
    },
    publish: async (subject, message, attributes) => {
      published.push({ subject, message, ...(attributes === undefined ? {} : { attributes }) });
    },
    logger,
    ...overrides,
  };
  return { ports: value, store, slackMessages, published, logger };
}

describe('requestApproval', () => {
  it('stores the approval under a random id with the token, what will be done, and the approvers', async () => {
    // Prepare
    const { ports: p, store } = ports();

    // Act
    const result = await requestApproval(approvalPayload(), p);

    // Assess
    expect(result.approvalId).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await store.get(result.approvalId)).toMatchObject({
      taskToken: TASK_TOKEN,
      incidentId: INCIDENT_ID,
      step: 'contain-instance',
      actions: ['request-approval', 'contain-instance', 'snapshot-volumes', 'notify'],
      incident: { resources: [{ instanceId: 'i-0abc1234def567890' }] },
      requestedAt: NOW.toISOString(),
      expiresAt: result.expiresAt,
      approvers: { slackUserIds: [APPROVER_SLACK], slackUserGroupIds: [], identities: [APPROVER_WEB] },
      status: 'pending',
      slackMessage: { channel: 'C0SECURITY', ts: '1795860000.000100' },
    });
  });

  it('makes approval ids of at least 128 random bits', async () => {
    // Prepare
    const sizes: number[] = [];
    const { ports: p } = ports({
      randomBytes: (size) => {
        sizes.push(size);
        return Buffer.alloc(size, 1);
      },
    });

    // Act
    await requestApproval(approvalPayload(), p);

    // Assess
    expect(sizes[0]).toBeGreaterThanOrEqual(16);
  });

  it('the link expires no later than the task timeout', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 31_536_000 }),
        fc.integer({ min: 60, max: 86_400 }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        (taskTimeout, settingsTimeout, nowMs) => {
          const now = new Date(nowMs);
          const expiry = approvalExpiry(now, taskTimeout, settingsTimeout).getTime();
          expect(expiry).toBeLessThanOrEqual(nowMs + taskTimeout * 1000);
          expect(expiry).toBeLessThanOrEqual(nowMs + settingsTimeout * 1000);
          expect(expiry % 1000).toBe(0);
        },
      ),
    );
  });

  it('caps the expiry at settings.approval.timeoutSeconds when the task allows longer', async () => {
    // Prepare
    const { ports: p } = ports({ approval: approvalSettings({ timeoutSeconds: 600 }) });

    // Act
    const result = await requestApproval(approvalPayload({ timeoutSeconds: 86_400 }), p);

    // Assess
    expect(result.expiresAt).toBe('2026-11-28T10:09:30.000Z');
  });

  it('the link carries only the approval id, never the task token', async () => {
    // Prepare
    const { ports: p } = ports();

    // Act
    const result = await requestApproval(approvalPayload(), p);

    // Assess
    const link = new URL(result.link);
    expect(link.origin).toBe(BASE_URL);
    expect(link.pathname).toBe(`/approvals/${result.approvalId}`);
    expect([...link.searchParams.keys()].sort()).toEqual(['exp', 'sig']);
    expect(result.link).not.toContain(TASK_TOKEN.slice(0, 20));
  });

  it('the token appears in no Slack message, SNS message, result or log line', async () => {
    // Prepare
    const { ports: p, slackMessages, published, logger } = ports();

    // Act
    const result = await requestApproval(approvalPayload(), p);

    // Assess
    const everything = JSON.stringify({ slackMessages, published, result, lines: logger.lines });
    expect(everything).not.toContain(TASK_TOKEN.slice(0, 20));
    expect(everything).not.toContain(LINK_KEY);
  });

  it('posts Block Kit to the configured channel with unfurling off and buttons carrying the id', async () => {
    // Prepare
    const { ports: p, slackMessages } = ports();

    // Act
    const result = await requestApproval(approvalPayload(), p);

    // Assess
    expect(slackMessages).toHaveLength(1);
    expect(slackMessages[0]).toMatchObject({
      channel: 'C0SECURITY',
      unfurl_links: false,
      unfurl_media: false,
    });
    expect(slackMessages[0]).toEqual(result.slackMessage);
    expect(JSON.stringify(slackMessages[0])).toContain(`"value":"${result.approvalId}"`);
  });

  it('publishes a readable message with the link to SNS, with attributes to filter on', async () => {
    // Prepare
    const { ports: p, published } = ports();

    // Act
    const result = await requestApproval(approvalPayload(), p);

    // Assess
    expect(published).toHaveLength(1);
    expect(published[0]?.subject).toBe(
      '[Cordon] HIGH instance-compromise: i-0abc1234def567890 approval requested',
    );
    expect(published[0]?.message).toContain(result.link);
    expect(published[0]?.message).toContain(`  - ${STEP_WORDS['contain-instance']} (contain-instance)`);
    expect(published[0]?.attributes).toMatchObject({ severity: 'high', event: 'approval-requested' });
  });

  it('still asks through SNS when Slack fails, and says so', async () => {
    // Prepare
    const { ports: p, published } = ports({
      postSlack: async () => {
        throw new Error('https://hooks.slack.com/services/T/B/secret refused');
      },
    });

    // Act
    const result = await requestApproval(approvalPayload(), p);

    // Assess
    expect(result.delivered).toEqual({ slack: 'failed', sns: 'posted' });
    expect(published).toHaveLength(1);
  });

  it('throws ApprovalNotDeliveredError when the request reached nobody', async () => {
    // Prepare
    const failing = async () => {
      throw new Error('down');
    };
    const { ports: p } = ports({ postSlack: failing, publish: failing });

    // Act / Assess
    await expect(requestApproval(approvalPayload(), p)).rejects.toThrow(ApprovalNotDeliveredError);
  });

  it.each([
    ['no task token', { taskToken: '' }],
    ['a token longer than 2,048 characters', { taskToken: 'x'.repeat(2049) }],
    ['no actions', { actions: [] }],
    ['a zero timeout', { timeoutSeconds: 0 }],
    ['an incident of another id', { incidentId: 'guardduty-other' }],
    ['an unknown category', { incident: { ...(approvalPayload().incident as object), category: 'weather' } }],
  ])('refuses a payload with %s (ApprovalRequestInvalidError)', async (_name, change) => {
    // Prepare
    const { ports: p, store } = ports();
    const create = vi.spyOn(store, 'create');

    // Act / Assess
    await expect(requestApproval(approvalPayload(change), p)).rejects.toThrow(ApprovalRequestInvalidError);
    expect(create).not.toHaveBeenCalled();
  });

  it('accepts what the playbook adds beyond the documented fields', async () => {
    // Prepare
    const { ports: p } = ports();

    // Act / Assess
    await expect(requestApproval(approvalPayload({ extra: 1, playbook: null }), p)).resolves.toMatchObject({
      delivered: { slack: 'posted', sns: 'posted' },
    });
  });
});

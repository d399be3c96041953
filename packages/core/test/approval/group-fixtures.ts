/** Shared fixtures of the approval group tests: a sandbox table, a clock that sleeping moves, recorded Slack and SNS. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createSandbox } from '../../../local/src/sandbox/index.ts';
import { DynamoDbApprovalGroups } from '../../src/approval/groups.ts';
import { DynamoDbApprovalStore, type SlackMessageRef } from '../../src/approval/records.ts';
import type { RequestApprovalPorts } from '../../src/approval/request-approval.ts';
import { parseSettings } from '../../src/policy/settings.ts';
import type { SlackMessage } from '../../src/slack/blocks.ts';
import {
  APPROVER_SLACK,
  APPROVER_WEB,
  approvalPayload,
  BASE_URL,
  INCIDENT_ID,
  incident,
  LINK_KEY,
  NOW,
  recordingLogger,
} from './fixtures.ts';

export const TABLE = 'cordon-approvals';
export const FINDING_TYPE = 'CryptoCurrency:EC2/BitcoinTool.B!DNS';

/** The `n`th instance of a storm: its own incident, instance and task token; the same kind as the others. */
export function stormPayload(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const instanceId = `i-0${n.toString(16).padStart(16, '0')}`;
  const incidentId = `${INCIDENT_ID.slice(0, -4)}${n.toString(16).padStart(4, '0')}`;
  const base = incident();
  return approvalPayload({
    taskToken: `token-${n}-${'x'.repeat(40)}`,
    incidentId,
    incident: {
      ...base,
      id: incidentId,
      type: FINDING_TYPE,
      observedAt: new Date(NOW.getTime() + n * 1000).toISOString(),
      title: `EC2 instance ${instanceId} is querying a domain name associated with Bitcoin activity.`,
      resources: [{ kind: 'ec2-instance', role: 'compromised', instanceId, networkInterfaces: [], tags: {} }],
    },
    ...overrides,
  });
}

export function groupSettings(overrides: Record<string, unknown> = {}) {
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

/**
 * A sandbox approvals table with the group store over it, a clock that `sleep` moves forward (a waiting
 * member lets time pass for everyone), and Slack and SNS that record what they are sent.
 */
export function groupHarness(options: { readonly start?: Date } = {}) {
  let clock = (options.start ?? NOW).getTime();
  const now = () => new Date(clock);
  const sandbox = createSandbox({ accountId: '123456789012', now });
  sandbox.dynamodb.createTable({ tableName: TABLE, partitionKey: 'approvalId' });
  const client = sandbox.account.attach(
    new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test' },
    }),
  );
  const store = new DynamoDbApprovalStore({ client, tableName: TABLE });
  const groups = new DynamoDbApprovalGroups({ client, tableName: TABLE });
  const posts: SlackMessage[] = [];
  const updates: Array<{ ref: SlackMessageRef; message: SlackMessage; at: number }> = [];
  const published: Array<{
    subject: string;
    message: string;
    attributes?: Readonly<Record<string, string>>;
  }> = [];
  const logger = recordingLogger();
  const sleeps: number[] = [];
  const ports = (overrides: Partial<RequestApprovalPorts> = {}): RequestApprovalPorts => ({
    store,
    groups,
    approval: groupSettings(),
    linkBaseUrl: BASE_URL,
    linkSigningKey: LINK_KEY,
    now,
    sleep: async (milliseconds) => {
      sleeps.push(milliseconds);
      // Time as concurrent sleepers see it: each wakes `milliseconds` after it fell asleep, and the clock
      // is the latest wake so far (two requests waiting a second each let one second pass, not two).
      const wake = clock + milliseconds;
      // Let the other requests run while this one waits, as they would.
      await new Promise((resolve) => setImmediate(resolve));
      clock = Math.max(clock, wake);
    },
    postSlack: async (message) => {
      posts.push(message);
      return { channel: 'C0SECURITY', ts: `1795860000.${String(posts.length).padStart(6, '0')}` };
    },
    updateSlack: async (ref, message) => {
      updates.push({ ref, message, at: clock });
    },
    publish: async (subject, message, attributes) => {
      published.push({ subject, message, ...(attributes === undefined ? {} : { attributes }) });
    },
    logger,
    ...overrides,
  });
  return {
    sandbox,
    store,
    groups,
    posts,
    updates,
    published,
    logger,
    sleeps,
    ports,
    now,
    advance: (milliseconds: number) => {
      clock += milliseconds;
    },
  };
}

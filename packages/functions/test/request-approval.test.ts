import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDbApprovalGroups } from '@cordon/core/approval/groups';
import { DynamoDbApprovalStore } from '@cordon/core/approval/records';
import { failClosedSettings, parseSettings } from '@cordon/core/policy/settings';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  APPROVER_SLACK,
  approvalPayload,
  BASE_URL,
  LINK_KEY,
  NOW,
  TASK_TOKEN,
} from '../../core/test/approval/fixtures.ts';
import { stormPayload } from '../../core/test/approval/group-fixtures.ts';
import { createSandbox } from '../../local/src/sandbox/index.ts';
import { createRequestApprovalHandler, type RequestApprovalDependencies } from '../src/request-approval.ts';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:cordon-notifications';
const BOT_TOKEN = 'xoxb-0000000000-0000000000000-abcdefghijklmnopqrstuvwx';
const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/abcdefghijklmnopqrstuvwx';
const context = {
  functionName: 'cordon-request-approval',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cordon-request-approval',
  awsRequestId: 'r-1',
} as Context; // only the fields the logger middleware reads

const snsMock = mockClient(SNSClient);

beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
});
afterEach(() => vi.restoreAllMocks());

function setup(overrides: Partial<RequestApprovalDependencies> = {}) {
  const sandbox = createSandbox({ accountId: '123456789012', now: () => NOW });
  sandbox.dynamodb.createTable({ tableName: 'cordon-approvals', partitionKey: 'approvalId' });
  const client = sandbox.account.attach(
    new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test' },
    }),
  );
  const store = new DynamoDbApprovalStore({ client, tableName: 'cordon-approvals' });
  const fetch = vi.fn(
    async (_url: string | URL | Request, _init?: RequestInit) =>
      new Response(JSON.stringify({ ok: true, channel: 'C0SECURITY', ts: '1795860000.000100' })),
  );
  const settings = parseSettings({
    approval: { approvers: { slackUserIds: [APPROVER_SLACK] }, slackChannel: 'C0SECURITY' },
  });
  const deps: RequestApprovalDependencies = {
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    loadSettings: async () => settings,
    store,
    secrets: async () => ({ linkSigningKey: LINK_KEY, slackBotToken: BOT_TOKEN }),
    linkBaseUrl: BASE_URL,
    sns: new SNSClient({ region: 'us-east-1' }),
    topicArn: TOPIC,
    fetch,
    now: () => NOW,
    ...overrides,
  };
  return { store, client, fetch, deps, handler: createRequestApprovalHandler(deps) };
}

describe('request-approval handler', () => {
  it('stores the approval in DynamoDB and posts it with chat.postMessage, unfurling off', async () => {
    // Prepare
    const { handler, store, fetch } = setup();

    // Act
    const output = await handler(approvalPayload(), context);

    // Assess
    expect(await store.get(output.approvalId)).toMatchObject({
      taskToken: TASK_TOKEN,
      status: 'pending',
      slackMessage: { channel: 'C0SECURITY', ts: '1795860000.000100' },
    });
    expect(fetch).toHaveBeenCalledWith('https://slack.com/api/chat.postMessage', expect.anything());
    const init = fetch.mock.calls[0]?.[1];
    expect(new Headers(init?.headers).get('authorization')).toBe(`Bearer ${BOT_TOKEN}`);
    expect(JSON.parse(String(init?.body))).toMatchObject({
      channel: 'C0SECURITY',
      unfurl_links: false,
      unfurl_media: false,
    });
  });

  it('publishes the link to SNS with attributes to filter on', async () => {
    // Prepare
    const { handler } = setup();

    // Act
    const output = await handler(approvalPayload(), context);

    // Assess
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: '[Cordon] HIGH instance-compromise: i-0abc1234def567890 approval requested',
      MessageAttributes: expect.objectContaining({ severity: { DataType: 'String', StringValue: 'high' } }),
    });
    expect(snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Message).toContain(output.link);
  });

  it('posts to the webhook when no bot token is configured', async () => {
    // Prepare
    const fetch = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => new Response('ok'));
    const { handler, store } = setup({
      fetch,
      secrets: async () => ({ linkSigningKey: LINK_KEY, slackWebhookUrl: WEBHOOK }),
    });

    // Act
    const output = await handler(approvalPayload(), context);

    // Assess
    expect(fetch).toHaveBeenCalledWith(WEBHOOK, expect.anything());
    expect((await store.get(output.approvalId))?.slackMessage).toBeUndefined();
  });

  it('returns neither the token nor the Slack message', async () => {
    // Prepare
    const { handler } = setup();

    // Act
    const output = await handler(approvalPayload(), context);

    // Assess
    expect(output).not.toHaveProperty('slackMessage');
    expect(JSON.stringify(output)).not.toContain(TASK_TOKEN.slice(0, 20));
    expect(output.delivered).toEqual({ slack: 'posted', sns: 'posted' });
  });

  it('the link expires no later than the task timeout', async () => {
    // Prepare
    const { handler } = setup();

    // Act
    const output = await handler(approvalPayload({ timeoutSeconds: 120 }), context);

    // Assess
    expect(Date.parse(output.expiresAt)).toBeLessThanOrEqual(NOW.getTime() + 120_000);
    expect(Number(new URL(output.link).searchParams.get('exp')) * 1000).toBe(Date.parse(output.expiresAt));
  });

  it('still asks when the settings failed to load (nobody can approve: the timeout default applies)', async () => {
    // Prepare
    const { handler, store } = setup({ loadSettings: async () => failClosedSettings('SSM unreachable') });

    // Act
    const output = await handler(approvalPayload(), context);

    // Assess
    expect((await store.get(output.approvalId))?.approvers).toEqual({
      slackUserIds: [],
      slackUserGroupIds: [],
      identities: [],
    });
  });

  it('refuses an invalid payload with ApprovalRequestInvalidError', async () => {
    // Prepare
    const { handler } = setup();

    // Act / Assess
    await expect(handler(approvalPayload({ taskToken: '' }), context)).rejects.toMatchObject({
      name: 'ApprovalRequestInvalidError',
    });
  });

  it('no secret is logged', async () => {
    // Prepare
    const lines: string[] = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk) => {
        lines.push(String(chunk));
        return true;
      });
    }
    const failing = vi.fn(async () => {
      throw new TypeError(`fetch failed for ${WEBHOOK}`);
    });
    const { handler } = setup({
      logger: new Logger({ serviceName: 'test', logLevel: 'DEBUG' }),
      fetch: failing,
      secrets: async () => ({ linkSigningKey: LINK_KEY, slackWebhookUrl: WEBHOOK, slackBotToken: BOT_TOKEN }),
    });

    // Act
    const output = await handler(approvalPayload(), context);

    // Assess
    const logged = lines.join('');
    expect(logged).toContain('approval: requested');
    expect(logged).toContain('could not be sent');
    for (const secret of [
      TASK_TOKEN.slice(0, 20),
      LINK_KEY,
      BOT_TOKEN,
      WEBHOOK,
      new URL(output.link).searchParams.get('sig') ?? '',
    ]) {
      expect(logged).not.toContain(secret);
    }
  });
});

describe('request-approval handler with approval groups', () => {
  it('the first request of a kind posts the group with chat.postMessage and one e-mail; the next joins and updates it with chat.update', async () => {
    // Prepare
    let clock = NOW.getTime();
    const { deps, fetch, client } = setup();
    const groups = new DynamoDbApprovalGroups({ client, tableName: 'cordon-approvals' });
    const handler = createRequestApprovalHandler({
      ...deps,
      groups,
      now: () => new Date(clock),
      sleep: async (milliseconds) => {
        clock += milliseconds;
      },
    });

    // Act
    const first = await handler(stormPayload(1), context);
    const second = await handler(stormPayload(2), context);

    // Assess
    expect(first.group).toMatchObject({ seq: 1, announced: true });
    expect(second.group).toMatchObject({ id: first.group?.id, seq: 2, announced: false });
    expect(first.link).toContain(`/groups/${first.group?.id}?`);
    const urls = fetch.mock.calls.map((call) => String(call[0]));
    expect(urls).toEqual(['https://slack.com/api/chat.postMessage', 'https://slack.com/api/chat.update']);
    const update = JSON.parse(String(fetch.mock.calls[1]?.[1]?.body));
    expect(update).toMatchObject({ channel: 'C0SECURITY', ts: '1795860000.000100' });
    expect(JSON.stringify(update)).toContain('×2');
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(JSON.stringify(fetch.mock.calls)).not.toContain('token-');
  });
});

import { Logger } from '@aws-lambda-powertools/logger';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import type { ApprovalHttpRequest } from '@cordon/core/approval/api';
import { MemoryApprovalStore } from '@cordon/core/approval/records';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  APPROVAL_ID,
  APPROVER_WEB,
  formRequest,
  LINK_KEY,
  pageRequest,
  pendingRecord,
  SLACK_SECRET,
  signedLink,
  slackClick,
  slackRequest,
  TASK_TOKEN,
} from '../../core/test/approval/fixtures.ts';
import {
  type ApprovalApiDependencies,
  createApprovalApiHandler,
  ssmApprovalSecrets,
} from '../src/approval-api.ts';

const LATER = new Date('2026-11-28T10:05:00.000Z');
const BOT_TOKEN = 'xoxb-0000000000-0000000000000-abcdefghijklmnopqrstuvwx';
const context = {
  functionName: 'cordon-approval-api',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cordon-approval-api',
  awsRequestId: 'r-1',
} as Context; // only the fields the logger middleware reads

const sfnMock = mockClient(SFNClient);
const ssmMock = mockClient(SSMClient);

beforeEach(() => {
  sfnMock.reset();
  sfnMock.on(SendTaskSuccessCommand).resolves({});
  sfnMock.on(SendTaskFailureCommand).resolves({});
  ssmMock.reset();
});
afterEach(() => vi.restoreAllMocks());

/** The Function URL event of a plain request; the body base64-encoded, as Lambda does for forms. */
function functionUrlEvent(request: ApprovalHttpRequest, extra: Partial<APIGatewayProxyEventV2> = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query))
    if (typeof value === 'string') query.append(name, value);
  const { cookie, ...headers } = request.headers as Record<string, string>;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString: query.toString(),
    headers,
    ...(cookie === undefined ? {} : { cookies: cookie.split('; ') }),
    requestContext: { http: { method: request.method, path: request.path } },
    body: Buffer.from(request.body).toString('base64'),
    isBase64Encoded: true,
    ...extra,
  } as unknown as APIGatewayProxyEventV2; // the fields the adapter reads; the rest of the context is irrelevant
}

async function setup(overrides: Partial<ApprovalApiDependencies> = {}) {
  const store = new MemoryApprovalStore();
  await store.create(pendingRecord());
  const fetch = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => new Response('ok'));
  const deps: ApprovalApiDependencies = {
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    store,
    sfn: new SFNClient({ region: 'us-east-1' }),
    secrets: async () => ({
      linkSigningKey: LINK_KEY,
      slackSigningSecret: SLACK_SECRET,
      slackBotToken: BOT_TOKEN,
    }),
    fetch,
    identityHeader: 'x-cordon-identity',
    now: () => LATER,
    ...overrides,
  };
  return { store, fetch, deps, handler: createApprovalApiHandler(deps) };
}

describe('approval API handler', () => {
  it('serves the page, the CSRF cookie in the Function URL cookies field', async () => {
    // Prepare
    const { handler } = await setup();

    // Act
    const result = await handler(functionUrlEvent(pageRequest()), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.cookies).toEqual([expect.stringMatching(/^cordon_csrf=/)]);
    expect(result.headers).not.toHaveProperty('set-cookie');
    expect(result.body).toContain('contain-instance');
  });

  it('sends SendTaskSuccess for a Slack approval, then replaces the message through response_url', async () => {
    // Prepare
    const { handler, fetch } = await setup();

    // Act
    const result = await handler(functionUrlEvent(slackRequest(slackClick())), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(sfnMock).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
    const sent = sfnMock.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input;
    expect(sent?.taskToken).toBe(TASK_TOKEN);
    expect(JSON.parse(sent?.output ?? '{}')).toMatchObject({
      decision: 'approve',
      approvalId: APPROVAL_ID,
      decidedBy: { kind: 'slack', id: 'U0APPROVER' },
      decidedAt: LATER.toISOString(),
    });
    expect(fetch).toHaveBeenCalledWith('https://hooks.slack.com/actions/T0/1/abc', expect.anything());
    expect(JSON.parse(String(fetch.mock.calls[0]?.[1]?.body))).toMatchObject({ replace_original: true });
  });

  it('a rejection is SendTaskFailure with ApprovalRejected, never success', async () => {
    // Prepare
    const { handler } = await setup();

    // Act
    await handler(functionUrlEvent(slackRequest(slackClick({ actionId: 'cordon_reject' }))), context);

    // Assess
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken: TASK_TOKEN,
      error: 'ApprovalRejected',
    });
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('decides from the page with the identity the trusted proxy header names', async () => {
    // Prepare
    const { handler, store } = await setup();
    const page = await handler(functionUrlEvent(pageRequest()), context);
    const csrf = /name="csrf" value="([^"]+)"/.exec(String(page.body))?.[1] ?? '';
    const link = signedLink();
    const post = formRequest(
      `/approvals/${APPROVAL_ID}/decision`,
      {
        sig: link.searchParams.get('sig') ?? '',
        exp: link.searchParams.get('exp') ?? '',
        csrf,
        decision: 'approve',
      },
      { cookie: (page.cookies?.[0] ?? '').split(';')[0] ?? '', 'x-cordon-identity': APPROVER_WEB },
    );

    // Act
    const result = await handler(functionUrlEvent(post), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(sfnMock).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
    expect((await store.get(APPROVAL_ID))?.decision?.decidedBy).toEqual({ kind: 'web', id: APPROVER_WEB });
  });

  it('ignores the identity header when no trusted proxy is configured', async () => {
    // Prepare
    const { identityHeader: _header, ...rest } = (await setup()).deps;
    const handler = createApprovalApiHandler(rest);
    const page = await handler(functionUrlEvent(pageRequest()), context);
    const csrf = /name="csrf" value="([^"]+)"/.exec(String(page.body))?.[1] ?? '';
    const link = signedLink();
    const post = formRequest(
      `/approvals/${APPROVAL_ID}/decision`,
      {
        sig: link.searchParams.get('sig') ?? '',
        exp: link.searchParams.get('exp') ?? '',
        csrf,
        decision: 'approve',
      },
      { cookie: (page.cookies?.[0] ?? '').split(';')[0] ?? '', 'x-cordon-identity': APPROVER_WEB },
    );

    // Act
    const result = await handler(functionUrlEvent(post), context);

    // Assess
    expect(result.statusCode).toBe(403);
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('answers 503 and decides nothing when the secrets cannot be read', async () => {
    // Prepare
    const { handler } = await setup({
      secrets: async () => {
        throw new Error('AccessDenied');
      },
    });

    // Act
    const result = await handler(functionUrlEvent(slackRequest(slackClick())), context);

    // Assess
    expect(result.statusCode).toBe(503);
    expect(sfnMock).not.toHaveReceivedAnyCommand();
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
    const { handler } = await setup({ logger: new Logger({ serviceName: 'test', logLevel: 'DEBUG' }) });
    sfnMock
      .on(SendTaskSuccessCommand)
      .rejects(Object.assign(new Error(`Invalid token ${TASK_TOKEN}`), { name: 'InvalidToken' }));

    // Act
    await handler(functionUrlEvent(slackRequest(slackClick())), context);
    await handler(functionUrlEvent(slackRequest(slackClick(), { secret: 'wrong' })), context);
    await handler(functionUrlEvent(pageRequest()), context);

    // Assess
    const logged = lines.join('');
    expect(logged).toContain('approval API');
    expect(logged).toContain('InvalidToken');
    for (const secret of [
      TASK_TOKEN.slice(0, 20),
      LINK_KEY,
      SLACK_SECRET,
      BOT_TOKEN,
      signedLink().searchParams.get('sig') ?? '',
    ]) {
      expect(logged).not.toContain(secret);
    }
  });
});

describe('ssmApprovalSecrets', () => {
  it('reads each secret decrypted from /cordon/<stage>/secrets/, a missing Slack secret meaning not configured', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand, { Name: '/cordon/test1/secrets/link-signing-key' }).resolves({
      Parameter: { Value: LINK_KEY },
    });
    ssmMock.on(GetParameterCommand, { Name: '/cordon/test1/secrets/slack-signing-secret' }).resolves({
      Parameter: { Value: SLACK_SECRET },
    });
    ssmMock
      .on(GetParameterCommand, { Name: '/cordon/test1/secrets/slack-bot-token' })
      .rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    ssmMock
      .on(GetParameterCommand, { Name: '/cordon/test1/secrets/slack-webhook-url' })
      .rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));

    // Act
    const secrets = await ssmApprovalSecrets('test1')();

    // Assess
    expect(secrets).toEqual({ linkSigningKey: LINK_KEY, slackSigningSecret: SLACK_SECRET });
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/cordon/test1/secrets/link-signing-key',
      WithDecryption: true,
    });
  });

  it('fails when the link-signing key is missing', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));

    // Act / Assess
    await expect(ssmApprovalSecrets('test2')()).rejects.toThrow('link-signing key');
  });
});

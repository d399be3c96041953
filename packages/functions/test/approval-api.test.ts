import { Logger } from '@aws-lambda-powertools/logger';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { MemoryApprovalStore } from '@cordon/core/approval/records';
import { requestApproval } from '@cordon/core/approval/request-approval';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  APPROVAL_ID,
  APPROVER_WEB,
  formRequest,
  LINK_KEY,
  pageRequest,
  pendingRecord,
  queryString,
  SLACK_SECRET,
  signedLink,
  slackClick,
  slackRequest,
  TASK_TOKEN,
  type TestRequest,
} from '../../core/test/approval/fixtures.ts';
import { groupHarness, stormPayload } from '../../core/test/approval/group-fixtures.ts';
import { type ApprovalApiDependencies, createApprovalApiHandler } from '../src/approval-api.ts';
import { ssmApprovalSecrets } from '../src/approval-secrets.ts';

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
function functionUrlEvent(request: TestRequest, extra: Partial<APIGatewayProxyEventV2> = {}) {
  const { cookie, ...headers } = request.headers;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString: queryString(request),
    headers: { host: 'abcdefgh.lambda-url.us-east-1.on.aws', ...headers },
    ...(cookie === undefined ? {} : { cookies: cookie.split('; ') }),
    requestContext: {
      domainName: 'abcdefgh.lambda-url.us-east-1.on.aws',
      http: { method: request.method, path: request.path },
    },
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

/** Opens the page through the handler and posts its form back with its cookie, as `identity`. */
async function decideOnPage(
  handler: ReturnType<typeof createApprovalApiHandler>,
  headers: Record<string, string>,
  extra: Partial<APIGatewayProxyEventV2> = {},
) {
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
    { cookie: (page.cookies?.[0] ?? '').split(';')[0] ?? '', ...headers },
  );
  return handler(functionUrlEvent(post, extra), context);
}

describe('the Function URL adapter', () => {
  it('takes the Function URL’s IAM caller as the person on the page, before any header', async () => {
    // Prepare
    const caller = 'arn:aws:sts::123456789012:assumed-role/Approvers/alice';
    const store = new MemoryApprovalStore();
    await store.create(
      pendingRecord({ approvers: { slackUserIds: [], slackUserGroupIds: [], identities: [caller] } }),
    );
    const { handler } = await setup({ store });
    const withCaller = {
      requestContext: {
        domainName: 'abcdefgh.lambda-url.us-east-1.on.aws',
        http: { method: 'POST', path: `/approvals/${APPROVAL_ID}/decision` },
        authorizer: { iam: { userArn: caller } },
      },
    } as unknown as Partial<APIGatewayProxyEventV2>; // the one field of the IAM authorizer context the API reads

    // Act
    const result = await decideOnPage(handler, { 'x-cordon-identity': APPROVER_WEB }, withCaller);

    // Assess
    expect(result.statusCode).toBe(200);
    expect((await store.get(APPROVAL_ID))?.decision?.decidedBy).toEqual({ kind: 'web', id: caller });
  });

  it('reads the proxy’s identity header from the event as delivered, non-ASCII included', async () => {
    // Prepare
    const identity = 'josé@example.com';
    const store = new MemoryApprovalStore();
    await store.create(
      pendingRecord({ approvers: { slackUserIds: [], slackUserGroupIds: [], identities: [identity] } }),
    );
    const { handler } = await setup({ store });

    // Act
    const result = await decideOnPage(handler, { 'x-cordon-identity': identity });

    // Assess
    expect(result.statusCode).toBe(200);
    expect((await store.get(APPROVAL_ID))?.decision?.decidedBy).toEqual({ kind: 'web', id: identity });
  });

  it('decodes a base64 body and reads a plain one alike', async () => {
    // Prepare
    const { handler } = await setup();
    const request = slackRequest(slackClick({ userId: 'U0STRANGER' }));

    // Act
    const encoded = await handler(functionUrlEvent(request), context);
    const plainBody = await handler(
      functionUrlEvent(request, { body: request.body, isBase64Encoded: false }),
      context,
    );

    // Assess: both verified (a wrong body would be 401), neither decided (not an approver)
    expect([encoded.statusCode, plainBody.statusCode]).toEqual([200, 200]);
    expect(sfnMock).not.toHaveReceivedAnyCommand();
  });

  it('never answers 5xx and never decides, whatever a Function URL delivers (property)', async () => {
    // Prepare
    const { handler, store } = await setup();
    // Hono's adapter reports a request it cannot build (a GET with a body, a bad method) on the console.
    const consoleErrors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const headerText = fc.stringMatching(/^[\x20-\x7e]{0,30}$/);
    const events = fc.record({
      method: fc.oneof(
        fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'),
        fc.string({ maxLength: 8 }),
      ),
      rawPath: fc.oneof(
        fc.constantFrom(
          `/approvals/${APPROVAL_ID}`,
          `/approvals/${APPROVAL_ID}/decision`,
          '/slack/interactions',
        ),
        fc.string().map((text) => `/${text}`),
        fc.string(),
      ),
      rawQueryString: fc.oneof(fc.string(), fc.constant(signedLink().search.slice(1))),
      headers: fc.dictionary(
        fc.constantFrom(
          'content-type',
          'x-slack-signature',
          'x-slack-request-timestamp',
          'x-cordon-identity',
          'x-slack-retry-num',
          'host',
        ),
        headerText,
      ),
      cookies: fc.option(fc.array(fc.string(), { maxLength: 3 }), { nil: undefined }),
      body: fc.option(fc.string(), { nil: undefined }),
      isBase64Encoded: fc.boolean(),
    });

    // Act / Assess
    await fc.assert(
      fc.asyncProperty(events, async (event) => {
        const result = await handler(
          {
            version: '2.0',
            routeKey: '$default',
            rawPath: event.rawPath,
            rawQueryString: event.rawQueryString,
            headers: event.headers,
            ...(event.cookies === undefined ? {} : { cookies: event.cookies }),
            requestContext: {
              domainName: 'abcdefgh.lambda-url.us-east-1.on.aws',
              http: { method: event.method },
            },
            // Lambda base64-encodes what is not text; the encoding is always valid.
            ...(event.body === undefined
              ? {}
              : {
                  body: event.isBase64Encoded ? Buffer.from(event.body).toString('base64') : event.body,
                  isBase64Encoded: event.isBase64Encoded,
                }),
          } as unknown as APIGatewayProxyEventV2, // arbitrary values in the fields a Function URL fills
          context,
        );
        expect(result.statusCode).toBeGreaterThanOrEqual(200);
        expect(result.statusCode).toBeLessThan(500);
        expect(sfnMock).not.toHaveReceivedAnyCommand();
        expect((await store.get(APPROVAL_ID))?.status).toBe('pending');
      }),
      { numRuns: 300 },
    );
    expect(JSON.stringify(consoleErrors.mock.calls)).not.toContain(signedLink().searchParams.get('sig'));
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

describe('approval API handler with approval groups', () => {
  async function groupSetup(size: number) {
    const harness = groupHarness({ start: LATER });
    const { updateSlack: _none, ...asking } = harness.ports();
    const asked = [];
    for (let n = 1; n <= size; n += 1) asked.push(await requestApproval(stormPayload(n), asking));
    const { deps, fetch } = await setup({ store: harness.store, groups: harness.groups, now: harness.now });
    return {
      harness,
      deps,
      fetch,
      handler: createApprovalApiHandler(deps),
      groupId: String(asked[0]?.group?.id),
      link: new URL(String(asked[0]?.link)),
    };
  }

  it('a group approved in Slack sends SendTaskSuccess once per member, then redraws the group message', async () => {
    // Prepare
    const { handler, groupId, fetch } = await groupSetup(3);
    const value = `${groupId}:0:3`;
    const click = {
      ...slackClick({ value }),
      actions: [{ type: 'button', action_id: 'cordon_group_approve', block_id: 'cordon_group', value }],
    };

    // Act
    const result = await handler(functionUrlEvent(slackRequest(click)), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(sfnMock).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 3);
    const tokens = sfnMock.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input.taskToken);
    expect(new Set(tokens)).toEqual(new Set([1, 2, 3].map((n) => String(stormPayload(n).taskToken))));
    const redraw = fetch.mock.calls.find(
      (call) => String(call[0]) === 'https://hooks.slack.com/actions/T0/1/abc',
    );
    expect(String(redraw?.[1]?.body)).toContain('3 approved');
  });

  it('serves the group page with its CSRF cookie scoped to the group, in the Function URL cookies field', async () => {
    // Prepare
    const { handler, link, groupId } = await groupSetup(2);

    // Act
    const result = await handler(functionUrlEvent(pageRequest(link)), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.cookies).toEqual([expect.stringContaining(`Path=/groups/${groupId}`)]);
    expect(result.body).toContain('value="approve:2"');
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });
});

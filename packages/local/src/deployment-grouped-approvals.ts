/**
 * Approvals in the local deployment as in AWS: each `.waitForTaskToken` Task invokes the deployed
 * request-approval handler (its settings, secrets, approvals table and group, SNS topic — every call made as
 * `cordon-<stage>-request-approval`), and decisions go through the deployed approval API's handler, served a
 * Function URL event per request (every call made as `cordon-<stage>-approval-api`), whose SendTaskSuccess /
 * SendTaskFailure reach the local Step Functions model, which resumes the waiting Task. Slack is a recorder
 * standing in for Slack's Web API, incoming `response_url`s and interactivity: it answers as Slack does,
 * and signs the clicks a person would make (with the signing secret the deployment's SSM holds).
 *
 * Beside `approvals: 'deployed'` (deployment-approvals.ts, built at the same time for `cordon scenario`): this
 * one asks through approval groups, serves the approval API's Lambda handler rather than its app, and records
 * Slack; folding it into that one is left to do (docs/local-deployment.md).
 */
import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDbApprovalGroups } from '@cordon/core/approval/groups';
import { DynamoDbApprovalStore } from '@cordon/core/approval/records';
import { approvalSecretParameters } from '@cordon/core/approval/secrets';
import type { SlackMessage } from '@cordon/core/slack/blocks';
import { slackSignature } from '@cordon/core/slack/signature';
import { createApprovalApiHandler } from '@cordon/functions/approval-api';
import { ssmApprovalSecrets } from '@cordon/functions/approval-secrets';
import { createRequestApprovalHandler, type RequestApprovalOutput } from '@cordon/functions/request-approval';
import { createSettingsLoader } from '@cordon/functions/settings';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { sandboxClient } from './clients.ts';
import type { LocalDeployment } from './deployment.ts';
import type { ApprovalResponder } from './engine.ts';

/** Where the local approval API says it answers (no socket: requests are handed to the handler). */
export const LOCAL_APPROVAL_URL = 'https://approvals.cordon.local';
/** The header the local deployment's trusted proxy sets to the person on the page (as slack-setup.md describes). */
export const LOCAL_IDENTITY_HEADER = 'x-cordon-identity';
const SLACK_API = 'https://slack.com/api/';
const RESPONSE_URL = 'https://hooks.slack.com/actions/T0CORDON/1/local';

/** One call Cordon made to Slack. */
export interface SlackCall {
  readonly method: 'chat.postMessage' | 'chat.update' | 'response_url' | 'usergroups.users.list' | 'other';
  readonly body: Record<string, unknown>;
  readonly at: string;
}

/** What the Slack stand-in was sent, and the message as it stands now (posts, then their updates). */
export interface SlackRecorder {
  readonly calls: SlackCall[];
  /** Each posted message (by its `ts`) as its last post, update or `replace_original` left it. */
  messages(): Map<string, SlackMessage>;
  /** Slack's `fetch`, answering as Slack does. */
  readonly fetch: typeof fetch;
}

/** `clicked()` names the message the last click came from: its `response_url` replaces that message. */
function slackRecorder(now: () => Date, clicked: () => string | undefined): SlackRecorder {
  const calls: SlackCall[] = [];
  const current = new Map<string, SlackMessage>();
  let posted = 0;
  const answer = (body: unknown) =>
    new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
  const recorder: SlackRecorder = {
    calls,
    messages: () => new Map(current),
    fetch: async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      const body = (init?.body === undefined ? {} : JSON.parse(String(init.body))) as Record<string, unknown>;
      const at = now().toISOString();
      if (url === `${SLACK_API}chat.postMessage`) {
        posted += 1;
        const ts = `1700000000.${String(posted).padStart(6, '0')}`;
        calls.push({ method: 'chat.postMessage', body, at });
        current.set(ts, body as unknown as SlackMessage);
        return answer({ ok: true, channel: body.channel, ts });
      }
      if (url === `${SLACK_API}chat.update`) {
        calls.push({ method: 'chat.update', body, at });
        const ts = String(body.ts);
        if (!current.has(ts)) return answer({ ok: false, error: 'message_not_found' });
        current.set(ts, body as unknown as SlackMessage);
        return answer({ ok: true, channel: body.channel, ts });
      }
      if (url.startsWith(`${SLACK_API}usergroups.users.list`)) {
        calls.push({ method: 'usergroups.users.list', body, at });
        return answer({ ok: true, users: [] });
      }
      if (url.startsWith('https://hooks.slack.com/')) {
        calls.push({ method: 'response_url', body, at });
        // A `replace_original` replaces the message the click came from.
        const ts = clicked();
        if (body.replace_original === true && ts !== undefined)
          current.set(ts, body as unknown as SlackMessage);
        return new Response('ok');
      }
      calls.push({ method: 'other', body, at });
      return new Response('no_service', { status: 404 });
    },
  };
  return recorder;
}

export interface DeployedApprovalsOptions {
  /** The clock of both functions (default: the sandbox's). */
  readonly now?: () => Date;
  /** How the functions wait (a group member for its turn to update the message); default a timer. */
  readonly sleep?: (milliseconds: number) => Promise<void>;
}

export interface DeployedApprovals {
  /** Answers the local engine's approval Tasks through the deployed request-approval handler. */
  readonly responder: ApprovalResponder;
  /** What each request-approval invocation answered (never a token), in the order they finished. */
  readonly asked: RequestApprovalOutput[];
  readonly slack: SlackRecorder;
  /**
   * A request to the approval API as its Function URL would deliver it (a page, a form, a Slack click),
   * answered by the deployed handler; waits for the work it leaves for after the answer, as the Lambda does.
   */
  fetch(request: Request): Promise<Response>;
  /**
   * A click on a button of the message posted with `ts`, signed as Slack signs it (the deployment's signing
   * secret), ready for `fetch`.
   */
  slackClick(options: { userId: string; actionId: string; value: string; ts: string }): Request;
  /** The Slack signing secret the deployment's SSM holds (a test that forges a request uses another). */
  readonly slackSigningSecret: string;
}

function functionContext(deployment: LocalDeployment, functionId: string): Context {
  return {
    functionName: `cordon-${deployment.stage}-${functionId}`,
    invokedFunctionArn: deployment.functionArn(functionId),
    awsRequestId: `local-${randomBytes(6).toString('hex')}`,
    getRemainingTimeInMillis: () => 30_000,
  } as Context; // only the fields the middlewares read
}

/** A request as a Function URL delivers it to the handler (payload 2.0: raw path and query, cookies, base64 body). */
async function functionUrlEvent(request: Request): Promise<APIGatewayProxyEventV2> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) if (name !== 'cookie') headers[name] = value;
  const cookie = request.headers.get('cookie');
  const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers: { host: url.host, ...headers },
    ...(cookie === null ? {} : { cookies: cookie.split('; ') }),
    requestContext: {
      domainName: url.host,
      http: {
        method: request.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'local',
      },
    },
    ...(body === '' ? {} : { body: Buffer.from(body).toString('base64'), isBase64Encoded: true }),
  } as unknown as APIGatewayProxyEventV2; // the fields a Function URL sends that the adapter reads
}

/**
 * Sets up approvals as deployed over a local deployment: the approval secrets in its SSM (a fresh link key,
 * a Slack signing secret and a bot token, SecureStrings under `/cordon/<stage>/secrets/`), the deployed
 * request-approval and approval API handlers on sandbox clients made as their roles, and Slack's stand-in.
 *
 * @example
 * const approvals = await deployedApprovals(deployment);
 * deployment.approvals = approvals.responder;
 * void deployment.deliver(event); // … the group message is in approvals.slack.messages()
 * await approvals.fetch(approvals.slackClick({ userId: 'U0ONCALL', actionId: 'cordon_group_approve', value, ts }));
 */
export async function deployedApprovals(
  deployment: LocalDeployment,
  options: DeployedApprovalsOptions = {},
): Promise<DeployedApprovals> {
  const { sandbox, stage } = deployment;
  const now = options.now ?? (() => sandbox.account.context.now());
  let lastClicked: string | undefined;
  const slack = slackRecorder(now, () => lastClicked);
  const slackSigningSecret = randomBytes(16).toString('hex');
  const names = approvalSecretParameters(stage);
  // Seeding, as the security team stores them (slack-setup.md): not one of Cordon's calls.
  for (const [name, value] of [
    [names['link-signing-key'], randomBytes(32).toString('hex')],
    [names['slack-signing-secret'], slackSigningSecret],
    [names['slack-bot-token'], `xoxb-local-${randomBytes(8).toString('hex')}`],
  ] as const) {
    sandbox.ssm.putParameter({ name, value, type: 'SecureString' });
  }

  const as = (functionId: string) => ({
    principal: deployment.principal(functionId),
    region: deployment.region,
  });
  const silent = (serviceName: string) => new Logger({ serviceName, logLevel: 'SILENT' });
  const tableName = deployment.names.approvalsTable;

  const asking = as('request-approval');
  const askingDynamo = sandboxClient(sandbox, DynamoDBClient, asking);
  const askingSsm = sandboxClient(sandbox, SSMClient, asking);
  const settings = createSettingsLoader({ stage, ssmClient: askingSsm });
  const requestApproval = createRequestApprovalHandler({
    logger: silent('cordon-request-approval'),
    loadSettings: () => settings.load(),
    store: new DynamoDbApprovalStore({ client: askingDynamo, tableName }),
    groups: new DynamoDbApprovalGroups({ client: askingDynamo, tableName }),
    secrets: ssmApprovalSecrets(stage, new SSMProvider({ awsSdkV3Client: askingSsm })),
    linkBaseUrl: LOCAL_APPROVAL_URL,
    sns: sandboxClient(sandbox, SNSClient, asking),
    topicArn: deployment.topicArn,
    fetch: slack.fetch,
    now,
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
  });

  const deciding = as('approval-api');
  const decidingDynamo = sandboxClient(sandbox, DynamoDBClient, deciding);
  const approvalApi = createApprovalApiHandler({
    logger: silent('cordon-approval-api'),
    store: new DynamoDbApprovalStore({ client: decidingDynamo, tableName }),
    groups: new DynamoDbApprovalGroups({ client: decidingDynamo, tableName }),
    sfn: sandboxClient(sandbox, SFNClient, deciding),
    secrets: ssmApprovalSecrets(
      stage,
      new SSMProvider({ awsSdkV3Client: sandboxClient(sandbox, SSMClient, deciding) }),
    ),
    fetch: slack.fetch,
    identityHeader: LOCAL_IDENTITY_HEADER,
    now,
  });

  const asked: RequestApprovalOutput[] = [];
  const responder: ApprovalResponder = async ({ executionName, taskToken, payload }) => {
    const decided = deployment.stepFunctions.waitForTaskToken(taskToken, executionName);
    try {
      asked.push(
        await requestApproval({ ...payload, taskToken }, functionContext(deployment, 'request-approval')),
      );
    } catch (error) {
      // The Task failed: its token is dead, as in AWS (the Task's Retry asks again with the next attempt).
      deployment.stepFunctions.closeTask(taskToken);
      decided.catch(() => undefined);
      throw error;
    }
    return decided;
  };

  return {
    responder,
    asked,
    slack,
    slackSigningSecret,
    async fetch(request) {
      const result = await approvalApi(
        await functionUrlEvent(request),
        functionContext(deployment, 'approval-api'),
      );
      const headers = new Headers();
      for (const [name, value] of Object.entries(result.headers ?? {})) headers.set(name, String(value));
      for (const cookie of result.cookies ?? []) headers.append('set-cookie', cookie);
      const body =
        result.isBase64Encoded === true ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? '');
      return new Response(request.method === 'HEAD' ? null : body, {
        status: result.statusCode ?? 200,
        headers,
      });
    },
    slackClick({ userId, actionId, value, ts }) {
      lastClicked = ts;
      const payload = {
        type: 'block_actions',
        user: { id: userId, username: userId.toLowerCase() },
        actions: [{ type: 'button', action_id: actionId, value }],
        container: { type: 'message', message_ts: ts },
        response_url: RESPONSE_URL,
      };
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      const timestamp = String(Math.floor(now().getTime() / 1000));
      return new Request(`${LOCAL_APPROVAL_URL}/slack/interactions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': timestamp,
          'x-slack-signature': slackSignature(slackSigningSecret, timestamp, body),
        },
        body,
      });
    },
  };
}

/**
 * The approval API's Lambda adapter (behind a Function URL): event → plain request → core's
 * `handleApprovalHttp` → Function URL result. No decision lives here; this file only builds the ports
 * (DynamoDB store, Step Functions callbacks, Slack Web API, SSM secrets) and maps shapes.
 */
import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import {
  type ApprovalHttpRequest,
  type ApprovalHttpResponse,
  approvalSecretParameters,
  handleApprovalHttp,
  type SlackResponder,
  type WebIdentity,
} from '@cordon/core/approval/api';
import type { ApprovalLogger, TaskCallbacks } from '@cordon/core/approval/decide';
import {
  type ApprovalStore,
  DynamoDbApprovalStore,
  type SlackMessageRef,
} from '@cordon/core/approval/records';
import type { ApprovalSlackMessage } from '@cordon/core/approval/slack';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/** Secrets are re-read from SSM at most every five minutes (a rotated secret takes effect within that). */
const SECRETS_MAX_AGE_SECONDS = 300;
/** Slack calls stay well inside Slack's three-second budget for the interaction they answer. */
const SLACK_TIMEOUT_MS = 2_000;
/** How long a user group's members are reused before being read again. */
const USER_GROUP_CACHE_MS = 300_000;

export interface ApprovalSecrets {
  readonly linkSigningKey: string;
  readonly slackSigningSecret?: string;
  readonly slackBotToken?: string;
  readonly slackWebhookUrl?: string;
}

/**
 * Reads the approval secrets from SSM SecureString parameters (`/cordon/<stage>/secrets/…`), decrypted and
 * cached by Powertools Parameters. Missing Slack secrets mean "Slack is not set up"; a missing link-signing
 * key is an error (no link could be verified). Values are never logged.
 */
export function ssmApprovalSecrets(stage: string): () => Promise<ApprovalSecrets> {
  const names = approvalSecretParameters(stage);
  const read = async (name: string): Promise<string | undefined> => {
    try {
      const value = await getParameter(name, { decrypt: true, maxAge: SECRETS_MAX_AGE_SECONDS });
      return value === undefined || value === '' ? undefined : value;
    } catch (error) {
      // ParameterNotFound (wrapped by Powertools) means not configured; anything else is a real failure.
      if (causeName(error) === 'ParameterNotFound') return undefined;
      throw error;
    }
  };
  return async () => {
    const [linkSigningKey, slackSigningSecret, slackBotToken, slackWebhookUrl] = await Promise.all([
      read(names['link-signing-key']),
      read(names['slack-signing-secret']),
      read(names['slack-bot-token']),
      read(names['slack-webhook-url']),
    ]);
    if (linkSigningKey === undefined) {
      throw new Error(`the link-signing key ${names['link-signing-key']} is not configured`);
    }
    return {
      linkSigningKey,
      ...(slackSigningSecret === undefined ? {} : { slackSigningSecret }),
      ...(slackBotToken === undefined ? {} : { slackBotToken }),
      ...(slackWebhookUrl === undefined ? {} : { slackWebhookUrl }),
    };
  };
}

function causeName(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.name : 'unknown';
}

/**
 * Step Functions' task callbacks. The output is the decision as JSON; a rejection is SendTaskFailure with
 * `ApprovalRejected`, the name the playbook's Catch matches.
 */
export function stepFunctionsCallbacks(sfn: Pick<SFNClient, 'send'>): TaskCallbacks {
  return {
    async sendTaskSuccess(taskToken, output) {
      await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    },
    async sendTaskFailure(taskToken, error, cause) {
      await sfn.send(new SendTaskFailureCommand({ taskToken, error, cause }));
    },
  };
}

/** A Slack Web API or webhook refusal; the message is Slack's error code, never a URL or a token. */
export class SlackApiError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'SlackApiError';
  }
}

export interface SlackClientOptions {
  readonly fetch?: typeof fetch;
  readonly botToken?: string;
  readonly webhookUrl?: string;
  readonly now?: () => number;
}

export interface SlackClient extends SlackResponder {
  /** `chat.postMessage` with the bot token (returns where it landed), else the webhook (returns nothing). */
  post(message: ApprovalSlackMessage): Promise<SlackMessageRef | undefined>;
  /** Whether a user belongs to a user group (`usergroups.users.list`, needs `usergroups:read`). */
  isInUserGroup(userId: string, groupId: string): Promise<boolean>;
}

/**
 * Slack's Web API and webhooks over fetch. Each call has a short timeout; a refusal becomes a
 * `SlackApiError` naming Slack's error code only.
 *
 * @example const slack = slackClient({ botToken }); await slack.post(message);
 */
export function slackClient(options: SlackClientOptions): SlackClient {
  const post = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const groups = new Map<string, { members: ReadonlySet<string>; readAt: number }>();

  async function send(url: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await post(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(SLACK_TIMEOUT_MS),
      });
    } catch (error) {
      throw new SlackApiError(`network error (${error instanceof Error ? error.name : 'unknown'})`);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw new SlackApiError(`HTTP ${response.status}`);
    // The Web API answers 200 with { ok: false, error } on refusal; webhooks answer plain `ok`.
    if (!text.startsWith('{')) return {};
    const json = JSON.parse(text) as Record<string, unknown>; // Slack's documented JSON envelope
    if (json.ok === false) throw new SlackApiError(String(json.error ?? 'not ok').slice(0, 100));
    return json;
  }

  const api = (method: string) => `https://slack.com/api/${method}`;

  return {
    async post(message) {
      if (options.botToken !== undefined) {
        if (message.channel === undefined)
          throw new SlackApiError('no channel (settings.approval.slackChannel)');
        const json = await send(api('chat.postMessage'), message, options.botToken);
        const channel = typeof json.channel === 'string' ? json.channel : message.channel;
        return typeof json.ts === 'string' ? { channel, ts: json.ts } : undefined;
      }
      if (options.webhookUrl !== undefined) {
        const { channel: _channel, ...body } = message;
        await send(options.webhookUrl, body);
        return undefined;
      }
      throw new SlackApiError('neither a bot token nor a webhook is configured');
    },
    async replace(target, message) {
      const { channel: _channel, ...body } = message;
      if (target.responseUrl !== undefined) {
        await send(target.responseUrl, { ...body, replace_original: true });
      } else if (target.ref !== undefined && options.botToken !== undefined) {
        await send(
          api('chat.update'),
          { ...body, channel: target.ref.channel, ts: target.ref.ts },
          options.botToken,
        );
      }
    },
    async tell(responseUrl, text) {
      await send(responseUrl, { response_type: 'ephemeral', replace_original: false, text });
    },
    async isInUserGroup(userId, groupId) {
      if (options.botToken === undefined) return false;
      const cached = groups.get(groupId);
      if (cached !== undefined && now() - cached.readAt < USER_GROUP_CACHE_MS)
        return cached.members.has(userId);
      const json = await send(api('usergroups.users.list'), { usergroup: groupId }, options.botToken);
      const users = Array.isArray(json.users) ? json.users.filter((user) => typeof user === 'string') : [];
      groups.set(groupId, { members: new Set(users), readAt: now() });
      return users.includes(userId);
    },
  };
}

/** What the handler needs; built once per container from the environment, or injected by tests. */
export interface ApprovalApiDependencies {
  readonly logger: Logger;
  readonly store: ApprovalStore;
  readonly sfn: Pick<SFNClient, 'send'>;
  secrets(): Promise<ApprovalSecrets>;
  readonly fetch?: typeof fetch;
  /**
   * The header an authenticating proxy in front of the API sets to the signed-in user (and strips from
   * client requests). Unset: the page accepts no header identity, only the Function URL's IAM caller.
   */
  readonly identityHeader?: string;
  now(): Date;
}

/**
 * From the environment: `CORDON_STAGE` (secret names), `CORDON_APPROVALS_TABLE`, and optionally
 * `CORDON_IDENTITY_HEADER` (only when a trusted authenticating proxy sets it).
 */
export function approvalApiDependenciesFromEnvironment(): ApprovalApiDependencies {
  const stage = getStringFromEnv({ key: 'CORDON_STAGE', errorMessage: 'CORDON_STAGE is required' });
  const table = getStringFromEnv({
    key: 'CORDON_APPROVALS_TABLE',
    errorMessage: 'CORDON_APPROVALS_TABLE is required',
  });
  const identityHeader = getStringFromEnv({ key: 'CORDON_IDENTITY_HEADER', defaultValue: '' });
  const logger = new Logger({ serviceName: 'cordon-approval-api' });
  return {
    logger,
    store: new DynamoDbApprovalStore({
      client: new DynamoDBClient({}),
      tableName: table,
    }),
    sfn: new SFNClient({}),
    secrets: ssmApprovalSecrets(stage),
    ...(identityHeader === '' ? {} : { identityHeader: identityHeader.toLowerCase() }),
    now: () => new Date(),
  };
}

/** The query as received: a repeated parameter stays a list (the core refuses it rather than pick one). */
function queryOf(rawQueryString: string | undefined): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString ?? '')) {
    const existing = query[name];
    query[name] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return query;
}

/**
 * The plain request of a Function URL event: raw path and query, lower-case headers, cookies as one
 * `cookie` header, the body decoded from base64 when Lambda encoded it.
 */
export function toApprovalRequest(event: APIGatewayProxyEventV2): ApprovalHttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  if (event.cookies !== undefined && event.cookies.length > 0) headers.cookie = event.cookies.join('; ');
  const body =
    event.body === undefined
      ? ''
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  return {
    method: event.requestContext?.http?.method ?? '',
    path: event.rawPath ?? '',
    query: queryOf(event.rawQueryString),
    headers,
    body,
  };
}

/** The Function URL result: `Set-Cookie` goes in `cookies` (Lambda's shape for it). */
export function toFunctionUrlResult(response: ApprovalHttpResponse): APIGatewayProxyStructuredResultV2 {
  const { 'set-cookie': cookie, ...headers } = response.headers;
  return {
    statusCode: response.status,
    headers,
    ...(cookie === undefined ? {} : { cookies: [cookie] }),
    body: response.body,
  };
}

/** The Function URL's IAM caller (AuthType AWS_IAM), when there is one. */
function iamCaller(event: APIGatewayProxyEventV2): WebIdentity | undefined {
  // The IAM authorizer context is not part of APIGatewayProxyEventV2's type; read it defensively.
  const context = event.requestContext as unknown as { authorizer?: { iam?: { userArn?: unknown } } };
  const arn = context.authorizer?.iam?.userArn;
  return typeof arn === 'string' && arn !== '' ? { id: arn } : undefined;
}

function approvalLogger(logger: Logger): ApprovalLogger {
  return {
    info: (message, extra = {}) => logger.info(message, extra),
    warn: (message, extra = {}) => logger.warn(message, extra),
    error: (message, extra = {}) => logger.error(message, extra),
  };
}

export type ApprovalApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Makes the Function URL handler.
 *
 * Slack's three seconds: a buffered Function URL sends the response only when the handler returns, so the
 * handler awaits the `background` work (task callback, message update) before returning. The decision is
 * already written by then, the two calls take a few hundred milliseconds, and each Slack call is capped at
 * two seconds; should Slack still time out, it retries with `X-Slack-Retry-Num`, which the API ignores, and
 * the message update shows the outcome. Deciding twice is impossible either way (conditional write).
 *
 * @example export const handler = createApprovalApiHandler();
 */
export function createApprovalApiHandler(
  dependencies:
    | ApprovalApiDependencies
    | (() => ApprovalApiDependencies) = approvalApiDependenciesFromEnvironment,
): ApprovalApiHandler {
  const deps = typeof dependencies === 'function' ? dependencies() : dependencies;
  const { logger } = deps;
  const log = approvalLogger(logger);
  const callbacks = stepFunctionsCallbacks(deps.sfn);
  let slackCache: { key: string; client: SlackClient } | undefined;
  const slackFor = (secrets: ApprovalSecrets): SlackClient => {
    const key = `${secrets.slackBotToken ?? ''}\n${secrets.slackWebhookUrl ?? ''}`;
    if (slackCache?.key !== key) {
      slackCache = {
        key,
        client: slackClient({
          ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
          ...(secrets.slackBotToken === undefined ? {} : { botToken: secrets.slackBotToken }),
          ...(secrets.slackWebhookUrl === undefined ? {} : { webhookUrl: secrets.slackWebhookUrl }),
        }),
      };
    }
    return slackCache.client;
  };

  const handle = async (event: APIGatewayProxyEventV2, _context: Context) => {
    const request = toApprovalRequest(event);
    let secrets: ApprovalSecrets;
    try {
      secrets = await deps.secrets();
    } catch (error) {
      logger.error('approval API: secrets unavailable', { error: causeName(error) });
      return {
        statusCode: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'Unavailable.',
      };
    }
    const slack = slackFor(secrets);
    const response = await handleApprovalHttp(request, {
      store: deps.store,
      callbacks,
      linkSigningKey: secrets.linkSigningKey,
      ...(secrets.slackSigningSecret === undefined ? {} : { slackSigningSecret: secrets.slackSigningSecret }),
      now: deps.now,
      identify: (plain) => {
        const caller = iamCaller(event);
        if (caller !== undefined) return caller;
        if (deps.identityHeader === undefined) return undefined;
        const value = plain.headers[deps.identityHeader];
        return typeof value === 'string' && value !== '' ? { id: value } : undefined;
      },
      isInUserGroup: (userId, groupId) => slack.isInUserGroup(userId, groupId),
      slack,
      logger: log,
    });
    if (response.background !== undefined) await response.background;
    logger.info('approval API: answered', {
      method: request.method,
      route: routeOf(request.path),
      status: response.status,
    });
    return toFunctionUrlResult(response);
  };

  const handler = middy(handle).use(injectLambdaContext(logger, { resetKeys: true }));
  return handler as unknown as ApprovalApiHandler; // middy's handler type adds an optional callback argument
}

/** The route without the approval id: ids in logs are harmless, but a route is what one counts by. */
function routeOf(path: string): string {
  if (path === '/slack/interactions') return path;
  if (/^\/approvals\/[^/]+\/decision$/.test(path)) return '/approvals/{id}/decision';
  if (/^\/approvals\/[^/]+$/.test(path)) return '/approvals/{id}';
  return 'other';
}

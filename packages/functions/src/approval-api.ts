/**
 * The approval API's Lambda (behind a Function URL): core's Hono app (`createApprovalApi`) served by
 * `hono/aws-lambda`, which turns the Function URL event into a `Request` (raw path and query, the `cookies`
 * field as a `Cookie` header, the body decoded from base64) and the `Response` back into the Function URL's
 * result (`Set-Cookie` into `cookies`); both shapes are Lambda's
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads). No decision lives here: this file builds the ports (DynamoDB store,
 * Step Functions callbacks, SSM secrets) and says whom the deployment trusts as the person on the page.
 */
import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { createApprovalApi } from '@cordon/core/approval/api';
import type { ApprovalLogger, TaskCallbacks } from '@cordon/core/approval/decide';
import { type ApprovalGroupStore, DynamoDbApprovalGroups } from '@cordon/core/approval/groups';
import type { WebIdentity } from '@cordon/core/approval/http';
import { type ApprovalStore, DynamoDbApprovalStore } from '@cordon/core/approval/records';
import type { ApprovalSecrets } from '@cordon/core/approval/secrets';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { handle } from 'hono/aws-lambda';
import { ssmApprovalSecrets } from './approval-secrets.ts';

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

/** What the handler needs; built once per container from the environment, or injected by tests. */
export interface ApprovalApiDependencies {
  readonly logger: Logger;
  readonly store: ApprovalStore;
  /** Approval groups, in the same table (absent: `/groups/…` answers 404). */
  readonly groups?: ApprovalGroupStore;
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
  // One client (one connection pool) for the records and the groups: they share the table.
  const dynamodb = new DynamoDBClient({});
  return {
    logger,
    store: new DynamoDbApprovalStore({ client: dynamodb, tableName: table }),
    groups: new DynamoDbApprovalGroups({ client: dynamodb, tableName: table }),
    sfn: new SFNClient({}),
    secrets: ssmApprovalSecrets(stage),
    ...(identityHeader === '' ? {} : { identityHeader: identityHeader.toLowerCase() }),
    now: () => new Date(),
  };
}

/** What `hono/aws-lambda` passes along with the request: the event as Lambda delivered it. */
interface LambdaPlatform {
  readonly event?: APIGatewayProxyEventV2;
}

/**
 * Who the deployment vouches for: the Function URL's IAM caller (AuthType AWS_IAM), else the trusted
 * proxy's header when one is configured. Read from the event itself, as the Function URL delivered it.
 */
function webIdentity(platform: unknown, identityHeader: string | undefined): WebIdentity | undefined {
  const event = (platform as LambdaPlatform | undefined)?.event;
  // The IAM authorizer context is not part of APIGatewayProxyEventV2's type; read it defensively.
  const context = event?.requestContext as unknown as
    | { authorizer?: { iam?: { userArn?: unknown } } }
    | undefined;
  const arn = context?.authorizer?.iam?.userArn;
  if (typeof arn === 'string' && arn !== '') return { id: arn };
  if (identityHeader === undefined) return undefined;
  // Function URLs deliver header names in lower case.
  const value = event?.headers?.[identityHeader];
  return typeof value === 'string' && value !== '' ? { id: value } : undefined;
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
 * handler waits for the background work (task callback, message update) before returning. The decision is
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
  const api = createApprovalApi({
    store: deps.store,
    ...(deps.groups === undefined ? {} : { groups: deps.groups }),
    callbacks: stepFunctionsCallbacks(deps.sfn),
    secrets: deps.secrets,
    now: deps.now,
    identify: (_request, platform) => webIdentity(platform, deps.identityHeader),
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
    logger: approvalLogger(logger),
  });
  const serve = handle(api.app);

  const answer = async (event: APIGatewayProxyEventV2, context: Context) => {
    // A Function URL's raw path starts with `/`. Anything else is no request to this API, and would make
    // Hono's adapter log the unparsable URL (query, signature and all) before answering 400.
    if (typeof event.rawPath !== 'string' || !event.rawPath.startsWith('/')) {
      return {
        statusCode: 400,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'Bad request.',
      };
    }
    // Hono declares its own event types: an absent body is `null` there, `undefined` in @types/aws-lambda, and
    // its request context requires an `authorizer` a Function URL with auth NONE does not send. Its adapter
    // reads the body by truthiness and the context for `http.method` and `domainName` only, so the event is
    // passed as it is.
    const result = await serve(event as unknown as Parameters<typeof serve>[0], context);
    await api.settled();
    // A Function URL event is answered in its own (API Gateway v2) shape.
    return result as APIGatewayProxyStructuredResultV2;
  };
  // The shared handler shell (issue 13, item 3) takes this middy stack's place once it exists.
  const handler = middy(answer).use(injectLambdaContext(logger, { resetKeys: true }));
  return handler as unknown as ApprovalApiHandler; // middy's handler type adds an optional callback argument
}

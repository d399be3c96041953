import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { runAction } from '@cordon/core/actions/run-action';
import type {
  ActionDefinition,
  ActionOutcome,
  AwsClients,
  NotificationTargets,
  StepEnvelope,
} from '@cordon/core/actions/types';
import { ActionError, classifyAwsError, InvalidActionInputError } from '@cordon/core/errors';
import { DynamoDbLedger } from '@cordon/core/ledger/dynamodb-ledger';
import type { Ledger } from '@cordon/core/ledger/ledger';
import type { Settings, SettingsResult } from '@cordon/core/policy/settings';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createSettingsLoader } from '../settings.ts';
import {
  type AccountTarget,
  accountClientsByHome,
  accountOf,
  actionRoleArn,
  type ClientConstructors,
} from './account-clients.ts';

/** What a handler needs from the outside world; built once per container from the environment. */
export interface ActionHandlerDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  loadSettings(): Promise<SettingsResult>;
  /** The clients for the incident's account and region (the step input's `account` and `region`). */
  clientsFor(target: AccountTarget, settings: Settings, homeAccount: string): AwsClients;
  ledgerFor(settings: Settings): Ledger;
  notifications(): Promise<NotificationTargets>;
  now(): Date;
}

export { accountOf };

/**
 * The dependencies of a deployed action function, from its environment:
 * `CORDON_STAGE` (settings path), `CORDON_LEDGER_TABLE`, and optionally `CORDON_SNS_TOPIC_ARN` and
 * `CORDON_SLACK_WEBHOOK_PARAMETER` (the name of an SSM SecureString holding the webhook URL).
 */
export function dependenciesFromEnvironment(
  actionId: string,
  constructors: Partial<ClientConstructors>,
): ActionHandlerDependencies {
  const serviceName = `cordon-${actionId}`;
  const stage = getStringFromEnv({
    key: 'CORDON_STAGE',
    errorMessage: 'CORDON_STAGE is required (the settings stage)',
  });
  const ledgerTable = getStringFromEnv({
    key: 'CORDON_LEDGER_TABLE',
    errorMessage: 'CORDON_LEDGER_TABLE is required',
  });
  const topicArn = getStringFromEnv({ key: 'CORDON_SNS_TOPIC_ARN', defaultValue: '' });
  const slackParameter = getStringFromEnv({ key: 'CORDON_SLACK_WEBHOOK_PARAMETER', defaultValue: '' });
  const region = getStringFromEnv({ key: 'AWS_REGION', defaultValue: 'us-east-1' });
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({ namespace: 'Cordon', serviceName });
  const dynamodb = new DynamoDBClient({ region });
  const settingsLoader = createSettingsLoader({ stage });
  // In a member account the action acts through its own role there, and no other action's.
  const clientsFor = accountClientsByHome({
    region,
    constructors,
    roleArn: actionRoleArn(actionId),
    sessionName: serviceName,
  });
  return {
    logger,
    metrics,
    loadSettings: () => settingsLoader.load(),
    clientsFor,
    ledgerFor: (settings) =>
      new DynamoDbLedger({
        client: dynamodb,
        tableName: ledgerTable,
        retentionDays: settings.ledgerRetentionDays,
      }),
    notifications: async () => ({
      snsTopicArn: topicArn || undefined,
      // A secret: read decrypted, cached five minutes, never logged.
      slackWebhookUrl: slackParameter
        ? await getParameter(slackParameter, { decrypt: true, maxAge: 300 })
        : undefined,
    }),
    now: () => new Date(),
  };
}

/**
 * Makes the Lambda handler of one action: middy with Powertools logger (incident id and step as persistent
 * keys), metrics (one `ActionOutcome` metric per outcome, by step and outcome) and the parser on the step's
 * input schema — around `runAction`. No decision lives here. Traces come from Lambda's active tracing (the
 * function's segment), not from an X-Ray SDK in the bundle.
 *
 * @example export const handler = createActionHandler(isolateInstance, { clients: { ec2: EC2Client } });
 */
/** What Lambda calls: any event in (the parser checks it), the step's outcome out. */
export type ActionLambdaHandler<O> = (event: unknown, context: Context) => Promise<ActionOutcome<O>>;

export function createActionHandler<I extends StepEnvelope, O>(
  definition: ActionDefinition<I, O>,
  dependencies: ActionHandlerDependencies | { readonly clients: Partial<ClientConstructors> },
): ActionLambdaHandler<O> {
  const deps =
    'clients' in dependencies
      ? dependenciesFromEnvironment(definition.id, dependencies.clients)
      : dependencies;
  const { logger, metrics } = deps;

  const handle = async (
    event: { success: true; data: I } | { success: false; error: unknown },
    context: Context,
  ): Promise<ActionOutcome<O>> => {
    if (!event.success) {
      countOutcome(metrics, definition.id, 'InvalidActionInputError');
      throw new InvalidActionInputError(`${definition.id}: ${describeParseError(event.error)}`, {
        cause: event.error,
      });
    }
    const input = event.data;
    logger.appendKeys({ incidentId: input.incidentId, step: definition.id });
    const settings = await deps.loadSettings();
    if (!settings.ok) {
      // Fail closed: the action still runs, as a dry run (settings mode is notify-only), and says why.
      logger.error('Settings are invalid or missing: failing closed (no mutating call)', {
        reason: settings.reason,
      });
      countOutcome(metrics, definition.id, 'SettingsFailedClosed');
    }
    try {
      const outcome = await runAction(definition, input, {
        settings: settings.settings,
        settingsVersion: settings.version,
        clients: deps.clientsFor(
          { account: input.account, region: input.region },
          settings.settings,
          accountOf(context.invokedFunctionArn),
        ),
        ledger: classifyingLedger(deps.ledgerFor(settings.settings)),
        logger: {
          info: (message, extra = {}) => logger.info(message, extra),
          warn: (message, extra = {}) => logger.warn(message, extra),
          error: (message, extra = {}) => logger.error(message, extra),
        },
        notifications: await deps.notifications(),
        now: deps.now,
      });
      countOutcome(metrics, definition.id, outcome.status);
      return outcome;
    } catch (error) {
      countOutcome(metrics, definition.id, error instanceof ActionError ? error.name : 'UnexpectedError');
      throw error;
    }
  };

  const handler = middy(handle)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .use(parser({ schema: definition.input, safeParse: true }));
  // The parser middleware turns the raw event into the parse result before `handle` sees it.
  return handler as unknown as ActionLambdaHandler<O>;
}

/**
 * Ledger reads and writes are AWS calls like the action's own: a throttled or failing one must reach Step
 * Functions under an action error name (`ThrottledError`, `TransientServiceError`, …) that the playbooks'
 * Retry matches, not as the raw SDK error, which no Retry names and which would fail the playbook at once.
 * A retry after a lost `done` write is safe: the action plans again and finds the change already done.
 */
export function classifyingLedger(ledger: Ledger): Ledger {
  return {
    async append(entry) {
      try {
        await ledger.append(entry);
      } catch (error) {
        throw classifyAwsError(error, `ledger write (${entry.step} ${entry.outcome})`);
      }
    },
    async entries(incidentId) {
      try {
        return await ledger.entries(incidentId);
      } catch (error) {
        throw classifyAwsError(error, 'ledger read');
      }
    },
    ...(ledger.acquireLease === undefined || ledger.releaseLease === undefined
      ? {}
      : {
          async acquireLease(resource, holder, until, now) {
            try {
              return await (ledger.acquireLease as NonNullable<Ledger['acquireLease']>)(
                resource,
                holder,
                until,
                now,
              );
            } catch (error) {
              throw classifyAwsError(error, `lease on ${resource}`);
            }
          },
          async releaseLease(resource, holder) {
            try {
              await (ledger.releaseLease as NonNullable<Ledger['releaseLease']>)(resource, holder);
            } catch (error) {
              throw classifyAwsError(error, `giving back the lease on ${resource}`);
            }
          },
        }),
    ...(ledger.closeClaim === undefined
      ? {}
      : {
          async closeClaim(incidentId, at, by) {
            try {
              return await (ledger.closeClaim as NonNullable<Ledger['closeClaim']>)(incidentId, at, by);
            } catch (error) {
              throw classifyAwsError(error, `closing the claim of ${incidentId}`);
            }
          },
        }),
  };
}

/** One `ActionOutcome` metric per invocation, by step and outcome (published by logMetrics at the end). */
function countOutcome(metrics: Metrics, step: string, outcome: string): void {
  metrics.addDimensions({ step, outcome });
  metrics.addMetric('ActionOutcome', MetricUnit.Count, 1);
}

type Issue = { path: PropertyKey[]; message: string };

/** Powertools' ParseError keeps the schema's issues as its cause (an array, or `{ issues }`). */
function describeParseError(error: unknown): string {
  const cause = (error as { cause?: Issue[] | { issues?: Issue[] } } | undefined)?.cause;
  const issues = Array.isArray(cause) ? cause : cause?.issues;
  if (Array.isArray(issues)) {
    return `invalid input: ${issues.map((issue) => `${issue.path.map(String).join('.') || '(input)'}: ${issue.message}`).join('; ')}`;
  }
  return `invalid input: ${error instanceof Error ? error.message : String(error)}`;
}

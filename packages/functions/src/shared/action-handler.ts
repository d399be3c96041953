import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { executeAction, parseActionInput } from '@cordon/core/actions/run-action';
import type {
  ActionDefinition,
  ActionOutcome,
  AwsClients,
  NotificationTargets,
  StepEnvelope,
} from '@cordon/core/actions/types';
import { ActionError, classifyAwsError } from '@cordon/core/errors';
import { DynamoDbLedger } from '@cordon/core/ledger/dynamodb-ledger';
import type { Ledger } from '@cordon/core/ledger/ledger';
import type { Settings, SettingsResult } from '@cordon/core/policy/settings';
import type { Context } from 'aws-lambda';
import { HandlerOptionsInvalidError } from '../errors.ts';
import { createSettingsLoader } from '../settings.ts';
import {
  type AccountTarget,
  accountClientsByHome,
  accountOf,
  actionRoleArn,
  type ClientConstructors,
} from './account-clients.ts';
import { readEnvironment } from './environment.ts';
import { type HandlerMiddleware, handlerShell, type LambdaHandler, observability } from './handler-shell.ts';

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
 * The dependencies of a deployed action function, from its environment (`readEnvironment('action')`):
 * `CORDON_STAGE` (settings path), `CORDON_LEDGER_TABLE`, `AWS_REGION` (Lambda's), and optionally
 * `CORDON_SNS_TOPIC_ARN` and `CORDON_SLACK_WEBHOOK_PARAMETER` (the name of an SSM SecureString holding the
 * webhook URL).
 */
export function dependenciesFromEnvironment(
  actionId: string,
  constructors: Partial<ClientConstructors>,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): ActionHandlerDependencies {
  const serviceName = `cordon-${actionId}`;
  const { stage, ledgerTable, topicArn, slackWebhookParameter, metricsNamespace, region } = readEnvironment(
    'action',
    environment,
  );
  const { logger, metrics } = observability(serviceName, metricsNamespace);
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
      snsTopicArn: topicArn,
      // A secret: read decrypted, cached five minutes, never logged.
      slackWebhookUrl:
        slackWebhookParameter === undefined
          ? undefined
          : await getParameter(slackWebhookParameter, { decrypt: true, maxAge: 300 }),
    }),
    now: () => new Date(),
  };
}

/** What Lambda calls: any event in (the shell parses it), the step's outcome out. */
export type ActionLambdaHandler<O> = LambdaHandler<unknown, ActionOutcome<O>>;

/** One `ActionOutcome` metric per invocation, by step and outcome (published by logMetrics at the end). */
function countOutcome(metrics: Metrics, step: string, outcome: string): void {
  metrics.addDimensions({ step, outcome });
  metrics.addMetric('ActionOutcome', MetricUnit.Count, 1);
}

/**
 * Counts every action invocation once, as the step's outcome (`done`, `already-done`, `dry-run`) or the
 * name of the action error it failed with — `InvalidActionInputError` from the boundary included — and
 * `UnexpectedError` for anything else (a bug, not an AWS answer).
 */
export function actionOutcomes(options: {
  readonly metrics: Metrics;
  readonly step: string;
}): HandlerMiddleware {
  if (typeof options?.metrics?.addMetric !== 'function' || typeof options.step !== 'string') {
    throw new HandlerOptionsInvalidError(
      'actionOutcomes',
      'metrics (Powertools Metrics) and step are required',
    );
  }
  const { metrics, step } = options;
  const actionOutcomesAfter = async (request: { response: unknown }): Promise<void> => {
    countOutcome(metrics, step, (request.response as ActionOutcome<unknown>).status);
  };
  const actionOutcomesOnError = async (request: { error: unknown }): Promise<void> => {
    countOutcome(
      metrics,
      step,
      request.error instanceof ActionError ? request.error.name : 'UnexpectedError',
    );
  };
  return { after: actionOutcomesAfter, onError: actionOutcomesOnError };
}

/**
 * Makes the Lambda handler of one action: the shell (logger with incident id and step as persistent keys,
 * metrics with one `ActionOutcome` per invocation, error logging) with the step input parsed once at the
 * boundary by `parseActionInput` — an invalid input is refused before settings, clients or the ledger are
 * touched — around `executeAction`. No decision lives here. Traces come from Lambda's active tracing (the
 * function's segment), not from an X-Ray SDK in the bundle.
 *
 * @example export const handler = createActionHandler(isolateInstance, { clients: { ec2: EC2Client } });
 */
export function createActionHandler<I extends StepEnvelope, O>(
  definition: ActionDefinition<I, O>,
  dependencies: ActionHandlerDependencies | { readonly clients: Partial<ClientConstructors> },
): ActionLambdaHandler<O> {
  const deps =
    'clients' in dependencies
      ? dependenciesFromEnvironment(definition.id, dependencies.clients)
      : dependencies;
  const { logger, metrics } = deps;

  const handle = async (input: I, context: Context): Promise<ActionOutcome<O>> => {
    logger.appendKeys({ incidentId: input.incidentId, step: definition.id });
    const settings = await deps.loadSettings();
    if (!settings.ok) {
      // Fail closed: the action still runs, as a dry run (settings mode is notify-only), and says why.
      logger.error('Settings are invalid or missing: failing closed (no mutating call)', {
        reason: settings.reason,
      });
      countOutcome(metrics, definition.id, 'SettingsFailedClosed');
    }
    return executeAction(definition, input, {
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
  };

  return handlerShell(handle, {
    logger,
    metrics,
    parse: (event) => parseActionInput(definition, event),
    use: [actionOutcomes({ metrics, step: definition.id })],
  });
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
